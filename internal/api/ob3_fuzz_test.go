package api

import "testing"

// FuzzCheckPosted feeds bodies to what reads a posted credential and an
// imported badge's bytes; neither may panic, and an accepted credential
// names its issuer.
func FuzzCheckPosted(f *testing.F) {
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"id":"urn:uuid:1","type":["VerifiableCredential","OpenBadgeCredential"],"issuer":{"id":"did:key:z6Mk","type":["Profile"]},"validFrom":"2026-01-01T00:00:00Z","credentialSubject":{"type":["AchievementSubject"],"achievement":{"id":"https://a.example/1","type":["Achievement"],"name":"A","description":"D","criteria":{"narrative":"N"}}}}`), false)
	f.Add([]byte("eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln"), true)
	f.Add([]byte("\x89PNG\r\n\x1a\n"), false)
	f.Fuzz(func(t *testing.T, body []byte, jws bool) {
		if c, err := checkPosted(body, jws); err == nil && (c.Issuer == nil || c.Issuer.ID == "") {
			t.Fatal("accepted a credential without an issuer")
		}
		if h, ok := credentialOf(body); ok {
			_ = heldIssuer(h)
		}
	})
}
