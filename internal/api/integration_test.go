package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/internal/webhooks"
)

const intBase = "https://badges.example.org"

// unknownID is a well-formed award id nothing has.
const unknownID = "3f8e2a4c-1b2d-4e5f-8a9b-0c1d2e3f4a5b"

// intFixture is the integration API over a real store: organisation A
// with two badges and tokens of every kind, organisation B with one
// badge and a token, webhooks on A for award.created and award.revoked.
type intFixture struct {
	db       *store.DB
	svc      *issuing.Service
	h        http.Handler
	now      time.Time
	orgA     *badge.Issuer
	orgB     *badge.Issuer
	badgeA   *badge.Badge
	badgeA2  *badge.Badge
	badgeB   *badge.Badge
	full     string // award + read
	readOnly string
	award    string // award only
	revoked  string
	tokenB   string
}

func newIntFixture(t *testing.T, db *store.DB) *intFixture {
	t.Helper()
	ctx := context.Background()
	master, err := keys.NewMasterKey(bytes.Repeat([]byte{7}, 32), "test")
	if err != nil {
		t.Fatal(err)
	}
	f := &intFixture{db: db, now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return f.now }
	db.SetClock(clock)
	em := webhooks.NewEmitter(db, webhooks.EmitterOptions{BaseURL: intBase, Now: clock})
	f.svc, err = issuing.New(issuing.Config{Store: db, Master: master, BaseURL: intBase, Now: clock, Announce: em.OnAward(nil)})
	if err != nil {
		t.Fatal(err)
	}
	org := func(slug string) *badge.Issuer {
		i := &badge.Issuer{Slug: slug, Name: "Org " + slug, URL: "https://" + slug + ".example", Language: "fr"}
		if err := f.svc.CreateIssuer(ctx, i); err != nil {
			t.Fatal(err)
		}
		return i
	}
	mkBadge := func(iss *badge.Issuer, slug string, days int) *badge.Badge {
		b := &badge.Badge{IssuerID: iss.ID, Slug: slug, Name: "Badge " + slug, Description: "Pour " + slug,
			CriteriaNarrative: "Suivre la formation.", Language: "fr", ValidityDays: days}
		if err := f.svc.CreateBadge(ctx, b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	f.orgA, f.orgB = org("formation-a"), org("formation-b")
	f.badgeA, f.badgeA2, f.badgeB = mkBadge(f.orgA, "secourisme", 0), mkBadge(f.orgA, "expire-vite", 30), mkBadge(f.orgB, "autre", 0)
	tok := func(iss *badge.Issuer, scopes ...string) string {
		secret, prefix, err := store.NewAPITokenSecret(nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CreateAPIToken(ctx, &store.APIToken{IssuerID: iss.ID, Name: "t", Prefix: prefix, Hash: badge.HashSecret(secret), Scopes: scopes}); err != nil {
			t.Fatal(err)
		}
		return secret
	}
	f.full, f.readOnly, f.award = tok(f.orgA, "award", "read"), tok(f.orgA, "read"), tok(f.orgA, "award")
	f.revoked, f.tokenB = tok(f.orgA, "award", "read"), tok(f.orgB, "award", "read")
	revoked, _ := db.APITokenByHash(ctx, badge.HashSecret(f.revoked))
	if err := db.RevokeAPIToken(ctx, f.orgA.ID, revoked.ID); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []string{store.EventAwardCreated, store.EventAwardRevoked} {
		if err := db.CreateWebhook(ctx, &store.Webhook{IssuerID: f.orgA.ID, URL: "https://lms.example/" + ev, Secret: strings.Repeat("s", 30), Events: []string{ev}}); err != nil {
			t.Fatal(err)
		}
	}
	f.h, err = NewIntegration(IntegrationOptions{Service: f.svc, Store: db, BaseURL: intBase, Events: em, Now: clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), IdempotencyWait: time.Second, IdempotencyStale: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type apiResp struct {
	code   int
	header http.Header
	body   []byte
}

func (r apiResp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r apiResp) errCode(t *testing.T) string {
	t.Helper()
	var e errorJSON
	r.json(t, &e)
	if e.Error == "" || e.Message == "" {
		t.Errorf("error body lacks members: %s", r.body)
	}
	return e.Code
}

// call sends a request; headers are name, value pairs.
func (f *intFixture) call(t *testing.T, method, path, token string, body string, headers ...string) apiResp {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); path != DocsPath && !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	return apiResp{rec.Code, rec.Header(), rec.Body.Bytes()}
}

func (f *intFixture) countAwards(t *testing.T, iss *badge.Issuer) int {
	n, err := f.db.CountAwards(context.Background(), store.AwardFilter{IssuerID: iss.ID})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *intFixture) jobs(t *testing.T) int {
	js, err := f.db.ListJobs(context.Background(), store.JobFilter{Kind: webhooks.KindDeliver, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(js)
}

func TestIntegrationAuth(t *testing.T) { storetest.ForEach(t, testIntegrationAuth) }

func testIntegrationAuth(t *testing.T, db *store.DB) {
	f := newIntFixture(t, db)
	body := `{"badge":"secourisme","email":"marie@exemple.ca"}`
	for _, tc := range []struct {
		name, method, path, auth, body string
		status                         int
		code, challenge                string
	}{
		{"missing", "GET", "/api/v1/awards", "", "", 401, "auth.missing", `Bearer realm="sceau"`},
		{"not bearer", "GET", "/api/v1/awards", "Basic " + f.full, "", 401, "auth.invalid_token", `error="invalid_token"`},
		{"not ours", "GET", "/api/v1/awards", "Bearer abc", "", 401, "auth.invalid_token", `error="invalid_token"`},
		{"unknown", "GET", "/api/v1/awards", "Bearer sceau_" + strings.Repeat("x", 43), "", 401, "auth.invalid_token", `error="invalid_token"`},
		{"too long", "GET", "/api/v1/awards", "Bearer sceau_" + strings.Repeat("x", 300), "", 401, "auth.invalid_token", `error="invalid_token"`},
		{"revoked", "GET", "/api/v1/awards", "Bearer " + f.revoked, "", 401, "auth.token_revoked", `error="invalid_token"`},
		{"read token posts", "POST", "/api/v1/awards", "Bearer " + f.readOnly, body, 403, "auth.insufficient_scope", `scope="award"`},
		{"read token revokes", "POST", "/api/v1/awards/" + unknownID + "/revoke", "Bearer " + f.readOnly, "", 403, "auth.insufficient_scope", `scope="award"`},
		{"award token reads", "GET", "/api/v1/awards", "Bearer " + f.award, "", 403, "auth.insufficient_scope", `scope="read"`},
		{"award token lists badges", "GET", "/api/v1/badges", "Bearer " + f.award, "", 403, "auth.insufficient_scope", `scope="read"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hs []string
			if tc.auth != "" {
				hs = []string{"Authorization", tc.auth}
			}
			r := f.call(t, tc.method, tc.path, "", tc.body, hs...)
			if r.code != tc.status || r.errCode(t) != tc.code {
				t.Errorf("%d %s, want %d %s", r.code, r.body, tc.status, tc.code)
			}
			if wa := r.header.Get("WWW-Authenticate"); !strings.Contains(wa, tc.challenge) {
				t.Errorf("WWW-Authenticate %q lacks %q", wa, tc.challenge)
			}
		})
	}
	if n := f.countAwards(t, f.orgA); n != 0 {
		t.Errorf("%d awards made by refused requests", n)
	}
	// A successful call records the token's use.
	if r := f.call(t, "GET", "/api/v1/badges", f.readOnly, ""); r.code != 200 {
		t.Fatalf("badges: %d %s", r.code, r.body)
	}
	tok, _ := db.APITokenByHash(context.Background(), badge.HashSecret(f.readOnly))
	if tok.LastUsedAt == nil {
		t.Error("last_used_at not recorded")
	}
}

func TestCreateAwardIdempotent(t *testing.T) { storetest.ForEach(t, testCreateAwardIdempotent) }

func testCreateAwardIdempotent(t *testing.T, db *store.DB) {
	f := newIntFixture(t, db)
	ctx := context.Background()
	body := `{"badge":"secourisme","email":"Marie@Exemple.ca","name":"Marie Tremblay","narrative":"A suivi les 16 heures.",
		"evidence":[{"url":"https://lms.example/attestation/42","name":"Attestation"}],"language":"fr"}`

	first := f.call(t, "POST", "/api/v1/awards", f.full, body, "Idempotency-Key", "cours-42-marie")
	if first.code != 201 || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d %s", first.code, first.body)
	}
	var a awardJSON
	first.json(t, &a)
	if a.ID != awardIDForKey(f.orgA.ID, "cours-42-marie") || a.Badge.Slug != "secourisme" || a.Recipient.Email != "marie@exemple.ca" ||
		a.State != "sent" || a.Status != "active" || len(a.Evidence) != 1 || a.URLs.PNG != intBase+"/awards/"+a.ID+"/badge.png" ||
		a.URLs.PDF != intBase+"/awards/"+a.ID+"/proof.pdf" || a.URLs.Credential != intBase+"/awards/"+a.ID+"/credential.json" {
		t.Errorf("award: %s", first.body)
	}
	if f.jobs(t) != 1 {
		t.Errorf("%d webhook jobs after one award, want 1 (award.created)", f.jobs(t))
	}

	t.Run("retry replays, awards once", func(t *testing.T) {
		// Re-indented JSON is the same request.
		var v any
		json.Unmarshal([]byte(body), &v)
		pretty, _ := json.MarshalIndent(v, "", "    ")
		again := f.call(t, "POST", "/api/v1/awards", f.full, string(pretty), "Idempotency-Key", "cours-42-marie")
		if again.code != 201 || !bytes.Equal(again.body, first.body) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: %d %s", again.code, again.body)
		}
		if n := f.countAwards(t, f.orgA); n != 1 {
			t.Fatalf("%d awards after a retry, want 1", n)
		}
	})

	t.Run("same key, other body", func(t *testing.T) {
		r := f.call(t, "POST", "/api/v1/awards", f.full, `{"badge":"secourisme","email":"paul@exemple.ca"}`, "Idempotency-Key", "cours-42-marie")
		if r.code != 422 || r.errCode(t) != "idempotency.key_reused" {
			t.Fatalf("%d %s", r.code, r.body)
		}
		if n := f.countAwards(t, f.orgA); n != 1 {
			t.Fatalf("%d awards, want 1", n)
		}
	})

	t.Run("same key, other organisation", func(t *testing.T) {
		r := f.call(t, "POST", "/api/v1/awards", f.tokenB, `{"badge":"autre","email":"marie@exemple.ca"}`, "Idempotency-Key", "cours-42-marie")
		if r.code != 201 {
			t.Fatalf("%d %s", r.code, r.body)
		}
	})

	t.Run("no key: each request awards", func(t *testing.T) {
		before := f.countAwards(t, f.orgA)
		for range 2 {
			if r := f.call(t, "POST", "/api/v1/awards", f.full, `{"badge":"secourisme","did":"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}`); r.code != 201 {
				t.Fatalf("%d %s", r.code, r.body)
			}
		}
		if n := f.countAwards(t, f.orgA); n != before+2 {
			t.Fatalf("%d awards, want %d", n, before+2)
		}
	})

	t.Run("concurrent duplicates: one award", func(t *testing.T) {
		before := f.countAwards(t, f.orgA)
		const n = 6
		var wg sync.WaitGroup
		results := make([]apiResp, n)
		for i := range n {
			wg.Go(func() {
				results[i] = f.call(t, "POST", "/api/v1/awards", f.full, `{"badge":"secourisme","email":"race@exemple.ca"}`, "Idempotency-Key", "race")
			})
		}
		wg.Wait()
		var id string
		for i, r := range results {
			if r.code == 409 {
				continue // still running after the wait: allowed, nothing awarded
			}
			var a awardJSON
			r.json(t, &a)
			if r.code != 201 || (id != "" && a.ID != id) {
				t.Errorf("result %d: %d %s", i, r.code, r.body)
			}
			id = a.ID
		}
		if got := f.countAwards(t, f.orgA); got != before+1 {
			t.Fatalf("%d awards, want %d", got, before+1)
		}
	})

	t.Run("a dead holder's reservation is taken over", func(t *testing.T) {
		// The first request reserved the key then died before awarding.
		req := `{"badge":"secourisme","email":"lent@exemple.ca"}`
		r0 := httptest.NewRequest("POST", "/api/v1/awards", nil)
		k := &store.IdempotencyKey{IssuerID: f.orgA.ID, Key: "dead", RequestHash: requestHash(r0, []byte(req))}
		if existing, err := db.ReserveIdempotencyKey(ctx, k); err != nil || existing != nil {
			t.Fatal(existing, err)
		}
		f.now = f.now.Add(5 * time.Minute)
		before := f.countAwards(t, f.orgA)
		r := f.call(t, "POST", "/api/v1/awards", f.full, req, "Idempotency-Key", "dead")
		if r.code != 201 || f.countAwards(t, f.orgA) != before+1 {
			t.Fatalf("%d %s", r.code, r.body)
		}

		// This one died after storing its award: the retry answers with
		// that award and does not award again.
		k = &store.IdempotencyKey{IssuerID: f.orgA.ID, Key: "dead-after", RequestHash: requestHash(r0, []byte(req))}
		db.ReserveIdempotencyKey(ctx, k)
		stored, err := f.svc.Award(ctx, issuing.AwardInput{ID: awardIDForKey(f.orgA.ID, "dead-after"), BadgeID: f.badgeA.ID, Email: "lent@exemple.ca"})
		if err != nil {
			t.Fatal(err)
		}
		f.now = f.now.Add(5 * time.Minute)
		before = f.countAwards(t, f.orgA)
		r = f.call(t, "POST", "/api/v1/awards", f.full, req, "Idempotency-Key", "dead-after")
		var a awardJSON
		r.json(t, &a)
		if r.code != 201 || a.ID != stored.ID || f.countAwards(t, f.orgA) != before {
			t.Fatalf("%d %s", r.code, r.body)
		}
	})

	t.Run("a running holder makes the retry wait, then 409", func(t *testing.T) {
		req := `{"badge":"secourisme","email":"attente@exemple.ca"}`
		r0 := httptest.NewRequest("POST", "/api/v1/awards", nil)
		db.ReserveIdempotencyKey(ctx, &store.IdempotencyKey{IssuerID: f.orgA.ID, Key: "busy", RequestHash: requestHash(r0, []byte(req))})
		r := f.call(t, "POST", "/api/v1/awards", f.full, req, "Idempotency-Key", "busy")
		if r.code != 409 || r.errCode(t) != "idempotency.in_progress" || r.header.Get("Retry-After") == "" {
			t.Fatalf("%d %s", r.code, r.body)
		}
	})

	t.Run("a failed request does not hold its key", func(t *testing.T) {
		r := f.call(t, "POST", "/api/v1/awards", f.full, `{"badge":"secourisme"}`, "Idempotency-Key", "fix-me")
		if r.code != 422 {
			t.Fatalf("%d %s", r.code, r.body)
		}
		r = f.call(t, "POST", "/api/v1/awards", f.full, `{"badge":"secourisme","email":"corrige@exemple.ca"}`, "Idempotency-Key", "fix-me")
		if r.code != 201 {
			t.Fatalf("after fixing: %d %s", r.code, r.body)
		}
	})
}

func TestCreateAwardErrors(t *testing.T) { storetest.ForEach(t, testCreateAwardErrors) }

func testCreateAwardErrors(t *testing.T, db *store.DB) {
	f := newIntFixture(t, db)
	for _, tc := range []struct {
		name, body, contentType string
		headers                 []string
		status                  int
		code, field             string
	}{
		{"no badge", `{"email":"a@exemple.ca"}`, "", nil, 422, "award.badge_required", "badge"},
		{"unknown badge", `{"badge":"nope","email":"a@exemple.ca"}`, "", nil, 422, "badge.not_found", "badge"},
		{"other organisation's badge", fmt.Sprintf(`{"badge":%q,"email":"a@exemple.ca"}`, f.badgeB.ID), "", nil, 422, "badge.not_found", "badge"},
		{"no recipient", `{"badge":"secourisme"}`, "", nil, 422, "award.recipient_required", "recipient"},
		{"email and did", `{"badge":"secourisme","email":"a@exemple.ca","did":"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}`, "", nil, 422, "award.recipient_ambiguous", "recipient"},
		{"bad email", `{"badge":"secourisme","email":"pas une adresse"}`, "", nil, 422, "", "email"},
		{"bad did", `{"badge":"secourisme","did":"did:"}`, "", nil, 422, "award.recipient_did_invalid", "recipient_did"},
		{"bad evidence url", `{"badge":"secourisme","email":"a@exemple.ca","evidence":[{"url":"javascript:alert(1)"}]}`, "", nil, 422, "", "evidence"},
		{"unknown member", `{"badge":"secourisme","email":"a@exemple.ca","narative":"x"}`, "", nil, 400, "request.malformed_json", ""},
		{"malformed", `{"badge":`, "", nil, 400, "request.malformed_json", ""},
		{"two objects", `{} {}`, "", nil, 400, "request.malformed_json", ""},
		{"bad date", `{"badge":"secourisme","email":"a@exemple.ca","validUntil":"demain"}`, "", nil, 400, "request.malformed_json", ""},
		{"form body", `badge=secourisme`, "application/x-www-form-urlencoded", nil, 415, "request.media_type", ""},
		{"too large", `{"narrative":"` + strings.Repeat("x", MaxIntegrationBody) + `"}`, "", nil, 413, "request.too_large", ""},
		{"key too long", `{"badge":"secourisme","email":"a@exemple.ca"}`, "", []string{"Idempotency-Key", strings.Repeat("k", 256)}, 400, "idempotency.key_invalid", "Idempotency-Key"},
		{"key with space", `{"badge":"secourisme","email":"a@exemple.ca"}`, "", []string{"Idempotency-Key", "a b"}, 400, "idempotency.key_invalid", "Idempotency-Key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := tc.headers
			if tc.contentType != "" {
				hs = append(hs, "Content-Type", tc.contentType)
			}
			r := f.call(t, "POST", "/api/v1/awards", f.full, tc.body, hs...)
			var e errorJSON
			r.json(t, &e)
			if r.code != tc.status || (tc.code != "" && e.Code != tc.code) || e.Field != tc.field || e.Code == "" {
				t.Errorf("%d %s, want %d %s field %q", r.code, r.body, tc.status, tc.code, tc.field)
			}
		})
	}
	if n := f.countAwards(t, f.orgA); n != 0 {
		t.Errorf("%d awards stored by refused requests", n)
	}
}

func TestListAndGetAwards(t *testing.T) { storetest.ForEach(t, testListAndGetAwards) }

func testListAndGetAwards(t *testing.T, db *store.DB) {
	f := newIntFixture(t, db)
	ctx := context.Background()
	start := f.now
	var ids []string
	for i := range 5 {
		f.now = start.Add(time.Duration(i) * time.Hour)
		b := "secourisme"
		if i == 4 {
			b = "expire-vite"
		}
		r := f.call(t, "POST", "/api/v1/awards", f.full, fmt.Sprintf(`{"badge":%q,"email":"p%d@exemple.ca"}`, b, i))
		var a awardJSON
		r.json(t, &a)
		ids = append(ids, a.ID)
	}
	other := f.call(t, "POST", "/api/v1/awards", f.tokenB, `{"badge":"autre","email":"p0@exemple.ca"}`)
	var otherAward awardJSON
	other.json(t, &otherAward)

	t.Run("pages", func(t *testing.T) {
		r := f.call(t, "GET", "/api/v1/awards?limit=2&offset=2", f.readOnly, "")
		var l awardList
		r.json(t, &l)
		if r.code != 200 || r.header.Get("X-Total-Count") != "5" || l.Total != 5 || len(l.Awards) != 2 || l.Awards[0].ID != ids[2] || l.Awards[1].ID != ids[1] {
			t.Fatalf("%d %s %s", r.code, r.header.Get("X-Total-Count"), r.body)
		}
		link := r.header.Get("Link")
		for _, want := range []string{
			`<` + intBase + `/api/v1/awards?limit=2&offset=0>; rel="first"`,
			`<` + intBase + `/api/v1/awards?limit=2&offset=0>; rel="prev"`,
			`<` + intBase + `/api/v1/awards?limit=2&offset=4>; rel="next"`,
			`<` + intBase + `/api/v1/awards?limit=2&offset=4>; rel="last"`,
		} {
			if !strings.Contains(link, want) {
				t.Errorf("Link %q lacks %q", link, want)
			}
		}
		r = f.call(t, "GET", "/api/v1/awards?limit=2&offset=4", f.readOnly, "")
		if link := r.header.Get("Link"); strings.Contains(link, `rel="next"`) {
			t.Errorf("last page has next: %s", link)
		}
		r = f.call(t, "GET", "/api/v1/awards", f.readOnly, "")
		if link := r.header.Get("Link"); strings.Contains(link, `rel="prev"`) || strings.Contains(link, `rel="next"`) {
			t.Errorf("single page has prev or next: %s", link)
		}
	})

	t.Run("filters", func(t *testing.T) {
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"badge=expire-vite", []string{ids[4]}},
			{"badge=" + f.badgeA2.ID, []string{ids[4]}},
			{"email=P1@exemple.ca", []string{ids[1]}},
			{"since=" + start.Add(3*time.Hour).Format(time.RFC3339), []string{ids[4], ids[3]}},
			{"status=revoked", nil},
			{"email=p0@exemple.ca&status=active", []string{ids[0]}},
		} {
			r := f.call(t, "GET", "/api/v1/awards?"+tc.query, f.readOnly, "")
			var l awardList
			r.json(t, &l)
			var got []string
			for _, a := range l.Awards {
				got = append(got, a.ID)
			}
			if r.code != 200 || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s: %d %v, want %v", tc.query, r.code, got, tc.want)
			}
		}
		for _, q := range []string{"status=gone", "since=yesterday", "limit=0", "limit=201", "offset=-1", "limit=x", "badge=autre"} {
			r := f.call(t, "GET", "/api/v1/awards?"+q, f.readOnly, "")
			if r.code != 400 || r.errCode(t) != "query.invalid" {
				t.Errorf("%s: %d %s", q, r.code, r.body)
			}
		}
	})

	t.Run("one award", func(t *testing.T) {
		f.now = start.Add(40 * 24 * time.Hour)
		r := f.call(t, "GET", "/api/v1/awards/"+ids[4], f.readOnly, "")
		var a awardJSON
		r.json(t, &a)
		if r.code != 200 || a.ID != ids[4] || a.State != "expired" || a.ValidUntil == nil || a.Badge.Slug != "expire-vite" {
			t.Errorf("%d %s", r.code, r.body)
		}
		for _, id := range []string{otherAward.ID, "not-an-id", unknownID} {
			r := f.call(t, "GET", "/api/v1/awards/"+id, f.readOnly, "")
			if r.code != 404 || r.errCode(t) != "award.not_found" {
				t.Errorf("%s: %d %s", id, r.code, r.body)
			}
		}
	})
	_ = ctx
}

func TestRevokeAward(t *testing.T) { storetest.ForEach(t, testRevokeAward) }

func testRevokeAward(t *testing.T, db *store.DB) {
	f := newIntFixture(t, db)
	mk := func(email string) string {
		var a awardJSON
		f.call(t, "POST", "/api/v1/awards", f.full, `{"badge":"secourisme","email":"`+email+`"}`).json(t, &a)
		return a.ID
	}
	id, id2 := mk("a@exemple.ca"), mk("b@exemple.ca")
	jobsBefore := f.jobs(t)

	r := f.call(t, "POST", "/api/v1/awards/"+id+"/revoke", f.award, `{"reason":"Erreur de saisie"}`, "Idempotency-Key", "rev-1")
	var a awardJSON
	r.json(t, &a)
	if r.code != 200 || a.State != "revoked" || a.Status != "revoked" || a.StatusReason != "Erreur de saisie" {
		t.Fatalf("%d %s", r.code, r.body)
	}
	if f.jobs(t) != jobsBefore+1 {
		t.Errorf("award.revoked not queued: %d jobs, want %d", f.jobs(t), jobsBefore+1)
	}
	again := f.call(t, "POST", "/api/v1/awards/"+id+"/revoke", f.award, `{"reason":"Erreur de saisie"}`, "Idempotency-Key", "rev-1")
	if again.code != 200 || !bytes.Equal(again.body, r.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry: %d %s", again.code, again.body)
	}
	if r := f.call(t, "POST", "/api/v1/awards/"+id+"/revoke", f.award, `{"reason":"encore"}`); r.code != 409 || r.errCode(t) != "award.already_revoked" {
		t.Errorf("second revocation: %d %s", r.code, r.body)
	}
	if f.jobs(t) != jobsBefore+1 {
		t.Errorf("replays and refusals queued events: %d jobs", f.jobs(t))
	}
	// An empty body is a revocation without reason.
	if r := f.call(t, "POST", "/api/v1/awards/"+id2+"/revoke", f.award, ""); r.code != 200 {
		t.Errorf("empty body: %d %s", r.code, r.body)
	}
	var other awardJSON
	f.call(t, "POST", "/api/v1/awards", f.tokenB, `{"badge":"autre","email":"c@exemple.ca"}`).json(t, &other)
	for _, tc := range []struct {
		name, id, body, ct string
		status             int
		code               string
	}{
		{"other organisation", other.ID, `{}`, "", 404, "award.not_found"},
		{"unknown", unknownID, `{}`, "", 404, "award.not_found"},
		{"text body", other.ID, `reason`, "text/plain", 415, "request.media_type"},
		{"unknown member", id2, `{"why":"x"}`, "", 400, "request.malformed_json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hs []string
			if tc.ct != "" {
				hs = []string{"Content-Type", tc.ct}
			}
			r := f.call(t, "POST", "/api/v1/awards/"+tc.id+"/revoke", f.full, tc.body, hs...)
			if r.code != tc.status || r.errCode(t) != tc.code {
				t.Errorf("%d %s", r.code, r.body)
			}
		})
	}
	if got, _ := db.GetAward(context.Background(), other.ID); got.Status != badge.StatusActive {
		t.Error("another organisation's award was revoked")
	}
}

