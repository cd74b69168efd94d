package verify

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/bake"
	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/vcjwt"
)

// world holds the parties and documents of the table tests: an issuer with
// a did:key from a fixed seed, an endorser, a stranger.
type world struct {
	issuer, endorser, stranger party
}

func newWorld(t testing.TB) *world {
	return &world{issuer: newParty(t, 1), endorser: newParty(t, 2), stranger: newParty(t, 3)}
}

// badge is the typical credential issued by the issuer, unsigned, after
// edit (if any) has changed it.
func (w *world) badge(t testing.TB, edit func(m map[string]any)) []byte {
	t.Helper()
	m := typical(t, w.issuer.did)
	if edit != nil {
		edit(m)
	}
	return mustJSON(t, m)
}

// signed is the typical badge signed with the issuer's key.
func (w *world) signed(t testing.TB, edit func(m map[string]any)) []byte {
	t.Helper()
	return w.issuer.sign(t, w.badge(t, edit), "")
}

func (w *world) jwt(t testing.TB, form vcjwt.Form) string {
	t.Helper()
	tok, err := vcjwt.Sign(w.badge(t, nil), w.issuer.key, w.issuer.method, vcjwt.SignOptions{Form: form})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// endorsement is an EndorsementCredential of the typical achievement,
// signed by the endorser; tamper changes its comment after signing.
func (w *world) endorsement(t testing.TB, tamper bool) map[string]any {
	t.Helper()
	doc := mustJSON(t, map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":       "urn:uuid:2b1e7c52-3f0a-4d8e-9c61-7a5d0e4f3b21",
		"type":     []any{"VerifiableCredential", "EndorsementCredential"},
		"name":     "Recommandation de l'Ordre des secouristes",
		"issuer": map[string]any{
			"id": w.endorser.did, "type": []any{"Profile"}, "name": "Ordre des secouristes du Québec",
		},
		"validFrom": "2025-01-10T00:00:00Z",
		"credentialSubject": map[string]any{
			"id":                 "https://badges.exemple.qc.ca/achievements/secourisme-milieu-travail",
			"type":               []any{"EndorsementSubject"},
			"endorsementComment": "Formation conforme au référentiel de l'Ordre.",
		},
	})
	signed := w.endorser.sign(t, doc, "")
	if tamper {
		signed = replaceOnce(t, signed, "conforme", "supérieure")
	}
	var m map[string]any
	if err := json.Unmarshal(signed, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// entry sets the badge's credentialStatus.
func withStatus(entry map[string]any) func(m map[string]any) {
	return func(m map[string]any) { m["credentialStatus"] = entry }
}

func bitstringEntry(purpose string, extra map[string]any) map[string]any {
	e := map[string]any{
		"id":                   statusListURL + "#94567",
		"type":                 "BitstringStatusListEntry",
		"statusPurpose":        purpose,
		"statusListIndex":      "94567",
		"statusListCredential": statusListURL,
	}
	for k, v := range extra {
		e[k] = v
	}
	return e
}

// revocationBadge uses a 1EdTech revocation list, which needs the
// extensions context for its type.
func revocationBadge(m map[string]any) {
	m["@context"] = append(m["@context"].([]any), "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
	m["credentialStatus"] = map[string]any{"id": revocationURL, "type": "1EdTechRevocationList"}
}

func revocationList(issuer string, revoked ...string) []byte {
	var items []any
	for _, id := range revoked {
		items = append(items, map[string]any{"id": id, "revocationReason": "Attribué par erreur"})
	}
	b, _ := json.Marshal(map[string]any{"id": revocationURL, "issuer": issuer, "revokedCredentials": items})
	return b
}

const typicalID = "https://badges.exemple.qc.ca/credentials/6f1c2a3e-8b7d-4c5e-9a1f-2d3e4f5a6b7c"

// tamperJWT changes the credential name inside a compact JWT's payload,
// keeping the original signature.
func tamperJWT(t testing.TB, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	payload = replaceOnce(t, payload, `"name":"Secourisme en milieu de travail"`, `"name":"Chirurgie cardiaque"`)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

// want is what a case expects: the verdict, the format and the outcome
// of some checks (a check not listed is not asserted; "-" asserts absence).
type want struct {
	verdict Verdict
	format  string
	checks  map[Code]Outcome
	// details holds a substring each named check's Detail must contain.
	details      map[Code]string
	statusReason string
	endorsements []Verdict
}

// allPass is every check of a typical, fully verified badge.
var allPass = map[Code]Outcome{
	CodeFormat: Pass, CodeJSON: Pass, CodeContext: Pass, CodeType: Pass, CodeSchema: Pass,
	CodeStructure: Pass, CodeProof: Pass, CodeIssuerKey: Pass, CodeValidFrom: Pass,
	CodeValidUntil: Pass, CodeStatus: Pass, CodeEndorsements: Skip, CodeRecipient: Skip,
}

func with(base map[Code]Outcome, changes map[Code]Outcome) map[Code]Outcome {
	m := map[Code]Outcome{}
	for k, v := range base {
		m[k] = v
	}
	for k, v := range changes {
		m[k] = v
	}
	return m
}

func TestVerify(t *testing.T) {
	w := newWorld(t)
	// The issuer's list (bit of the badge unset), a list with it set, a
	// suspension list with it set.
	listClear := statusList(t, w.issuer.did, w.issuer, "revocation")
	listRevoked := statusList(t, w.issuer.did, w.issuer, "revocation", statusIndex)
	listSuspended := statusList(t, w.issuer.did, w.issuer, "suspension", statusIndex)
	serve := func(docs map[string][]byte) Options {
		return Options{Now: testNow, Fetcher: documents(t, docs)}
	}
	online := serve(map[string][]byte{statusListURL: listClear})
	signed := w.signed(t, nil)
	png := plainPNG(t)

	cases := []struct {
		name  string
		input []byte
		opts  Options
		want  want
	}{
		{
			name:  "data integrity",
			input: signed,
			opts:  online,
			want:  want{verdict: Valid, format: "json", checks: allPass},
		},
		{
			name:  "baked png",
			input: bakeInto(t, png, signed, bake.FormatOB3),
			opts:  online,
			want:  want{verdict: Valid, format: "png", checks: with(allPass, map[Code]Outcome{CodeBaked: Pass})},
		},
		{
			name:  "baked svg",
			input: bakeInto(t, []byte(plainSVG), signed, bake.FormatOB3),
			opts:  online,
			want:  want{verdict: Valid, format: "svg", checks: with(allPass, map[Code]Outcome{CodeBaked: Pass})},
		},
		{
			name:  "vc-jwt vc claim",
			input: []byte(w.jwt(t, vcjwt.FormVCClaim)),
			opts:  online,
			want:  want{verdict: Valid, format: "jwt", checks: allPass, details: map[Code]string{CodeProof: "VC-JWT EdDSA"}},
		},
		{
			name:  "vc-jwt jose",
			input: []byte(w.jwt(t, vcjwt.FormVCJOSE) + "\n"),
			opts:  online,
			want:  want{verdict: Valid, format: "jwt", checks: allPass},
		},
		{
			name: "enveloped",
			input: func() []byte {
				b, err := vcjwt.Envelope(w.jwt(t, vcjwt.FormVCJOSE))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}(),
			opts: online,
			want: want{verdict: Valid, format: "json", checks: allPass},
		},
		{
			name:  "jwt baked in png",
			input: bakeInto(t, png, []byte(w.jwt(t, vcjwt.FormVCClaim)), bake.FormatOB3),
			opts:  online,
			want:  want{verdict: Valid, format: "png", checks: with(allPass, map[Code]Outcome{CodeBaked: Pass})},
		},

		// Tampering.
		{
			name:  "tampered name",
			input: replaceOnce(t, signed, `"name":"Secourisme en milieu de travail"`, `"name":"Chirurgie cardiaque"`),
			opts:  online,
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeProof: Fail, CodeIssuerKey: Skip, CodeJSON: Pass, CodeSchema: Pass},
				details: map[Code]string{CodeProof: "invalid signature"}},
		},
		{
			name:  "tampered jwt payload",
			input: []byte(tamperJWT(t, w.jwt(t, vcjwt.FormVCClaim))),
			opts:  online,
			want:  want{verdict: Invalid, format: "jwt", checks: map[Code]Outcome{CodeProof: Fail, CodeIssuerKey: Skip}},
		},
		{
			name:  "tampered jose payload",
			input: []byte(tamperJWT(t, w.jwt(t, vcjwt.FormVCJOSE))),
			opts:  online,
			want:  want{verdict: Invalid, format: "jwt", checks: map[Code]Outcome{CodeProof: Fail}},
		},
		{
			name: "tampered png",
			input: bakeInto(t, png, replaceOnce(t, signed, `"name":"Secourisme en milieu de travail"`, `"name":"Chirurgie cardiaque"`),
				bake.FormatOB3),
			opts: online,
			want: want{verdict: Invalid, format: "png", checks: map[Code]Outcome{CodeBaked: Pass, CodeProof: Fail}},
		},
		{
			name:  "proof removed",
			input: w.badge(t, nil),
			opts:  online,
			want:  want{verdict: Invalid, checks: map[Code]Outcome{CodeProof: Fail}, details: map[Code]string{CodeProof: "no proof"}},
		},

		// Time.
		{
			name:  "expired",
			input: signed,
			opts:  Options{Now: time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC), Fetcher: online.Fetcher},
			want: want{verdict: Expired, checks: map[Code]Outcome{CodeProof: Pass, CodeValidFrom: Pass, CodeValidUntil: Fail},
				details: map[Code]string{CodeValidUntil: "2028-03-14T15:00:00Z"}},
		},
		{
			name:  "expired the very second",
			input: signed,
			opts:  Options{Now: time.Date(2028, 3, 14, 15, 0, 0, 0, time.UTC), Fetcher: online.Fetcher},
			want:  want{verdict: Expired, checks: map[Code]Outcome{CodeValidUntil: Fail}},
		},
		{
			name:  "expired jwt",
			input: []byte(w.jwt(t, vcjwt.FormVCClaim)),
			opts:  Options{Now: time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)},
			want:  want{verdict: Expired, checks: map[Code]Outcome{CodeProof: Pass, CodeValidUntil: Fail, CodeStatus: Warn}},
		},
		{
			// Signed on 2025-03-14, in effect from 2026: not yet valid.
			name:  "not yet valid",
			input: w.signed(t, func(m map[string]any) { m["validFrom"] = "2026-01-01T00:00:00Z" }),
			opts:  online,
			want: want{verdict: NotYetValid, checks: map[Code]Outcome{CodeProof: Pass, CodeValidFrom: Fail, CodeValidUntil: Pass},
				details: map[Code]string{CodeValidFrom: "2026-01-01T00:00:00Z"}},
		},
		{
			name:  "no validUntil",
			input: w.signed(t, func(m map[string]any) { delete(m, "validUntil") }),
			opts:  online,
			want:  want{verdict: Valid, checks: map[Code]Outcome{CodeValidUntil: Skip}},
		},

		// Status.
		{
			name:  "revoked",
			input: signed,
			opts:  serve(map[string][]byte{statusListURL: listRevoked}),
			want:  want{verdict: Revoked, checks: with(allPass, map[Code]Outcome{CodeStatus: Fail}), details: map[Code]string{CodeStatus: "revoked"}},
		},
		{
			name: "revoked with message",
			input: w.signed(t, withStatus(bitstringEntry("revocation", map[string]any{
				"statusMessage": []any{
					map[string]any{"status": "0x0", "message": "en vigueur"},
					map[string]any{"status": "0x1", "message": "attribué par erreur"},
				},
			}))),
			opts: serve(map[string][]byte{statusListURL: listRevoked}),
			want: want{verdict: Revoked, checks: map[Code]Outcome{CodeStatus: Fail}, statusReason: "attribué par erreur",
				details: map[Code]string{CodeStatus: "attribué par erreur"}},
		},
		{
			name:  "suspended",
			input: w.signed(t, withStatus(bitstringEntry("suspension", nil))),
			opts:  serve(map[string][]byte{statusListURL: listSuspended}),
			want:  want{verdict: Suspended, checks: map[Code]Outcome{CodeProof: Pass, CodeStatus: Fail}},
		},
		{
			name:  "revoked and expired: revocation first",
			input: signed,
			opts:  Options{Now: time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC), Fetcher: documents(t, map[string][]byte{statusListURL: listRevoked})},
			want:  want{verdict: Revoked, checks: map[Code]Outcome{CodeStatus: Fail, CodeValidUntil: Fail}},
		},
		{
			name:  "revoked jwt",
			input: []byte(w.jwt(t, vcjwt.FormVCClaim)),
			opts:  serve(map[string][]byte{statusListURL: listRevoked}),
			want:  want{verdict: Revoked, checks: map[Code]Outcome{CodeStatus: Fail}},
		},
		{
			name:  "offline: status unknown",
			input: signed,
			opts:  Options{Now: testNow},
			want:  want{verdict: Valid, checks: with(allPass, map[Code]Outcome{CodeStatus: Warn}), details: map[Code]string{CodeStatus: "offline"}},
		},
		{
			name:  "list not among the documents",
			input: signed,
			opts:  serve(map[string][]byte{"https://elsewhere.example/": []byte("{}")}),
			want:  want{verdict: Valid, checks: map[Code]Outcome{CodeStatus: Warn}, details: map[Code]string{CodeStatus: "not among the offline documents"}},
		},
		{
			name:  "list fetch fails",
			input: signed,
			opts:  Options{Now: testNow, Fetcher: did.StaticFetcher{}},
			want:  want{verdict: Valid, checks: map[Code]Outcome{CodeStatus: Warn}, details: map[Code]string{CodeStatus: statusListURL}},
		},
		{
			name:  "list issued and signed by a stranger",
			input: signed,
			opts:  serve(map[string][]byte{statusListURL: statusList(t, w.stranger.did, w.stranger, "revocation", statusIndex)}),
			want:  want{verdict: Valid, checks: map[Code]Outcome{CodeStatus: Warn}, details: map[Code]string{CodeStatus: "not by the issuer"}},
		},
		{
			name:  "list naming the issuer, signed by a stranger",
			input: signed,
			opts:  serve(map[string][]byte{statusListURL: statusList(t, w.issuer.did, w.stranger, "revocation", statusIndex)}),
			want:  want{verdict: Valid, checks: map[Code]Outcome{CodeStatus: Warn}, details: map[Code]string{CodeStatus: "not by the issuer"}},
		},
		{
			name:  "list tampered after signing",
			input: signed,
			opts: serve(map[string][]byte{statusListURL: replaceOnce(t, listClear,
				`"validFrom":"2025-01-01T00:00:00Z"`, `"validFrom":"2025-01-02T00:00:00Z"`)}),
			want: want{verdict: Valid, checks: map[Code]Outcome{CodeStatus: Warn}, details: map[Code]string{CodeStatus: "invalid signature"}},
		},
		{
			name:  "list expired",
			input: signed,
			opts: serve(map[string][]byte{statusListURL: func() []byte {
				var m map[string]any
				_ = json.Unmarshal(listRevoked, &m)
				delete(m, "proof")
				m["validUntil"] = "2025-05-01T00:00:00Z"
				return w.issuer.sign(t, mustJSON(t, m), "")
			}()}),
			want: want{verdict: Valid, checks: map[Code]Outcome{CodeStatus: Warn}, details: map[Code]string{CodeStatus: "expired"}},
		},
		{
			name:  "list purpose differs from the entry",
			input: w.signed(t, withStatus(bitstringEntry("suspension", nil))),
			opts:  serve(map[string][]byte{statusListURL: listRevoked}),
			want:  want{verdict: Valid, checks: map[Code]Outcome{CodeStatus: Warn}, details: map[Code]string{CodeStatus: "purpose"}},
		},
		{
			name:  "1edtech revocation list",
			input: w.signed(t, revocationBadge),
			opts:  serve(map[string][]byte{revocationURL: revocationList(w.issuer.did, "urn:uuid:other", typicalID)}),
			want: want{verdict: Revoked, checks: map[Code]Outcome{CodeContext: Pass, CodeSchema: Pass, CodeProof: Pass, CodeStatus: Fail},
				statusReason: "Attribué par erreur"},
		},
		{
			name:  "1edtech revocation list, not listed",
			input: w.signed(t, revocationBadge),
			opts:  serve(map[string][]byte{revocationURL: revocationList(w.issuer.did, "urn:uuid:other")}),
			want:  want{verdict: Valid, checks: map[Code]Outcome{CodeStatus: Pass}},
		},
		{
			name:  "1edtech revocation list of another issuer",
			input: w.signed(t, revocationBadge),
			opts:  serve(map[string][]byte{revocationURL: revocationList(w.stranger.did, typicalID)}),
			want:  want{verdict: Valid, checks: map[Code]Outcome{CodeStatus: Warn}, details: map[Code]string{CodeStatus: "not by the issuer"}},
		},
		{
			name:  "no status entry",
			input: w.signed(t, func(m map[string]any) { delete(m, "credentialStatus") }),
			opts:  Options{Now: testNow},
			want:  want{verdict: Valid, checks: map[Code]Outcome{CodeStatus: Skip}},
		},

		// Recipient.
		{
			name:  "recipient matches",
			input: signed,
			opts:  Options{Now: testNow, Fetcher: online.Fetcher, Email: "  Marie.Tremblay@Exemple.qc.ca "},
			want:  want{verdict: Valid, checks: with(allPass, map[Code]Outcome{CodeRecipient: Pass})},
		},
		{
			name:  "recipient differs",
			input: signed,
			opts:  Options{Now: testNow, Fetcher: online.Fetcher, Email: "jean.gagnon@exemple.qc.ca"},
			want:  want{verdict: Invalid, checks: with(allPass, map[Code]Outcome{CodeRecipient: Fail})},
		},
		{
			name: "recipient by mailto id",
			input: w.signed(t, func(m map[string]any) {
				m["credentialSubject"].(map[string]any)["id"] = "mailto:marie.tremblay@exemple.qc.ca"
			}),
			opts: Options{Now: testNow, Email: recipientEmail},
			want: want{verdict: Valid, checks: map[Code]Outcome{CodeRecipient: Pass}},
		},

		// Keys.
		{
			name:  "issuer is another DID than the key's controller",
			input: w.issuer.sign(t, mustJSON(t, typical(t, w.stranger.did)), ""),
			opts:  online,
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeProof: Pass, CodeIssuerKey: Fail},
				details: map[Code]string{CodeIssuerKey: w.stranger.did}},
		},
		{
			name: "jwt issuer is another DID",
			input: []byte(func() string {
				tok, _ := vcjwt.Sign(mustJSON(t, typical(t, w.stranger.did)), w.issuer.key, w.issuer.method, vcjwt.SignOptions{})
				return tok
			}()),
			opts: online,
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeIssuerKey: Fail}},
		},
		{
			name:  "unknown DID method",
			input: w.issuer.sign(t, w.badge(t, nil), "did:example:issuer#key-1"),
			opts:  online,
			want: want{verdict: Invalid, checks: map[Code]Outcome{CodeProof: Warn, CodeIssuerKey: Skip},
				details: map[Code]string{CodeProof: "unknown DID method"}},
		},
		{
			name:  "did:web key offline",
			input: w.issuer.sign(t, w.badge(t, func(m map[string]any) { m["issuer"].(map[string]any)["id"] = "did:web:badges.exemple.qc.ca" }), "did:web:badges.exemple.qc.ca#key-1"),
			opts:  Options{Now: testNow},
			want:  want{verdict: Invalid, checks: map[Code]Outcome{CodeProof: Warn}, details: map[Code]string{CodeProof: "no fetcher"}},
		},
		{
			name:  "proof set with a stranger's extra proof",
			input: w.stranger.sign(t, signed, ""),
			opts:  online,
			want:  want{verdict: Valid, checks: map[Code]Outcome{CodeProof: Pass, CodeIssuerKey: Pass}},
		},
		{
			name:  "only a stranger's proof",
			input: w.stranger.sign(t, w.badge(t, nil), ""),
			opts:  online,
			want:  want{verdict: Invalid, checks: map[Code]Outcome{CodeProof: Pass, CodeIssuerKey: Fail}},
		},

		// Not a badge.
		{
			name:  "garbage",
			input: []byte("bonjour, ceci n'est pas un badge"),
			want:  want{verdict: Invalid, checks: map[Code]Outcome{CodeFormat: Fail, CodeProof: "-"}, details: map[Code]string{CodeFormat: "neither JSON"}},
		},
		{
			name:  "empty",
			input: nil,
			want:  want{verdict: Invalid, checks: map[Code]Outcome{CodeFormat: Fail}},
		},
		{
			name:  "broken json",
			input: []byte(`{"@context": [`),
			want:  want{verdict: Invalid, format: "json", checks: map[Code]Outcome{CodeFormat: Pass, CodeJSON: Fail, CodeProof: "-"}},
		},
		{
			name:  "json array",
			input: []byte(`[{"type": "VerifiableCredential"}]`),
			want:  want{verdict: Invalid, checks: map[Code]Outcome{CodeFormat: Fail}},
		},
		{
			name:  "jwt-shaped garbage",
			input: []byte("abc.def.ghi"),
			want:  want{verdict: Invalid, format: "jwt", checks: map[Code]Outcome{CodeJSON: Fail}},
		},
		{
			name:  "png without badge",
			input: png,
			want:  want{verdict: Invalid, format: "png", checks: map[Code]Outcome{CodeBaked: Fail, CodeJSON: "-"}, details: map[Code]string{CodeBaked: "no"}},
		},
		{
			name:  "svg without badge",
			input: []byte(plainSVG),
			want:  want{verdict: Invalid, format: "svg", checks: map[Code]Outcome{CodeBaked: Fail}},
		},
		{
			name:  "truncated png",
			input: bakeInto(t, png, signed, bake.FormatOB3)[:100],
			want:  want{verdict: Invalid, format: "png", checks: map[Code]Outcome{CodeBaked: Fail}},
		},
		{
			name:  "ob2 baked png",
			input: bakeInto(t, png, []byte(`{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://example.org/assertions/1"}`), bake.FormatOB2),
			// Routed to the OB 2.0 verifier (ob2_test.go has the full
			// cases): offline, a hosted badge cannot be confirmed.
			want: want{verdict: Invalid, format: "png", checks: map[Code]Outcome{CodeBaked: Pass, CodeAssertion: Fail, CodeHosted: Warn}, details: map[Code]string{CodeBaked: "OB2"}},
		},
		{
			name:  "not an open badge",
			input: w.issuer.sign(t, []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"`+w.issuer.did+`","validFrom":"2025-01-01T00:00:00Z","credentialSubject":{"id":"did:example:1"}}`), ""),
			opts:  online,
			want:  want{verdict: Invalid, checks: map[Code]Outcome{CodeContext: Fail, CodeType: Fail, CodeProof: Pass}},
		},

		// Endorsements.
		{
			name:  "embedded endorsement",
			input: w.signed(t, func(m map[string]any) { achievement(m)["endorsement"] = []any{w.endorsement(t, false)} }),
			opts:  online,
			want: want{verdict: Valid, checks: with(allPass, map[Code]Outcome{CodeEndorsements: Pass}),
				endorsements: []Verdict{Valid}},
		},
		{
			// The e-mail names the badge's recipient: the endorsement has
			// none, and must not fail for it.
			name:  "embedded endorsement with e-mail",
			input: w.signed(t, func(m map[string]any) { achievement(m)["endorsement"] = []any{w.endorsement(t, false)} }),
			opts:  Options{Now: testNow, Fetcher: online.Fetcher, Email: recipientEmail},
			want:  want{verdict: Valid, checks: map[Code]Outcome{CodeEndorsements: Pass, CodeRecipient: Pass}, endorsements: []Verdict{Valid}},
		},
		{
			name:  "tampered endorsement",
			input: w.signed(t, func(m map[string]any) { achievement(m)["endorsement"] = []any{w.endorsement(t, true)} }),
			opts:  online,
			want: want{verdict: Valid, checks: with(allPass, map[Code]Outcome{CodeEndorsements: Warn}),
				details: map[Code]string{CodeEndorsements: w.endorser.did}, endorsements: []Verdict{Invalid}},
		},
		{
			// endorsementJwt is not in the OB 3.0.3 JSON-LD context, so only
			// a badge secured as a JWT (no canonicalization) can carry it.
			name: "endorsement as jwt in a jwt badge",
			input: func() []byte {
				e := w.endorsement(t, false)
				delete(e, "proof")
				etok, err := vcjwt.Sign(mustJSON(t, e), w.endorser.key, w.endorser.method, vcjwt.SignOptions{})
				if err != nil {
					t.Fatal(err)
				}
				badge := w.badge(t, func(m map[string]any) { achievement(m)["endorsementJwt"] = []any{etok} })
				tok, err := vcjwt.Sign(badge, w.issuer.key, w.issuer.method, vcjwt.SignOptions{})
				if err != nil {
					t.Fatal(err)
				}
				return []byte(tok)
			}(),
			opts: online,
			want: want{verdict: Valid, checks: map[Code]Outcome{CodeSchema: Pass, CodeEndorsements: Pass}, endorsements: []Verdict{Valid}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Verify(bg, c.input, c.opts)
			checkReport(t, r, c.want)
		})
	}
}

func checkReport(t *testing.T, r *Report, w want) {
	t.Helper()
	if r.Verdict != w.verdict {
		t.Errorf("verdict = %s, want %s; checks: %s", r.Verdict, w.verdict, outcomes(r))
	}
	if w.format != "" && r.Format != w.format {
		t.Errorf("format = %q, want %q", r.Format, w.format)
	}
	for code, want := range w.checks {
		c := r.Check(code)
		switch {
		case want == "-" && c != nil:
			t.Errorf("check %s present (%s), want none", code, c.Outcome)
		case want == "-":
		case c == nil:
			t.Errorf("check %s missing; checks: %s", code, outcomes(r))
		case c.Outcome != want:
			t.Errorf("check %s = %s (%s), want %s", code, c.Outcome, c.Detail, want)
		}
	}
	for code, sub := range w.details {
		if c := r.Check(code); c == nil || !strings.Contains(c.Detail, sub) {
			t.Errorf("check %s detail does not contain %q; checks: %s", code, sub, outcomes(r))
		}
	}
	if r.StatusReason != w.statusReason {
		t.Errorf("statusReason = %q, want %q", r.StatusReason, w.statusReason)
	}
	if len(r.Endorsements) != len(w.endorsements) {
		t.Errorf("%d endorsement reports, want %d", len(r.Endorsements), len(w.endorsements))
	} else {
		for i, e := range r.Endorsements {
			if e.Verdict != w.endorsements[i] {
				t.Errorf("endorsement %d: verdict %s, want %s; checks: %s", i, e.Verdict, w.endorsements[i], outcomes(e))
			}
		}
	}
	// Invariants of every report.
	if r.Reason.EN == "" || r.Reason.FR == "" {
		t.Errorf("empty reason %+v", r.Reason)
	}
	if r.Verdict == Invalid && r.Check(CodeProof) != nil && r.Check(CodeProof).Outcome != Pass &&
		!strings.Contains(r.Reason.EN, r.Check(CodeProof).Message.EN) && firstFailure(r) == nil {
		t.Errorf("reason %q does not say the signature could not be checked", r.Reason.EN)
	}
	for _, c := range r.Checks {
		if c.Message.EN == "" || c.Message.FR == "" || strings.HasPrefix(c.Message.EN, string(c.Code)+":") {
			t.Errorf("check %s/%s has no proper message: %+v", c.Code, c.Outcome, c.Message)
		}
	}
	if r.Verdict != Invalid && r.Check(CodeProof).Outcome != Pass {
		t.Errorf("verdict %s without a verified proof", r.Verdict)
	}
}

func firstFailure(r *Report) *Check {
	for i := range r.Checks {
		if r.Checks[i].Outcome == Fail {
			return &r.Checks[i]
		}
	}
	return nil
}

// TestTypicalRecipientHash guards the testdata: the identifier is the
// documented address hashed with the salt.
func TestTypicalRecipientHash(t *testing.T) {
	m := typical(t, "did:example:x")
	id := m["credentialSubject"].(map[string]any)["identifier"].([]any)[0].(map[string]any)
	if got := ob3.IdentityHash(recipientEmail, id["salt"].(string)); got != id["identityHash"] {
		t.Fatalf("IdentityHash = %s, testdata has %s", got, id["identityHash"])
	}
}

// TestReasonNamesCause: the reason of an Invalid verdict ends with the
// message of the first failed check, in both languages.
func TestReasonNamesCause(t *testing.T) {
	w := newWorld(t)
	r := Verify(bg, replaceOnce(t, w.signed(t, nil), "Secourisme", "Chirurgie"), Options{Now: testNow})
	want := messages[textKey{CodeProof, Fail}]
	if !strings.HasSuffix(r.Reason.EN, want.EN) || !strings.HasSuffix(r.Reason.FR, want.FR) {
		t.Fatalf("reason %+v does not end with %+v", r.Reason, want)
	}
	if !strings.HasPrefix(r.Reason.FR, verdictReasons[Invalid].FR) {
		t.Fatalf("reason %q does not start with the verdict's", r.Reason.FR)
	}
	if got := r.Reason.In("fr"); got != r.Reason.FR {
		t.Fatalf("In(fr) = %q", got)
	}
	if got := r.Reason.In("de"); got != r.Reason.EN {
		t.Fatalf("In(de) = %q, want English", got)
	}
}

// TestReportJSON: the JSON form clients read.
func TestReportJSON(t *testing.T) {
	w := newWorld(t)
	r := Verify(bg, w.signed(t, nil), Options{Now: testNow})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Verdict string `json:"verdict"`
		Reason  struct{ EN, FR string }
		Format  string `json:"format"`
		Checks  []struct {
			Code    string `json:"code"`
			Outcome string `json:"outcome"`
			Detail  *string
			Message struct {
				EN string `json:"en"`
				FR string `json:"fr"`
			} `json:"message"`
		} `json:"checks"`
		Issuer     struct{ ID, Name string }
		ValidFrom  string          `json:"validFrom"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Verdict != "valid" || got.Format != "json" || got.Reason.FR == "" {
		t.Errorf("verdict %q format %q reason %+v", got.Verdict, got.Format, got.Reason)
	}
	if len(got.Checks) != len(r.Checks) {
		t.Fatalf("%d checks in JSON, %d in report", len(got.Checks), len(r.Checks))
	}
	for i, c := range got.Checks {
		if c.Code != string(r.Checks[i].Code) || c.Outcome != string(r.Checks[i].Outcome) || c.Message.EN == "" || c.Message.FR == "" {
			t.Errorf("check %d: %+v", i, c)
		}
	}
	if got.Issuer.ID != w.issuer.did || !strings.HasPrefix(got.Issuer.Name, "Service de la formation continue") {
		t.Errorf("issuer %+v", got.Issuer)
	}
	if got.ValidFrom != "2025-03-14T15:00:00Z" {
		t.Errorf("validFrom %q", got.ValidFrom)
	}
	// The credential is embedded as found, not re-serialized.
	if !strings.Contains(string(got.Credential), `"proof"`) {
		t.Errorf("credential not embedded")
	}
	if strings.Contains(string(b), "statusVerdict") {
		t.Errorf("internal field leaked: %s", b)
	}
}

