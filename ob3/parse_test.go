package ob3

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func readTypical(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/typical-unsigned.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mutate parses the typical credential as a generic map, applies f and
// returns the JSON.
func mutate(t testing.TB, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readTypical(t), &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func obj(m map[string]any, path ...string) map[string]any {
	for _, p := range path {
		m = m[p].(map[string]any)
	}
	return m
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1)
	tests := []struct {
		name    string
		data    []byte
		is      error  // errors.Is target, or nil
		message string // exact error text, or ""
	}{
		{name: "not JSON", data: []byte(`{"id": `), is: ErrInvalidJSON},
		{name: "trailing garbage", data: []byte(`{} x`), is: ErrInvalidJSON},
		{name: "two values", data: []byte(`{} {}`), is: ErrInvalidJSON},
		{name: "empty", data: nil, is: ErrInvalidJSON},
		{name: "too large", data: append(append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), MaxSize)...), `"}`...), is: ErrTooLarge},
		{name: "too deep", data: []byte(deep), is: ErrTooDeep},
		{name: "array at top level", data: []byte(`[]`), message: "expected object, got array"},
		{name: "duplicate key", data: []byte(`{"id":"a","credentialSubject":{"id":"x","id":"y"}}`), is: ErrDuplicateKey,
			message: `ob3: duplicate property "id" at credentialSubject.id`},
		{name: "duplicate key in array item", data: []byte(`{"evidence":[{},{"name":"a","name":"b"}]}`),
			message: `ob3: duplicate property "name" at evidence[1].name`},
		{name: "criteria not an object", data: mutate(t, func(m map[string]any) {
			obj(m, "credentialSubject", "achievement")["criteria"] = "https://example.org/criteria"
		}), message: "credentialSubject.achievement.criteria: expected object, got string"},
		{name: "type a number", data: mutate(t, func(m map[string]any) { m["type"] = 3 }),
			message: "type: expected string, got number"},
		{name: "evidence item type", data: mutate(t, func(m map[string]any) {
			m["evidence"] = []any{map[string]any{"type": "Evidence"}, map[string]any{"type": true}}
		}), message: "evidence[1].type: expected string, got boolean"},
		{name: "hashed not boolean", data: mutate(t, func(m map[string]any) {
			obj(m, "credentialSubject")["identifier"] = map[string]any{"type": "IdentityObject", "hashed": "true"}
		}), message: "credentialSubject.identifier.hashed: expected boolean, got string"},
		{name: "credits a string", data: mutate(t, func(m map[string]any) { obj(m, "credentialSubject")["creditsEarned"] = "3" }),
			message: "credentialSubject.creditsEarned: expected number, got string"},
		{name: "subject array of two", data: mutate(t, func(m map[string]any) {
			m["credentialSubject"] = []any{m["credentialSubject"], m["credentialSubject"]}
		}), message: "credentialSubject: expected object, got array of 2"},
		{name: "context entry a number", data: mutate(t, func(m map[string]any) { m["@context"] = []any{ContextVC2, 7} }),
			message: "@context[1]: expected string or object"},
		{name: "proof a string", data: mutate(t, func(m map[string]any) { m["proof"] = "z123" }),
			message: "proof: expected object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.data)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", c)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			if tt.message != "" && err.Error() != tt.message {
				t.Errorf("error %q, want %q", err, tt.message)
			}
		})
	}
}

