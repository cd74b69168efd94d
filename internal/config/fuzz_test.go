package config

import (
	"errors"
	"net/url"
	"testing"
)

// FuzzBaseURL: normalisation is idempotent, accepted URLs are absolute
// http(s) without query or fragment, and every refusal wraps ErrInvalid.
func FuzzBaseURL(f *testing.F) {
	for _, s := range []string{"https://badges.example.org", "HTTP://LOCALHOST:8080/a/", "https://[::1]/", "https://10.0.0.1",
		"https://u@x.org", "https://x.org/?#", "ftp://x", "https://x.org:99999", "https://x.org/%2F/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := NormalizeBaseURL(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return
		}
		again, err := NormalizeBaseURL(n)
		if err != nil || again != n {
			t.Fatalf("not idempotent: %q → %q → %q, %v", raw, n, again, err)
		}
		u, err := url.Parse(n)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("accepted %q as %q", raw, n)
		}
		if err := CheckPublicBaseURL(n); err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("CheckPublicBaseURL error without ErrInvalid: %v", err)
		}
	})
}
