package api

// The integration API (/api/v1): what a learning platform or registration
// system uses to award an organisation's badges when a training is
// completed, follow the awards' state and revoke them. Clients
// authenticate with an organisation's API token (Bearer); every request
// sees that organisation's data only. POST requests may carry an
// Idempotency-Key: a retried request then never awards twice.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/httpx"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/webhooks"
)

// IntegrationPrefix is the path of the integration API.
const IntegrationPrefix = "/api/v1"

// Paths of the API description, served by the integration handler too.
const (
	OpenAPIPath = "/api/openapi.json"
	DocsPath    = "/api/docs"
)

// MaxIntegrationBody bounds request bodies: an award with its evidence
// links is a few kilobytes.
const MaxIntegrationBody = 64 << 10

// Pages of awards.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// IntegrationOptions configure the integration API. Service, Store and
// BaseURL are required.
type IntegrationOptions struct {
	Service *issuing.Service
	Store   *store.DB
	BaseURL string
	// Events, when set, emits award.revoked for revocations made through
	// the API (award.created comes from the issuing service's hook, see
	// webhooks.Emitter.OnAward).
	Events *webhooks.Emitter
	Logger *slog.Logger
	Now    func() time.Time
	// IdempotencyWait is how long a request waits for another one holding
	// the same Idempotency-Key to finish before answering 409 (default
	// 10 s); IdempotencyStale is how old such a reservation must be to be
	// taken over, its request presumed dead (default 2 min).
	IdempotencyWait  time.Duration
	IdempotencyStale time.Duration
}

type integration struct {
	svc    *issuing.Service
	db     *store.DB
	base   string
	events *webhooks.Emitter
	log    *slog.Logger
	now    func() time.Time
	wait   time.Duration
	stale  time.Duration
	docs   *docsSite
}

// NewIntegration returns the handler of the integration API, its OpenAPI
// document and its docs page: mount it on IntegrationPrefix+"/",
// OpenAPIPath and DocsPath, unstripped (see routes.go).
func NewIntegration(opts IntegrationOptions) (http.Handler, error) {
	if opts.Service == nil || opts.Store == nil || opts.BaseURL == "" {
		return nil, errors.New("api: IntegrationOptions.Service, Store and BaseURL are required")
	}
	s := &integration{svc: opts.Service, db: opts.Store, base: strings.TrimRight(opts.BaseURL, "/"), events: opts.Events,
		log: opts.Logger, now: opts.Now, wait: opts.IdempotencyWait, stale: opts.IdempotencyStale}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.wait <= 0 {
		s.wait = 10 * time.Second
	}
	if s.stale <= 0 {
		s.stale = 2 * time.Minute
	}
	docs, err := newDocsSite()
	if err != nil {
		return nil, err
	}
	s.docs = docs
	return s.routes(), nil
}

// intError is an error answered as JSON with a status and a stable code.
type intError struct {
	status  int
	code    string
	field   string
	message string
	header  http.Header
}

