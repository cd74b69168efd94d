package keys

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/sceau/sceau/did"
)

var testTime = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

func TestGenerateDeterministic(t *testing.T) {
	pubA, privA, err := Generate(fixedReader(1))
	if err != nil {
		t.Fatal(err)
	}
	pubB, _, _ := Generate(fixedReader(1))
	pubC, _, _ := Generate(fixedReader(2))
	if !pubA.Equal(pubB) || pubA.Equal(pubC) {
		t.Error("Generate does not follow its reader")
	}
	if !privA.Public().(ed25519.PublicKey).Equal(pubA) {
		t.Error("private key does not match public key")
	}
	if _, _, err := Generate(bytes.NewReader([]byte{1})); err == nil {
		t.Error("short reader accepted")
	}
}

func TestRotate(t *testing.T) {
	var ks KeySet
	if _, err := ks.Current(); !errors.Is(err, ErrNoCurrentKey) {
		t.Fatalf("empty set: err = %v", err)
	}
	times := []time.Time{testTime, testTime.Add(24 * time.Hour), testTime.Add(48 * time.Hour)}
	var privs []ed25519.PrivateKey
	for i, now := range times {
		k, priv, err := ks.Rotate(fixedReader(byte(i+1)), now)
		if err != nil {
			t.Fatal(err)
		}
		privs = append(privs, priv)
		if want := []string{"key-1", "key-2", "key-3"}[i]; k.ID != want {
			t.Errorf("rotation %d: id %s, want %s", i, k.ID, want)
		}
		cur, err := ks.Current()
		if err != nil || cur != k {
			t.Errorf("rotation %d: Current = %v, %v", i, cur, err)
		}
		if err := ks.Validate(); err != nil {
			t.Errorf("rotation %d: %v", i, err)
		}
	}
	if len(ks.Keys) != 3 {
		t.Fatalf("%d keys, want 3 (old keys kept)", len(ks.Keys))
	}
	for i, k := range ks.Keys {
		pub, err := k.Ed25519()
		if err != nil || !pub.Equal(privs[i].Public()) {
			t.Errorf("%s: public key %v, %v", k.ID, pub, err)
		}
		if !k.Created.Equal(times[i]) {
			t.Errorf("%s: created %v", k.ID, k.Created)
		}
		wantRetired := time.Time{}
		if i < 2 {
			wantRetired = times[i+1]
		}
		if !k.Retired.Equal(wantRetired) {
			t.Errorf("%s: retired %v, want %v", k.ID, k.Retired, wantRetired)
		}
	}
	if k, ok := ks.Get("key-1"); !ok || !k.IsRetired() {
		t.Errorf("Get(key-1) = %v, %v", k, ok)
	}
	if _, ok := ks.Get("key-9"); ok {
		t.Error("Get(key-9) found a key")
	}
	// Adding a key already in the set is refused and changes nothing.
	pub1, _ := ks.Keys[0].Ed25519()
	if _, err := ks.Add(pub1, testTime.Add(72*time.Hour)); !errors.Is(err, ErrInvalidKeySet) {
		t.Errorf("re-adding key-1: err = %v", err)
	}
	if cur, _ := ks.Current(); cur.ID != "key-3" || len(ks.Keys) != 3 {
		t.Error("failed Add changed the set")
	}
	// Ids are never reused, even when a key was removed from the set.
	ks.Keys = ks.Keys[1:]
	k, _, _ := ks.Rotate(fixedReader(9), testTime.Add(96*time.Hour))
	if k.ID != "key-4" {
		t.Errorf("after removing key-1, next id %s, want key-4", k.ID)
	}
}

func TestKeySetValidate(t *testing.T) {
	pub, _, _ := Generate(fixedReader(1))
	mk, _ := did.EncodeMultikey(pub)
	pub2, _, _ := Generate(fixedReader(2))
	mk2, _ := did.EncodeMultikey(pub2)
	p256 := "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169" // a P-256 Multikey (did:key spec example)
	k := func(id, multikey string, created, retired time.Time) PublicKey {
		return PublicKey{ID: id, Multikey: multikey, Created: created, Retired: retired}
	}
	t0, t1 := testTime, testTime.Add(time.Hour)
	tests := []struct {
		name string
		keys []PublicKey
		want error
	}{
		{"empty", nil, nil},
		{"one current", []PublicKey{k("key-1", mk, t0, time.Time{})}, nil},
		{"retired then current", []PublicKey{k("key-1", mk, t0, t1), k("key-2", mk2, t1, time.Time{})}, nil},
		{"all retired", []PublicKey{k("key-1", mk, t0, t1)}, nil},
		{"two current", []PublicKey{k("key-1", mk, t0, time.Time{}), k("key-2", mk2, t1, time.Time{})}, ErrInvalidKeySet},
		{"current not last", []PublicKey{k("key-1", mk, t0, time.Time{}), k("key-2", mk2, t1, t1)}, ErrInvalidKeySet},
		{"duplicate id", []PublicKey{k("key-1", mk, t0, t1), k("key-1", mk2, t1, time.Time{})}, ErrInvalidKeySet},
		{"bad id", []PublicKey{k("primary", mk, t0, time.Time{})}, ErrInvalidKeySet},
		{"id key-0", []PublicKey{k("key-0", mk, t0, time.Time{})}, ErrInvalidKeySet},
		{"id with leading zero", []PublicKey{k("key-01", mk, t0, time.Time{})}, ErrInvalidKeySet},
		{"retired before created", []PublicKey{k("key-1", mk, t1, t0)}, ErrInvalidKeySet},
		{"bad multikey", []PublicKey{k("key-1", "z123", t0, time.Time{})}, ErrInvalidKey},
		{"P-256 key", []PublicKey{k("key-1", p256, t0, time.Time{})}, ErrInvalidKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks := KeySet{Keys: tc.keys}
			err := ks.Validate()
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Validate = %v, want %v", err, tc.want)
			}
		})
	}
}
