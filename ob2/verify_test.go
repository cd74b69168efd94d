package ob2

import (
	"errors"
	"strings"
	"testing"
)

const (
	badgrAssertion  = "https://api.badgr.io/public/assertions/kQ3tW9xYRvGm2cPzL8aJ1A"
	badgrBadge      = "https://api.badgr.io/public/badges/Xy7pQ2rTTe6uN4bVd9sW0g"
	obfAssertion    = "https://openbadgefactory.com/v2/assertion/V1aXn3Qh8Z1xS.json"
	credlyAssertion = "https://api.credly.com/v1/obi/v2/badge_assertions/0e3f8c52-7a11-4b2c-9d84-5f6a7b8c9d01"
	signerKey       = "https://signer.exemple.org/keys/2024"
	signerIssuer    = "https://signer.exemple.org/issuer"
	signerList      = "https://signer.exemple.org/revocations"
)

// want lists the outcomes a case checks; steps left out are not checked.
type want struct {
	err      error
	outcomes map[string]Outcome
	detail   map[string]string // substring of the step's detail
	revoked  bool
	reason   string
	version  Version
}

func stepByName(r *Result, name string) Step {
	switch name {
	case "structure":
		return r.Structure
	case "hosted":
		return r.Hosted
	case "scope":
		return r.Scope
	case "signature":
		return r.Signature
	case "key":
		return r.Key
	case "badge":
		return r.Badge
	case "revocation":
		return r.Revocation
	}
	panic(name)
}

var hostedOK = map[string]Outcome{"structure": OK, "hosted": OK, "scope": OK, "badge": OK, "revocation": OK, "signature": NotApplicable}
var signedOK = map[string]Outcome{"structure": OK, "signature": OK, "key": OK, "badge": OK, "revocation": OK, "hosted": NotApplicable, "scope": NotApplicable}

func with(base map[string]Outcome, over map[string]Outcome) map[string]Outcome {
	m := map[string]Outcome{}
	for k, v := range base {
		m[k] = v
	}
	for k, v := range over {
		m[k] = v
	}
	return m
}