func (e *intError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func newIntError(status int, code, format string, args ...any) *intError {
	return &intError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// errorJSON is the body of every error of the integration API.
type errorJSON struct {
	Error   string `json:"error"` // the kind: invalid, unauthorized, forbidden, not_found, conflict…
	Code    string `json:"code"`  // stable, for programs: "auth.token_revoked", "award.recipient_required"…
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

var kindOfStatus = map[int]string{
	400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict",
	413: "too_large", 415: "unsupported_media_type", 422: "invalid", 429: "limited", 500: "internal",
}

// toIntError maps domain errors: invalid input is 422 with its field and
// code; other kinds keep httpx's statuses; causes of 500 stay in the log.
func toIntError(err error) *intError {
	var ie *intError
	if errors.As(err, &ie) {
		return ie
	}
	status := httpx.Status(err)
	if status == http.StatusRequestEntityTooLarge {
		return newIntError(status, "request.too_large", "the body exceeds %d bytes", MaxIntegrationBody)
	}
	var be *badge.Error
	if status >= 500 || !errors.As(err, &be) {
		return newIntError(http.StatusInternalServerError, "internal", "internal error")
	}
	if be.Kind == badge.Invalid {
		status = http.StatusUnprocessableEntity
	}
	return &intError{status: status, code: be.Code, field: be.Field, message: be.Message}
}

// handle adapts h: errors become JSON whatever Accept says.
func (s *integration) handle(h httpx.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		ie := toIntError(err)
		level := slog.LevelInfo
		if ie.status >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "integration API request failed", "method", r.Method, "path", r.URL.Path,
			"status", ie.status, "code", ie.code, "err", err)
		for k, vs := range ie.header {
			w.Header()[k] = vs
		}
		kind := kindOfStatus[ie.status]
		if kind == "" {
			kind = strings.ToLower(strings.ReplaceAll(http.StatusText(ie.status), " ", "_"))
		}
		if werr := writeJSON(w, ie.status, errorJSON{Error: kind, Code: ie.code, Field: ie.field, Message: ie.message}); werr != nil {
			s.log.Error("write integration API error", "err", werr)
		}
	})
}

// tokenHandler is a handler of an authenticated request.
type tokenHandler func(w http.ResponseWriter, r *http.Request, tok *store.APIToken) error

// maxTokenLen bounds the Authorization value examined.
const maxTokenLen = 200

// authed checks the Bearer token and its scope before calling h.
func (s *integration) authed(scope string, h tokenHandler) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		challenge := func(e *intError, extra string) *intError {
			e.header = http.Header{"Www-Authenticate": {`Bearer realm="sceau"` + extra}}
			return e
		}
		authz := r.Header.Get("Authorization")
		if authz == "" {
			return challenge(newIntError(http.StatusUnauthorized, "auth.missing", "send Authorization: Bearer <API token>"), "")
		}
		scheme, token, _ := strings.Cut(authz, " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(token, store.APITokenPrefix) || len(token) > maxTokenLen {
			return challenge(newIntError(http.StatusUnauthorized, "auth.invalid_token", "the API token is not valid"), `, error="invalid_token"`)
		}
		tok, err := s.db.APITokenByHash(r.Context(), badge.HashSecret(token))
		if badge.IsNotFound(err) {
			return challenge(newIntError(http.StatusUnauthorized, "auth.invalid_token", "the API token is not valid"), `, error="invalid_token"`)
		}
		if err != nil {
			return err
		}
		if tok.RevokedAt != nil {
			return challenge(newIntError(http.StatusUnauthorized, "auth.token_revoked", "the API token was revoked"), `, error="invalid_token"`)
		}
		if !tok.Allows(scope) {
			return challenge(newIntError(http.StatusForbidden, "auth.insufficient_scope", "this token lacks the %q scope", scope),
				`, error="insufficient_scope", scope="`+scope+`"`)
		}
		if err := s.db.TouchAPIToken(r.Context(), tok.ID, s.now(), time.Minute); err != nil {
			s.log.Warn("record API token use", "err", err)
		}
		return h(w, r, tok)
	}
}

// readBody reads a JSON request body: the media type must be JSON, the
// size at most MaxIntegrationBody. An empty body is allowed when
// emptyOK, whatever the media type.
func readBody(w http.ResponseWriter, r *http.Request, emptyOK bool) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxIntegrationBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, newIntError(http.StatusRequestEntityTooLarge, "request.too_large", "the body exceeds %d bytes", MaxIntegrationBody)
		}
		return nil, newIntError(http.StatusBadRequest, "request.unreadable", "cannot read the body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 && emptyOK {
		return nil, nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return nil, newIntError(http.StatusUnsupportedMediaType, "request.media_type", "send application/json, not %q", r.Header.Get("Content-Type"))
	}
	return body, nil
}

// decodeStrict decodes one JSON object into v, refusing unknown members
// (a misspelt "narative" should fail, not be dropped).
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return newIntError(http.StatusBadRequest, "request.malformed_json", "malformed JSON: %v", err)
	}
	if dec.More() {
		return newIntError(http.StatusBadRequest, "request.malformed_json", "malformed JSON: data after the object")
	}
	return nil
}

