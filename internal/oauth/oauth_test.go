package oauth

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

func TestCheckRedirectURI(t *testing.T) {
	cases := []struct {
		name, uri string
		ok        bool
	}{
		{"https", "https://wallet.example/cb?x=1", true},
		{"loopback v4", "http://127.0.0.1:8765/cb", true},
		{"loopback v6", "http://[::1]/cb", true},
		{"localhost", "http://localhost:3000/cb", true},
		{"plain http", "http://wallet.example/cb", false},
		{"fragment", "https://wallet.example/cb#f", false},
		{"empty fragment", "https://wallet.example/cb#", false},
		{"relative", "/cb", false},
		{"userinfo", "https://u:p@wallet.example/cb", false},
		{"custom scheme", "com.example.wallet:/cb", false},
		{"javascript", "javascript:alert(1)", false},
		{"too long", "https://wallet.example/" + strings.Repeat("a", MaxURILen), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := CheckRedirectURI(c.uri); (err == nil) != c.ok {
				t.Errorf("CheckRedirectURI(%q) = %v, want ok=%v", c.uri, err, c.ok)
			}
		})
	}
}

func TestParseScope(t *testing.T) {
	got, err := ParseScope("  " + ScopeProfileReadonly + " " + ScopeCredentialReadonly + " " + ScopeProfileReadonly)
	if err != nil || len(got) != 2 || got[0] != ScopeProfileReadonly || got[1] != ScopeCredentialReadonly {
		t.Errorf("%v %v", got, err)
	}
	if _, err := ParseScope("openid"); err == nil {
		t.Error("unknown scope accepted")
	}
	if got, err := ParseScope(""); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
	if ScopeName(ScopeCredentialUpsert) != "credential.upsert" {
		t.Error(ScopeName(ScopeCredentialUpsert))
	}
}

// FuzzAuthorizeParams feeds query strings to the parsers of an
// authorization request; none may panic, and an accepted request must
// name the registered client, a registered redirect URI and S256.
func FuzzAuthorizeParams(f *testing.F) {
	f.Add("response_type=code&client_id=x&scope=" + url.QueryEscape(ScopeProfileReadonly) + "&code_challenge_method=S256&code_challenge=CrlVwe1WSHWuTQYh3iczmx3aS-faRx6C92k9_hNxl4A")
	f.Add("redirect_uri=https%3A%2F%2Fwallet.example%2Fcb%23x&state=%00")
	f.Add("scope=%20%20&code_challenge=====")
	db := storetest.SQLite(f)
	s := New(db, Options{})
	ctx := context.Background()
	u := &badge.User{Handle: "marie", Name: "Marie", Language: "fr", PasswordHash: "x"}
	if err := db.CreateUser(ctx, u, "marie@exemple.ca"); err != nil {
		f.Fatal(err)
	}
	reg, err := s.Register(ctx, Metadata{ClientName: "W", RedirectURIs: []string{"https://wallet.example/cb"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		_ = CheckRedirectURI(raw)
		_, _ = ParseScope(raw)
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q.Set("client_id", reg.ClientID)
		r, err := s.Authorize(ctx, q)
		if err != nil {
			return
		}
		if r.Client.ID != reg.ClientID || r.RedirectURI != "https://wallet.example/cb" || r.CodeChallengeMethod != "S256" || len(r.Scope) == 0 {
			t.Fatalf("accepted %+v", r)
		}
	})
}

func TestUseCodeAndRotation(t *testing.T) { storetest.ForEach(t, testUseCodeAndRotation) }

// The store's single-use and rotation rules, under the server's flow.
func testUseCodeAndRotation(t *testing.T, db *store.DB) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	s := New(db, Options{Now: func() time.Time { return now }})
	u := &badge.User{Handle: "marie", Name: "Marie", Language: "fr", PasswordHash: "x"}
	if err := db.CreateUser(ctx, u, "marie@exemple.ca"); err != nil {
		t.Fatal(err)
	}
	reg, err := s.Register(ctx, Metadata{ClientName: "W", RedirectURIs: []string{"https://wallet.example/cb"}, Scope: ScopeProfileReadonly})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := db.GetOAuthClient(ctx, reg.ClientID)
	code := func() string {
		q := url.Values{"response_type": {"code"}, "client_id": {reg.ClientID}, "scope": {ScopeProfileReadonly},
			"code_challenge": {"CrlVwe1WSHWuTQYh3iczmx3aS-faRx6C92k9_hNxl4A"}, "code_challenge_method": {"S256"}}
		r, err := s.Authorize(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		loc, err := s.Approve(ctx, r, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		lu, _ := url.Parse(loc)
		return lu.Query().Get("code")
	}
	exchange := func(code string) (*TokenResponse, error) {
		return s.Token(ctx, c, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {strings.Repeat("v", 50)}})
	}
	t.Run("a client may not ask for a scope it did not register", func(t *testing.T) {
		q := url.Values{"response_type": {"code"}, "client_id": {reg.ClientID}, "scope": {ScopeCredentialReadonly},
			"code_challenge": {"CrlVwe1WSHWuTQYh3iczmx3aS-faRx6C92k9_hNxl4A"}, "code_challenge_method": {"S256"}}
		_, err := s.Authorize(ctx, q)
		re, ok := err.(*RedirectError)
		if !ok || re.Err.Code != "invalid_scope" || !strings.HasPrefix(re.URL, "https://wallet.example/cb?") {
			t.Errorf("%v", err)
		}
	})
	t.Run("codes and tokens are stored hashed", func(t *testing.T) {
		cd := code()
		tok, err := exchange(cd)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{cd, tok.AccessToken, tok.RefreshToken} {
			var n int
			db.SQL().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM oauth_codes WHERE hash = $1) + (SELECT COUNT(*) FROM oauth_tokens WHERE hash = $1)`, secret).Scan(&n)
			var h int
			db.SQL().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM oauth_codes WHERE hash = $1) + (SELECT COUNT(*) FROM oauth_tokens WHERE hash = $1)`, badge.HashSecret(secret)).Scan(&h)
			if n != 0 || h != 1 {
				t.Errorf("secret %.12s…: %d rows by value, %d by hash", secret, n, h)
			}
		}
	})
	t.Run("an expired refresh token", func(t *testing.T) {
		tok, err := exchange(code())
		if err != nil {
			t.Fatal(err)
		}
		saved := now
		now = now.Add(RefreshTTL + time.Second)
		defer func() { now = saved }()
		_, err = s.Token(ctx, c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
		if oe, ok := err.(*Error); !ok || oe.Code != "invalid_grant" {
			t.Errorf("%v", err)
		}
		if n, err := db.DeleteExpiredOAuth(ctx, now); err != nil || n == 0 {
			t.Errorf("housekeeping removed %d rows: %v", n, err)
		}
	})
}
