package issuing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/verify"
)

var clrCreds = [][]byte{
	[]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"name":"A"}`),
	// Pretty-printed, as an imported file may be: it must come out unchanged.
	[]byte("{\n  \"type\": [\"VerifiableCredential\", \"OpenBadgeCredential\"],\n  \"name\": \"B \\u003c\\u003e\"\n}"),
}

func TestBuildCLR(t *testing.T) {
	in := CLR{IssuerID: "https://sceau.example/issuers/plateforme", IssuerName: "Sceau", Name: "Portfolio de Camille",
		SubjectID: "https://sceau.example/@camille", ValidFrom: time.Date(2026, 11, 23, 10, 0, 0, 5, time.UTC),
		Partial: true, Credentials: clrCreds}
	out, err := BuildCLR(in)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range clrCreds {
		if !bytes.Contains(out, c) {
			t.Errorf("credential %d not embedded byte for byte", i)
		}
	}
	var doc struct {
		Context []string `json:"@context"`
		ID      string   `json:"id"`
		Type    []string `json:"type"`
		Issuer  struct {
			ID   string   `json:"id"`
			Type []string `json:"type"`
		} `json:"issuer"`
		ValidFrom string `json:"validFrom"`
		Name      string `json:"name"`
		Partial   bool   `json:"partial"`
		Subject   struct {
			ID   string            `json:"id"`
			Type []string          `json:"type"`
			VC   []json.RawMessage `json:"verifiableCredential"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"context", strings.Join(doc.Context, " "), "https://www.w3.org/ns/credentials/v2 " + CLRContext + " " + ob3.ContextOB},
		{"type", strings.Join(doc.Type, " "), "VerifiableCredential ClrCredential"},
		{"issuer", doc.Issuer.ID, in.IssuerID},
		{"issuer type", strings.Join(doc.Issuer.Type, " "), "Profile"},
		{"validFrom", doc.ValidFrom, "2026-11-23T10:00:00Z"},
		{"name", doc.Name, in.Name},
		{"partial (never written)", doc.Partial, false},
		{"subject type", strings.Join(doc.Subject.Type, " "), "ClrSubject"},
		{"subject id", doc.Subject.ID, in.SubjectID},
		{"credentials", len(doc.Subject.VC), 2},
		{"id prefix", strings.HasPrefix(doc.ID, "urn:uuid:") && len(doc.ID) == 45, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	again, _ := BuildCLR(in)
	if !bytes.Equal(out, again) {
		t.Error("same input, different output")
	}
	in.Credentials = clrCreds[:1]
	other, _ := BuildCLR(in)
	if bytes.Equal(out, other) {
		t.Error("different credentials, same output")
	}
}

func TestBuildCLRErrors(t *testing.T) {
	ok := CLR{IssuerID: "https://x.example/i", Name: "P", Credentials: clrCreds}
	cases := []struct {
		name string
		edit func(*CLR)
		want string
	}{
		{"no issuer", func(c *CLR) { c.IssuerID = "" }, "no issuer"},
		{"no name", func(c *CLR) { c.Name = "" }, "no name"},
		{"no credentials", func(c *CLR) { c.Credentials = nil }, "no credentials"},
		{"array", func(c *CLR) { c.Credentials = [][]byte{[]byte(`[1]`)} }, "credential 0 is not a JSON object"},
		{"broken", func(c *CLR) { c.Credentials = [][]byte{clrCreds[0], []byte(`{"a":`)} }, "credential 1 is not a JSON object"},
		{"trailing", func(c *CLR) { c.Credentials = [][]byte{[]byte(`{} {}`)} }, "credential 0 is not a JSON object"},
		{"too big", func(c *CLR) { c.Credentials = [][]byte{make([]byte, MaxCLRCredentialSize+1)} }, "limit"},
		{"too many", func(c *CLR) { c.Credentials = make([][]byte, MaxCLRCredentials+1) }, "limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := ok
			c.edit(&in)
			_, err := BuildCLR(in)
			if !errors.Is(err, ErrCLR) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrCLR with %q", err, c.want)
			}
		})
	}
}

// FuzzBuildCLR: whatever credential bytes come in, the output is either an error or valid
// JSON embedding them unchanged.
func FuzzBuildCLR(f *testing.F) {
	for _, c := range clrCreds {
		f.Add(c, "Portfolio")
	}
	f.Add([]byte(`{"a":"\u0000clr-subject\u0000"}`), "\x00clr-subject\x00")
	f.Fuzz(func(t *testing.T, cred []byte, name string) {
		out, err := BuildCLR(CLR{IssuerID: "https://x.example/i", Name: name, Credentials: [][]byte{cred}})
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON: %q", out)
		}
		if !bytes.Contains(out, bytes.TrimSpace(cred)) {
			t.Fatalf("credential not embedded: %q", out)
		}
	})
}