// result is a handler's answer, which idempotent stores for replays.
type result struct {
	status int
	body   any
}

// validKey reports whether an Idempotency-Key is 1 to 255 visible ASCII
// characters.
func validKey(k string) bool {
	if k == "" || len(k) > store.MaxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// requestHash identifies a request for its Idempotency-Key: method, path
// and body. A JSON body is hashed in a canonical form (members sorted,
// no spaces, numbers as written), so that a retry that re-encodes the
// same object still matches.
func requestHash(r *http.Request, body []byte) string {
	canon := body
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil {
		if b, err := json.Marshal(v); err == nil {
			canon = b
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.Path)
	h.Write(canon)
	return hex.EncodeToString(h.Sum(nil))
}

// idempotent runs a POST under its Idempotency-Key, if any: the first
// request runs and its success is stored; a retry with the same key and
// request gets the stored status and body (with Idempotent-Replayed:
// true); the same key with another request is 422; a retry arriving while
// the first still runs waits for it, then replays or answers 409.
// Failures are not stored: nothing happened, so a retry runs again.
func (s *integration) idempotent(w http.ResponseWriter, r *http.Request, tok *store.APIToken, body []byte,
	run func(ctx context.Context, key string) (result, error)) error {
	key := r.Header.Get("Idempotency-Key")
	ctx := r.Context()
	if key == "" {
		res, err := run(ctx, "")
		if err != nil {
			return err
		}
		return writeJSON(w, res.status, res.body)
	}
	if !validKey(key) {
		return &intError{status: http.StatusBadRequest, code: "idempotency.key_invalid", field: "Idempotency-Key",
			message: "an Idempotency-Key has 1 to 255 visible ASCII characters"}
	}
	hash := requestHash(r, body)
	k := &store.IdempotencyKey{IssuerID: tok.IssuerID, Key: key, TokenID: tok.ID, RequestHash: hash}
	for {
		existing, err := s.db.ReserveIdempotencyKey(ctx, k)
		if err != nil {
			return err
		}
		if existing == nil {
			break // ours
		}
		done, mine, err := s.awaitKey(ctx, existing, hash)
		if err != nil {
			return err
		}
		if done != nil {
			w.Header().Set("Idempotent-Replayed", "true")
			h := w.Header()
			h.Set("Content-Type", "application/json; charset=utf-8")
			h.Set("Cache-Control", "no-store")
			w.WriteHeader(done.Status)
			_, err := w.Write(done.Response)
			return err
		}
		if mine {
			break
		}
		// Released by a failed first request: try to reserve again.
	}
	res, err := run(ctx, key)
	// The outcome is recorded even if the client went away meanwhile.
	bg := context.WithoutCancel(ctx)
	if err != nil {
		if rerr := s.db.ReleaseIdempotencyKey(bg, tok.IssuerID, key); rerr != nil {
			s.log.Error("release idempotency key", "err", rerr)
		}
		return err
	}
	out, err := json.Marshal(res.body)
	if err != nil {
		return badge.Internalf(err, "encode response")
	}
	out = append(out, '\n')
	if err := s.db.CompleteIdempotencyKey(bg, tok.IssuerID, key, res.status, out); err != nil {
		s.log.Error("store idempotent response", "err", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(res.status)
	_, err = w.Write(out)
	return err
}

// awaitKey handles a key another request holds or held: it returns the
// finished key to replay, or mine when the caller took over a stale
// reservation, or neither when the key was released (reserve again).
func (s *integration) awaitKey(ctx context.Context, k *store.IdempotencyKey, hash string) (done *store.IdempotencyKey, mine bool, err error) {
	reused := &intError{status: http.StatusUnprocessableEntity, code: "idempotency.key_reused", field: "Idempotency-Key",
		message: "this Idempotency-Key was used with a different request"}
	deadline := time.Now().Add(s.wait)
	for {
		if k.RequestHash != hash {
			return nil, false, reused
		}
		if k.Done() {
			return k, false, nil
		}
		if time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		k, err = s.db.GetIdempotencyKey(ctx, k.IssuerID, k.Key)
		if badge.IsNotFound(err) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
	ok, err := s.db.TakeOverIdempotencyKey(ctx, k.IssuerID, k.Key, s.now().Add(-s.stale))
	if err != nil || ok {
		return nil, ok, err
	}
	return nil, false, &intError{status: http.StatusConflict, code: "idempotency.in_progress", field: "Idempotency-Key",
		message: "a request with this Idempotency-Key is still in progress; retry later",
		header:  http.Header{"Retry-After": {"1"}}}
}

// awardIDForKey derives an award's id from its organisation and
// Idempotency-Key (a version 8 UUID of their SHA-256): the store's unique
// award id is then a second guard, so that even a request taken over from
// a process that died after storing its award cannot award again.
func awardIDForKey(issuerID, key string) string {
	sum := sha256.Sum256([]byte("sceau/api/v1/awards\x00" + issuerID + "\x00" + key))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ---- representations ----

type badgeRef struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

type recipientJSON struct {
	Email string `json:"email,omitempty"`
	DID   string `json:"did,omitempty"`
	Name  string `json:"name,omitempty"`
}

type evidenceJSON struct {
	URL       string `json:"url,omitempty"`
	Name      string `json:"name,omitempty"`
	Narrative string `json:"narrative,omitempty"`
}

type awardURLs struct {
	Page       string `json:"page"`
	Credential string `json:"credential"`
	JWT        string `json:"jwt"`
	PNG        string `json:"png"`
	SVG        string `json:"svg"`
	PDF        string `json:"pdf"`
	Verify     string `json:"verify"`
}

// awardJSON is an award as the API shows it.
type awardJSON struct {
	ID           string         `json:"id"`
	Badge        badgeRef       `json:"badge"`
	Recipient    recipientJSON  `json:"recipient"`
	State        string         `json:"state"`
	Status       string         `json:"status"`
	StatusReason string         `json:"statusReason,omitempty"`
	AwardedAt    time.Time      `json:"awardedAt"`
	ValidFrom    time.Time      `json:"validFrom"`
	ValidUntil   *time.Time     `json:"validUntil,omitempty"`
	ClaimedAt    *time.Time     `json:"claimedAt,omitempty"`
	Language     string         `json:"language,omitempty"`
	Narrative    string         `json:"narrative,omitempty"`
	Evidence     []evidenceJSON `json:"evidence,omitempty"`
	URLs         awardURLs      `json:"urls"`
}

// State of an award for integrations: revoked and suspended first (they
// are what matters), then expired, then whether the recipient claimed it.
func awardState(a *badge.Award, now time.Time) string {
	switch {
	case a.Status == badge.StatusRevoked:
		return "revoked"
	case a.Status == badge.StatusSuspended:
		return "suspended"
	case a.ValidUntil != nil && !now.Before(*a.ValidUntil):
		return "expired"
	case a.ClaimedAt != nil:
		return "claimed"
	}
	return "sent"
}

func (s *integration) awardJSON(a *badge.Award, b *badge.Badge) awardJSON {
	page := s.base + "/awards/" + url.PathEscape(a.ID)
	out := awardJSON{
		ID: a.ID, Recipient: recipientJSON{Email: a.Recipient.Email, DID: a.Recipient.DID, Name: a.Recipient.Name},
		State: awardState(a, s.now()), Status: string(a.Status), StatusReason: a.StatusReason,
		AwardedAt: a.AwardedAt.UTC(), ValidFrom: a.ValidFrom.UTC(), ValidUntil: a.ValidUntil, ClaimedAt: a.ClaimedAt,
		Language: a.Language, Narrative: a.Narrative,
		URLs: awardURLs{Page: page, Credential: page + "/credential.json", JWT: page + "/credential.jwt",
			PNG: page + "/badge.png", SVG: page + "/badge.svg", PDF: page + "/proof.pdf", Verify: page + "/verify"},
	}
	if b != nil {
		out.Badge = badgeRef{ID: b.ID, Slug: b.Slug, Name: b.Name}
	} else {
		out.Badge = badgeRef{ID: a.BadgeID}
	}
	for i, e := range a.Evidence {
		ev := evidenceJSON{URL: e.URL, Name: e.Name, Narrative: e.Narrative}
		if e.BlobKey != "" {
			ev.URL = page + "/evidence/" + strconv.Itoa(i+1)
		}
		out.Evidence = append(out.Evidence, ev)
	}
	return out
}

// ---- handlers ----

// awardRequest is the body of POST /api/v1/awards.
type awardRequest struct {
	Badge      string         `json:"badge"` // slug or id of one of the organisation's badges
	Email      string         `json:"email"`
	DID        string         `json:"did"`
	Name       string         `json:"name"`
	Narrative  string         `json:"narrative"`
	Evidence   []evidenceJSON `json:"evidence"`
	Language   string         `json:"language"`
	ValidFrom  *time.Time     `json:"validFrom"`
	ValidUntil *time.Time     `json:"validUntil"`
}

// orgBadge finds one of the organisation's badges by slug or id; another
// organisation's badge is as absent as a missing one.
func (s *integration) orgBadge(ctx context.Context, issuerID, ref string) (*badge.Badge, error) {
	missing := &intError{status: http.StatusUnprocessableEntity, code: "badge.not_found", field: "badge",
		message: fmt.Sprintf("the organisation has no badge %q", ref)}
	var (
		b   *badge.Badge
		err error
	)
	switch {
	case badge.ValidID(ref):
		b, err = s.db.GetBadge(ctx, ref)
		if err == nil && b.IssuerID != issuerID {
			return nil, missing
		}
	case badge.ValidSlug(ref):
		b, err = s.db.GetBadgeBySlug(ctx, issuerID, ref)
	default:
		return nil, missing
	}
	if badge.IsNotFound(err) {
		return nil, missing
	}
	return b, err
}

func (s *integration) createAward(w http.ResponseWriter, r *http.Request, tok *store.APIToken) error {
	body, err := readBody(w, r, false)
	if err != nil {
		return err
	}
	var req awardRequest
	if err := decodeStrict(body, &req); err != nil {
		return err
	}
	return s.idempotent(w, r, tok, body, func(ctx context.Context, key string) (result, error) {
		if strings.TrimSpace(req.Badge) == "" {
			return result{}, &intError{status: http.StatusUnprocessableEntity, code: "award.badge_required", field: "badge", message: "badge is required"}
		}
		b, err := s.orgBadge(ctx, tok.IssuerID, strings.TrimSpace(req.Badge))
		if err != nil {
			return result{}, err
		}
		in := issuing.AwardInput{BadgeID: b.ID, Email: strings.TrimSpace(req.Email), DID: strings.TrimSpace(req.DID),
			Name: strings.TrimSpace(req.Name), Narrative: strings.TrimSpace(req.Narrative), Language: req.Language, ValidUntil: req.ValidUntil}
		if in.Email != "" {
			if err := badge.CheckEmail("email", in.Email); err != nil {
				return result{}, err
			}
		}
		if req.ValidFrom != nil {
			in.ValidFrom = *req.ValidFrom
		}
		for _, e := range req.Evidence {
			in.Evidence = append(in.Evidence, badge.Evidence{URL: strings.TrimSpace(e.URL), Name: strings.TrimSpace(e.Name), Narrative: strings.TrimSpace(e.Narrative)})
		}
		if key != "" {
			in.ID = awardIDForKey(tok.IssuerID, key)
		}
		a, err := s.svc.Award(ctx, in)
		if badge.ErrorCode(err) == "award.id_taken" && key != "" {
			// Stored by an earlier holder of the key that died before
			// recording its answer: answer with that award.
			if a, err = s.db.GetAward(ctx, in.ID); err == nil && a.BadgeID != b.ID {
				err = &intError{status: http.StatusConflict, code: "idempotency.key_reused", field: "Idempotency-Key",
					message: "this Idempotency-Key was used with a different request"}
			}
		}
		if err != nil {
			return result{}, err
		}
		return result{status: http.StatusCreated, body: s.awardJSON(a, b)}, nil
	})
}

// awardList is the body of GET /api/v1/awards.
type awardList struct {
	Awards []awardJSON `json:"awards"`
	Total  int         `json:"total"`
	Limit  int         `json:"limit"`
	Offset int         `json:"offset"`
}

func queryError(name, format string, args ...any) error {
	return &intError{status: http.StatusBadRequest, code: "query.invalid", field: name, message: fmt.Sprintf(format, args...)}
}

func (s *integration) listAwards(w http.ResponseWriter, r *http.Request, tok *store.APIToken) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := store.AwardFilter{IssuerID: tok.IssuerID, Limit: defaultPageSize}
	if v := q.Get("badge"); v != "" {
		b, err := s.orgBadge(ctx, tok.IssuerID, v)
		if err != nil {
			return queryError("badge", "the organisation has no badge %q", v)
		}
		f.BadgeID = b.ID
	}
	if v := q.Get("email"); v != "" {
		f.RecipientEmail = badge.NormalizeEmail(v)
	}
	if v := q.Get("did"); v != "" {
		f.RecipientDID = v
	}
	if v := q.Get("status"); v != "" {
		if !badge.Status(v).Valid() {
			return queryError("status", "status is active, revoked or suspended")
		}
		f.Status = badge.Status(v)
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return queryError("since", "since is an RFC 3339 date-time, e.g. 2026-03-01T00:00:00Z")
		}
		since = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return queryError("limit", "limit is between 1 and %d", maxPageSize)
		}
		f.Limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1_000_000 {
			return queryError("offset", "offset is a number from 0")
		}
		f.Offset = n
	}
	total, err := s.db.CountAwardsSince(ctx, f, since)
	if err != nil {
		return err
	}
	awards, err := s.db.ListAwardsSince(ctx, f, since)
	if err != nil {
		return err
	}
	badges, err := s.badgesByID(ctx, tok.IssuerID)
	if err != nil {
		return err
	}
	out := awardList{Awards: []awardJSON{}, Total: total, Limit: f.Limit, Offset: f.Offset}
	for _, a := range awards {
		out.Awards = append(out.Awards, s.awardJSON(a, badges[a.BadgeID]))
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	if link := s.pageLinks(r, total, f.Limit, f.Offset); link != "" {
		w.Header().Set("Link", link)
	}
	return writeJSON(w, http.StatusOK, out)
}

// pageLinks builds the Link header (RFC 8288) of a page: first and last
// always, prev and next when they exist.
func (s *integration) pageLinks(r *http.Request, total, limit, offset int) string {
	link := func(off int, rel string) string {
		q := r.URL.Query()
		q.Set("limit", strconv.Itoa(limit))
		q.Set("offset", strconv.Itoa(off))
		return "<" + s.base + r.URL.Path + "?" + q.Encode() + `>; rel="` + rel + `"`
	}
	last := 0
	if total > 0 {
		last = (total - 1) / limit * limit
	}
	parts := []string{link(0, "first")}
	if offset > 0 {
		parts = append(parts, link(max(offset-limit, 0), "prev"))
	}
	if offset+limit < total {
		parts = append(parts, link(offset+limit, "next"))
	}
	parts = append(parts, link(last, "last"))
	return strings.Join(parts, ", ")
}

func (s *integration) badgesByID(ctx context.Context, issuerID string) (map[string]*badge.Badge, error) {
	bs, err := s.db.ListBadges(ctx, issuerID)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*badge.Badge, len(bs))
	for _, b := range bs {
		m[b.ID] = b
	}
	return m, nil
}

// orgAward reads {id}: another organisation's award is not found.
func (s *integration) orgAward(r *http.Request, tok *store.APIToken) (*badge.Award, error) {
	id := r.PathValue("id")
	notFound := newIntError(http.StatusNotFound, "award.not_found", "no award %q", id)
	if !badge.ValidID(id) {
		return nil, notFound
	}
	a, err := s.db.GetAward(r.Context(), id)
	if badge.IsNotFound(err) || err == nil && a.IssuerID != tok.IssuerID {
		return nil, notFound
	}
	return a, err
}

func (s *integration) getAward(w http.ResponseWriter, r *http.Request, tok *store.APIToken) error {
	a, err := s.orgAward(r, tok)
	if err != nil {
		return err
	}
	b, err := s.db.GetBadge(r.Context(), a.BadgeID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.awardJSON(a, b))
}

// revokeRequest is the body of POST /api/v1/awards/{id}/revoke.
type revokeRequest struct {
	Reason string `json:"reason"`
}

func (s *integration) revokeAward(w http.ResponseWriter, r *http.Request, tok *store.APIToken) error {
	body, err := readBody(w, r, true)
	if err != nil {
		return err
	}
	var req revokeRequest
	if body != nil {
		if err := decodeStrict(body, &req); err != nil {
			return err
		}
	}
	a, err := s.orgAward(r, tok)
	if err != nil {
		return err
	}
	return s.idempotent(w, r, tok, body, func(ctx context.Context, _ string) (result, error) {
		if err := s.svc.Revoke(ctx, a.ID, strings.TrimSpace(req.Reason)); err != nil {
			return result{}, err
		}
		a, err := s.db.GetAward(ctx, a.ID)
		if err != nil {
			return result{}, err
		}
		if s.events != nil {
			if err := s.events.EmitAward(ctx, nil, store.EventAwardRevoked, a); err != nil {
				s.log.Error("emit award.revoked", "award", a.ID, "err", err)
			}
		}
		b, err := s.db.GetBadge(ctx, a.BadgeID)
		if err != nil {
			return result{}, err
		}
		return result{status: http.StatusOK, body: s.awardJSON(a, b)}, nil
	})
}

// badgeJSON is a badge definition as the API shows it.
type badgeJSON struct {
	ID              string   `json:"id"`
	Slug            string   `json:"slug"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	Criteria        string   `json:"criteria,omitempty"` // Markdown
	CriteriaURL     string   `json:"criteriaUrl,omitempty"`
	AchievementType string   `json:"achievementType,omitempty"`
	Tags            []string `json:"tags,omitempty"`
	Language        string   `json:"language"`
	ValidityDays    int      `json:"validityDays,omitempty"`
	Image           string   `json:"image,omitempty"`
	URL             string   `json:"url"` // the achievement's id, its public page
}

func (s *integration) listBadges(w http.ResponseWriter, r *http.Request, tok *store.APIToken) error {
	ctx := r.Context()
	iss, err := s.db.GetIssuer(ctx, tok.IssuerID)
	if err != nil {
		return err
	}
	bs, err := s.db.ListBadges(ctx, tok.IssuerID)
	if err != nil {
		return err
	}
	out := struct {
		Badges []badgeJSON `json:"badges"`
	}{Badges: []badgeJSON{}}
	for _, b := range bs {
		page := s.base + "/issuers/" + url.PathEscape(iss.Slug) + "/badges/" + url.PathEscape(b.Slug)
		bj := badgeJSON{ID: b.ID, Slug: b.Slug, Name: b.Name, Description: b.Description, Criteria: b.CriteriaNarrative,
			CriteriaURL: b.CriteriaURL, AchievementType: b.AchievementType, Tags: b.Tags, Language: b.Language,
			ValidityDays: b.ValidityDays, URL: page}
		if b.ImageKey != "" {
			bj.Image = page + "/image"
		}
		out.Badges = append(out.Badges, bj)
	}
	return writeJSON(w, http.StatusOK, out)
}
