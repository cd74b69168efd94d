package issuing

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
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
		{"context", strings.Join(doc.Context, " "), "https://www.w3.org/ns/credentials/v2 " + CLRContext},
		{"type", strings.Join(doc.Type, " "), "VerifiableCredential ClrCredential"},
		{"issuer", doc.Issuer.ID, in.IssuerID},
		{"issuer type", strings.Join(doc.Issuer.Type, " "), "Profile"},
		{"validFrom", doc.ValidFrom, "2026-11-23T10:00:00Z"},
		{"name", doc.Name, in.Name},
		{"partial", doc.Partial, true},
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
