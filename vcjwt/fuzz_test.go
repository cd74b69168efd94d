package vcjwt

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sceau/sceau/did"
)

func seedTokens(f *testing.F) {
	for _, pattern := range []string{"testdata/golden/*.jwt", "testdata/validator-ob30/*.jwt"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(string(b))
		}
	}
}

// FuzzParse: Parse never panics; a parsed token has a JSON object as
// credential and a non-empty alg.
func FuzzParse(f *testing.F) {
	seedTokens(f)
	f.Fuzz(func(t *testing.T, token string) {
		tok, err := Parse(token)
		if err != nil {
			return
		}
		if !isObject(tok.Credential) || !json.Valid(tok.Credential) {
			t.Fatalf("credential is not a JSON object: %q", tok.Credential)
		}
		if _, ok := tok.Header.Raw["alg"]; !ok {
			t.Fatal("parsed token without alg")
		}
	})
}

// FuzzVerify: Verify never panics, never accepts a token with an alg
// outside EdDSA/ES256/RS256, and never returns a result without a method.
func FuzzVerify(f *testing.F) {
	seedTokens(f)
	r := &did.MultiResolver{Web: did.StaticFetcher{}}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, token string) {
		res, err := Verify(context.Background(), token, VerifyOptions{Resolver: r, Now: now})
		if res != nil && res.Method == nil {
			t.Fatal("result without method")
		}
		if err == nil || errors.Is(err, ErrClaimMismatch) || errors.Is(err, ErrExpired) || errors.Is(err, ErrNotYetValid) {
			if res == nil {
				t.Fatal("signature verified but no result")
			}
			if _, ok := allowed[res.Header.Alg]; !ok {
				t.Fatalf("accepted alg %q", res.Header.Alg)
			}
		}
	})
}
