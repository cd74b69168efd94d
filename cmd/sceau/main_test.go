package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sceau/sceau/bake"
)

// runCmd runs the command in-process and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	code := run(e, args)
	return code, out.String(), errOut.String()
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"no command", nil},
		{"unknown command", []string{"frobnicate"}},
		{"keygen without file", []string{"keygen"}},
		{"sign without key", []string{"sign", "x.json"}},
		{"sign bad format", []string{"sign", "--key", "k", "--format", "pdf", "x.json"}},
		{"verify without file", []string{"verify"}},
		{"verify bad time", []string{"verify", "--now", "yesterday", "x.json"}},
		{"verify unknown flag", []string{"verify", "--colour", "x.json"}},
		{"verify missing documents", []string{"verify", "--documents", "/nonexistent", "x.json"}},
		{"bake without image", []string{"bake", "x.json"}},
		{"unbake two files", []string{"unbake", "a.png", "b.png"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := runCmd(t, c.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr: %s", code, exitUsage, errOut)
			}
			if errOut == "" {
				t.Fatal("no message on stderr")
			}
		})
	}
}

func TestKeygenSignVerify(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key.json")
	code, out, errOut := runCmd(t, "keygen", key)
	if code != exitOK || !strings.HasPrefix(out, "did:key:z6Mk") {
		t.Fatalf("keygen: exit %d, out %q, err %q", code, out, errOut)
	}
	info, err := os.Stat(key)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode %v, want 0600", perm)
	}
	if code, _, _ := runCmd(t, "keygen", key); code == exitOK {
		t.Fatal("keygen overwrote an existing key")
	}
	issuer := strings.TrimSpace(out)

	unsigned := filepath.Join(dir, "unsigned.json")
	raw, err := os.ReadFile("../../interop/testdata/typical.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(unsigned, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"di", "jwt"} {
		t.Run(format, func(t *testing.T) {
			code, signed, errOut := runCmd(t, "sign", "--key", key, "--format", format, unsigned)
			if code != exitOK {
				t.Fatalf("sign: exit %d: %s", code, errOut)
			}
			file := filepath.Join(dir, "signed-"+format)
			if err := os.WriteFile(file, []byte(signed), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCmd(t, "verify", "--json", "--now", "2027-06-01T00:00:00Z", file)
			if code != exitOK {
				t.Fatalf("verify: exit %d\n%s\n%s", code, out, errOut)
			}
			var reports []struct {
				File    string `json:"file"`
				Verdict string `json:"verdict"`
				Issuer  struct{ ID string }
				Checks  []struct{ Code, Outcome string }
			}
			if err := json.Unmarshal([]byte(out), &reports); err != nil {
				t.Fatalf("--json output: %v\n%s", err, out)
			}
			if len(reports) != 1 || reports[0].Verdict != "valid" || reports[0].Issuer.ID != issuer || len(reports[0].Checks) < 10 {
				t.Fatalf("report: %+v", reports)
			}

			tampered := filepath.Join(dir, "tampered-"+format)
			bad := strings.Replace(signed, "Secourisme", "Sauvetage", 1)
			if format == "jwt" {
				bad = signed[:len(signed)-6] + "AAAAA\n"
			}
			if bad == signed {
				t.Fatal("tampering changed nothing")
			}
			if err := os.WriteFile(tampered, []byte(bad), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, _ = runCmd(t, "verify", "--now", "2027-06-01T00:00:00Z", file, tampered)
			if code != exitInvalid || !strings.Contains(out, "NOT VALID") {
				t.Fatalf("verify with a tampered file: exit %d\n%s", code, out)
			}
		})
	}
}

func TestSignRefusesForeignIssuer(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key.json")
	if code, _, errOut := runCmd(t, "keygen", key); code != exitOK {
		t.Fatal(errOut)
	}
	cred := filepath.Join(dir, "c.json")
	if err := os.WriteFile(cred, []byte(`{"issuer": {"id": "did:web:other.example"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCmd(t, "sign", "--key", key, cred)
	if code != exitInvalid || !strings.Contains(errOut, "did:web:other.example") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestKeyFileTooOpen(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key.json")
	if code, _, errOut := runCmd(t, "keygen", key); code != exitOK {
		t.Fatal(errOut)
	}
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCmd(t, "sign", "--key", key, "../../interop/testdata/typical.json")
	if code != exitInvalid || !strings.Contains(errOut, "chmod 600") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestBakeUnbake(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "seal.png")
	if err := os.WriteFile(img, demoImage(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, baked, errOut := runCmd(t, "bake", "--image", img, filepath.Join(exampleDir, "badge.json"))
	if code != exitOK {
		t.Fatal(errOut)
	}
	b, err := bake.Unbake([]byte(baked))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(exampleDir, "badge.json"))
	if !bytes.Equal(b.Payload, bytes.TrimSpace(want)) {
		t.Fatal("baked payload differs from the credential file")
	}
	bakedFile := filepath.Join(dir, "baked.png")
	if err := os.WriteFile(bakedFile, []byte(baked), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "unbake", bakedFile)
	if code != exitOK || strings.TrimSpace(out) != string(bytes.TrimSpace(want)) {
		t.Fatalf("unbake: exit %d, %s", code, errOut)
	}
	if code, _, _ := runCmd(t, "unbake", img); code != exitInvalid {
		t.Fatalf("unbake of a plain image: exit %d, want %d", code, exitInvalid)
	}
}