// JSON-LD lets many properties be one value or an array; the form read is
// the form written, and Go-built values get the canonical form.
func TestForms(t *testing.T) {
	tests := []struct {
		name string
		in   string
		out  string // "" means same as in
		test func(t *testing.T, c *Credential)
	}{
		{
			name: "single type and context",
			in:   `{"@context":"https://www.w3.org/ns/credentials/v2","type":"VerifiableCredential"}`,
			test: func(t *testing.T, c *Credential) {
				if len(c.Type) != 1 || c.Context[0].URL != ContextVC2 {
					t.Errorf("got %+v", c)
				}
			},
		},
		{
			name: "issuer as IRI",
			in:   `{"issuer":"did:web:exemple.qc.ca"}`,
			test: func(t *testing.T, c *Credential) {
				if c.Issuer.ID != "did:web:exemple.qc.ca" {
					t.Errorf("issuer %+v", c.Issuer)
				}
			},
		},
		{
			name: "image as IRI",
			in:   `{"image":"https://exemple.qc.ca/i.png","credentialSubject":{"achievement":{"image":"data:image/png;base64,AAAA"}}}`,
		},
		{
			name: "subject as one-element array",
			in:   `{"credentialSubject":[{"id":"did:example:1"}]}`,
			test: func(t *testing.T, c *Credential) {
				if c.CredentialSubject.ID != "did:example:1" {
					t.Errorf("subject %+v", c.CredentialSubject)
				}
			},
		},
		{
			name: "credentialStatus as one-element array stays an array",
			in:   `{"credentialStatus":[{"type":"BitstringStatusListEntry","statusListIndex":"3"}]}`,
		},
		{
			name: "evidence and proof single objects",
			in:   `{"evidence":{"type":"Evidence","name":"x"},"proof":{"type":"DataIntegrityProof","proofValue":"z1"}}`,
			test: func(t *testing.T, c *Credential) {
				if len(c.Evidence) != 1 || c.Proof[0].ProofValue != "z1" {
					t.Errorf("got %+v %+v", c.Evidence, c.Proof)
				}
			},
		},
		{
			name: "extensions kept at every level",
			in:   `{"ext:a":1,"credentialSubject":{"achievement":{"criteria":{"narrative":"n","ext:b":[true,null]}},"ext:c":{"d":"e"}}}`,
			test: func(t *testing.T, c *Credential) {
				if string(c.Extra["ext:a"]) != "1" || string(c.CredentialSubject.Achievement.Criteria.Extra["ext:b"]) != "[true,null]" {
					t.Errorf("extras lost")
				}
			},
		},
		{
			name: "language map kept, typed field empty",
			in:   `{"name":{"fr":"Secourisme","en":"First aid"}}`,
			test: func(t *testing.T, c *Credential) {
				if c.Name != "" || c.Extra["name"] == nil {
					t.Errorf("name %q extra %s", c.Name, c.Extra["name"])
				}
			},
		},
		{
			name: "null and empty values omitted",
			in:   `{"id":"urn:x","name":null,"description":"","evidence":[],"criteria":{},"credentialSubject":{"achievement":{"criteria":{}}}}`,
			out:  `{"id":"urn:x","criteria":{}}`,
		},
		{
			name: "proof kept byte for byte, numbers as written",
			in:   `{"proof":[{"type":"DataIntegrityProof","created":"2010-01-01T19:23:24Z","x":1.50}],"credentialSubject":{"creditsEarned":1.50}}`,
		},
		{
			name: "HTML characters not escaped",
			in:   `{"id":"https://exemple.qc.ca/?a=1&b=<2>"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if tt.test != nil {
				tt.test(t, c)
			}
			out, err := Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.out
			if want == "" {
				want = tt.in
			}
			if !jsonEqual(t, out, []byte(want)) {
				t.Errorf("Marshal:\n got %s\nwant %s", out, want)
			}
			if bytes.Contains(out, []byte(`\u0026`)) {
				t.Errorf("HTML-escaped output: %s", out)
			}
		})
	}
}

func TestProofBytesPreserved(t *testing.T) {
	in := `{"proof":{"type":"DataIntegrityProof","proofValue":"z5Mx","created":"2010-01-01T19:23:24.000Z"}}`
	c, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"proof":{"type":"DataIntegrityProof","proofValue":"z5Mx","created":"2010-01-01T19:23:24.000Z"}}`
	if string(out) != want {
		t.Errorf("got %s\nwant %s", out, want)
	}
}

func TestCanonicalForms(t *testing.T) {
	c := &Credential{
		Context:          Contexts(ContextVC2, ContextOB),
		Type:             []string{TypeVerifiableCredential, TypeOpenBadgeCredential},
		Issuer:           &Profile{ID: "https://exemple.qc.ca", Type: []string{"Profile"}},
		CredentialStatus: []CredentialStatus{{ID: "https://exemple.qc.ca/s#1", Type: "BitstringStatusListEntry"}},
		Proof:            []Proof{{Type: "DataIntegrityProof", Cryptosuite: "eddsa-rdfc-2022"}},
		CredentialSubject: &AchievementSubject{
			Identifier: []IdentityObject{{Type: TypeIdentityObject, IdentityType: IdentityTypeEmail, IdentityHash: "a@b.c"}},
		},
	}
	out, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],` +
		`"type":["VerifiableCredential","OpenBadgeCredential"],"issuer":{"id":"https://exemple.qc.ca","type":["Profile"]},` +
		`"credentialSubject":{"identifier":[{"type":"IdentityObject","hashed":false,"identityHash":"a@b.c","identityType":"emailAddress"}]},` +
		`"credentialStatus":{"id":"https://exemple.qc.ca/s#1","type":"BitstringStatusListEntry"},` +
		`"proof":[{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022"}]}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

func TestMarshalCycle(t *testing.T) {
	p := &Profile{ID: "https://a.example"}
	p.ParentOrg = p
	if _, err := Marshal(p); !errors.Is(err, ErrTooDeep) {
		t.Errorf("cyclic profile: err = %v, want ErrTooDeep", err)
	}
	c := &Credential{Issuer: p}
	_ = c.Check() // must return, not recurse forever
}

func TestMarshalInvalidNumber(t *testing.T) {
	if _, err := Marshal(&AchievementSubject{CreditsEarned: "trois"}); err == nil {
		t.Error("invalid json.Number accepted")
	}
}

func TestUnmarshalProfile(t *testing.T) {
	var p Profile
	in := `{"id":"https://exemple.qc.ca","type":"Profile","name":"Cégep","ext":{"x":1}}`
	if err := Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	if p.Name != "Cégep" || len(p.Type) != 1 {
		t.Errorf("got %+v", p)
	}
	out, _ := Marshal(p)
	if !jsonEqual(t, out, []byte(in)) {
		t.Errorf("got %s", out)
	}
	if err := Unmarshal([]byte(in), p); err == nil {
		t.Error("Unmarshal into a non-pointer succeeded")
	}
}

func TestContextVersion(t *testing.T) {
	tests := []struct {
		ctx  []string
		want string
		vc1  bool
	}{
		{[]string{ContextVC2, ContextOB}, "3.0.3", false},
		{[]string{ContextVC2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"}, "3.0.2", false},
		{[]string{ContextVC1, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"}, "3.0.1", true},
		{[]string{ContextVC1, "https://purl.imsglobal.org/spec/ob/v3p0/context.json"}, "3.0.0", true},
		{[]string{ContextVC2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.1.0.json"}, "3.1.0", false},
		{[]string{ContextVC2, "https://w3id.org/openbadges/v2"}, "", false},
		{nil, "", false},
	}
	for _, tt := range tests {
		c := &Credential{Context: Contexts(tt.ctx...)}
		if got := c.ContextVersion(); got != tt.want {
			t.Errorf("%v: ContextVersion = %q, want %q", tt.ctx, got, tt.want)
		}
		if c.IsVC1() != tt.vc1 {
			t.Errorf("%v: IsVC1 = %v", tt.ctx, c.IsVC1())
		}
	}
}

func jsonEqual(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("invalid JSON %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

// Strings with non-ASCII letters before an escape are decoded whole: the
// escapes after "é" were once kept as literal text (criteria typed in a
// browser textarea arrive with \r\n).
func TestParseAccentBeforeEscape(t *testing.T) {
	want := "Remettre une séquence.\r\n\r\n- le plan \"détaillé\"\n- la réflexion"
	data := mutate(t, func(m map[string]any) {
		obj(m, "credentialSubject", "achievement", "criteria")["narrative"] = want
		obj(m, "credentialSubject", "achievement")["name"] = "Éthique"
	})
	c, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.CredentialSubject.Achievement.Criteria.Narrative; got != want {
		t.Errorf("narrative %q, want %q", got, want)
	}
}

// TestProofUnmarshal: the typed view of a proof reads members as
// encoding/json does into a map of strings (last repeated member wins, a
// non-string leaves the field empty, escapes decoded), whether the proof is
// decoded with its credential or on its own.
func TestProofUnmarshal(t *testing.T) {
	tests := []struct {
		name, in string
		want     Proof
	}{
		{"plain", `{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofValue":"z1","nonce":"n"}`,
			Proof{Type: "DataIntegrityProof", Cryptosuite: "eddsa-rdfc-2022", ProofValue: "z1", Nonce: "n"}},
		{"non-string members", `{"type":7,"domain":["a"],"challenge":null,"created":"2010-01-01T00:00:00Z"}`,
			Proof{Created: "2010-01-01T00:00:00Z"}},
		{"escaped key and value", `{"typ\u0065":"Data\u0049ntegrityProof","id":"urn:\"x\""}`,
			Proof{Type: "DataIntegrityProof", ID: `urn:"x"`}},
		{"white space", " { \"type\" : \"T\" , \"expires\" : \"E\" } ", Proof{Type: "T", Expires: "E"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var alone Proof
			if err := alone.UnmarshalJSON([]byte(tt.in)); err != nil {
				t.Fatal(err)
			}
			c, err := Parse([]byte(`{"proof":` + tt.in + `}`))
			if err != nil {
				t.Fatal(err)
			}
			for _, got := range []Proof{alone, c.Proof[0]} {
				want := tt.want
				want.Raw = json.RawMessage(strings.TrimSpace(tt.in))
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %+v\nwant %+v", got, want)
				}
			}
		})
	}
	// Repeated members are refused by Parse, but UnmarshalJSON called on
	// its own keeps the last, as encoding/json does.
	var p Proof
	if err := p.UnmarshalJSON([]byte(`{"type":"A","type":"B","nonce":"x","nonce":1}`)); err != nil || p.Type != "B" || p.Nonce != "" {
		t.Errorf("repeated members: %+v, %v", p, err)
	}
	for _, bad := range []string{`[]`, `{"type":}`, `{"type":"x"`, ``} {
		if err := new(Proof).UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
