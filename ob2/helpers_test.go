package ob2

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var bg = context.Background()

// response is what the map fetcher answers for a URL.
type response struct {
	status int
	body   []byte
}

// httpError is a fetch error carrying the status, as internal/fetch's does.
type httpError struct {
	status int
	body   []byte
}

func (e *httpError) Error() string    { return fmt.Sprintf("HTTP %d", e.status) }
func (e *httpError) HTTPStatus() int  { return e.status }
func (e *httpError) HTTPBody() []byte { return e.body }

// mapFetcher serves URL → response; an unknown URL is a network error
// (not a 404: the test says what exists and what does not).
type mapFetcher struct {
	docs  map[string]response
	calls []string
}

func (f *mapFetcher) Fetch(_ context.Context, u string) ([]byte, error) {
	f.calls = append(f.calls, u)
	r, ok := f.docs[u]
	if !ok {
		return nil, fmt.Errorf("dial %s: no route to host", u)
	}
	if r.status != 0 && r.status != 200 {
		return nil, &httpError{status: r.status, body: r.body}
	}
	return r.body, nil
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// docs maps every fixture to the URL its platform serves it at.
func docs(t testing.TB) map[string]response {
	t.Helper()
	m := map[string]response{}
	for _, f := range []string{
		"badgr/assertion.json", "badgr/badgeclass.json", "badgr/issuer.json",
		"moodle/assertion.json", "moodle/badgeclass.json", "moodle/issuer.json",
		"obf/assertion.json", "obf/issuer.json",
		"credly/assertion.json", "credly/badgeclass.json", "credly/issuer.json",
		"signed/issuer.json", "signed/key.json", "signed/revocations.json",
	} {
		b := readFile(t, f)
		var head struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &head); err != nil || head.ID == "" {
			t.Fatalf("%s: no id (%v)", f, err)
		}
		m[head.ID] = response{body: b}
	}
	const ob1 = "https://badges.ecole-exemple.ch"
	m[ob1+"/assertions/f2c20.json"] = response{body: readFile(t, "ob1/assertion.json")}
	m[ob1+"/badge-classes/html5.json"] = response{body: readFile(t, "ob1/badgeclass.json")}
	m[ob1+"/issuer.json"] = response{body: readFile(t, "ob1/issuer.json")}
	return m
}

// edit decodes a JSON object, applies fn and encodes it again.
func edit(t testing.TB, b []byte, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func rsaKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode(readFile(t, "signed/"+name))
	if block == nil {
		t.Fatalf("%s: not PEM", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

func publicPEM(t testing.TB, k *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// jws signs payload as a compact JWS with the given header alg; RS256 uses
// key, anything else gets a dummy signature.
func jws(t testing.TB, payload []byte, alg string, key *rsa.PrivateKey) string {
	t.Helper()
	enc := base64.RawURLEncoding
	head := enc.EncodeToString([]byte(`{"alg":"` + alg + `"}`))
	input := head + "." + enc.EncodeToString(payload)
	if alg != "RS256" {
		if alg == "none" {
			return input + "."
		}
		return input + "." + enc.EncodeToString([]byte("not a signature"))
	}
	d := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + enc.EncodeToString(sig)
}

// signedPayload is the signed fixture, optionally edited.
func signedPayload(t testing.TB, fn func(m map[string]any)) []byte {
	t.Helper()
	b := readFile(t, "signed/assertion.json")
	if fn == nil {
		return b
	}
	return edit(t, b, fn)
}

func steps(r *Result) string {
	var sb strings.Builder
	for _, s := range []struct {
		name string
		s    Step
	}{{"structure", r.Structure}, {"hosted", r.Hosted}, {"scope", r.Scope}, {"signature", r.Signature}, {"key", r.Key}, {"badge", r.Badge}, {"revocation", r.Revocation}} {
		fmt.Fprintf(&sb, "%s=%s", s.name, s.s.Outcome)
		if s.s.Outcome != OK && s.s.Detail != "" {
			fmt.Fprintf(&sb, "(%s)", s.s.Detail)
		}
		sb.WriteString(" ")
	}
	return sb.String()
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func sha256Hex(s string) string { d := sha256.Sum256([]byte(s)); return hex.EncodeToString(d[:]) }