// TestSignCLR: a signed CLR verifies in one piece, with a report for each credential it
// carries; a revoked badge inside leaves the record genuine but says so; an altered badge
// inside breaks the record's own proof; a VC 1.1 credential cannot be carried.
func TestSignCLR(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		var creds [][]byte
		var ids []string
		for _, email := range []string{"camille@ecole.example", "camille@ecole.example"} {
			a, err := f.svc.Award(ctx, AwardInput{BadgeID: f.badge.ID, Email: email})
			if err != nil {
				t.Fatal(err)
			}
			creds, ids = append(creds, a.Credential), append(ids, a.ID)
		}
		in := CLR{IssuerName: f.issuer.Name, IssuerURL: testBase + "/issuers/cssdm", Name: "Portfolio de Camille",
			SubjectID: testBase + "/@camille", ValidFrom: f.now, Credentials: creds}
		signed, err := f.svc.SignCLR(ctx, "cssdm", in)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range creds {
			if !bytes.Contains(signed, bytes.TrimSpace(c)) {
				t.Errorf("credential %d not carried byte for byte", i)
			}
		}
		rep := f.verify(t, signed)
		expectVerdict(t, rep, verify.Valid)
		if rep.Standard != verify.StandardCLR || len(rep.Included) != 2 || rep.Issuer == nil || !strings.HasPrefix(rep.Issuer.ID, "did:key:") {
			t.Fatalf("report: standard %q, %d included, issuer %+v", rep.Standard, len(rep.Included), rep.Issuer)
		}
		for _, code := range []verify.Code{verify.CodeCLR, verify.CodeProof, verify.CodeIssuerKey, verify.CodeIncluded} {
			if c := rep.Check(code); c == nil || c.Outcome != verify.Pass {
				t.Errorf("check %s: %+v", code, c)
			}
		}
		for i, inc := range rep.Included {
			if inc.Verdict != verify.Valid || inc.Achievement == nil || inc.Achievement.Name != f.badge.Name {
				t.Errorf("included %d: %s %+v", i, inc.Verdict, inc.Achievement)
			}
		}
		// The e-mail asked about is checked against each credential carried.
		byMail := verify.Verify(ctx, signed, verify.Options{Fetcher: f.fetcher(), Now: f.now.Add(time.Hour), Email: "camille@ecole.example"})
		if c := byMail.Included[0].Check(verify.CodeRecipient); c == nil || c.Outcome != verify.Pass {
			t.Errorf("recipient of an included credential: %+v", c)
		}

		if err := f.svc.Revoke(ctx, ids[1], "erreur"); err != nil {
			t.Fatal(err)
		}
		rep = f.verify(t, signed)
		expectVerdict(t, rep, verify.Valid)
		if c := rep.Check(verify.CodeIncluded); c == nil || c.Outcome != verify.Warn || !strings.Contains(c.Detail, "revoked") ||
			rep.Included[1].Verdict != verify.Revoked {
			t.Errorf("after revocation: %+v, included[1] %s", c, rep.Included[1].Verdict)
		}

		altered := bytes.Replace(signed, []byte(`"name":"`+f.badge.Name+`"`), []byte(`"name":"Chirurgie"`), 1)
		if bytes.Equal(altered, signed) {
			t.Fatal("the badge name is not in the CLR")
		}
		rep = f.verify(t, altered)
		expectVerdict(t, rep, verify.Invalid)
		if c := rep.Check(verify.CodeProof); c == nil || c.Outcome != verify.Fail {
			t.Errorf("altered CLR proof: %+v", c)
		}

		v11 := []byte(`{"@context":["https://www.w3.org/2018/credentials/v1","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"],` +
			`"id":"urn:uuid:1","type":["VerifiableCredential","OpenBadgeCredential"],"issuer":"did:example:1","issuanceDate":"2024-01-01T00:00:00Z",` +
			`"credentialSubject":{"type":"AchievementSubject","achievement":{"id":"urn:uuid:2","type":"Achievement","name":"X","description":"X","criteria":{"narrative":"X"}}}}`)
		if CLRCarries(v11) || !CLRCarries(creds[0]) {
			t.Errorf("CLRCarries: VC 1.1 %v, VC 2.0 %v", CLRCarries(v11), CLRCarries(creds[0]))
		}
		in.Credentials = [][]byte{creds[0], v11}
		if _, err := f.svc.SignCLR(ctx, "cssdm", in); !errors.Is(err, ErrCLR) {
			t.Errorf("VC 1.1 credential in a CLR: %v, want ErrCLR", err)
		}
	})
}
