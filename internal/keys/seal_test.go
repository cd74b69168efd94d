package keys

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"errors"
	mrand "math/rand/v2"
	"testing"
)

// fixedReader returns a deterministic stream (ChaCha8 with a fixed seed).
func fixedReader(seed byte) *mrand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return mrand.NewChaCha8(s)
}

func TestSealOpenRoundTrip(t *testing.T) {
	mk := testMaster(t)
	tests := []struct {
		name      string
		plaintext []byte
		ad        []byte
	}{
		{"empty plaintext, no ad", nil, nil},
		{"seed", bytes.Repeat([]byte{0xab}, 32), []byte("issuer-1/key-1")},
		{"large", bytes.Repeat([]byte("x"), 100_000), []byte("ad")},
		{"binary ad", []byte("secret"), []byte{0, 1, 2, 0xff}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sealed, err := mk.Seal(tc.plaintext, tc.ad)
			if err != nil {
				t.Fatal(err)
			}
			if len(sealed) != len(tc.plaintext)+sealOverhead || sealed[0] != sealV1 {
				t.Errorf("sealed length %d, version %#x", len(sealed), sealed[0])
			}
			if len(tc.plaintext) >= 8 && bytes.Contains(sealed, tc.plaintext[:8]) {
				t.Error("plaintext visible in sealed value")
			}
			got, err := mk.Open(sealed, tc.ad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.plaintext) {
				t.Error("round trip changed the plaintext")
			}
		})
	}
}

func TestSealRandomNonce(t *testing.T) {
	mk := testMaster(t)
	a, _ := mk.Seal([]byte("same"), nil)
	b, _ := mk.Seal([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Error("two seals of the same plaintext are equal: nonce not random")
	}
	// An injected reader makes sealing deterministic.
	c, _ := mk.WithRand(fixedReader(1)).Seal([]byte("same"), nil)
	d, _ := mk.WithRand(fixedReader(1)).Seal([]byte("same"), nil)
	if !bytes.Equal(c, d) {
		t.Error("same injected reader gave different output")
	}
	if _, err := mk.WithRand(bytes.NewReader([]byte{1, 2})).Seal([]byte("x"), nil); err == nil {
		t.Error("short nonce reader accepted")
	}
}

// TestSealFormat pins format version 1 to its documentation: AES-256-GCM
// under HKDF-SHA256(master, info "sceau seal v1"), nonce after the version
// byte, additional data = version byte || caller's data. A golden value
// catches accidental changes that would make stored keys unreadable.
func TestSealFormat(t *testing.T) {
	mk := testMaster(t).WithRand(bytes.NewReader(bytes.Repeat([]byte{0x42}, nonceSize)))
	sealed, err := mk.Seal([]byte("plaintext"), []byte("ad"))
	if err != nil {
		t.Fatal(err)
	}
	const golden = "01424242424242424242424242d93f3cff09de812021d88b761742c8b8b5b9596b68392fae57"
	if got := hex.EncodeToString(sealed); got != golden {
		t.Errorf("sealed = %s\nwant     %s", got, golden)
	}
	key, _ := testMaster(t).DeriveKey("sceau seal v1", 32)
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	pt, err := gcm.Open(nil, sealed[1:13], sealed[13:], []byte("\x01ad"))
	if err != nil || string(pt) != "plaintext" {
		t.Errorf("independent decryption: %q, %v", pt, err)
	}
}

func TestOpenTampered(t *testing.T) {
	mk := testMaster(t)
	ad := []byte("issuer-1/key-1")
	sealed, err := mk.Seal([]byte("issuer private key seed"), ad)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewMasterKey(bytes.Repeat([]byte{9}, 32), "other")
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name   string
		key    *MasterKey
		sealed []byte
		ad     []byte
		want   error
	}{
		{"wrong master key", other, sealed, ad, ErrDecrypt},
		{"other additional data", mk, sealed, []byte("issuer-2/key-1"), ErrDecrypt},
		{"missing additional data", mk, sealed, nil, ErrDecrypt},
		{"nonce bit flipped", mk, flip(1), ad, ErrDecrypt},
		{"ciphertext bit flipped", mk, flip(15), ad, ErrDecrypt},
		{"tag bit flipped", mk, flip(len(sealed) - 1), ad, ErrDecrypt},
		{"byte appended", mk, append(bytes.Clone(sealed), 0), ad, ErrDecrypt},
		{"last byte removed", mk, sealed[:len(sealed)-1], ad, ErrDecrypt},
		{"version changed", mk, flip(0), ad, ErrSealedFormat},
		{"truncated below minimum", mk, sealed[:sealOverhead-1], ad, ErrSealedFormat},
		{"version byte only", mk, sealed[:1], ad, ErrSealedFormat},
		{"empty", mk, nil, ad, ErrSealedFormat},
		{"oversized", mk, append([]byte{sealV1}, make([]byte, MaxSealSize+sealOverhead)...), ad, ErrSealedFormat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt, err := tc.key.Open(tc.sealed, tc.ad)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if pt != nil {
				t.Error("plaintext returned with an error")
			}
		})
	}
	if _, err := mk.Seal(make([]byte, MaxSealSize+1), nil); !errors.Is(err, ErrSealedFormat) {
		t.Errorf("oversized plaintext: err = %v", err)
	}
}

