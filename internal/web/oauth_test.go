package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/api"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/oauth"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/ob3"
)

// The whole OAuth 2.0 flow of the Open Badges 3.0 API, as a wallet runs
// it with a real HTTP client: register, send the user's browser to the
// consent page (signed in through the web session), approve, exchange
// the code with its PKCE verifier, read the credentials, refresh, revoke.

// wallet is an OB 3.0 client talking to the API server.
type wallet struct {
	t        *testing.T
	api      string // the API server's URL
	c        *http.Client
	id       string
	secret   string
	redirect string
}

const walletRedirect = "http://127.0.0.1:8765/callback"

func newWallet(t *testing.T, apiURL string) *wallet {
	t.Helper()
	w := &wallet{t: t, api: apiURL, c: &http.Client{}, redirect: walletRedirect}
	body := `{"client_name": "Portefeuille Exemple", "client_uri": "https://wallet.example", "logo_uri": "https://wallet.example/logo.png",
		"policy_uri": "https://wallet.example/privacy", "tos_uri": "https://wallet.example/tos",
		"redirect_uris": ["` + walletRedirect + `"], "token_endpoint_auth_method": "client_secret_basic",
		"grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
		"scope": "` + strings.Join(oauth.Scopes, " ") + `"}`
	resp, err := w.c.Post(apiURL+api.OAuthRegisterPath, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reg oauth.Registration
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&reg) != nil || reg.ClientID == "" || reg.ClientSecret == "" {
		t.Fatalf("registration: %s", resp.Status)
	}
	w.id, w.secret = reg.ClientID, reg.ClientSecret
	return w
}

// pkce returns a verifier and its S256 challenge.
func pkce(seed string) (verifier, challenge string) {
	verifier = strings.Repeat(seed, 64)[:64]
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeURL is the consent page's address for the wallet's request.
func (w *wallet) authorizeURL(challenge, method, state, redirect string, scopes ...string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {w.id}, "redirect_uri": {redirect}, "state": {state},
		"scope": {strings.Join(scopes, " ")}, "code_challenge": {challenge}, "code_challenge_method": {method}}
	return api.OAuthAuthorizePath + "?" + q.Encode()
}

// tokenCall posts to the token endpoint with HTTP Basic client
// authentication and returns the status and decoded body.
func (w *wallet) tokenCall(form url.Values) (int, map[string]any) {
	w.t.Helper()
	req, _ := http.NewRequest("POST", w.api+api.OAuthTokenPath, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(w.id), url.QueryEscape(w.secret))
	resp, err := w.c.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		w.t.Errorf("token endpoint Cache-Control %q", cc)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		w.t.Fatalf("token endpoint answer: %v", err)
	}
	return resp.StatusCode, out
}

func (w *wallet) exchange(code, verifier, redirect string) (int, map[string]any) {
	return w.tokenCall(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier}, "redirect_uri": {redirect}})
}

