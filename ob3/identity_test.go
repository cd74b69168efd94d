package ob3

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

// Expected hashes computed independently with coreutils:
//
//	printf %s 'a@example.comKosher' | sha256sum   (the spec's own example)
//	printf %s 'jean.cote@exemple.qc.caabc' | sha256sum
//	printf %s 'Jean.Cote@Exemple.qc.caabc' | sha256sum
//	printf %s 'jean.cote@exemple.qc.caabc' | md5sum
//	printf %s 'jean.cote@exemple.qc.ca' | sha256sum
const (
	hashSpec       = "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
	hashJean       = "sha256$e19c2ea41427b5481a38b5760ad3bb70c2f8de354a88111bdfe299f1da5f93d3"
	hashJeanMixed  = "sha256$0af81ab65df4abd9bae1169b8bcf4382d5bf2ea3dc469e031615bd1051017e58"
	hashJeanMD5    = "md5$ba25180407e71ad759658345b5fe0844"
	hashJeanNoSalt = "sha256$d1d7a3fb5446a5f9f9f5df6862cd44922645171b51a304601428fcc885c6fa05"
)

func TestIdentityHash(t *testing.T) {
	tests := []struct{ email, salt, want string }{
		{"a@example.com", "Kosher", hashSpec},
		{"jean.cote@exemple.qc.ca", "abc", hashJean},
		{"  Jean.Cote@Exemple.QC.ca\n", "abc", hashJean}, // normalized: trimmed, lower-cased
		{"jean.cote@exemple.qc.ca", "", hashJeanNoSalt},
	}
	for _, tt := range tests {
		if got := IdentityHash(tt.email, tt.salt); got != tt.want {
			t.Errorf("IdentityHash(%q, %q) = %s, want %s", tt.email, tt.salt, got, tt.want)
		}
	}
}

func TestIdentityMatches(t *testing.T) {
	email := func(hashed bool, h, salt string) IdentityObject {
		return IdentityObject{Type: TypeIdentityObject, Hashed: hashed, IdentityHash: h, IdentityType: IdentityTypeEmail, Salt: salt}
	}
	tests := []struct {
		name  string
		o     IdentityObject
		email string
		want  bool
	}{
		{"sha256", email(true, hashJean, "abc"), "jean.cote@exemple.qc.ca", true},
		{"sha256, address typed in capitals", email(true, hashJean, "abc"), "Jean.Cote@Exemple.QC.CA", true},
		{"sha256 upper-case hex and prefix", email(true, "SHA256$"+strings.ToUpper(hashJean[7:]), "abc"), "jean.cote@exemple.qc.ca", true},
		{"issuer hashed the address without lower-casing", email(true, hashJeanMixed, "abc"), "Jean.Cote@Exemple.qc.ca", true},
		{"md5 (OB 2.0 migration)", email(true, hashJeanMD5, "abc"), "jean.cote@exemple.qc.ca", true},
		{"no salt", email(true, hashJeanNoSalt, ""), "jean.cote@exemple.qc.ca", true},
		{"wrong salt", email(true, hashJean, "abd"), "jean.cote@exemple.qc.ca", false},
		{"other address", email(true, hashJean, "abc"), "marie@exemple.qc.ca", false},
		{"unknown algorithm", email(true, "sha512$"+hashJean[7:], "abc"), "jean.cote@exemple.qc.ca", false},
		{"plaintext, any case", email(false, "Jean.Cote@exemple.qc.ca", ""), "jean.cote@EXEMPLE.qc.ca", true},
		{"plaintext, other address", email(false, "jean.cote@exemple.qc.ca", ""), "jean@exemple.qc.ca", false},
		{"not an email identity", IdentityObject{Hashed: false, IdentityHash: "jean.cote@exemple.qc.ca", IdentityType: "userName"}, "jean.cote@exemple.qc.ca", false},
		{"empty address", email(false, "", ""), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.o.Matches(tt.email); got != tt.want {
				t.Errorf("Matches(%q) = %v, want %v", tt.email, got, tt.want)
			}
		})
	}
	// Other identifier types compare exactly.
	o := IdentityObject{IdentityHash: "ABC-12", IdentityType: "studentId"}
	if !o.MatchesValue("studentId", "ABC-12") || o.MatchesValue("studentId", "abc-12") {
		t.Error("MatchesValue on a plaintext studentId")
	}
}

func TestNewSalt(t *testing.T) {
	s, err := NewSalt(bytes.NewReader(bytes.Repeat([]byte{0xab}, 16)))
	if err != nil || s != strings.Repeat("ab", 16) {
		t.Errorf("NewSalt = %q, %v", s, err)
	}
	if _, err := NewSalt(bytes.NewReader([]byte{1, 2, 3})); err == nil {
		t.Error("short read accepted")
	}
	boom := errors.New("boom")
	if _, err := NewSalt(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("error not wrapped: %v", err)
	}
	o := NewEmailIdentity("Marie@Exemple.qc.ca", "sel")
	if !o.Hashed || o.IdentityType != IdentityTypeEmail || o.Salt != "sel" || !o.Matches("marie@exemple.qc.ca") {
		t.Errorf("NewEmailIdentity = %+v", o)
	}
}