func TestSealPrivateKey(t *testing.T) {
	mk := testMaster(t)
	var ks KeySet
	k1, priv1, err := ks.Rotate(fixedReader(1), testTime)
	if err != nil {
		t.Fatal(err)
	}
	k2, priv2, _ := ks.Rotate(fixedReader(2), testTime.Add(1))
	s1, err := mk.SealPrivateKey("issuer-a", k1.ID, priv1)
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := mk.SealPrivateKey("issuer-a", k2.ID, priv2)

	got, err := mk.OpenPrivateKey("issuer-a", k1, s1)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(priv1) {
		t.Error("round trip changed the private key")
	}
	if bytes.Contains(s1, priv1.Seed()[:16]) {
		t.Error("seed visible in the sealed value")
	}

	// An attacker with write access to the database swaps rows.
	if _, err := mk.OpenPrivateKey("issuer-b", k1, s1); !errors.Is(err, ErrDecrypt) {
		t.Errorf("other issuer: err = %v, want ErrDecrypt", err)
	}
	if _, err := mk.OpenPrivateKey("issuer-a", k2, s1); !errors.Is(err, ErrDecrypt) {
		t.Errorf("key-1 ciphertext in key-2's row: err = %v, want ErrDecrypt", err)
	}
	// The public key of the row was replaced: the private key does not match.
	forged := k1
	forged.Multikey = k2.Multikey
	if _, err := mk.OpenPrivateKey("issuer-a", forged, s1); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("mismatching public key: err = %v, want ErrInvalidKey", err)
	}
	if _, err := mk.OpenPrivateKey("issuer-a", k2, s2); err != nil {
		t.Errorf("key-2: %v", err)
	}
	// Length-prefixed binding: ("issuer-a", "key-1") ≠ ("issuer-akey-", "1").
	if !bytes.Equal(privateKeyAD("a", "bc"), privateKeyAD("a", "bc")) || bytes.Equal(privateKeyAD("ab", "c"), privateKeyAD("a", "bc")) {
		t.Error("additional data is ambiguous")
	}
	if _, err := mk.SealPrivateKey("issuer-a", "key-1", priv1[:10]); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("short private key: err = %v", err)
	}
	if _, err := mk.SealPrivateKey("", "key-1", priv1); err == nil {
		t.Error("empty issuer id accepted")
	}
}

func BenchmarkOpenPrivateKey(b *testing.B) {
	mk := testMaster(b)
	var ks KeySet
	k, priv, _ := ks.Rotate(fixedReader(1), testTime)
	sealed, _ := mk.SealPrivateKey("issuer-a", k.ID, priv)
	for b.Loop() {
		if _, err := mk.OpenPrivateKey("issuer-a", k, sealed); err != nil {
			b.Fatal(err)
		}
	}
}