func (w *wallet) revoke(token string) int {
	w.t.Helper()
	req, _ := http.NewRequest("POST", w.api+api.OAuthRevokePath, strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(w.id, w.secret)
	resp, err := w.c.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// get calls the OB 3.0 API with an access token.
func (w *wallet) get(path, token string) (*http.Response, []byte) {
	w.t.Helper()
	req, _ := http.NewRequest("GET", w.api+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := w.c.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// consent loads the consent page and posts the decision; it returns the
// Location the browser is sent to.
func consent(t *testing.T, b *browser, authorize, decision string) string {
	t.Helper()
	resp, page := b.get(authorize)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page: %s %.500s", resp.Status, page)
	}
	kv := []string{"decision", decision}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		kv = append(kv, m[1], unescapeHTML(m[2]))
	}
	resp, body := b.post(api.OAuthAuthorizePath, kv...)
	return wantRedirect(t, resp, body, walletRedirect)
}

func unescapeHTML(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// callback reads the redirect to the wallet.
func callback(t *testing.T, loc string) url.Values {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestOAuthFlow(t *testing.T) { storetest.ForEach(t, testOAuthFlow) }

func testOAuthFlow(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	apiH, err := api.NewOB3(api.OB3Options{Store: db, BaseURL: testBase, Accounts: f.acc, Now: func() time.Time { return f.now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	apiSrv := httptest.NewServer(apiH)
	t.Cleanup(apiSrv.Close)

	b := f.signUp(t, "fr", "Marie Tremblay", f.email)
	resp, body := b.post("/portfolio/awards/" + f.award.ID + "/accept")
	wantRedirect(t, resp, body, "/portfolio")
	w := newWallet(t, apiSrv.URL)
	all := oauth.Scopes

	t.Run("not signed in: sign in first, then back to the request", func(t *testing.T) {
		_, challenge := pkce("a")
		anon := f.browser(t, "fr")
		resp, body := anon.get(w.authorizeURL(challenge, "S256", "s1", w.redirect, all...))
		loc := wantStatusLocation(t, resp, body, "/signin?next=")
		if next, _ := url.QueryUnescape(strings.TrimPrefix(loc, "/signin?next=")); !strings.HasPrefix(next, api.OAuthAuthorizePath+"?") {
			t.Errorf("next %q", next)
		}
	})

	var access, refresh string
	t.Run("registration, consent, code, tokens, credentials, refresh, revoke", func(t *testing.T) {
		verifier, challenge := pkce("v")
		authorize := w.authorizeURL(challenge, "S256", "état-1", w.redirect, all...)
		resp, page := b.get(authorize)
		if resp.StatusCode != 200 {
			t.Fatalf("consent page %s", resp.Status)
		}
		if got := byID(page, "oauth-client"); got != locale.T("fr", "oauth.intro", "Portefeuille Exemple") {
			t.Errorf("client line %q", got)
		}
		for _, sc := range all {
			if !strings.Contains(page, `data-scope="`+sc+`">`+locale.T("fr", "oauth.scope."+oauth.ScopeName(sc))) {
				t.Errorf("scope %s not listed in French", sc)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' http://127.0.0.1:8765") {
			t.Errorf("CSP does not let the decision reach the client: %q", csp)
		}
		q := callback(t, consent(t, b, authorize, "approve"))
		if q.Get("state") != "état-1" || q.Get("code") == "" || q.Get("error") != "" {
			t.Fatalf("callback %v", q)
		}
		status, tok := w.exchange(q.Get("code"), verifier, w.redirect)
		if status != 200 || tok["token_type"] != "Bearer" || tok["scope"] != strings.Join(all, " ") || tok["expires_in"] != float64(3600) {
			t.Fatalf("token: %d %v", status, tok)
		}
		access, refresh = tok["access_token"].(string), tok["refresh_token"].(string)

		resp, body := w.get(api.OB3Prefix+"/credentials", access)
		if resp.StatusCode != 200 || resp.Header.Get("X-Total-Count") != "1" {
			t.Fatalf("credentials: %s %s", resp.Status, body)
		}
		if errs, err := ob3.ValidateSchema(body, ob3.SchemaGetOpenBadgeCredentialsResponse); err != nil || len(errs) > 0 {
			t.Errorf("response breaks the schema: %v %v", err, errs)
		}
		var got struct{ Credential []struct{ ID string } }
		json.Unmarshal(body, &got)
		if len(got.Credential) != 1 || got.Credential[0].ID != testBase+"/awards/"+f.award.ID {
			t.Errorf("credentials %s", body)
		}

		// Refresh: new tokens; the old refresh token is spent.
		status, tok2 := w.tokenCall(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
		if status != 200 || tok2["refresh_token"] == refresh || tok2["access_token"] == access {
			t.Fatalf("refresh: %d %v", status, tok2)
		}
		access2, refresh2 := tok2["access_token"].(string), tok2["refresh_token"].(string)
		if resp, _ := w.get(api.OB3Prefix+"/profile", access2); resp.StatusCode != 200 {
			t.Errorf("profile with the refreshed token: %s", resp.Status)
		}

		// Revoke the refresh token: the grant goes, access tokens too.
		if st := w.revoke(refresh2); st != 200 {
			t.Errorf("revoke: %d", st)
		}
		if st := w.revoke("sceau_rt_nothing-like-this"); st != 200 {
			t.Errorf("revoke of an unknown token: %d, want 200", st)
		}
		for _, a := range []string{access, access2} {
			resp, body := w.get(api.OB3Prefix+"/credentials", a)
			if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("revoked access token: %s %s", resp.Status, body)
			}
		}
		if status, out := w.tokenCall(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh2}}); status != 400 || out["error"] != "invalid_grant" {
			t.Errorf("revoked refresh token: %d %v", status, out)
		}
	})

	t.Run("a reused code is refused and its tokens revoked", func(t *testing.T) {
		verifier, challenge := pkce("r")
		q := callback(t, consent(t, b, w.authorizeURL(challenge, "S256", "s", w.redirect, oauth.ScopeCredentialReadonly), "approve"))
		status, tok := w.exchange(q.Get("code"), verifier, w.redirect)
		if status != 200 {
			t.Fatalf("first exchange %d %v", status, tok)
		}
		if resp, _ := w.get(api.OB3Prefix+"/credentials", tok["access_token"].(string)); resp.StatusCode != 200 {
			t.Fatalf("first token: %s", resp.Status)
		}
		status, out := w.exchange(q.Get("code"), verifier, w.redirect)
		if status != 400 || out["error"] != "invalid_grant" {
			t.Errorf("second exchange %d %v", status, out)
		}
		if resp, _ := w.get(api.OB3Prefix+"/credentials", tok["access_token"].(string)); resp.StatusCode != 401 {
			t.Errorf("token of a reused code still works: %s", resp.Status)
		}
		if status, _ := w.tokenCall(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}); status != 400 {
			t.Errorf("refresh token of a reused code: %d", status)
		}
	})

	t.Run("wrong verifier, then the code is spent", func(t *testing.T) {
		verifier, challenge := pkce("w")
		q := callback(t, consent(t, b, w.authorizeURL(challenge, "S256", "s", w.redirect, all...), "approve"))
		wrong, _ := pkce("x")
		if status, out := w.exchange(q.Get("code"), wrong, w.redirect); status != 400 || out["error"] != "invalid_grant" {
			t.Errorf("wrong verifier %d %v", status, out)
		}
		if status, out := w.exchange(q.Get("code"), verifier, w.redirect); status != 400 || out["error"] != "invalid_grant" {
			t.Errorf("code after a failed exchange %d %v", status, out)
		}
	})

	t.Run("redirect_uri of the exchange must match", func(t *testing.T) {
		verifier, challenge := pkce("m")
		q := callback(t, consent(t, b, w.authorizeURL(challenge, "S256", "s", w.redirect, all...), "approve"))
		if status, out := w.exchange(q.Get("code"), verifier, "http://127.0.0.1:8765/other"); status != 400 || out["error"] != "invalid_grant" {
			t.Errorf("exchange with another redirect_uri %d %v", status, out)
		}
	})

	t.Run("refusals sent back to the client", func(t *testing.T) {
		_, challenge := pkce("p")
		cases := []struct{ name, url, wantErr string }{
			{"plain PKCE", w.authorizeURL(challenge, "plain", "s", w.redirect, all...), "invalid_request"},
			{"no PKCE", w.authorizeURL("", "", "s", w.redirect, all...), "invalid_request"},
			{"unknown scope", w.authorizeURL(challenge, "S256", "s", w.redirect, "https://example.org/scope/all"), "invalid_scope"},
			{"no scope", w.authorizeURL(challenge, "S256", "s", w.redirect), "invalid_scope"},
			{"token response type", strings.Replace(w.authorizeURL(challenge, "S256", "s", w.redirect, all...), "response_type=code", "response_type=token", 1), "unsupported_response_type"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp, body := b.get(c.url)
				loc := wantStatusLocation(t, resp, body, walletRedirect)
				if q := callback(t, loc); q.Get("error") != c.wantErr || q.Get("state") != "s" || q.Get("code") != "" {
					t.Errorf("callback %v", q)
				}
			})
		}
		q := callback(t, consent(t, b, w.authorizeURL(challenge, "S256", "refus", w.redirect, all...), "deny"))
		if q.Get("error") != "access_denied" || q.Get("state") != "refus" || q.Get("code") != "" {
			t.Errorf("deny: %v", q)
		}
	})

	t.Run("refusals shown on the page, never redirected", func(t *testing.T) {
		_, challenge := pkce("q")
		cases := []struct{ name, url string }{
			{"unregistered redirect_uri", w.authorizeURL(challenge, "S256", "s", "https://evil.example/cb", all...)},
			{"unknown client", strings.Replace(w.authorizeURL(challenge, "S256", "s", w.redirect, all...), w.id, "3f8e2a4c-1b2d-4e5f-8a9b-0c1d2e3f4a5b", 1)},
			{"repeated parameter", w.authorizeURL(challenge, "S256", "s", w.redirect, all...) + "&state=t"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp, page := b.get(c.url)
				if resp.StatusCode != 400 || resp.Header.Get("Location") != "" || byID(page, "oauth-error") == "" {
					t.Errorf("%s Location %q; %.300s", resp.Status, resp.Header.Get("Location"), page)
				}
			})
		}
		// A tampered consent form is checked again.
		resp, body := b.post(api.OAuthAuthorizePath, "decision", "approve", "client_id", w.id, "response_type", "code",
			"redirect_uri", "https://evil.example/cb", "scope", all[0], "code_challenge", challenge, "code_challenge_method", "S256")
		if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
			t.Errorf("tampered consent: %s %q %.200s", resp.Status, resp.Header.Get("Location"), body)
		}
	})

	t.Run("consent page in English", func(t *testing.T) {
		en := f.signUp(t, "en", "Julie Roy", "julie@exemple.ca")
		_, challenge := pkce("e")
		resp, page := en.get(w.authorizeURL(challenge, "S256", "s", w.redirect, oauth.ScopeProfileReadonly))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Language") != "en" {
			t.Fatalf("%s %s", resp.Status, resp.Header.Get("Content-Language"))
		}
		if got := byID(page, "oauth-client"); got != locale.T("en", "oauth.intro", "Portefeuille Exemple") {
			t.Errorf("client line %q", got)
		}
		if !strings.Contains(page, locale.T("en", "oauth.scope.profile.readonly")) || strings.Contains(page, locale.T("en", "oauth.scope.credential.readonly")) {
			t.Error("the English page does not list exactly the scope asked for")
		}
		if byID(page, "oauth-approve") != "Allow" || byID(page, "oauth-deny") != "Deny" {
			t.Errorf("buttons %q %q", byID(page, "oauth-approve"), byID(page, "oauth-deny"))
		}
	})
}

// wantStatusLocation checks a redirect (302 or 303) to a location
// starting with prefix.
func wantStatusLocation(t *testing.T, resp *http.Response, body, prefix string) string {
	t.Helper()
	loc := resp.Header.Get("Location")
	if (resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther) || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("got %s Location %q, want a redirect to %s…; body: %.400s", resp.Status, loc, prefix, body)
	}
	return loc
}
