package verify

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/proof"
)

// delegationParty is an organisation with a did:key.
type delegationParty struct {
	did, method string
	priv        ed25519.PrivateKey
}

func newDelegationParty(t *testing.T, seed byte) delegationParty {
	t.Helper()
	_, priv, err := did.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{seed}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	id, method, err := did.KeyDID(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return delegationParty{did: id, method: method, priv: priv}
}

const (
	testAuthorisationsURL = "https://a.example/issuers/a/authorisations"
	delegatedAch          = "https://b.example/issuers/b/badges/a-atelier"
)

// authorisationList signs a list by signer, issued as issuer.
func signedAuthorisations(t *testing.T, signer delegationParty, issuer string, entries ...map[string]string) []byte {
	t.Helper()
	ns := "https://a.example/ns/authorisations#"
	doc := map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", map[string]any{
			"IssuingAuthorisationList": ns + "IssuingAuthorisationList", "IssuingAuthorisation": ns + "IssuingAuthorisation",
			"authorisation": map[string]any{"@id": ns + "authorisation"},
			"delegate":      map[string]any{"@id": ns + "delegate", "@type": "@id"},
			"achievement":   map[string]any{"@id": ns + "achievement", "@type": "@id"},
			"from":          map[string]any{"@id": ns + "from", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
			"until":         map[string]any{"@id": ns + "until", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
		}},
		"id":                testAuthorisationsURL,
		"type":              []string{"VerifiableCredential", "IssuingAuthorisationList"},
		"issuer":            map[string]any{"id": issuer},
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": issuer, "authorisation": entries},
	}
	raw, _ := json.Marshal(doc)
	s := proof.Signer{Key: signer.priv, VerificationMethod: signer.method, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	signed, err := s.Sign(raw, proof.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// delegatedCredential is a credential of issuer B with A as creator (its
// own proof is not this check's business).
func delegatedCredential(b, a, awarded string, withLink bool) []byte {
	creator := map[string]any{"id": a, "type": []string{"Profile"}, "name": "Centre A"}
	if withLink {
		creator["otherIdentifier"] = []any{map[string]any{"type": "IdentifierEntry", "identifier": testAuthorisationsURL,
			"identifierType": AuthorisationsIdentifierType}}
	}
	c := map[string]any{
		"@context":    []string{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":          "https://b.example/awards/1",
		"type":        []string{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":      map[string]any{"id": b, "type": []string{"Profile"}, "name": "Réseau B"},
		"validFrom":   awarded,
		"awardedDate": awarded,
		"credentialSubject": map[string]any{"type": []string{"AchievementSubject"}, "achievement": map[string]any{
			"id": delegatedAch, "type": []string{"Achievement"}, "name": "Atelier", "description": "Atelier.",
			"criteria": map[string]any{"narrative": "Participer."}, "creator": creator}},
	}
	out, _ := json.Marshal(c)
	return out
}

func TestCheckDelegation(t *testing.T) {
	ctx := context.Background()
	a, b, other := newDelegationParty(t, 1), newDelegationParty(t, 2), newDelegationParty(t, 3)
	entry := map[string]string{"type": "IssuingAuthorisation", "delegate": b.did, "achievement": delegatedAch,
		"from": "2026-02-01T00:00:00Z", "until": "2026-04-01T00:00:00Z"}
	good := signedAuthorisations(t, a, a.did, entry)
	serve := func(doc []byte) did.Fetcher { return did.StaticFetcher{testAuthorisationsURL: doc} }
	inside := delegatedCredential(b.did, a.did, "2026-03-01T10:00:00Z", true)
	cases := []struct {
		name       string
		credential []byte
		fetcher    did.Fetcher
		want       Outcome // "" : not delegated
		wantEN     string
	}{
		{"authorised", inside, serve(good), Pass, "Issued by Réseau B on behalf of Centre A, authorised by Centre A."},
		{"before the authorisation", delegatedCredential(b.did, a.did, "2026-01-15T00:00:00Z", true), serve(good), Fail, "did not authorise it"},
		{"after the withdrawal", delegatedCredential(b.did, a.did, "2026-04-01T00:00:00Z", true), serve(good), Fail, "did not authorise it"},
		{"another delegate", delegatedCredential(other.did, a.did, "2026-03-01T10:00:00Z", true), serve(good), Fail, "does not list this authorisation"},
		{"list signed by someone else", inside, serve(signedAuthorisations(t, other, a.did, entry)), Fail, "not signed by"},
		{"list issued by someone else", inside, serve(signedAuthorisations(t, other, other.did, entry)), Fail, "not signed by"},
		{"tampered list", inside, serve(bytes.Replace(good, []byte("2026-02-01"), []byte("2025-02-01"), 1)), Fail, "not signed by"},
		{"unreachable", inside, nil, Warn, "could not be checked"},
		{"no published list", delegatedCredential(b.did, a.did, "2026-03-01T10:00:00Z", false), serve(good), Warn, "could not be checked"},
		{"not delegated", delegatedCredential(a.did, a.did, "2026-03-01T10:00:00Z", true), serve(good), "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{Fetcher: c.fetcher, Now: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
			d := CheckDelegation(ctx, c.credential, opts)
			// Verify reports the same, from the credential it has parsed.
			if r := Verify(ctx, c.credential, opts); !reflect.DeepEqual(r.Delegation, d) {
				t.Fatalf("Verify: %+v, CheckDelegation: %+v", r.Delegation, d)
			}
			if c.want == "" {
				if d != nil {
					t.Fatalf("reported as delegated: %+v", d)
				}
				return
			}
			if d == nil || d.Outcome != c.want || !strings.Contains(d.Message.EN, c.wantEN) {
				t.Fatalf("got %+v, want %s %q", d, c.want, c.wantEN)
			}
			if d.Message.FR == "" || d.Message.FR == d.Message.EN {
				t.Fatalf("no French sentence: %q", d.Message.FR)
			}
		})
	}
}