func TestListBadgesAndUnknownPaths(t *testing.T) { storetest.ForEach(t, testListBadgesAndUnknownPaths) }

func testListBadgesAndUnknownPaths(t *testing.T, db *store.DB) {
	f := newIntFixture(t, db)
	r := f.call(t, "GET", "/api/v1/badges", f.readOnly, "")
	var l struct {
		Badges []badgeJSON `json:"badges"`
	}
	r.json(t, &l)
	if r.code != 200 || len(l.Badges) != 2 {
		t.Fatalf("%d %s", r.code, r.body)
	}
	for _, b := range l.Badges {
		if b.Slug == "autre" || !strings.HasPrefix(b.URL, intBase+"/issuers/formation-a/badges/") {
			t.Errorf("badge %+v", b)
		}
	}
	for _, p := range []string{"/api/v1/nothing", "/api/v1/awards/x/y/z"} {
		if r := f.call(t, "GET", p, f.full, ""); r.code != 404 || r.errCode(t) != "not_found" {
			t.Errorf("%s: %d %s", p, r.code, r.body)
		}
	}
}

func TestAwardState(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	for _, tc := range []struct {
		name string
		a    badge.Award
		want string
	}{
		{"sent", badge.Award{Status: badge.StatusActive}, "sent"},
		{"claimed", badge.Award{Status: badge.StatusActive, ClaimedAt: &past}, "claimed"},
		{"claimed, still valid", badge.Award{Status: badge.StatusActive, ClaimedAt: &past, ValidUntil: &future}, "claimed"},
		{"expired", badge.Award{Status: badge.StatusActive, ClaimedAt: &past, ValidUntil: &past}, "expired"},
		{"expires now", badge.Award{Status: badge.StatusActive, ValidUntil: &now}, "expired"},
		{"suspended", badge.Award{Status: badge.StatusSuspended, ValidUntil: &past}, "suspended"},
		{"revoked", badge.Award{Status: badge.StatusRevoked, ClaimedAt: &past, ValidUntil: &past}, "revoked"},
	} {
		if got := awardState(&tc.a, now); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestAwardIDForKey(t *testing.T) {
	a, b := awardIDForKey("org-1", "k"), awardIDForKey("org-2", "k")
	if !badge.ValidID(a) || a == b || a != awardIDForKey("org-1", "k") || a[14] != '8' {
		t.Errorf("ids %s %s", a, b)
	}
}

func TestNewIntegrationRequires(t *testing.T) {
	if _, err := NewIntegration(IntegrationOptions{}); err == nil {
		t.Error("no error without dependencies")
	}
}

// FuzzAwardRequest feeds request bodies to the decoder and the request
// hash: no panic, and a body that decodes hashes the same as its
// re-encoding (what makes a re-encoded retry match its key).
func FuzzAwardRequest(f *testing.F) {
	seed, err := os.ReadFile("testdata/integration/award_request.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"badge":1}`))
	f.Add([]byte(`{"evidence":[{}],"validFrom":"x"}`))
	r := httptest.NewRequest("POST", "/api/v1/awards", nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		var req awardRequest
		h := requestHash(r, body)
		if decodeStrict(body, &req) != nil {
			return
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&v) != nil {
			t.Fatalf("decodeStrict accepted what json rejects: %q", body)
		}
		again, _ := json.MarshalIndent(v, "", " ")
		if requestHash(r, again) != h {
			t.Fatalf("hash changed by re-encoding %q", body)
		}
	})
}
