package ob2

import (
	"os"
	"path/filepath"
	"testing"
)

// seedJSON adds every fixture under testdata/ (JSON and PEM).
func seedJSON(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.json")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"id":"https://x.example/a","revoked":true}`))
	f.Add([]byte(`{"recipient":"sha256$00","salt":"s","badge":{"issuer":{"origin":"https://x"}},"issued_on":"2013-01-10"}`))
}

// FuzzParse: any bytes parse or fail with an error, never panic; what
// parses answers Problems, HostedURL and MatchRecipient.
func FuzzParse(f *testing.F) {
	seedJSON(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(data)
		if err != nil {
			return
		}
		_ = a.Problems()
		_ = a.HostedURL()
		_, _ = MatchRecipient(a.Recipient, "a@b.c")
		if a.Raw == nil {
			t.Fatal("parsed assertion without Raw")
		}
	})
}

// FuzzParseDocuments: badge classes, profiles, keys and revocation lists.
func FuzzParseDocuments(f *testing.F) {
	seedJSON(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if bc, err := ParseBadgeClass(data); err == nil && bc.Raw == nil {
			t.Fatal("badge class without Raw")
		}
		if p, err := ParseProfile(data); err == nil {
			_ = p.AllowsHosted("https://a.example/x", "https://a.example/b", V2)
			_ = p.AllowsHosted("https://a.example/x", "", V1)
		}
		if k, err := ParseCryptographicKey(data); err == nil {
			_, _ = ParsePublicKeyPEM(k.PublicKeyPEM)
		}
		if l, err := ParseRevocationList(data); err == nil {
			_, _ = l.Lookup("x", "y")
		}
	})
}

// FuzzVerifySigned: the JWS path, with the signed fixtures served from
// memory; a token whose signature is not the issuer's never verifies.
func FuzzVerifySigned(f *testing.F) {
	key := rsaKey(f, "test-issuer-key.pem")
	good := jws(f, signedPayload(f, nil), "RS256", key)
	f.Add(good)
	f.Add(jws(f, signedPayload(f, nil), "HS256", nil))
	f.Add(jws(f, signedPayload(f, nil), "none", nil))
	f.Add(jws(f, []byte(`{"uid":"1","recipient":"a","badge":"https://signer.exemple.org/badges/soudure","verify":{"type":"signed","url":"https://signer.exemple.org/key.pem"}}`), "RS256", key))
	f.Add("a.b.c")
	fetch := &mapFetcher{docs: docs(f)}
	f.Fuzz(func(t *testing.T, token string) {
		r, err := Verify(bg, []byte(token), Options{Fetcher: fetch})
		if err != nil {
			return
		}
		if r.Fetches > DefaultMaxFetches {
			t.Fatalf("%d fetches", r.Fetches)
		}
		if r.Method == SignedBadge && r.Signature.Outcome == OK && token != good {
			// Only the issuer's key can sign; the fuzzer has no access to
			// it, so a verified signature must be the seed's (modulo
			// trailing white space, which Verify trims).
			s, perr := ParseSigned(token)
			if perr != nil || s.signingInput+"."+b64(s.signature) != good {
				t.Fatalf("forged token verified: %q", token)
			}
		}
	})
}
