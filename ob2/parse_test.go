package ob2

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseFixtures(t *testing.T) {
	for _, tc := range []struct {
		file      string
		version   Version
		method    string
		badge     string
		embedded  bool
		issuedOn  time.Time
		expires   time.Time
		evidence  int
		recipient IdentityObject
	}{
		{"badgr/assertion.json", V2, HostedBadge, badgrBadge, false, time.Date(2024, 5, 17, 13, 45, 2, 118452000, time.UTC), time.Time{}, 1, IdentityObject{Type: "email", Hashed: true, Salt: "c8d1e2f3a4b5"}},
		{"moodle/assertion.json", V2, HostedBadge, "https://moodle.exemple.fr/badges/badge_json.php?id=12", false, time.Date(2024, 9, 2, 6, 15, 44, 0, time.UTC), time.Date(2027, 9, 2, 6, 15, 44, 0, time.UTC), 1, IdentityObject{Type: "email", Hashed: true, Salt: "4s8Kq2Lm"}},
		{"obf/assertion.json", V2, HostedBadge, "https://openbadgefactory.com/v2/badge/P2mQ6tR9uW.json", true, time.Date(2023, 11, 20, 10, 0, 0, 0, time.UTC), time.Time{}, 0, IdentityObject{Type: "email", Hashed: true}},
		{"credly/assertion.json", V2, HostedBadge, "https://api.credly.com/v1/obi/v2/issuers/b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e/badge_classes/a9b8c7d6-e5f4-4a3b-2c1d-0e9f8a7b6c5d", false, time.Date(2025, 1, 8, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 8, 0, 0, 0, 0, time.UTC), 1, IdentityObject{Type: "email", Hashed: true, Salt: "2f9a1b7c4d"}},
		{"signed/assertion.json", V2, SignedBadge, "https://signer.exemple.org/badges/soudure", true, time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC), time.Time{}, 0, IdentityObject{Type: "email", Hashed: true, Salt: "e8b2"}},
		{"ob1/assertion.json", V1, HostedBadge, "https://badges.ecole-exemple.ch/badge-classes/html5.json", false, time.Unix(1400000000, 0).UTC(), time.Time{}, 1, IdentityObject{Type: "email", Hashed: true, Salt: "sel-2014"}},
		{"ob05/assertion.json", V1, "", "", true, time.Date(2013, 1, 10, 0, 0, 0, 0, time.UTC), time.Time{}, 0, IdentityObject{Type: "email", Hashed: true, Salt: "abc"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			a, err := Parse(readFile(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.Version != tc.version || a.Verification.Type != tc.method || a.Badge.ID != tc.badge || a.Badge.Embedded != tc.embedded {
				t.Errorf("version %v method %q badge %q embedded %v", a.Version, a.Verification.Type, a.Badge.ID, a.Badge.Embedded)
			}
			if !a.IssuedOn.Equal(tc.issuedOn) || !a.Expires.Equal(tc.expires) {
				t.Errorf("issuedOn %v expires %v", a.IssuedOn, a.Expires)
			}
			if len(a.Evidence) != tc.evidence {
				t.Errorf("%d evidence", len(a.Evidence))
			}
			r := a.Recipient
			if r.Type != tc.recipient.Type || r.Hashed != tc.recipient.Hashed || r.Salt != tc.recipient.Salt || !looksHashed(r.Identity) {
				t.Errorf("recipient %+v", r)
			}
			if tc.version == V2 {
				if p := a.Problems(); len(p) > 0 {
					t.Errorf("problems: %v", p)
				}
			}
		})
	}
}

// TestParseLenient: the shapes real platforms publish, read alike.
func TestParseLenient(t *testing.T) {
	const head = `"recipient":{"identity":"a@b.c"},"badge":"https://x.example/b","issuedOn":"2020-01-01T00:00:00Z"`
	for _, tc := range []struct {
		name  string
		json  string
		check func(a *Assertion) bool
	}{
		{"@id and @type", `{"@context":"https://w3id.org/openbadges/v2","@id":"https://x.example/a","@type":"obi:Assertion","verification":{"@type":"hosted"},` + head + `}`,
			func(a *Assertion) bool {
				return a.ID == "https://x.example/a" && hasType(a.Type, "Assertion") && a.Verification.Type == HostedBadge
			}},
		{"full IRI type, context array", `{"@context":["https://w3id.org/openbadges/v2",{"x":"http://e/x"}],"id":"https://x.example/a","type":["https://w3id.org/openbadges#Assertion","extensions:X"],"verification":{"type":"HostedBadge"},` + head + `}`,
			func(a *Assertion) bool { return hasType(a.Type, "Assertion") && len(a.Problems()) == 0 }},
		{"verify alias", `{"@context":"https://w3id.org/openbadges/v2","id":"https://x.example/a","type":"Assertion","verify":{"type":"signed","creator":"https://x.example/k"},` + head + `}`,
			func(a *Assertion) bool {
				return a.Verification.Type == SignedBadge && a.Verification.Creator == "https://x.example/k"
			}},
		{"hashed as string, schema:email", `{"@context":"https://w3id.org/openbadges/v2","id":"https://x.example/a","type":"Assertion","recipient":{"type":"schema:email","hashed":"true","identity":"sha256$AB"},"badge":"https://x.example/b","verification":{"type":"hosted"},"issuedOn":"2020-01-01"}`,
			func(a *Assertion) bool { return a.Recipient.Hashed && a.Recipient.Type == "email" }},
		{"image object, value object, array-wrapped badge", `{"@context":"https://w3id.org/openbadges/v2","id":"https://x.example/a","type":"Assertion","image":{"id":"https://x.example/i.png","caption":"c"},"narrative":{"@value":"n","@language":"fr"},"recipient":{"identity":"a@b.c"},"badge":["https://x.example/b"],"verification":{"type":"hosted"},"issuedOn":"2020-01-01T00:00:00Z"}`,
			func(a *Assertion) bool {
				return a.Image.ID == "https://x.example/i.png" && a.Image.Caption == "c" && a.Narrative == "n" && a.Badge.ID == "https://x.example/b"
			}},
		{"unix timestamp as string, no zone expiry", `{"uid":"1","recipient":"a@b.c","badge":"https://x.example/b","verify":{"type":"hosted","url":"https://x.example/a"},"issuedOn":"1400000000","expires":"2030-01-01T10:00:00"}`,
			func(a *Assertion) bool {
				return a.Version == V1 && a.IssuedOn.Unix() == 1400000000 && a.Expires.Equal(time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)) && !a.Recipient.Hashed && a.HostedURL() == "https://x.example/a"
			}},
		{"stripped revoked", `{"id":"https://x.example/a","revoked":true,"revocationReason":"r"}`,
			func(a *Assertion) bool { return a.Revoked && a.RevocationReason == "r" && len(a.Problems()) == 0 }},
		{"bad date reported", `{"@context":"https://w3id.org/openbadges/v2","id":"https://x.example/a","type":"Assertion","verification":{"type":"hosted"},"recipient":{"identity":"a@b.c"},"badge":"https://x.example/b","issuedOn":"yesterday"}`,
			func(a *Assertion) bool {
				return a.IssuedOn.IsZero() && strings.Contains(strings.Join(a.Problems(), ";"), "not a date")
			}},
		{"missing everything", `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion"}`,
			func(a *Assertion) bool { return len(a.Problems()) == 5 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Parse([]byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(a) {
				t.Errorf("%+v; problems %v", a, a.Problems())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrMalformed},
		{"trailing data", `{"id":"x"} {}`, ErrMalformed},
		{"string", `"x"`, ErrMalformed},
		{"OB3 credential", `{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{}}`, ErrNotAssertion},
		{"unrelated object", `{"hello":"world"}`, ErrNotAssertion},
		{"deep", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), ErrTooDeep},
		{"large", `{"a":"` + strings.Repeat("x", MaxDocumentSize) + `"}`, ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse([]byte(tc.in)); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseDocuments(t *testing.T) {
	bc, err := ParseBadgeClass(readFile(t, "ob1/badgeclass.json"))
	if err != nil || bc.Criteria.ID != "https://badges.ecole-exemple.ch/criteria/html5" || bc.Issuer.ID != "https://badges.ecole-exemple.ch/issuer.json" {
		t.Errorf("1.0 badge class %+v %v", bc, err)
	}
	p, err := ParseProfile(readFile(t, "obf/issuer.json"))
	if err != nil || p.Verification == nil || len(p.Verification.StartsWith) != 1 {
		t.Errorf("profile %+v %v", p, err)
	}
	k, err := ParseCryptographicKey(readFile(t, "signed/key.json"))
	if err != nil || k.Owner != signerIssuer {
		t.Errorf("key %+v %v", k, err)
	}
	if _, err := ParsePublicKeyPEM(k.PublicKeyPEM); err != nil {
		t.Error(err)
	}
	l, err := ParseRevocationList(readFile(t, "signed/revocations.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id, uid string
		revoked bool
		reason  string
	}{
		{"urn:uuid:00000000-0000-4000-8000-000000000001", "", true, ""},
		{"urn:uuid:00000000-0000-4000-8000-000000000002", "", true, "Attribué par erreur"},
		{"urn:uuid:7b0f3c1e-2d4a-4e5b-9c6d-1a2b3c4d5e6f", "", false, ""},
		{"", "", false, ""},
	} {
		if rev, reason := l.Lookup(tc.id, tc.uid); rev != tc.revoked || reason != tc.reason {
			t.Errorf("Lookup(%q) = %v %q", tc.id, rev, reason)
		}
	}
	for _, bad := range []struct {
		name string
		fn   func([]byte) error
		in   string
	}{
		{"badge class without name or issuer", func(b []byte) error { _, err := ParseBadgeClass(b); return err }, `{"id":"x"}`},
		{"profile without anything", func(b []byte) error { _, err := ParseProfile(b); return err }, `{"type":"Issuer"}`},
		{"key without PEM", func(b []byte) error { _, err := ParseCryptographicKey(b); return err }, `{"id":"x"}`},
		{"list without revokedAssertions", func(b []byte) error { _, err := ParseRevocationList(b); return err }, `{"id":"x"}`},
	} {
		if err := bad.fn([]byte(bad.in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", bad.name, err)
		}
	}
}

func TestPublicKeyPEMErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"not PEM", "hello"},
		{"private key block", string(readFile(t, "signed/test-issuer-key.pem"))},
		{"garbage DER", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"},
	} {
		if _, err := ParsePublicKeyPEM(tc.in); !errors.Is(err, ErrKey) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		in      string
		version Version
		ok      bool
	}{
		{string(readFile(t, "badgr/assertion.json")), V2, true},
		{string(readFile(t, "ob1/assertion.json")), V1, true},
		{`{"@context":"https://w3id.org/openbadges/v1","uid":"1"}`, V1, true},
		{`{"@context":["https://www.w3.org/2018/credentials/v1"],"recipient":{},"badge":"x"}`, 0, false},
		{`{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]}`, 0, false},
		{`{"recipient":"a","badge":"b","verification":{}}`, V2, true},
		{`not json`, 0, false},
	} {
		v, ok := Detect([]byte(tc.in))
		if v != tc.version || ok != tc.ok {
			t.Errorf("Detect(%.60s) = %v %v", tc.in, v, ok)
		}
	}
}
