// Package keys manages issuer signing keys: the master key that encrypts
// them at rest, the Ed25519 key set of each issuer with its rotation, and
// the did:web identity and DID document built from that key set.
//
// The package holds no SQL: the store persists the sealed private keys and
// the public key sets this package produces.
package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

const (
	// MasterKeyEnv names the environment variable that may hold the master
	// key (32 bytes, base64 or hex). When set, the key file is not used.
	MasterKeyEnv = "SCEAU_MASTER_KEY"
	// MasterKeyFile is the name of the key file in the data directory.
	MasterKeyFile = "master.key"
	// MasterKeySize is the size of the master key in bytes.
	MasterKeySize = 32
	// maxKeyFileSize bounds what is read from the key file: the key is 44
	// characters of base64; anything much larger is not a key file.
	maxKeyFileSize = 1024
)

// Errors callers branch on; returned errors wrap them with context.
var (
	// ErrInvalidMasterKey: SCEAU_MASTER_KEY or the key file does not hold
	// 32 bytes in base64 or hex.
	ErrInvalidMasterKey = errors.New("invalid master key")
	// ErrInsecureKeyFile: the key file is readable or writable by group or
	// others, or is not a regular file.
	ErrInsecureKeyFile = errors.New("insecure master key file")
)

// redacted is what every printing of a MasterKey shows.
const redacted = "keys.MasterKey(REDACTED)"

// MasterKey is the server's secret, from which the keys that encrypt data
// at rest are derived. Printing it in any form (fmt verbs, slog) shows
// "REDACTED". The key bytes are reachable only through a function value:
// fmt prints a func as an address, so even a struct that holds a MasterKey
// by value in an unexported field (where fmt cannot call String) does not
// print them, whatever the verb.
type MasterKey struct {
	s func() *masterSecret
	// rand provides nonces; crypto/rand.Reader unless WithRand was used.
	rand io.Reader
}

type masterSecret struct {
	key     [MasterKeySize]byte
	aead    cipher.AEAD // AES-256-GCM under the derived sealing key
	source  string
	created bool
}

// NewMasterKey wraps 32 key bytes (copied). source describes where the key
// came from, for log lines ("environment SCEAU_MASTER_KEY").
func NewMasterKey(key []byte, source string) (*MasterKey, error) {
	if len(key) != MasterKeySize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidMasterKey, len(key), MasterKeySize)
	}
	s := &masterSecret{source: source}
	copy(s.key[:], key)
	sealKey, err := hkdf.Key(sha256.New, s.key[:], nil, purposeSeal, 32)
	if err != nil {
		return nil, fmt.Errorf("derive sealing key: %w", err)
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, fmt.Errorf("sealing cipher: %w", err)
	}
	s.aead, err = cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sealing cipher: %w", err)
	}
	return &MasterKey{s: func() *masterSecret { return s }, rand: rand.Reader}, nil
}

// ParseMasterKey decodes a master key written as base64 (standard or URL
// alphabet, padded or not) or as 64 hexadecimal digits. Surrounding spaces
// and newlines are ignored. Errors never quote the input.
func ParseMasterKey(text, source string) (*MasterKey, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, fmt.Errorf("%w: %s is empty", ErrInvalidMasterKey, source)
	}
	if b, ok := decodeKeyText(text); ok {
		defer clear(b)
		return NewMasterKey(b, source)
	}
	return nil, fmt.Errorf("%w: %s must hold %d bytes written in base64 (44 characters) or hex (64 digits); "+
		"generate one with: openssl rand -base64 32", ErrInvalidMasterKey, source, MasterKeySize)
}

func decodeKeyText(text string) ([]byte, bool) {
	if len(text) == 2*MasterKeySize {
		if b, err := hex.DecodeString(text); err == nil {
			return b, true
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(text); err == nil && len(b) == MasterKeySize {
			return b, true
		}
	}
	return nil, false
}

// GenerateMasterKey makes a new random master key.
func GenerateMasterKey(r io.Reader, source string) (*MasterKey, error) {
	var b [MasterKeySize]byte
	defer clear(b[:])
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return nil, fmt.Errorf("generate master key: %w", err)
	}
	return NewMasterKey(b[:], source)
}

