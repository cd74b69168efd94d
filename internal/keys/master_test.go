package keys

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// testKeyBytes is a fixed master key: 0x00, 0x01, … 0x1f.
var testKeyBytes = func() []byte {
	b := make([]byte, 32)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}()

func testMaster(t testing.TB) *MasterKey {
	t.Helper()
	mk, err := NewMasterKey(testKeyBytes, "test")
	if err != nil {
		t.Fatal(err)
	}
	return mk
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseMasterKey(t *testing.T) {
	std := base64.StdEncoding.EncodeToString(testKeyBytes)
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"base64 std", std, true},
		{"base64 std with newline and spaces", "  " + std + "\n", true},
		{"base64 raw std", base64.RawStdEncoding.EncodeToString(testKeyBytes), true},
		{"base64 url", base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)), true},
		{"base64 raw url", base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 32)), true},
		{"hex lower", hex.EncodeToString(testKeyBytes), true},
		{"hex upper", strings.ToUpper(hex.EncodeToString(testKeyBytes)), true},
		{"empty", "", false},
		{"blank", " \n\t", false},
		{"31 bytes base64", base64.StdEncoding.EncodeToString(testKeyBytes[:31]), false},
		{"33 bytes base64", base64.StdEncoding.EncodeToString(append(testKeyBytes, 1)), false},
		{"63 hex digits", hex.EncodeToString(testKeyBytes)[:63], false},
		{"64 non-hex chars", strings.Repeat("g", 64), false},
		{"66 hex digits", hex.EncodeToString(append(testKeyBytes, 1)), false},
		{"passphrase", "correct horse battery staple", false},
		{"base64 with inner space", std[:10] + " " + std[10:], false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mk, err := ParseMasterKey(tc.in, "environment SCEAU_MASTER_KEY")
			if tc.ok {
				if err != nil {
					t.Fatalf("ParseMasterKey: %v", err)
				}
				if tc.in == std && mk.Fingerprint() != testMaster(t).Fingerprint() {
					t.Error("decoded key differs from the encoded one")
				}
				return
			}
			if !errors.Is(err, ErrInvalidMasterKey) {
				t.Fatalf("err = %v, want ErrInvalidMasterKey", err)
			}
			if !strings.Contains(err.Error(), "SCEAU_MASTER_KEY") {
				t.Errorf("error %q does not name the source", err)
			}
			if s := strings.TrimSpace(tc.in); len(s) > 3 && strings.Contains(err.Error(), s) {
				t.Errorf("error %q quotes the (secret) input", err)
			}
		})
	}
}

func TestParseMasterKeyEquivalentForms(t *testing.T) {
	forms := []string{
		base64.StdEncoding.EncodeToString(testKeyBytes),
		base64.RawURLEncoding.EncodeToString(testKeyBytes),
		hex.EncodeToString(testKeyBytes),
	}
	want := testMaster(t).Fingerprint()
	for _, f := range forms {
		mk, err := ParseMasterKey(f, "test")
		if err != nil {
			t.Fatal(err)
		}
		if got := mk.Fingerprint(); got != want {
			t.Errorf("%s: fingerprint %s, want %s", f, got, want)
		}
	}
}

func TestLoadMasterKeyFromEnv(t *testing.T) {
	dir := t.TempDir()
	mk, err := LoadMasterKey(dir, env(map[string]string{MasterKeyEnv: hex.EncodeToString(testKeyBytes)}))
	if err != nil {
		t.Fatal(err)
	}
	if mk.Fingerprint() != testMaster(t).Fingerprint() {
		t.Error("wrong key from environment")
	}
	if mk.Source() != "environment "+MasterKeyEnv || mk.Created() {
		t.Errorf("Source = %q, Created = %v", mk.Source(), mk.Created())
	}
	if _, err := os.Stat(filepath.Join(dir, MasterKeyFile)); !os.IsNotExist(err) {
		t.Errorf("key file created although the environment gave the key: %v", err)
	}

	_, err = LoadMasterKey(dir, env(map[string]string{MasterKeyEnv: "too-short"}))
	if !errors.Is(err, ErrInvalidMasterKey) || !strings.Contains(err.Error(), "openssl rand -base64 32") {
		t.Errorf("bad env key: err = %v", err)
	}
}

func TestLoadMasterKeyCreatesFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data") // does not exist yet
	mk, err := LoadMasterKey(dir, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !mk.Created() {
		t.Error("Created() = false for a new key file")
	}
	path := filepath.Join(dir, MasterKeyFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data))); err != nil || len(b) != 32 {
		t.Errorf("key file does not hold 32 bytes of base64: %q", data)
	}

	// Second start: same key, file not rewritten.
	again, err := LoadMasterKey(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Created() {
		t.Error("Created() = true for an existing key file")
	}
	if again.Fingerprint() != mk.Fingerprint() {
		t.Error("second load gave another key")
	}
	sealed, err := mk.Seal([]byte("secret"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Open(sealed, []byte("ad")); err != nil {
		t.Errorf("key from file cannot open what the created key sealed: %v", err)
	}
}

func TestLoadMasterKeyRefusesInsecureFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	keyText := base64.StdEncoding.EncodeToString(testKeyBytes) + "\n"
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  error
		hint  string
	}{
		{"mode 0644", func(t *testing.T, path string) { writeMode(t, path, keyText, 0o644) }, ErrInsecureKeyFile, "chmod 600"},
		{"mode 0640", func(t *testing.T, path string) { writeMode(t, path, keyText, 0o640) }, ErrInsecureKeyFile, "chmod 600"},
		{"mode 0602", func(t *testing.T, path string) { writeMode(t, path, keyText, 0o602) }, ErrInsecureKeyFile, "chmod 600"},
		{"symlink", func(t *testing.T, path string) {
			target := path + ".real"
			writeMode(t, target, keyText, 0o600)
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}, ErrInsecureKeyFile, "not a regular file"},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, ErrInsecureKeyFile, "not a regular file"},
		{"garbage content", func(t *testing.T, path string) { writeMode(t, path, "not a key\n", 0o600) }, ErrInvalidMasterKey, "base64"},
		{"empty file", func(t *testing.T, path string) { writeMode(t, path, "", 0o600) }, ErrInvalidMasterKey, "empty"},
		{"huge file", func(t *testing.T, path string) { writeMode(t, path, strings.Repeat("A", 5000), 0o600) }, ErrInvalidMasterKey, "larger than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, MasterKeyFile)
			tc.setup(t, path)
			_, err := LoadMasterKey(dir, env(nil))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.hint) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q lacks %q or the path", err, tc.hint)
			}
		})
	}
}

func writeMode(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // umask may have narrowed it
		t.Fatal(err)
	}
}

type holder struct {
	name string
	mk   MasterKey // by value, unexported: fmt cannot call its methods
	ptr  *MasterKey
}

type exported struct {
	Key  *MasterKey
	Val  MasterKey
	List []any
}

func TestMasterKeyRedaction(t *testing.T) {
	mk := testMaster(t)
	secrets := []string{
		string(testKeyBytes),
		hex.EncodeToString(testKeyBytes),
		base64.StdEncoding.EncodeToString(testKeyBytes)[:20],
		"[0 1 2 3 4 5", // %v of the byte array
		"0 1 2 3 4 5",
		"0x0, 0x1, 0x2", // %#v of the byte array
		"\\x00\\x01\\x02",
	}
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, arg := range []any{mk, *mk, holder{"h", *mk, mk}, exported{mk, *mk, []any{mk, *mk}}, []*MasterKey{mk}, map[string]any{"k": *mk}} {
			outputs = append(outputs, verb+" "+fmt.Sprintf(verb, arg))
		}
	}
	outputs = append(outputs, fmt.Sprint(mk), fmt.Sprintln(*mk), mk.String(), mk.GoString())
	for _, newHandler := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		l := slog.New(newHandler(&buf))
		l.Info("start", "master", mk, "value", *mk, "group", slog.GroupValue(slog.Any("k", mk)))
		outputs = append(outputs, buf.String())
	}
	j, err := json.Marshal(exported{mk, *mk, []any{mk}})
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(j))

	for _, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("output shows key material %q: %s", s, out)
			}
		}
	}
	// The redaction marker shows in the direct forms (it is not just empty).
	for _, out := range []string{fmt.Sprintf("%v", mk), fmt.Sprintf("%#v", *mk), outputs[len(outputs)-1]} {
		if !strings.Contains(out, "REDACTED") {
			t.Errorf("output %q lacks the redaction marker", out)
		}
	}
}

func TestDeriveKey(t *testing.T) {
	mk := testMaster(t)
	a1, err := mk.DeriveKey("sessions", 32)
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := mk.DeriveKey("sessions", 32)
	b, _ := mk.DeriveKey("csrf", 32)
	if !bytes.Equal(a1, a2) {
		t.Error("same purpose gave different keys")
	}
	if bytes.Equal(a1, b) {
		t.Error("different purposes gave the same key")
	}
	if bytes.Equal(a1, testKeyBytes) {
		t.Error("derived key equals the master key")
	}
	if _, err := mk.DeriveKey("", 32); err == nil {
		t.Error("empty purpose accepted")
	}
	other, _ := NewMasterKey(bytes.Repeat([]byte{7}, 32), "other")
	if other.Fingerprint() == mk.Fingerprint() {
		t.Error("different master keys share a fingerprint")
	}
	if len(mk.Fingerprint()) != 16 {
		t.Errorf("fingerprint %q is not 16 hex digits", mk.Fingerprint())
	}
}
