package verify

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/bake"
)

// ob2Response is what the OB 2.0 test fetcher answers for a URL.
type ob2Response struct {
	status int
	body   []byte
}

type statusError struct {
	status int
	body   []byte
}

func (e *statusError) Error() string    { return fmt.Sprintf("HTTP %d", e.status) }
func (e *statusError) HTTPStatus() int  { return e.status }
func (e *statusError) HTTPBody() []byte { return e.body }

// ob2Fetcher serves URL → (status, body); unknown URLs are unreachable.
type ob2Fetcher map[string]ob2Response

func (f ob2Fetcher) Fetch(_ context.Context, u string) ([]byte, error) {
	r, ok := f[u]
	if !ok {
		return nil, fmt.Errorf("dial %s: no route to host", u)
	}
	if r.status != 0 && r.status != 200 {
		return nil, &statusError{r.status, r.body}
	}
	return r.body, nil
}

const (
	ob2Assertion = "https://api.badgr.io/public/assertions/kQ3tW9xYRvGm2cPzL8aJ1A"
	ob1Assertion = "https://badges.ecole-exemple.ch/assertions/f2c20.json"
	moodleURL    = "https://moodle.exemple.fr/badges/assertion.php?b=5f2a1c9e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a39&obversion=2"
)

func ob2Site(t testing.TB, extra map[string]ob2Response) ob2Fetcher {
	t.Helper()
	f := ob2Fetcher{}
	for _, name := range []string{"badgr/assertion.json", "badgr/badgeclass.json", "badgr/issuer.json",
		"moodle/assertion.json", "moodle/badgeclass.json", "moodle/issuer.json",
		"signed/issuer.json", "signed/key.json", "signed/revocations.json"} {
		b := readTestdata(t, "ob2/"+name)
		var head struct{ ID string }
		if err := json.Unmarshal(b, &head); err != nil {
			t.Fatal(err)
		}
		f[head.ID] = ob2Response{body: b}
	}
	f[ob1Assertion] = ob2Response{body: readTestdata(t, "ob2/ob1/assertion.json")}
	f["https://badges.ecole-exemple.ch/badge-classes/html5.json"] = ob2Response{body: readTestdata(t, "ob2/ob1/badgeclass.json")}
	f["https://badges.ecole-exemple.ch/issuer.json"] = ob2Response{body: readTestdata(t, "ob2/ob1/issuer.json")}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

func ob2Edit(t testing.TB, b []byte, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	return mustJSON(t, m)
}

// rs256 signs payload with a test key of testdata/ob2/signed.
func rs256(t testing.TB, payload []byte, keyFile string) string {
	t.Helper()
	block, _ := pem.Decode(readTestdata(t, "ob2/signed/"+keyFile))
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." + enc.EncodeToString(payload)
	d := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.(*rsa.PrivateKey), crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + enc.EncodeToString(sig)
}

func TestVerifyOB2(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	site := ob2Site(t, nil)
	online := Options{Now: now, Fetcher: site}
	badgr := readTestdata(t, "ob2/badgr/assertion.json")
	moodle := readTestdata(t, "ob2/moodle/assertion.json")
	signedJSON := readTestdata(t, "ob2/signed/assertion.json")
	signed := rs256(t, signedJSON, "test-issuer-key.pem")
	png, svg := plainPNG(t), []byte(plainSVG)
	evil := "https://badges.evil.example/a/1"
	evilCopy := ob2Edit(t, badgr, func(m map[string]any) { m["id"] = evil })
	gone := []byte(`{"@context":"https://w3id.org/openbadges/v2","id":"` + ob2Assertion + `","revoked":true,"revocationReason":"Fraude à l'examen"}`)
	plain := ob2Edit(t, badgr, func(m map[string]any) {
		m["recipient"] = map[string]any{"type": "email", "hashed": false, "identity": "camille.martin@exemple.fr"}
	})
	hostedValid := map[Code]Outcome{CodeFormat: Pass, CodeJSON: Pass, CodeAssertion: Pass, CodeBadgeClass: Pass, CodeProof: Skip, CodeIssuerKey: Skip,
		CodeHosted: Pass, CodeHostScope: Pass, CodeValidFrom: Pass, CodeStatus: Pass}
	signedValid := map[Code]Outcome{CodeJSON: Pass, CodeAssertion: Pass, CodeBadgeClass: Pass, CodeProof: Pass, CodeIssuerKey: Pass,
		CodeHosted: Skip, CodeHostScope: Skip, CodeValidFrom: Pass, CodeStatus: Pass}

	cases := []struct {
		name   string
		input  []byte
		opts   Options
		want   want
		reason string
	}{
		{name: "hosted JSON", input: badgr, opts: Options{Now: now, Fetcher: site, Email: "Camille.Martin@exemple.fr"},
			want: want{verdict: Valid, format: "json", checks: with(hostedValid, map[Code]Outcome{CodeRecipient: Pass, CodeValidUntil: Skip})}},
		{name: "baked PNG with the hosted URL", input: bakeInto(t, png, []byte(ob2Assertion), bake.FormatOB2), opts: online,
			want: want{verdict: Valid, format: "png", checks: with(hostedValid, map[Code]Outcome{CodeBaked: Pass})}},
		{name: "baked SVG with the assertion JSON", input: bakeInto(t, svg, badgr, bake.FormatOB2), opts: online,
			want: want{verdict: Valid, format: "svg", checks: with(hostedValid, map[Code]Outcome{CodeBaked: Pass})}},
		{name: "OB 1.0 baked PNG", input: bakeInto(t, png, []byte(ob1Assertion), bake.FormatOB1), opts: Options{Now: now, Fetcher: site, Email: "lou.favre@exemple.ch"},
			want: want{verdict: Valid, format: "png", checks: with(hostedValid, map[Code]Outcome{CodeLegacy: Warn, CodeRecipient: Pass, CodeAssertion: Pass}),
				details: map[Code]string{CodeLegacy: "1.0"}}},
		{name: "tampered copy", input: ob2Edit(t, badgr, func(m map[string]any) { m["issuedOn"] = "2020-01-01T00:00:00Z" }), opts: online,
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeHosted: Fail}, details: map[Code]string{CodeHosted: "issuedOn"}}},
		{name: "hosted on another origin", input: evilCopy, opts: Options{Now: now, Fetcher: ob2Site(t, map[string]ob2Response{evil: {body: evilCopy}})},
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeHosted: Pass, CodeHostScope: Fail}}},
		{name: "410 Gone", input: badgr, opts: Options{Now: now, Fetcher: ob2Site(t, map[string]ob2Response{ob2Assertion: {status: 410, body: gone}})},
			want: want{verdict: Revoked, checks: map[Code]Outcome{CodeHosted: Pass, CodeHostScope: Pass, CodeStatus: Fail}}, reason: "Fraude à l'examen"},
		{name: "revoked true", input: badgr, opts: Options{Now: now, Fetcher: ob2Site(t, map[string]ob2Response{ob2Assertion: {body: gone}})},
			want: want{verdict: Revoked, checks: map[Code]Outcome{CodeHosted: Pass, CodeHostScope: Pass, CodeStatus: Fail}}, reason: "Fraude à l'examen"},
		{name: "revoked true, baked URL only", input: bakeInto(t, png, []byte(ob2Assertion), bake.FormatOB2), opts: Options{Now: now, Fetcher: ob2Site(t, map[string]ob2Response{ob2Assertion: {body: gone}})},
			// The stripped revoked copy names no badge class: the issuer's
			// scope cannot be checked, so the badge is not called genuine.
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeHosted: Pass, CodeHostScope: Warn, CodeStatus: Fail}}, reason: "Fraude à l'examen"},
		{name: "404", input: badgr, opts: Options{Now: now, Fetcher: ob2Site(t, map[string]ob2Response{ob2Assertion: {status: 404}})},
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeHosted: Fail}}},
		{name: "offline", input: badgr, opts: Options{Now: now},
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeHosted: Warn, CodeHostScope: Warn, CodeStatus: Warn}}},
		{name: "expired", input: moodle, opts: Options{Now: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC), Fetcher: site},
			want: want{verdict: Expired, checks: with(hostedValid, map[Code]Outcome{CodeValidUntil: Fail}), details: map[Code]string{CodeValidUntil: "2027-09-02T06:15:44Z"}}},
		{name: "not yet valid", input: moodle, opts: Options{Now: time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC), Fetcher: site},
			want: want{verdict: NotYetValid, checks: with(hostedValid, map[Code]Outcome{CodeValidFrom: Fail, CodeValidUntil: Pass})}},
		{name: "issued a minute ahead", input: moodle, opts: Options{Now: time.Date(2024, 9, 2, 6, 14, 44, 0, time.UTC), Fetcher: site},
			want: want{verdict: Valid, checks: hostedValid}},
		{name: "signed JWS", input: []byte(signed), opts: Options{Now: now, Fetcher: site, Email: "alex.nguyen@exemple.org"},
			want: want{verdict: Valid, format: "jwt", checks: with(signedValid, map[Code]Outcome{CodeRecipient: Pass})}},
		{name: "signed, baked PNG", input: bakeInto(t, png, []byte(signed), bake.FormatOB2), opts: online,
			want: want{verdict: Valid, format: "png", checks: signedValid}},
		{name: "signed with a wrong key", input: []byte(rs256(t, signedJSON, "test-stranger-key.pem")), opts: online,
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeProof: Fail, CodeStatus: Warn}}},
		{name: "signed and revoked", input: []byte(rs256(t, ob2Edit(t, signedJSON, func(m map[string]any) { m["id"] = "urn:uuid:00000000-0000-4000-8000-000000000002" }), "test-issuer-key.pem")), opts: online,
			want: want{verdict: Revoked, checks: with(signedValid, map[Code]Outcome{CodeStatus: Fail})}, reason: "Attribué par erreur"},
		{name: "another e-mail, sha256 salted", input: badgr, opts: Options{Now: now, Fetcher: site, Email: "camille.martin@autre.fr"},
			want: want{verdict: Invalid, checks: with(hostedValid, map[Code]Outcome{CodeRecipient: Fail})}},
		{name: "another e-mail, md5 (1.0)", input: readTestdata(t, "ob2/ob1/assertion.json"), opts: Options{Now: now, Fetcher: site, Email: "lou@exemple.ch"},
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeRecipient: Fail, CodeLegacy: Warn}}},
		{name: "plaintext recipient", input: plain, opts: Options{Now: now, Fetcher: ob2Site(t, map[string]ob2Response{ob2Assertion: {body: plain}}), Email: "camille.martin@exemple.fr"},
			want: want{verdict: Valid, checks: with(hostedValid, map[Code]Outcome{CodeRecipient: Pass})}},
		{name: "plaintext recipient, another e-mail", input: plain, opts: Options{Now: now, Fetcher: ob2Site(t, map[string]ob2Response{ob2Assertion: {body: plain}}), Email: "x@exemple.fr"},
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeRecipient: Fail}}},
		{name: "malformed OB2 JSON", input: []byte(`{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","recipient":`), opts: online,
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeJSON: Fail}}},
		{name: "OB2 nested too deep", input: []byte(`{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`), opts: online,
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeJSON: Fail}, details: map[Code]string{CodeJSON: "nested too deeply"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Verify(bg, tc.input, tc.opts)
			if r.Verdict != tc.want.verdict {
				t.Errorf("verdict %s, want %s; %s", r.Verdict, tc.want.verdict, outcomes(r))
			}
			if tc.want.format != "" && r.Format != tc.want.format {
				t.Errorf("format %s, want %s", r.Format, tc.want.format)
			}
			for code, o := range tc.want.checks {
				c := r.Check(code)
				if c == nil || c.Outcome != o {
					t.Errorf("check %s = %v, want %s; %s", code, c, o, outcomes(r))
				}
			}
			for code, sub := range tc.want.details {
				if c := r.Check(code); c == nil || !strings.Contains(c.Detail, sub) {
					t.Errorf("check %s detail does not contain %q: %v", code, sub, c)
				}
			}
			if r.StatusReason != tc.reason {
				t.Errorf("status reason %q, want %q", r.StatusReason, tc.reason)
			}
			for _, c := range r.Checks {
				if c.Message.EN == "" || c.Message.FR == "" || strings.Contains(c.Message.EN, ": "+string(c.Outcome)) {
					t.Errorf("check %s/%s has no sentence", c.Code, c.Outcome)
				}
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestOB2Summary: what a page shows of a verified OB 2.0 badge.
func TestOB2Summary(t *testing.T) {
	r := Verify(bg, readTestdata(t, "ob2/badgr/assertion.json"), Options{Now: testNow, Fetcher: ob2Site(t, nil)})
	if r.Verdict != Valid || r.Standard != "Open Badges 2.0" {
		t.Fatalf("%s %q: %s", r.Verdict, r.Standard, outcomes(r))
	}
	if r.Issuer == nil || r.Issuer.Name != "Centre de formation Exemple" || r.Issuer.URL != "https://formation.exemple.fr" || r.Issuer.Image == "" {
		t.Errorf("issuer %+v", r.Issuer)
	}
	if a := r.Achievement; a == nil || a.Name != "Sécurité des données personnelles" || a.Description == "" || a.Image == "" || a.URL != "https://formation.exemple.fr/rgpd" {
		t.Errorf("achievement %+v", r.Achievement)
	}
	if r.Recipient != nil {
		t.Errorf("hashed recipient shown: %+v", r.Recipient)
	}
	if r.ValidFrom == nil || r.ValidFrom.Year() != 2024 || r.ValidUntil != nil {
		t.Errorf("dates %v %v", r.ValidFrom, r.ValidUntil)
	}
	if len(r.Evidence) != 1 || r.Evidence[0].Narrative == "" || r.Narrative == "" {
		t.Errorf("evidence %+v narrative %q", r.Evidence, r.Narrative)
	}
	if !strings.Contains(string(r.Credential), ob2Assertion) {
		t.Error("credential JSON missing")
	}
}
