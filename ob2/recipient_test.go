package ob2

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func TestMatchRecipient(t *testing.T) {
	const email = "Marie.Tremblay@Exemple.qc.ca"
	lower := strings.ToLower(email)
	md5Hash := func(s string) string { d := md5.Sum([]byte(s)); return "md5$" + hex.EncodeToString(d[:]) }
	for _, tc := range []struct {
		name  string
		id    IdentityObject
		email string
		match bool
		err   error
	}{
		{"sha256 salted", IdentityObject{Type: "email", Hashed: true, Salt: "s3l", Identity: HashIdentity(lower, "s3l")}, email, true, nil},
		{"sha256 salted, another address", IdentityObject{Type: "email", Hashed: true, Salt: "s3l", Identity: HashIdentity(lower, "s3l")}, "autre@exemple.qc.ca", false, nil},
		{"sha256 salted, wrong salt", IdentityObject{Type: "email", Hashed: true, Salt: "autre", Identity: HashIdentity(lower, "s3l")}, email, false, nil},
		{"sha256 unsalted", IdentityObject{Type: "email", Hashed: true, Identity: HashIdentity(lower, "")}, "  " + email + "\n", true, nil},
		{"sha256 upper-case hex and prefix", IdentityObject{Type: "email", Hashed: true, Identity: "SHA256$" + strings.ToUpper(strings.TrimPrefix(HashIdentity(lower, ""), "sha256$"))}, email, true, nil},
		{"hashed as typed (capitals)", IdentityObject{Type: "email", Hashed: true, Salt: "x", Identity: "sha256$" + sha256Hex(email+"x")}, email, true, nil},
		{"md5 salted", IdentityObject{Type: "email", Hashed: true, Salt: "pepper", Identity: md5Hash(lower + "pepper")}, email, true, nil},
		{"md5, another address", IdentityObject{Type: "email", Hashed: true, Salt: "pepper", Identity: md5Hash(lower + "pepper")}, "x@y.z", false, nil},
		{"md5 unsalted, hashed flag missing", IdentityObject{Type: "email", Identity: md5Hash(lower)}, email, true, nil},
		{"plaintext", IdentityObject{Type: "email", Identity: "marie.tremblay@exemple.QC.ca"}, email, true, nil},
		{"plaintext mailto", IdentityObject{Type: "email", Identity: "mailto:marie.tremblay@exemple.qc.ca"}, email, true, nil},
		{"plaintext, another address", IdentityObject{Type: "email", Identity: "jean@exemple.qc.ca"}, email, false, nil},
		{"empty identity", IdentityObject{Type: "email"}, email, false, nil},
		{"url identity", IdentityObject{Type: "url", Identity: "https://marie.example"}, email, false, ErrIdentityType},
		{"telephone identity", IdentityObject{Type: "telephone", Identity: "+15145550000"}, email, false, ErrIdentityType},
		{"sha1 refused", IdentityObject{Type: "email", Hashed: true, Identity: "sha1$abcdef"}, email, false, ErrIdentityHash},
		{"truncated digest", IdentityObject{Type: "email", Hashed: true, Identity: "sha256$28d50415252ab6c689a54413da15b083034b66e5"}, email, false, ErrIdentityHash},
		{"hashed without prefix", IdentityObject{Type: "email", Hashed: true, Identity: "abcdef"}, email, false, ErrIdentityHash},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := MatchRecipient(tc.id, tc.email)
			if ok != tc.match || !errors.Is(err, tc.err) {
				t.Errorf("= %v, %v; want %v, %v", ok, err, tc.match, tc.err)
			}
		})
	}
}
