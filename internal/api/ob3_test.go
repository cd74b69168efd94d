package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/accounts"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/internal/oauth"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
	"github.com/sceau/sceau/vcjwt"
)

const ob3Base = "https://badges.example.org"

// noMail is an accounts.Notifier that sends nothing: these tests create
// accounts directly.
type noMail struct{}

func (noMail) ConfirmEmail(context.Context, string, string, string, string) error  { return nil }
func (noMail) ResetPassword(context.Context, string, string, string, string) error { return nil }
func (noMail) Invitation(context.Context, string, string, string, string, badge.Role, string) error {
	return nil
}

// ob3Fixture is the OB 3.0 API over a real store: a user with a
// confirmed address holding three awards of this server, another user,
// a registered client, and a foreign did:key issuer to sign badges with.
type ob3Fixture struct {
	db       *store.DB
	h        http.Handler
	o        *oauth.Server
	now      time.Time
	user     *badge.User
	other    *badge.User
	email    string
	client   *oauth.Registration
	awards   []*badge.Award
	otherAwd *badge.Award
	key      ed25519.PrivateKey
	kid      string
	issuer   string
}

func newOB3Fixture(t *testing.T, db *store.DB) *ob3Fixture {
	t.Helper()
	ctx := context.Background()
	f := &ob3Fixture{db: db, now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), email: "marie@exemple.ca"}
	clock := func() time.Time { return f.now }
	db.SetClock(clock)
	master, err := keys.NewMasterKey(bytes.Repeat([]byte{7}, 32), "test")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := issuing.New(issuing.Config{Store: db, Master: master, BaseURL: ob3Base, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := accounts.New(accounts.Config{DB: db, Notifier: noMail{}, BaseURL: ob3Base, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	mkUser := func(handle, email string) *badge.User {
		u := &badge.User{Handle: handle, Name: "Marie Tremblay", Language: "fr", PasswordHash: "x"}
		if err := db.CreateUser(ctx, u, email); err != nil {
			t.Fatal(err)
		}
		if err := db.VerifyEmail(ctx, u.ID, email); err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.user, f.other = mkUser("marie", f.email), mkUser("autre", "autre@exemple.ca")
	iss := &badge.Issuer{Slug: "cssdm", Name: "CSSDM", URL: "https://cssdm.example", Language: "fr"}
	if err := svc.CreateIssuer(ctx, iss); err != nil {
		t.Fatal(err)
	}
	b := &badge.Badge{IssuerID: iss.ID, Slug: "secourisme", Name: "Secourisme", Description: "Premiers soins.", CriteriaNarrative: "Réussir.", Language: "fr"}
	if err := svc.CreateBadge(ctx, b); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		f.now = time.Date(2026, 1, 1+i, 10, 0, 0, 0, time.UTC)
		a, err := svc.Award(ctx, issuing.AwardInput{BadgeID: b.ID, Email: f.email})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimAward(ctx, a.ID, f.user.ID); err != nil {
			t.Fatal(err)
		}
		f.awards = append(f.awards, a)
	}
	if f.otherAwd, err = svc.Award(ctx, issuing.AwardInput{BadgeID: b.ID, Email: f.email}); err != nil {
		t.Fatal(err)
	}
	f.now = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	f.h, err = NewOB3(OB3Options{Store: db, BaseURL: ob3Base, Accounts: acc, Now: clock, ImageURL: ob3Base + "/static/logo.png",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.o = oauth.New(db, oauth.Options{Now: clock})
	f.client, err = f.o.Register(ctx, oauth.Metadata{ClientName: "Portefeuille", RedirectURIs: []string{"https://wallet.example/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, err := did.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{3}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	f.issuer, _, err = did.KeyDID(pub)
	if err != nil {
		t.Fatal(err)
	}
	_, f.kid, _ = did.KeyDID(pub)
	f.key = priv
	return f
}

// token runs the authorization code grant for the user and returns an
// access token with the scopes.
func (f *ob3Fixture) token(t *testing.T, u *badge.User, scopes ...string) string {
	t.Helper()
	ctx := context.Background()
	verifier := strings.Repeat("v", 50)
	q := url.Values{"response_type": {"code"}, "client_id": {f.client.ClientID}, "scope": {strings.Join(scopes, " ")},
		"code_challenge": {"CrlVwe1WSHWuTQYh3iczmx3aS-faRx6C92k9_hNxl4A"}, "code_challenge_method": {"S256"}}
	// The challenge above is base64url(SHA-256("v"×50)), checked below.
	req, err := f.o.Authorize(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := f.o.Approve(ctx, req, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	lu, _ := url.Parse(loc)
	c, _ := f.db.GetOAuthClient(ctx, f.client.ClientID)
	resp, err := f.o.Token(ctx, c, url.Values{"grant_type": {"authorization_code"}, "code": {lu.Query().Get("code")},
		"code_verifier": {verifier}, "redirect_uri": {"https://wallet.example/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	return resp.AccessToken
}

// call sends a request to the API; headers are name, value pairs.
func (f *ob3Fixture) call(t *testing.T, method, path, token, ctype, body string, headers ...string) apiResp {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return apiResp{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// wantImsx checks an Imsx_StatusInfo error: status, code minor, and the
// 1EdTech schema.
func wantImsx(t *testing.T, r apiResp, status int, minor string) {
	t.Helper()
	if r.code != status {
		t.Fatalf("status %d, want %d: %s", r.code, status, r.body)
	}
	if errs, err := ob3.ValidateSchema(r.body, ob3.SchemaImsxStatusInfo); err != nil || len(errs) > 0 {
		t.Errorf("error breaks the Imsx_StatusInfo schema: %v %v: %s", err, errs, r.body)
	}
	var si statusInfo
	r.json(t, &si)
	if si.CodeMajor != "failure" || si.Severity != "error" || si.Description == "" || si.CodeMinor == nil ||
		len(si.CodeMinor.Field) != 1 || si.CodeMinor.Field[0].Value != minor {
		t.Errorf("status info %s, want minor %s", r.body, minor)
	}
}

// foreign returns a credential of the did:key issuer for email, as JSON
// with an eddsa-rdfc-2022 proof, or as a VC-JWT.
func (f *ob3Fixture) foreign(t *testing.T, id, email, name string, jwt bool) string {
	t.Helper()
	salt := "sel-" + name
	doc := map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        id,
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":    map[string]any{"id": f.issuer, "type": []any{"Profile"}, "name": "Autre organisme", "url": "https://autre.example"},
		"validFrom": "2026-02-01T00:00:00Z",
		"name":      name,
		"credentialSubject": map[string]any{"type": []any{"AchievementSubject"},
			"identifier": []any{map[string]any{"type": "IdentityObject", "identityHash": ob3.IdentityHash(email, salt),
				"identityType": "emailAddress", "hashed": true, "salt": salt}},
			"achievement": map[string]any{"id": "https://autre.example/achievements/" + name, "type": []any{"Achievement"},
				"name": name, "description": "Décrit " + name, "criteria": map[string]any{"narrative": "Faire " + name}}},
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if jwt {
		tok, err := vcjwt.Sign(raw, f.key, f.kid, vcjwt.SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	s := &proof.Signer{Key: f.key, VerificationMethod: f.kid, Now: func() time.Time { return f.now }}
	signed, err := s.Sign(raw, proof.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

func TestOB3Discovery(t *testing.T) { storetest.ForEach(t, testOB3Discovery) }

func testOB3Discovery(t *testing.T, db *store.DB) {
	f := newOB3Fixture(t, db)
	r := f.call(t, "GET", OB3Prefix+"/discovery", "", "", "")
	if r.code != 200 {
		t.Fatalf("%d %s", r.code, r.body)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    map[string]any
		Servers []struct{ URL string }
		Paths   map[string]map[string]any
		Comp    struct {
			Schemes map[string]struct {
				Type         string
				Name         string `json:"x-imssf-name"`
				Image        string `json:"x-imssf-image"`
				Privacy      string `json:"x-imssf-privacyPolicyUrl"`
				Registration string `json:"x-imssf-registrationUrl"`
				Flows        struct {
					Code struct {
						AuthorizationURL, TokenURL, RefreshURL string
						Scopes                                 map[string]string
					} `json:"authorizationCode"`
				}
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	r.json(t, &doc)
	s := doc.Comp.Schemes["OAuth2ACG"]
	if !strings.HasPrefix(doc.OpenAPI, "3.0") || doc.Servers[0].URL != ob3Base+OB3Prefix || s.Type != "oauth2" || s.Name != "Sceau" ||
		s.Image != ob3Base+"/static/logo.png" || s.Privacy == "" || doc.Info["x-imssf-privacyPolicyUrl"] != s.Privacy ||
		s.Registration != ob3Base+"/oauth/register" || s.Flows.Code.AuthorizationURL != ob3Base+"/oauth/authorize" ||
		s.Flows.Code.TokenURL != ob3Base+"/oauth/token" || s.Flows.Code.RefreshURL != ob3Base+"/oauth/token" {
		t.Errorf("discovery: %s", r.body)
	}
	for _, sc := range oauth.Scopes {
		if s.Flows.Code.Scopes[sc] == "" {
			t.Errorf("scope %s missing", sc)
		}
	}
	for _, p := range []string{"/credentials", "/profile", "/discovery"} {
		if doc.Paths[p] == nil {
			t.Errorf("path %s missing", p)
		}
	}
	wantImsx(t, f.call(t, "POST", OB3Prefix+"/discovery", "", "", ""), 405, "not_allowed")
	wantImsx(t, f.call(t, "GET", OB3Prefix+"/nothing", "", "", ""), 404, "not_found")
}

func TestOB3Auth(t *testing.T) { storetest.ForEach(t, testOB3Auth) }

func testOB3Auth(t *testing.T, db *store.DB) {
	f := newOB3Fixture(t, db)
	read := f.token(t, f.user, oauth.ScopeCredentialReadonly)
	profile := f.token(t, f.user, oauth.ScopeProfileReadonly)
	cases := []struct {
		name, method, path, token string
		status                    int
		minor, challenge          string
	}{
		{"no token", "GET", "/credentials", "", 401, "unauthorizedrequest", `Bearer realm="sceau"`},
		{"unknown token", "GET", "/credentials", oauth.AccessPrefix + "nothing", 401, "unauthorizedrequest", `error="invalid_token"`},
		{"a refresh-looking token", "GET", "/credentials", oauth.RefreshPrefix + "nothing", 401, "unauthorizedrequest", `error="invalid_token"`},
		{"profile token reads credentials", "GET", "/credentials", profile, 403, "forbidden", `error="insufficient_scope"`},
		{"read token upserts", "POST", "/credentials", read, 403, "forbidden", `scope="` + oauth.ScopeCredentialUpsert + `"`},
		{"read token reads profile", "GET", "/profile", read, 403, "forbidden", `scope="` + oauth.ScopeProfileReadonly + `"`},
		{"profile.readonly token updates", "PUT", "/profile", profile, 403, "forbidden", `scope="` + oauth.ScopeProfileUpdate + `"`},
		{"DELETE credentials", "DELETE", "/credentials", read, 405, "not_allowed", ""},
		{"POST profile", "POST", "/profile", profile, 405, "not_allowed", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.call(t, c.method, OB3Prefix+c.path, c.token, "application/json", "{}")
			wantImsx(t, r, c.status, c.minor)
			if c.challenge != "" && !strings.Contains(r.header.Get("WWW-Authenticate"), c.challenge) {
				t.Errorf("WWW-Authenticate %q, want %s", r.header.Get("WWW-Authenticate"), c.challenge)
			}
		})
	}
	t.Run("expired access token", func(t *testing.T) {
		f.now = f.now.Add(oauth.AccessTTL + time.Second)
		defer func() { f.now = f.now.Add(-oauth.AccessTTL - time.Second) }()
		wantImsx(t, f.call(t, "GET", OB3Prefix+"/credentials", read, "", ""), 401, "unauthorizedrequest")
	})
}

func TestOB3GetCredentials(t *testing.T) { storetest.ForEach(t, testOB3GetCredentials) }

func testOB3GetCredentials(t *testing.T, db *store.DB) {
	f := newOB3Fixture(t, db)
	tok := f.token(t, f.user, oauth.ScopeCredentialReadonly, oauth.ScopeCredentialUpsert)
	// A fourth badge, imported as a VC-JWT, comes back as a compact JWS.
	jws := f.foreign(t, "urn:uuid:11111111-2222-4333-8444-555555555555", f.email, "Natation", true)
	if r := f.call(t, "POST", OB3Prefix+"/credentials", tok, "text/plain", jws); r.code != 201 {
		t.Fatalf("import JWS: %d %s", r.code, r.body)
	}
	type page struct {
		Credential       []struct{ ID string }
		CompactJwsString []string
	}
	get := func(t *testing.T, query string) (apiResp, page) {
		t.Helper()
		r := f.call(t, "GET", OB3Prefix+"/credentials"+query, tok, "", "")
		if r.code != 200 {
			t.Fatalf("%d %s", r.code, r.body)
		}
		if errs, err := ob3.ValidateSchema(r.body, ob3.SchemaGetOpenBadgeCredentialsResponse); err != nil || len(errs) > 0 {
			t.Errorf("response breaks GetOpenBadgeCredentialsResponse: %v %v", err, errs)
		}
		var p page
		r.json(t, &p)
		return r, p
	}
	r, p := get(t, "")
	if r.header.Get("X-Total-Count") != "4" || len(p.Credential) != 3 || len(p.CompactJwsString) != 1 || p.CompactJwsString[0] != jws {
		t.Fatalf("all: %s %s", r.header.Get("X-Total-Count"), r.body)
	}
	for i, a := range f.awards {
		if p.Credential[i].ID != ob3Base+"/awards/"+a.ID {
			t.Errorf("credential %d is %s", i, p.Credential[i].ID)
		}
	}
	cases := []struct {
		name, query string
		ids, jws    int
		total       string
		links       []string
	}{
		{"first page", "?limit=2", 2, 0, "4", []string{`offset=0>; rel="first"`, `offset=2>; rel="next"`, `offset=2>; rel="last"`}},
		{"second page", "?limit=2&offset=2", 1, 1, "4", []string{`offset=0>; rel="prev"`, `offset=2>; rel="last"`}},
		{"past the end", "?limit=2&offset=10", 0, 0, "4", []string{`offset=2>; rel="last"`}},
		{"since", "?since=2026-01-02T12:00:00Z", 1, 1, "2", nil},
		{"since everything", "?since=2027-01-01T00:00:00Z", 0, 0, "0", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, p := get(t, c.query)
			if len(p.Credential) != c.ids || len(p.CompactJwsString) != c.jws || r.header.Get("X-Total-Count") != c.total {
				t.Errorf("%d credentials, %d JWS, total %s: %s", len(p.Credential), len(p.CompactJwsString), r.header.Get("X-Total-Count"), r.body)
			}
			link := r.header.Get("Link")
			for _, l := range c.links {
				if !strings.Contains(link, l) {
					t.Errorf("Link %q lacks %s", link, l)
				}
			}
			if strings.Contains(c.name, "first") && strings.Contains(link, `rel="prev"`) {
				t.Errorf("first page has prev: %s", link)
			}
		})
	}
	for _, q := range []string{"?limit=0", "?limit=201", "?limit=x", "?offset=-1", "?since=hier"} {
		t.Run("bad query "+q, func(t *testing.T) {
			wantImsx(t, f.call(t, "GET", OB3Prefix+"/credentials"+q, tok, "", ""), 400, "invalid_query_parameter")
		})
	}
	t.Run("another user's token sees their own portfolio", func(t *testing.T) {
		r := f.call(t, "GET", OB3Prefix+"/credentials", f.token(t, f.other, oauth.ScopeCredentialReadonly), "", "")
		if r.code != 200 || r.header.Get("X-Total-Count") != "0" || strings.TrimSpace(string(r.body)) != "{}" {
			t.Errorf("%d %s %s", r.code, r.header.Get("X-Total-Count"), r.body)
		}
	})
}

func TestOB3Upsert(t *testing.T) { storetest.ForEach(t, testOB3Upsert) }

func testOB3Upsert(t *testing.T, db *store.DB) {
	f := newOB3Fixture(t, db)
	ctx := context.Background()
	tok := f.token(t, f.user, oauth.ScopeCredentialUpsert, oauth.ScopeCredentialReadonly)
	id := "urn:uuid:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	vc := f.foreign(t, id, f.email, "Escalade", false)

	r := f.call(t, "POST", OB3Prefix+"/credentials", tok, "application/vc+ld+json", vc)
	if r.code != 201 || string(r.body) != vc || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("create: %d %s", r.code, r.body)
	}
	it, err := db.ImportedItemByKey(ctx, f.user.ID, id)
	if err != nil || it.Source != "Portefeuille" || it.Name != "Escalade" || string(it.Credential) != vc {
		t.Fatalf("stored item %+v %v", it, err)
	}
	// The same credential again (same id, same issuer), re-signed: replaced.
	f.now = f.now.Add(10 * time.Minute)
	vc2 := f.foreign(t, id, f.email, "Escalade", false)
	if vc2 == vc {
		t.Fatal("the re-signed credential is identical")
	}
	if r := f.call(t, "POST", OB3Prefix+"/credentials", tok, "application/json", vc2); r.code != 200 || string(r.body) != vc2 {
		t.Fatalf("replace: %d %s", r.code, r.body)
	}
	it2, err := db.ImportedItemByKey(ctx, f.user.ID, id)
	if err != nil || it2.ID != it.ID || string(it2.Credential) != vc2 || it2.Slug != it.Slug {
		t.Errorf("replaced item %+v %v", it2, err)
	}
	// A VC-JWT: created, answered as text/plain.
	jws := f.foreign(t, "urn:uuid:bbbbbbbb-bbbb-4ccc-8ddd-eeeeeeeeeeee", f.email, "Voile", true)
	r = f.call(t, "POST", OB3Prefix+"/credentials", tok, "text/plain", jws+"\n")
	if r.code != 201 || string(r.body) != jws || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("JWS: %d %q %s", r.code, r.header.Get("Content-Type"), r.body)
	}
	// One of this server's awards, posted back: accepted as a claim.
	own := string(f.otherAwd.Credential)
	if r := f.call(t, "POST", OB3Prefix+"/credentials", tok, "application/json", own); r.code != 201 {
		t.Errorf("own award: %d %s", r.code, r.body)
	}
	if r := f.call(t, "POST", OB3Prefix+"/credentials", tok, "application/json", own); r.code != 200 {
		t.Errorf("own award again: %d %s", r.code, r.body)
	}
	if e, err := db.GetPortfolioItemByAward(ctx, f.otherAwd.ID); err != nil || e.Item.UserID != f.user.ID {
		t.Errorf("own award not in the portfolio: %v", err)
	}
	list := f.call(t, "GET", OB3Prefix+"/credentials", tok, "", "")
	if list.header.Get("X-Total-Count") != "6" { // 3 awards + Escalade + Voile + the posted award
		t.Errorf("after upserts: %s %s", list.header.Get("X-Total-Count"), list.body)
	}

	tampered := strings.Replace(vc, "Escalade", "Escalade!", 1)
	var notSigned map[string]any
	json.Unmarshal([]byte(vc), &notSigned)
	delete(notSigned, "proof")
	unsigned, _ := json.Marshal(notSigned)
	var noAch map[string]any
	json.Unmarshal([]byte(vc), &noAch)
	noAch["type"] = []any{"VerifiableCredential"}
	wrongType, _ := json.Marshal(noAch)
	otherTok := f.token(t, f.other, oauth.ScopeCredentialUpsert)
	cases := []struct {
		name, token, ctype, body string
		status                   int
		minor                    string
	}{
		{"not JSON", tok, "application/json", "{", 400, "invalid_data"},
		{"empty", tok, "application/json", "", 400, "invalid_data"},
		{"not a badge", tok, "application/json", `{"type": ["VerifiableCredential"], "@context": ["https://www.w3.org/ns/credentials/v2"]}`, 400, "invalid_data"},
		{"wrong type", tok, "application/json", string(wrongType), 400, "invalid_data"},
		{"schema", tok, "application/json", `{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": {"id": "did:example:1"}}`, 400, "invalid_data"},
		{"tampered", tok, "application/json", tampered, 400, "invalid_data"},
		{"no proof", tok, "application/json", string(unsigned), 400, "invalid_data"},
		{"bad JWS", tok, "text/plain", "a.b.c", 400, "invalid_data"},
		{"media type", tok, "image/png", vc, 415, "invalid_data"},
		{"another's badge", otherTok, "application/json", vc, 403, "forbidden"},
		{"another's award", otherTok, "application/json", string(f.awards[0].Credential), 403, "forbidden"},
		{"too large", tok, "application/json", `{"a": "` + strings.Repeat("x", MaxOB3Body) + `"}`, 413, "invalid_data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantImsx(t, f.call(t, "POST", OB3Prefix+"/credentials", c.token, c.ctype, c.body), c.status, c.minor)
		})
	}
	if r := f.call(t, "GET", OB3Prefix+"/credentials", tok, "", ""); r.header.Get("X-Total-Count") != "6" {
		t.Errorf("refused upserts changed the portfolio: %s", r.header.Get("X-Total-Count"))
	}
}

func TestOB3Profile(t *testing.T) { storetest.ForEach(t, testOB3Profile) }

func testOB3Profile(t *testing.T, db *store.DB) {
	f := newOB3Fixture(t, db)
	read := f.token(t, f.user, oauth.ScopeProfileReadonly)
	update := f.token(t, f.user, oauth.ScopeProfileUpdate)
	r := f.call(t, "GET", OB3Prefix+"/profile", read, "", "")
	if r.code != 200 {
		t.Fatalf("%d %s", r.code, r.body)
	}
	if errs, err := ob3.ValidateSchema(r.body, ob3.SchemaProfile); err != nil || len(errs) > 0 {
		t.Errorf("profile breaks the schema: %v %v: %s", err, errs, r.body)
	}
	var p profileJSON
	r.json(t, &p)
	if p.ID != ob3Base+"/@marie" || p.Name != "Marie Tremblay" || p.Email != f.email || p.Type[0] != "Profile" {
		t.Errorf("profile %s", r.body)
	}
	put := `{"@context": ["` + ob3Context + `"], "type": "Profile", "id": "` + ob3Base + `/@marie", "name": "Marie T. Gagnon", "phone": "111-222-3333"}`
	r = f.call(t, "PUT", OB3Prefix+"/profile", update, "application/json", put)
	if r.code != 200 {
		t.Fatalf("put: %d %s", r.code, r.body)
	}
	if errs, err := ob3.ValidateSchema(r.body, ob3.SchemaProfile); err != nil || len(errs) > 0 {
		t.Errorf("answer breaks the schema: %v %v", err, errs)
	}
	if u, _ := db.GetUser(context.Background(), f.user.ID); u.Name != "Marie T. Gagnon" {
		t.Errorf("name not updated: %q", u.Name)
	}
	cases := []struct {
		name, ctype, body string
		status            int
	}{
		{"not JSON", "application/json", "{", 400},
		{"no name", "application/json", `{"type": "Profile", "id": "` + ob3Base + `/@marie"}`, 400},
		{"blank name", "application/json", `{"type": "Profile", "id": "` + ob3Base + `/@marie", "name": "  "}`, 400},
		{"another id", "application/json", `{"type": "Profile", "id": "` + ob3Base + `/@autre", "name": "X"}`, 400},
		{"schema: type", "application/json", `{"type": 3, "id": "` + ob3Base + `/@marie", "name": "X"}`, 400},
		{"name too long", "application/json", `{"type": "Profile", "id": "` + ob3Base + `/@marie", "name": "` + strings.Repeat("n", 1000) + `"}`, 400},
		{"media type", "text/plain", `{}`, 415},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantImsx(t, f.call(t, "PUT", OB3Prefix+"/profile", update, c.ctype, c.body), c.status, "invalid_data")
		})
	}
	if u, _ := db.GetUser(context.Background(), f.user.ID); u.Name != "Marie T. Gagnon" {
		t.Errorf("a refused update changed the name: %q", u.Name)
	}
}

func TestOAuthEndpoints(t *testing.T) { storetest.ForEach(t, testOAuthEndpoints) }

func testOAuthEndpoints(t *testing.T, db *store.DB) {
	f := newOB3Fixture(t, db)
	post := func(path, ctype, body string, basic ...string) apiResp {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		if len(basic) == 2 {
			req.SetBasicAuth(basic[0], basic[1])
		}
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return apiResp{rec.Code, rec.Header(), rec.Body.Bytes()}
	}
	wantOAuthErr := func(t *testing.T, r apiResp, status int, code string) {
		t.Helper()
		var e oauthError
		if r.code != status || json.Unmarshal(r.body, &e) != nil || e.Error != code || e.Description == "" {
			t.Errorf("got %d %s, want %d %s", r.code, r.body, status, code)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
		}
	}
	t.Run("registration", func(t *testing.T) {
		ok := `{"client_name": "W", "redirect_uris": ["https://w.example/cb", "http://localhost:3000/cb", "http://[::1]/cb"], "token_endpoint_auth_method": "client_secret_post"}`
		r := post(OAuthRegisterPath, "application/json", ok)
		var reg oauth.Registration
		if r.code != 201 || json.Unmarshal(r.body, &reg) != nil || reg.ClientID == "" || !strings.HasPrefix(reg.ClientSecret, "sceau_cs_") ||
			reg.Scope != strings.Join(oauth.Scopes, " ") || reg.TokenEndpointAuthMethod != "client_secret_post" || reg.ClientIDIssuedAt != f.now.Unix() {
			t.Fatalf("%d %s", r.code, r.body)
		}
		c, err := db.GetOAuthClient(context.Background(), reg.ClientID)
		if err != nil || c.SecretHash != badge.HashSecret(reg.ClientSecret) || strings.Contains(c.SecretHash, reg.ClientSecret) {
			t.Errorf("stored client %+v %v", c, err)
		}
		cases := []struct{ name, body, code string }{
			{"no name", `{"redirect_uris": ["https://w.example/cb"]}`, "invalid_client_metadata"},
			{"no redirect", `{"client_name": "W"}`, "invalid_redirect_uri"},
			{"http redirect", `{"client_name": "W", "redirect_uris": ["http://w.example/cb"]}`, "invalid_redirect_uri"},
			{"fragment", `{"client_name": "W", "redirect_uris": ["https://w.example/cb#x"]}`, "invalid_redirect_uri"},
			{"relative", `{"client_name": "W", "redirect_uris": ["/cb"]}`, "invalid_redirect_uri"},
			{"custom scheme", `{"client_name": "W", "redirect_uris": ["javascript://w.example/cb"]}`, "invalid_redirect_uri"},
			{"unknown scope", `{"client_name": "W", "redirect_uris": ["https://w.example/cb"], "scope": "admin"}`, "invalid_client_metadata"},
			{"implicit grant", `{"client_name": "W", "redirect_uris": ["https://w.example/cb"], "grant_types": ["implicit"]}`, "invalid_client_metadata"},
			{"token response", `{"client_name": "W", "redirect_uris": ["https://w.example/cb"], "response_types": ["token"]}`, "invalid_client_metadata"},
			{"public client", `{"client_name": "W", "redirect_uris": ["https://w.example/cb"], "token_endpoint_auth_method": "none"}`, "invalid_client_metadata"},
			{"http logo", `{"client_name": "W", "redirect_uris": ["https://w.example/cb"], "logo_uri": "http://w.example/l.png"}`, "invalid_client_metadata"},
			{"malformed", `{"client_name": `, "invalid_client_metadata"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { wantOAuthErr(t, post(OAuthRegisterPath, "application/json", c.body), 400, c.code) })
		}
		wantOAuthErr(t, post(OAuthRegisterPath, "text/plain", ok), 400, "invalid_client_metadata")
	})

	t.Run("registration flood", func(t *testing.T) {
		from := func(ip string) apiResp {
			req := httptest.NewRequest("POST", OAuthRegisterPath, strings.NewReader(`{"client_name": "F", "redirect_uris": ["https://f.example/cb"]}`))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = ip + ":40000"
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			return apiResp{rec.Code, rec.Header(), rec.Body.Bytes()}
		}
		for i := range DefaultRegistrationsPerHour {
			if r := from("198.51.100.7"); r.code != 201 {
				t.Fatalf("registration %d: %d %s", i+1, r.code, r.body)
			}
		}
		r := from("198.51.100.7")
		wantOAuthErr(t, r, 429, "temporarily_unavailable")
		if r.header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		if r := from("198.51.100.8"); r.code != 201 {
			t.Errorf("another address: %d %s", r.code, r.body)
		}
		f.now = f.now.Add(time.Hour)
		if r := from("198.51.100.7"); r.code != 201 {
			t.Errorf("an hour later: %d %s", r.code, r.body)
		}
	})

	id, secret := f.client.ClientID, f.client.ClientSecret
	t.Run("token endpoint errors", func(t *testing.T) {
		form := "grant_type=authorization_code&code=sceau_ac_x&code_verifier=" + strings.Repeat("v", 43)
		r := post(OAuthTokenPath, "application/x-www-form-urlencoded", form, id, "wrong")
		wantOAuthErr(t, r, 401, "invalid_client")
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
		}
		wantOAuthErr(t, post(OAuthTokenPath, "application/x-www-form-urlencoded", form), 401, "invalid_client")
		wantOAuthErr(t, post(OAuthTokenPath, "application/x-www-form-urlencoded", form+"&client_id="+id+"&client_secret="+secret), 401, "invalid_client") // registered basic
		wantOAuthErr(t, post(OAuthTokenPath, "application/json", `{}`, id, secret), 400, "invalid_request")
		cases := []struct{ name, form, code string }{
			{"unknown code", form, "invalid_grant"},
			{"no grant type", "code=x", "invalid_request"},
			{"password grant", "grant_type=password&username=a&password=b", "unauthorized_client"},
			{"short verifier", "grant_type=authorization_code&code=sceau_ac_x&code_verifier=abc", "invalid_request"},
			{"no code", "grant_type=authorization_code&code_verifier=" + strings.Repeat("v", 43), "invalid_request"},
			{"unknown refresh token", "grant_type=refresh_token&refresh_token=sceau_rt_x", "invalid_grant"},
			{"repeated parameter", form + "&code=y", "invalid_request"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantOAuthErr(t, post(OAuthTokenPath, "application/x-www-form-urlencoded", c.form, id, secret), 400, c.code)
			})
		}
	})

	t.Run("an expired code", func(t *testing.T) {
		ctx := context.Background()
		q := url.Values{"response_type": {"code"}, "client_id": {id}, "scope": {oauth.ScopeProfileReadonly},
			"code_challenge": {"CrlVwe1WSHWuTQYh3iczmx3aS-faRx6C92k9_hNxl4A"}, "code_challenge_method": {"S256"}}
		req, err := f.o.Authorize(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		loc, _ := f.o.Approve(ctx, req, f.user.ID)
		lu, _ := url.Parse(loc)
		f.now = f.now.Add(oauth.CodeTTL + time.Second)
		defer func() { f.now = f.now.Add(-oauth.CodeTTL - time.Second) }()
		form := "grant_type=authorization_code&code=" + url.QueryEscape(lu.Query().Get("code")) + "&code_verifier=" + strings.Repeat("v", 50)
		wantOAuthErr(t, post(OAuthTokenPath, "application/x-www-form-urlencoded", form, id, secret), 400, "invalid_grant")
	})

	t.Run("narrower scope on refresh, wider refused", func(t *testing.T) {
		ctx := context.Background()
		c, _ := db.GetOAuthClient(ctx, id)
		q := url.Values{"response_type": {"code"}, "client_id": {id}, "scope": {oauth.ScopeProfileReadonly + " " + oauth.ScopeCredentialReadonly},
			"code_challenge": {"CrlVwe1WSHWuTQYh3iczmx3aS-faRx6C92k9_hNxl4A"}, "code_challenge_method": {"S256"}}
		req, _ := f.o.Authorize(ctx, q)
		loc, _ := f.o.Approve(ctx, req, f.user.ID)
		lu, _ := url.Parse(loc)
		tok, err := f.o.Token(ctx, c, url.Values{"grant_type": {"authorization_code"}, "code": {lu.Query().Get("code")}, "code_verifier": {strings.Repeat("v", 50)}})
		if err != nil {
			t.Fatal(err)
		}
		wantOAuthErr(t, post(OAuthTokenPath, "application/x-www-form-urlencoded",
			"grant_type=refresh_token&refresh_token="+tok.RefreshToken+"&scope="+url.QueryEscape(oauth.ScopeProfileUpdate), id, secret), 400, "invalid_scope")
		r := post(OAuthTokenPath, "application/x-www-form-urlencoded",
			"grant_type=refresh_token&refresh_token="+tok.RefreshToken+"&scope="+url.QueryEscape(oauth.ScopeProfileReadonly), id, secret)
		var out oauth.TokenResponse
		if r.code != 200 || json.Unmarshal(r.body, &out) != nil || out.Scope != oauth.ScopeProfileReadonly {
			t.Fatalf("%d %s", r.code, r.body)
		}
		wantImsx(t, f.call(t, "GET", OB3Prefix+"/credentials", out.AccessToken, "", ""), 403, "forbidden")
		// The first refresh token was rotated: presenting it again revokes the grant.
		wantOAuthErr(t, post(OAuthTokenPath, "application/x-www-form-urlencoded", "grant_type=refresh_token&refresh_token="+tok.RefreshToken, id, secret), 400, "invalid_grant")
		wantImsx(t, f.call(t, "GET", OB3Prefix+"/profile", out.AccessToken, "", ""), 401, "unauthorizedrequest")
	})

	t.Run("revocation", func(t *testing.T) {
		access := f.token(t, f.user, oauth.ScopeProfileReadonly)
		if r := post(OAuthRevokePath, "application/x-www-form-urlencoded", "token="+access, id, secret); r.code != 200 {
			t.Errorf("revoke: %d %s", r.code, r.body)
		}
		wantImsx(t, f.call(t, "GET", OB3Prefix+"/profile", access, "", ""), 401, "unauthorizedrequest")
		if r := post(OAuthRevokePath, "application/x-www-form-urlencoded", "token=unknown&token_type_hint=refresh_token", id, secret); r.code != 200 {
			t.Errorf("unknown token: %d", r.code)
		}
		wantOAuthErr(t, post(OAuthRevokePath, "application/x-www-form-urlencoded", "token=x", id, "wrong"), 401, "invalid_client")
		wantOAuthErr(t, post(OAuthRevokePath, "application/x-www-form-urlencoded", "", id, secret), 400, "invalid_request")
		// Another client cannot revoke this client's tokens.
		other, err := f.o.Register(context.Background(), oauth.Metadata{ClientName: "B", RedirectURIs: []string{"https://b.example/cb"}})
		if err != nil {
			t.Fatal(err)
		}
		access = f.token(t, f.user, oauth.ScopeProfileReadonly)
		post(OAuthRevokePath, "application/x-www-form-urlencoded", "token="+access, other.ClientID, other.ClientSecret)
		if r := f.call(t, "GET", OB3Prefix+"/profile", access, "", ""); r.code != 200 {
			t.Errorf("another client revoked the token: %d", r.code)
		}
	})
	t.Run("GET on a POST endpoint", func(t *testing.T) {
		req := httptest.NewRequest("GET", OAuthTokenPath, nil)
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		if rec.Code != 405 || rec.Header().Get("Allow") != "POST" {
			t.Errorf("%d %q", rec.Code, rec.Header().Get("Allow"))
		}
	})
}
