package keys

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/proof"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestDIDWeb(t *testing.T) {
	tests := []struct {
		name, base, path string
		want             string // "" when an error is expected
		docURL           string // what did.WebURL must give back
	}{
		{"issue example", "https://badges.example.org", "issuers/cssdm",
			"did:web:badges.example.org:issuers:cssdm", "https://badges.example.org/issuers/cssdm/did.json"},
		{"trailing slash", "https://badges.example.org/", "/issuers/cssdm/",
			"did:web:badges.example.org:issuers:cssdm", "https://badges.example.org/issuers/cssdm/did.json"},
		{"upper-case host", "https://Badges.Example.ORG", "issuers/cssdm",
			"did:web:badges.example.org:issuers:cssdm", "https://badges.example.org/issuers/cssdm/did.json"},
		{"port", "https://badges.example.org:8443", "issuers/a",
			"did:web:badges.example.org%3A8443:issuers:a", "https://badges.example.org:8443/issuers/a/did.json"},
		{"base with path", "https://example.org/apps/sceau", "issuers/a",
			"did:web:example.org:apps:sceau:issuers:a", "https://example.org/apps/sceau/issuers/a/did.json"},
		{"base with path and port", "https://example.org:444/sceau/", "issuers/a",
			"did:web:example.org%3A444:sceau:issuers:a", "https://example.org:444/sceau/issuers/a/did.json"},
		{"http dev base", "http://localhost:8080", "issuers/demo",
			"did:web:localhost%3A8080:issuers:demo", "https://localhost:8080/issuers/demo/did.json"},
		{"IPv4 host", "https://192.0.2.7", "issuers/a",
			"did:web:192.0.2.7:issuers:a", "https://192.0.2.7/issuers/a/did.json"},
		{"segment escaped", "https://example.org", "issuers/é t",
			"did:web:example.org:issuers:%C3%A9%20t", "https://example.org/issuers/%C3%A9%20t/did.json"},
		{"not absolute", "badges.example.org", "issuers/a", "", ""},
		{"ftp", "ftp://example.org", "issuers/a", "", ""},
		{"query", "https://example.org/?x=1", "issuers/a", "", ""},
		{"empty query", "https://example.org/?", "issuers/a", "", ""},
		{"fragment", "https://example.org/#top", "issuers/a", "", ""},
		{"user info", "https://u:p@example.org", "issuers/a", "", ""},
		{"IPv6", "https://[2001:db8::1]/", "issuers/a", "", ""},
		{"underscore host", "https://bad_host.example.org", "issuers/a", "", ""},
		{"empty issuer path", "https://example.org", "/", "", ""},
		{"dot-dot segment", "https://example.org", "issuers/../x", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DIDWeb(tc.base, tc.path)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("DIDWeb = %q, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("DIDWeb = %q, want %q", got, tc.want)
			}
			u, err := did.WebURL(got)
			if err != nil || u != tc.docURL {
				t.Errorf("did.WebURL(%s) = %q, %v; want %q", got, u, err, tc.docURL)
			}
		})
	}
	if _, err := DIDWeb("https://example.org?q", "issuers/a"); !errors.Is(err, ErrBaseURL) {
		t.Errorf("err = %v, want ErrBaseURL", err)
	}
	d, err := IssuerDID("https://badges.example.org", "cssdm")
	if err != nil || d != "did:web:badges.example.org:issuers:cssdm" {
		t.Errorf("IssuerDID = %q, %v", d, err)
	}
}

// issuerWithRotation makes a key set with key-1 (retired) and key-2
// (current), from fixed seeds.
func issuerWithRotation(t *testing.T) (ks KeySet, privs map[string][]byte) {
	t.Helper()
	privs = map[string][]byte{}
	for i, now := range []time.Time{testTime, testTime.Add(30 * 24 * time.Hour)} {
		k, priv, err := ks.Rotate(fixedReader(byte(i+1)), now)
		if err != nil {
			t.Fatal(err)
		}
		privs[k.ID] = priv
	}
	return ks, privs
}