// TestEndorsementReports looks inside the sub-reports.
func TestEndorsementReports(t *testing.T) {
	w := newWorld(t)
	e := w.endorsement(t, false)
	delete(e, "proof")
	etok, err := vcjwt.Sign(mustJSON(t, e), w.endorser.key, w.endorser.method, vcjwt.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	badge := w.badge(t, func(m map[string]any) { achievement(m)["endorsementJwt"] = []any{etok} })
	tok, err := vcjwt.Sign(badge, w.issuer.key, w.issuer.method, vcjwt.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := Verify(bg, []byte(tok), Options{Now: testNow, Email: recipientEmail})
	if len(r.Endorsements) != 1 {
		t.Fatalf("%d endorsements; %s", len(r.Endorsements), outcomes(r))
	}
	er := r.Endorsements[0]
	if er.Format != "jwt" || er.Issuer == nil || er.Issuer.ID != w.endorser.did || er.Verdict != Valid {
		t.Errorf("endorsement report: format %q issuer %+v verdict %s; %s", er.Format, er.Issuer, er.Verdict, outcomes(er))
	}
	if er.Check(CodeRecipient) != nil {
		t.Errorf("endorsement report checks the badge's recipient")
	}
	if er.Check(CodeIssuerKey).Detail != w.endorser.method {
		t.Errorf("endorsement key %q", er.Check(CodeIssuerKey).Detail)
	}
}