func TestVerify(t *testing.T) {
	issuerKey, stranger := rsaKey(t, "test-issuer-key.pem"), rsaKey(t, "test-stranger-key.pem")
	base := docs(t)
	serve := func(extra map[string]response) Fetcher {
		m := map[string]response{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return &mapFetcher{docs: m}
	}
	online := serve(nil)
	badgr := readFile(t, "badgr/assertion.json")
	evil := "https://badges.evil.example/a/1"
	evilCopy := edit(t, badgr, func(m map[string]any) { m["id"] = evil })
	obfOther := "https://openbadgefactory.com/v2/other/V1aXn3Qh8Z1xS.json"
	obfElsewhere := edit(t, readFile(t, "obf/assertion.json"), func(m map[string]any) { m["id"] = obfOther })
	credlyElsewhere := edit(t, readFile(t, "credly/assertion.json"), func(m map[string]any) { m["id"] = evil })
	revokedBody := []byte(`{"@context":"https://w3id.org/openbadges/v2","id":"` + badgrAssertion + `","revoked":true,"revocationReason":"Fraude à l'examen"}`)
	keyOwnedElsewhere := edit(t, readFile(t, "signed/key.json"), func(m map[string]any) { m["owner"] = "https://other.example/issuer" })
	signed := jws(t, signedPayload(t, nil), "RS256", issuerKey)
	revokedID := "urn:uuid:00000000-0000-4000-8000-000000000002"

	cases := []struct {
		name  string
		input []byte
		opts  Options
		want  want
	}{
		// Hosted badges from each platform.
		{name: "badgr hosted", input: badgr, opts: Options{Fetcher: online}, want: want{outcomes: hostedOK, version: V2}},
		{name: "badgr by URL", input: []byte(badgrAssertion), opts: Options{Fetcher: online}, want: want{outcomes: hostedOK}},
		{name: "moodle re-serialized copy", input: edit(t, readFile(t, "moodle/assertion.json"), func(map[string]any) {}), opts: Options{Fetcher: online}, want: want{outcomes: hostedOK}},
		{name: "obf embedded badge class, startsWith", input: readFile(t, "obf/assertion.json"), opts: Options{Fetcher: online}, want: want{outcomes: hostedOK}},
		{name: "credly allowedOrigins", input: readFile(t, "credly/assertion.json"), opts: Options{Fetcher: online}, want: want{outcomes: hostedOK}},

		// Tampering.
		{name: "tampered issuedOn", input: edit(t, badgr, func(m map[string]any) { m["issuedOn"] = "2020-01-01T00:00:00Z" }), opts: Options{Fetcher: online},
			want: want{outcomes: map[string]Outcome{"hosted": Failed}, detail: map[string]string{"hosted": "issuedOn"}}},
		{name: "tampered recipient", input: edit(t, badgr, func(m map[string]any) {
			m["recipient"].(map[string]any)["identity"] = HashIdentity("mallory@exemple.fr", "c8d1e2f3a4b5")
		}), opts: Options{Fetcher: online}, want: want{outcomes: map[string]Outcome{"hosted": Failed}, detail: map[string]string{"hosted": "recipient"}}},
		{name: "tampered embedded badge name", input: edit(t, badgr, func(m map[string]any) {
			m["badge"] = map[string]any{"type": "BadgeClass", "id": badgrBadge, "name": "Expert RGPD", "issuer": "https://api.badgr.io/public/issuers/Lm4nB6vCQa2sD8fG0hJ3kQ"}
		}), opts: Options{Fetcher: online}, want: want{outcomes: map[string]Outcome{"hosted": Failed}, detail: map[string]string{"hosted": "badge class differs"}}},
		{name: "hosted copy names another id", input: badgr, opts: Options{Fetcher: serve(map[string]response{badgrAssertion: {body: edit(t, badgr, func(m map[string]any) { m["id"] = badgrAssertion + "x" })}})},
			want: want{outcomes: map[string]Outcome{"hosted": Failed}, detail: map[string]string{"hosted": "gives its id"}}},

		// Hosting scope.
		{name: "assertion on another origin than the issuer", input: evilCopy, opts: Options{Fetcher: serve(map[string]response{evil: {body: evilCopy}})},
			want: want{outcomes: map[string]Outcome{"hosted": OK, "badge": OK, "scope": Failed}, detail: map[string]string{"scope": "badges.evil.example"}}},
		{name: "outside startsWith", input: obfElsewhere, opts: Options{Fetcher: serve(map[string]response{obfOther: {body: obfElsewhere}})},
			want: want{outcomes: map[string]Outcome{"hosted": OK, "scope": Failed}, detail: map[string]string{"scope": "starts with none"}}},
		{name: "outside allowedOrigins", input: credlyElsewhere, opts: Options{Fetcher: serve(map[string]response{evil: {body: credlyElsewhere}})},
			want: want{outcomes: map[string]Outcome{"hosted": OK, "scope": Failed}, detail: map[string]string{"scope": "allowed origins"}}},

		// Revocation and removal.
		{name: "410 Gone with reason", input: badgr, opts: Options{Fetcher: serve(map[string]response{badgrAssertion: {status: 410, body: revokedBody}})},
			want: want{outcomes: map[string]Outcome{"hosted": OK, "scope": OK, "revocation": Failed}, revoked: true, reason: "Fraude à l'examen"}},
		{name: "410 Gone without body", input: badgr, opts: Options{Fetcher: serve(map[string]response{badgrAssertion: {status: 410}})},
			want: want{outcomes: map[string]Outcome{"hosted": OK, "revocation": Failed}, revoked: true}},
		{name: "revoked true in hosted copy", input: badgr, opts: Options{Fetcher: serve(map[string]response{badgrAssertion: {body: revokedBody}})},
			want: want{outcomes: map[string]Outcome{"hosted": OK, "scope": OK, "revocation": Failed}, revoked: true, reason: "Fraude à l'examen"}},
		{name: "404 no longer hosted", input: badgr, opts: Options{Fetcher: serve(map[string]response{badgrAssertion: {status: 404}})},
			want: want{outcomes: map[string]Outcome{"hosted": Failed, "revocation": Unknown}, detail: map[string]string{"hosted": "no longer hosted"}}},
		{name: "server error", input: badgr, opts: Options{Fetcher: serve(map[string]response{badgrAssertion: {status: 503}})},
			want: want{outcomes: map[string]Outcome{"hosted": Unknown, "revocation": Unknown}}},
		{name: "offline", input: badgr, want: want{outcomes: map[string]Outcome{"hosted": Unknown, "badge": Unknown, "scope": Unknown, "structure": OK}}},
		{name: "fetch budget", input: badgr, opts: Options{Fetcher: online, MaxFetches: 1},
			want: want{outcomes: map[string]Outcome{"hosted": OK, "badge": Unknown, "scope": Unknown}, detail: map[string]string{"badge": "too many documents"}}},

		// Signed badges.
		{name: "signed", input: []byte(signed), opts: Options{Fetcher: online}, want: want{outcomes: signedOK}},
		{name: "signed with a stranger's key", input: []byte(jws(t, signedPayload(t, nil), "RS256", stranger)), opts: Options{Fetcher: online},
			want: want{outcomes: map[string]Outcome{"signature": Failed, "revocation": Unknown}, detail: map[string]string{"signature": "does not verify"}}},
		{name: "signed payload altered", input: []byte(tamperPayload(t, signed)), opts: Options{Fetcher: online},
			want: want{outcomes: map[string]Outcome{"signature": Failed}}},
		{name: "signed and revoked", input: []byte(jws(t, signedPayload(t, func(m map[string]any) { m["id"] = revokedID }), "RS256", issuerKey)), opts: Options{Fetcher: online},
			want: want{outcomes: with(signedOK, map[string]Outcome{"revocation": Failed}), revoked: true, reason: "Attribué par erreur"}},
		{name: "signed, revocation list unreachable", input: []byte(signed), opts: Options{Fetcher: serve(map[string]response{signerList: {status: 500}})},
			want: want{outcomes: with(signedOK, map[string]Outcome{"revocation": Unknown})}},
		{name: "signed, creator not the issuer's", input: []byte(jws(t, signedPayload(t, func(m map[string]any) {
			m["verification"] = map[string]any{"type": "SignedBadge", "creator": "https://attacker.example/key"}
		}), "RS256", issuerKey)), opts: Options{Fetcher: online},
			want: want{outcomes: map[string]Outcome{"key": Failed, "signature": Unknown}}},
		{name: "signed, key owned by another", input: []byte(signed), opts: Options{Fetcher: serve(map[string]response{signerKey: {body: keyOwnedElsewhere}})},
			want: want{outcomes: map[string]Outcome{"signature": Failed}, detail: map[string]string{"signature": "owned by"}}},
		{name: "signed, key embedded in profile", input: []byte(jws(t, signedPayload(t, func(m map[string]any) {
			delete(m, "verification")
			m["verification"] = map[string]any{"type": "signed"}
		}), "RS256", issuerKey)),
			opts: Options{Fetcher: serve(map[string]response{signerIssuer: {body: edit(t, readFile(t, "signed/issuer.json"), func(m map[string]any) {
				m["publicKey"] = map[string]any{"id": signerKey, "owner": signerIssuer, "publicKeyPem": publicPEM(t, issuerKey)}
			})}})},
			want: want{outcomes: signedOK}},
		{name: "signed HS256 refused", input: []byte(jws(t, signedPayload(t, nil), "HS256", nil)), opts: Options{Fetcher: online},
			want: want{outcomes: map[string]Outcome{"signature": Failed}, detail: map[string]string{"signature": "only RS256"}}},
		{name: "signed alg none refused", input: []byte(jws(t, signedPayload(t, nil), "none", nil)), opts: Options{Fetcher: online},
			want: want{outcomes: map[string]Outcome{"signature": Failed}}},
		{name: "signed JSON without its JWS", input: signedPayload(t, nil), opts: Options{Fetcher: online},
			want: want{outcomes: map[string]Outcome{"signature": Unknown, "badge": OK}}},
		{name: "signed, offline", input: []byte(signed), want: want{outcomes: map[string]Outcome{"signature": Unknown, "badge": Unknown}}},

		// Open Badges 1.0 and 0.5.
		{name: "ob1 hosted", input: readFile(t, "ob1/assertion.json"), opts: Options{Fetcher: online}, want: want{outcomes: hostedOK, version: V1}},
		{name: "ob1 hosted elsewhere", input: edit(t, readFile(t, "ob1/assertion.json"), func(m map[string]any) {
			m["verify"] = map[string]any{"type": "hosted", "url": evil}
		}), opts: Options{Fetcher: serve(map[string]response{evil: {body: edit(t, readFile(t, "ob1/assertion.json"), func(m map[string]any) {
			m["verify"] = map[string]any{"type": "hosted", "url": evil}
		})}})}, want: want{outcomes: map[string]Outcome{"hosted": OK, "scope": Failed}, version: V1}},
		{name: "ob0.5 not verifiable", input: readFile(t, "ob05/assertion.json"), opts: Options{Fetcher: online},
			want: want{outcomes: map[string]Outcome{"hosted": Failed, "badge": OK}, version: V1}},

		// Malformed input.
		{name: "not JSON", input: []byte("{nope"), want: want{err: ErrMalformed}},
		{name: "array", input: []byte("[1]"), want: want{err: ErrMalformed}},
		{name: "not an assertion", input: []byte(`{"@context":"https://www.w3.org/ns/credentials/v2","type":["VerifiableCredential"]}`), want: want{err: ErrNotAssertion}},
		{name: "text", input: []byte("hello"), want: want{err: ErrMalformed}},
		{name: "JWS with a non-assertion payload", input: []byte(jws(t, []byte(`{"vc":{}}`), "RS256", issuerKey)), want: want{err: ErrNotAssertion}},
		{name: "too deep", input: []byte(strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)), want: want{err: ErrTooDeep}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Verify(bg, tc.input, tc.opts)
			if tc.want.err != nil {
				if !errors.Is(err, tc.want.err) {
					t.Fatalf("err = %v, want %v", err, tc.want.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, o := range tc.want.outcomes {
				if got := stepByName(r, name); got.Outcome != o {
					t.Errorf("%s = %s, want %s; %s", name, got.Outcome, o, steps(r))
				}
			}
			for name, sub := range tc.want.detail {
				if got := stepByName(r, name); !strings.Contains(got.Detail, sub) {
					t.Errorf("%s detail %q does not contain %q", name, got.Detail, sub)
				}
			}
			if r.Revoked != tc.want.revoked || r.RevocationReason != tc.want.reason {
				t.Errorf("revoked %v %q, want %v %q", r.Revoked, r.RevocationReason, tc.want.revoked, tc.want.reason)
			}
			if tc.want.version != 0 && r.Version != tc.want.version {
				t.Errorf("version %v, want %v", r.Version, tc.want.version)
			}
			if r.Version == V1 && len(r.Limits) == 0 {
				t.Error("a 1.0 badge without its limits stated")
			}
			if r.Fetches > DefaultMaxFetches {
				t.Errorf("%d fetches", r.Fetches)
			}
		})
	}
}

// tamperPayload replaces the JWS payload with an edited one, keeping the
// signature.
func tamperPayload(t *testing.T, token string) string {
	parts := strings.Split(token, ".")
	payload := edit(t, signedPayload(t, nil), func(m map[string]any) { m["issuedOn"] = "2019-01-01T00:00:00Z" })
	return parts[0] + "." + b64(payload) + "." + parts[2]
}

// TestVerifyDisplay checks what a page shows from a verified hosted badge.
func TestVerifyDisplay(t *testing.T) {
	r, err := Verify(bg, readFile(t, "badgr/assertion.json"), Options{Fetcher: &mapFetcher{docs: docs(t)}})
	if err != nil {
		t.Fatal(err)
	}
	if r.BadgeClass == nil || r.BadgeClass.Name != "Sécurité des données personnelles" || r.BadgeClass.Criteria.Narrative == "" || len(r.BadgeClass.Alignment) != 1 {
		t.Errorf("badge class %+v", r.BadgeClass)
	}
	if r.Issuer == nil || r.Issuer.Name != "Centre de formation Exemple" || r.Issuer.Embedded {
		t.Errorf("issuer %+v", r.Issuer)
	}
	a := r.Assertion
	if len(a.Evidence) != 1 || a.Evidence[0].ID != "https://portfolio.exemple.fr/camille/projet-final" || a.IssuedOn.Year() != 2024 {
		t.Errorf("assertion %+v", a)
	}
	if ok, err := MatchRecipient(a.Recipient, " Camille.Martin@exemple.fr "); !ok || err != nil {
		t.Errorf("recipient: %v %v", ok, err)
	}
}

// TestFetchesOnce: each document is fetched once per verification.
func TestFetchesOnce(t *testing.T) {
	f := &mapFetcher{docs: docs(t)}
	if _, err := Verify(bg, readFile(t, "badgr/assertion.json"), Options{Fetcher: f}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, u := range f.calls {
		if seen[u] {
			t.Errorf("%s fetched twice", u)
		}
		seen[u] = true
	}
	if len(f.calls) != 3 {
		t.Errorf("%d fetches %v, want assertion, badge class, issuer", len(f.calls), f.calls)
	}
}