// LoadMasterKey returns the master key from SCEAU_MASTER_KEY when that is set
// (the key file is then neither read nor created), else from
// dataDir/master.key, which is created with mode 0600 on first start. An
// existing key file that group or others may read is refused, with the
// command that fixes it. getenv nil means os.Getenv.
func LoadMasterKey(dataDir string, getenv func(string) string) (*MasterKey, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if v := getenv(MasterKeyEnv); v != "" {
		return ParseMasterKey(v, "environment "+MasterKeyEnv)
	}
	if dataDir == "" {
		return nil, fmt.Errorf("load master key: no data directory and %s not set", MasterKeyEnv)
	}
	path := filepath.Join(dataDir, MasterKeyFile)
	mk, err := readKeyFile(path)
	if err == nil {
		return mk, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return createKeyFile(dataDir, path)
}

func readKeyFile(path string) (*MasterKey, error) {
	// Lstat first: a symbolic link could point at a file whose mode we
	// would then check instead of refusing the link itself.
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file (%s)", ErrInsecureKeyFile, path, fi.Mode().Type())
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, so other users may read it; "+
			"restrict it with: chmod 600 %s (and consider the key compromised if others did read it)",
			ErrInsecureKeyFile, path, fi.Mode().Perm(), path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open master key file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read master key file %s: %w", path, err)
	}
	defer clear(data)
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrInvalidMasterKey, path, maxKeyFileSize)
	}
	return ParseMasterKey(string(data), "file "+path)
}

func createKeyFile(dataDir, path string) (*MasterKey, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	var raw [MasterKeySize]byte
	defer clear(raw[:])
	if _, err := io.ReadFull(rand.Reader, raw[:]); err != nil {
		return nil, fmt.Errorf("generate master key: %w", err)
	}
	// O_EXCL: never overwrite a key another process has just written; the
	// data it encrypts would be lost for good.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return readKeyFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("create master key file: %w", err)
	}
	text := base64.StdEncoding.EncodeToString(raw[:]) + "\n"
	_, werr := f.WriteString(text)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write master key file %s: %w", path, werr)
	}
	syncDir(dataDir)
	mk, err := NewMasterKey(raw[:], "file "+path)
	if err != nil {
		return nil, err
	}
	mk.s().created = true
	return mk, nil
}

// syncDir makes a new directory entry durable; failure is not fatal (some
// file systems do not support it) since the file itself was synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// WithRand returns a copy of m that draws nonces from r (tests pass a fixed
// reader). The copy shares the key.
func (m *MasterKey) WithRand(r io.Reader) *MasterKey {
	return &MasterKey{s: m.s, rand: r}
}

// Source says where the key came from ("file data/master.key",
// "environment SCEAU_MASTER_KEY"), never the key.
func (m *MasterKey) Source() string { return m.s().source }

// Created reports whether LoadMasterKey has just created the key file: the
// server should tell the operator to back it up, since without it every
// issuer key is lost.
func (m *MasterKey) Created() bool { return m.s().created }

// Fingerprint is a short public identifier of the master key (16 hex digits
// derived with HKDF, revealing nothing of the key). The store may record it
// so that a server started with another master key says so at once instead
// of failing on the first decryption.
func (m *MasterKey) Fingerprint() string {
	b, err := m.DeriveKey(purposeFingerprint, 8)
	if err != nil {
		panic(err) // HKDF-SHA256 of 8 bytes cannot fail
	}
	return hex.EncodeToString(b)
}

// DeriveKey derives a key of size bytes for one purpose with HKDF-SHA256.
// Each use of the master key has its own purpose label, so that keys for
// different uses are independent.
func (m *MasterKey) DeriveKey(purpose string, size int) ([]byte, error) {
	if purpose == "" {
		return nil, errors.New("derive key: empty purpose")
	}
	b, err := hkdf.Key(sha256.New, m.s().key[:], nil, purpose, size)
	if err != nil {
		return nil, fmt.Errorf("derive key for %q: %w", purpose, err)
	}
	return b, nil
}

// Purpose labels; changing one changes every derived key.
const (
	purposeSeal        = "sceau seal v1"
	purposeFingerprint = "sceau master key fingerprint v1"
)

// String redacts the key.
func (m MasterKey) String() string { return redacted }

// GoString redacts the key (%#v).
func (m MasterKey) GoString() string { return redacted }

// Format redacts the key for every fmt verb (%x, %d and %s included).
func (m MasterKey) Format(f fmt.State, verb rune) { io.WriteString(f, redacted) }

// LogValue redacts the key in log/slog records.
func (m MasterKey) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText redacts the key when it ends up in JSON or other text
// encodings by accident.
func (m MasterKey) MarshalText() ([]byte, error) { return []byte(redacted), nil }