func TestDocument(t *testing.T) {
	ks, _ := issuerWithRotation(t)
	issuer, err := IssuerDID("https://badges.example.org", "fablab-lyon")
	if err != nil {
		t.Fatal(err)
	}
	doc := Document(issuer, ks.Keys)
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	golden := filepath.Join("testdata", "did-fablab-lyon.json")
	if *update {
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(want) {
		t.Errorf("DID document differs from %s (run with -update after checking):\n%s", golden, data)
	}

	// Round trip through the did:web resolver, as a verifier elsewhere would.
	docURL, _ := did.WebURL(issuer)
	if docURL != "https://badges.example.org/issuers/fablab-lyon/did.json" {
		t.Errorf("document URL %s", docURL)
	}
	got, err := did.ResolveWeb(context.Background(), did.StaticFetcher{docURL: data}, issuer)
	if err != nil {
		t.Fatal(err)
	}
	ctx, _ := got.Context.([]any)
	if len(ctx) != 2 || ctx[0] != did.ContextDIDv1 || ctx[1] != did.ContextMultikey {
		t.Errorf("@context = %v", got.Context)
	}
	tests := []struct {
		key, rel string
		want     error
	}{
		{"key-1", did.AssertionMethod, nil},
		{"key-2", did.AssertionMethod, nil},
		{"key-2", did.Authentication, nil},
		{"key-1", did.Authentication, did.ErrNotAuthorized}, // retired: no longer logs in
		{"key-3", did.AssertionMethod, did.ErrMethodNotFound},
	}
	for _, tc := range tests {
		m, err := got.Method(issuer+"#"+tc.key, tc.rel)
		if tc.want != nil {
			if !errors.Is(err, tc.want) {
				t.Errorf("%s %s: err = %v, want %v", tc.key, tc.rel, err, tc.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s: %v", tc.key, tc.rel, err)
			continue
		}
		k, _ := ks.Get(tc.key)
		if m.Type != "Multikey" || m.Controller != issuer || m.PublicKeyMultibase != k.Multikey {
			t.Errorf("%s: method %+v", tc.key, m)
		}
		pub, err := m.PublicKey()
		want, _ := k.Ed25519()
		if err != nil || !want.Equal(pub) {
			t.Errorf("%s: public key %v, %v", tc.key, pub, err)
		}
	}
}

// TestSignVerifyAcrossRotation signs a credential with key-1, rotates, signs
// another with key-2, and verifies both against the DID document served
// after the rotation: the retired key still verifies what it signed.
func TestSignVerifyAcrossRotation(t *testing.T) {
	unsigned, err := os.ReadFile(filepath.Join("testdata", "credential-unsigned.json"))
	if err != nil {
		t.Fatal(err)
	}
	issuer, _ := IssuerDID("https://badges.example.org", "fablab-lyon")
	var ks KeySet
	k1, priv1, err := ks.Rotate(fixedReader(1), testTime)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(k PublicKey, priv []byte, at time.Time) []byte {
		s := &proof.Signer{Key: priv, VerificationMethod: k.MethodID(issuer)}
		out, err := s.Sign(unsigned, proof.SignOptions{Created: at})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	signed1 := sign(k1, priv1, testTime)
	docBefore, _ := json.Marshal(Document(issuer, ks.Keys))

	k2, priv2, err := ks.Rotate(fixedReader(2), testTime.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	signed2 := sign(k2, priv2, testTime.Add(2*time.Hour))
	docAfter, _ := json.Marshal(Document(issuer, ks.Keys))
	docURL, _ := did.WebURL(issuer)
	onlyCurrent, _ := json.Marshal(Document(issuer, ks.Keys[1:]))

	tests := []struct {
		name   string
		cred   []byte
		didDoc []byte
		ok     bool
	}{
		{"key-1 credential, document before rotation", signed1, docBefore, true},
		{"key-1 credential, document after rotation", signed1, docAfter, true},
		{"key-2 credential, document after rotation", signed2, docAfter, true},
		{"key-2 credential, document before rotation", signed2, docBefore, false},
		{"key-1 credential, retired key dropped", signed1, onlyCurrent, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := proof.Verify(context.Background(), tc.cred, proof.VerifyOptions{
				Resolver: &did.MultiResolver{Web: did.StaticFetcher{docURL: tc.didDoc}},
				Now:      testTime.Add(3 * time.Hour),
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc.ok != res.AllVerified() {
				t.Fatalf("verified = %v, want %v: %v", res.AllVerified(), tc.ok, res.Err())
			}
			if tc.ok && res.Proofs[0].Controller != issuer {
				t.Errorf("controller %q, want %q", res.Proofs[0].Controller, issuer)
			}
		})
	}
}
