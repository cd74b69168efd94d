package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sceau/sceau/bake"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/vcjwt"
	"github.com/sceau/sceau/verify"
)

// Pages of GET /credentials.
const (
	ob3DefaultLimit = 50
	ob3MaxLimit     = 200
)

// credentialsResponse is GetOpenBadgeCredentialsResponse.
type credentialsResponse struct {
	Credential       []json.RawMessage `json:"credential,omitempty"`
	CompactJwsString []string          `json:"compactJwsString,omitempty"`
}

// heldCredential is one credential of a portfolio, in the form the API
// returns it: a JSON object or a compact JWS.
type heldCredential struct {
	json     json.RawMessage
	jws      string
	issuedAt time.Time
}

// getCredentials is GET /credentials: the signed credentials of the
// user's portfolio, awards accepted here and badges imported, in the
// portfolio's order. OB 2.0 badges are left out: the API carries OB 3.0.
func (s *ob3Server) getCredentials(w http.ResponseWriter, r *http.Request, tok *store.OAuthToken) error {
	q := r.URL.Query()
	limit, offset := ob3DefaultLimit, 0
	bad := func(format string, args ...any) error {
		return newImsx(http.StatusBadRequest, "invalid_query_parameter", format, args...)
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > ob3MaxLimit {
			return bad("limit is a number from 1 to %d", ob3MaxLimit)
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > store.MaxPortfolioItems {
			return bad("offset is a number from 0")
		}
		offset = n
	}
	var since *time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return bad("since is an RFC 3339 date-time, e.g. 2026-03-01T00:00:00Z")
		}
		since = &t
	}
	held, err := s.heldCredentials(r.Context(), tok.UserID)
	if err != nil {
		return err
	}
	if since != nil {
		held = slices.DeleteFunc(held, func(h heldCredential) bool { return !h.issuedAt.After(*since) })
	}
	total := len(held)
	page := held[min(offset, total):min(offset+limit, total)]
	var out credentialsResponse
	for _, h := range page {
		if h.jws != "" {
			out.CompactJwsString = append(out.CompactJwsString, h.jws)
		} else {
			out.Credential = append(out.Credential, h.json)
		}
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	w.Header().Set("Link", pageLinks(s.base, r, total, limit, offset))
	return writeJSON(w, http.StatusOK, out)
}

// pageLinks builds the Link header (RFC 8288) of a page of the OB 3.0
// API: first and last always, prev and next when they exist.
func pageLinks(base string, r *http.Request, total, limit, offset int) string {
	link := func(off int, rel string) string {
		q := r.URL.Query()
		q.Set("limit", strconv.Itoa(limit))
		q.Set("offset", strconv.Itoa(off))
		return "<" + base + r.URL.Path + "?" + q.Encode() + `>; rel="` + rel + `"`
	}
	last := 0
	if total > 0 {
		last = (total - 1) / limit * limit
	}
	parts := []string{link(0, "first")}
	if offset > 0 {
		parts = append(parts, link(max(min(offset-limit, last), 0), "prev"))
	}
	if offset+limit < total {
		parts = append(parts, link(offset+limit, "next"))
	}
	parts = append(parts, link(last, "last"))
	return strings.Join(parts, ", ")
}

// heldCredentials reads the user's portfolio and each item's credential.
func (s *ob3Server) heldCredentials(ctx context.Context, userID string) ([]heldCredential, error) {
	entries, err := s.db.ListPortfolio(ctx, userID, false)
	if err != nil {
		return nil, err
	}
	var out []heldCredential
	for _, e := range entries {
		if e.Item.AwardID != "" {
			a, err := s.db.GetAward(ctx, e.Item.AwardID)
			if badge.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if len(a.Credential) == 0 {
				continue
			}
			out = append(out, heldCredential{json: json.RawMessage(a.Credential), issuedAt: a.AwardedAt})
			continue
		}
		if e.Item.Import == nil || e.Item.Import.Standard != "" {
			continue // an OB 2.0 or 1.0 badge
		}
		full, err := s.db.GetPortfolioEntry(ctx, userID, e.Item.ID)
		if badge.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		h, ok := credentialOf(full.Item.Credential)
		if !ok {
			continue
		}
		if in := e.Item.Import; in.IssuedAt != nil {
			h.issuedAt = *in.IssuedAt
		} else {
			h.issuedAt = e.Item.CreatedAt
		}
		out = append(out, h)
	}
	return out, nil
}

// credentialOf finds the OB 3.0 credential in an imported badge's bytes:
// JSON, a compact JWS, or a baked image holding either.
func credentialOf(data []byte) (heldCredential, bool) {
	if b, err := bake.Unbake(data); err == nil {
		data = b.Payload
	}
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		if _, err := ob3.Parse(data); err != nil {
			return heldCredential{}, false
		}
		var compact bytes.Buffer
		if json.Compact(&compact, data) != nil {
			return heldCredential{}, false
		}
		return heldCredential{json: compact.Bytes()}, true
	}
	if t, err := vcjwt.Parse(string(data)); err == nil && len(t.Credential) > 0 {
		return heldCredential{jws: string(data)}, true
	}
	return heldCredential{}, false
}

// upsertCredential is POST /credentials: a badge pushed by a wallet or
// another host goes into the user's portfolio, as the portfolio's import
// takes it: parsed and schema-checked, verified (valid or expired only),
// issued to one of the account's verified addresses. An equal credential
// already there (same id and issuer) is replaced: 200; otherwise 201.
// One of this server's awards posted back is accepted as its claim link
// would (the database says whom it was awarded to). The answer is the
// credential as sent.
func (s *ob3Server) upsertCredential(w http.ResponseWriter, r *http.Request, tok *store.OAuthToken) error {
	ctx := r.Context()
	body, isJWS, err := readCredentialBody(w, r)
	if err != nil {
		return err
	}
	c, err := checkPosted(body, isJWS)
	if err != nil {
		return err
	}
	u, err := s.db.GetUser(ctx, tok.UserID)
	if err != nil {
		return err
	}
	var status int
	if id, ok := strings.CutPrefix(c.ID, s.base+"/awards/"); ok && badge.ValidID(id) {
		// One of this server's awards: the database, not the posted
		// copy, says what it is and whom it was awarded to.
		status, err = s.upsertOwnAward(ctx, u, id)
	} else {
		rep := verify.Verify(ctx, body, verify.Options{Fetcher: s.fetcher, Now: s.now()})
		state, reason, _ := issuing.ImportState(rep)
		if state != issuing.ImportValid && state != issuing.ImportExpired {
			msg := rep.Reason.In("en")
			if msg == "" {
				msg = "the credential does not verify"
			}
			return newImsx(http.StatusBadRequest, "invalid_data", "refused (%s): %s", state, msg)
		}
		status, err = s.upsertImport(ctx, u, tok, c, body, isJWS, rep, state, reason)
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if isJWS {
		h.Set("Content-Type", "text/plain; charset=utf-8")
	} else {
		h.Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, err = w.Write(body)
	return err
}

// readCredentialBody reads the posted credential: JSON
// (application/json, application/vc+ld+json, application/ld+json) or a
// compact JWS (text/plain, application/vc+jwt).
func readCredentialBody(w http.ResponseWriter, r *http.Request) ([]byte, bool, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isJWS := false
	switch {
	case err != nil:
		return nil, false, newImsx(http.StatusUnsupportedMediaType, "invalid_data", "send application/json or text/plain")
	case mt == "application/json" || mt == "application/vc+ld+json" || mt == "application/ld+json":
	case mt == "text/plain" || mt == "application/vc+jwt" || mt == "application/jwt":
		isJWS = true
	default:
		return nil, false, newImsx(http.StatusUnsupportedMediaType, "invalid_data", "send application/json or text/plain, not %.100q", mt)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxOB3Body))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, false, newImsx(http.StatusRequestEntityTooLarge, "invalid_data", "the body exceeds %d bytes", MaxOB3Body)
		}
		return nil, false, newImsx(http.StatusBadRequest, "invalid_data", "cannot read the body")
	}
	if isJWS {
		body = bytes.TrimSpace(body)
	}
	if len(body) == 0 {
		return nil, false, newImsx(http.StatusBadRequest, "invalid_data", "the body is empty")
	}
	return body, isJWS, nil
}

// checkPosted parses an OpenBadgeCredential (the JWS's payload for a
// JWS) and checks it against the 1EdTech schema when it applies.
func checkPosted(body []byte, isJWS bool) (*ob3.Credential, error) {
	doc := body
	if isJWS {
		t, err := vcjwt.Parse(string(body))
		if err != nil {
			return nil, newImsx(http.StatusBadRequest, "invalid_data", "not a compact JWS credential: %v", err)
		}
		doc = t.Credential
	}
	c, err := ob3.Parse(doc)
	if err != nil {
		return nil, newImsx(http.StatusBadRequest, "invalid_data", "not an Open Badges 3.0 credential: %v", err)
	}
	if !slices.Contains(c.Type, "OpenBadgeCredential") && !slices.Contains(c.Type, "AchievementCredential") {
		return nil, newImsx(http.StatusBadRequest, "invalid_data", "type must include OpenBadgeCredential")
	}
	if ob3.SchemaApplies(c) {
		errs, err := ob3.ValidateSchema(doc, ob3.SchemaAchievementCredential)
		if err != nil {
			return nil, newImsx(http.StatusBadRequest, "invalid_data", "schema check: %v", err)
		}
		if len(errs) > 0 {
			msgs := make([]string, 0, 3)
			for _, e := range errs[:min(len(errs), 3)] {
				msgs = append(msgs, e.String())
			}
			return nil, newImsx(http.StatusBadRequest, "invalid_data", "the credential breaks the OB 3.0 schema: %s", strings.Join(msgs, "; "))
		}
	}
	if c.Issuer == nil || c.Issuer.ID == "" {
		return nil, newImsx(http.StatusBadRequest, "invalid_data", "the credential names no issuer")
	}
	return c, nil
}

// upsertOwnAward accepts an award made here, posted back, as its claim
// link would: 201 when it enters the portfolio, 200 when it was there.
func (s *ob3Server) upsertOwnAward(ctx context.Context, u *badge.User, awardID string) (int, error) {
	if s.accounts == nil {
		return 0, newImsx(http.StatusForbidden, "forbidden", "badges issued here are accepted from their claim link")
	}
	if e, err := s.db.GetPortfolioItemByAward(ctx, awardID); err == nil && e.Item.UserID == u.ID {
		return http.StatusOK, nil
	}
	_, err := s.accounts.AcceptAward(ctx, u, awardID)
	if err == nil {
		return http.StatusCreated, nil
	}
	switch badge.ErrorKind(err) {
	case badge.NotFound, badge.Forbidden:
		return 0, newImsx(http.StatusForbidden, "forbidden", "this badge was not awarded to one of your verified addresses")
	case badge.Conflict:
		return 0, newImsx(http.StatusConflict, "invalid_data", "%s", err.Error())
	}
	return 0, err
}

// upsertImport stores or replaces an imported badge.
func (s *ob3Server) upsertImport(ctx context.Context, u *badge.User, tok *store.OAuthToken, c *ob3.Credential, body []byte,
	isJWS bool, rep *verify.Report, state, reason string) (int, error) {
	emails, err := s.db.VerifiedEmails(ctx, u.ID)
	if err != nil {
		return 0, err
	}
	if !issuedTo(c, emails) {
		return 0, newImsx(http.StatusForbidden, "forbidden", "this badge was not issued to one of your verified e-mail addresses")
	}
	in := &store.ImportInfo{Key: c.ID, Format: "json", State: state, StateReason: reason, ValidUntil: rep.ValidUntil}
	if isJWS {
		in.Format = "jwt"
	}
	if in.Key == "" {
		sum := sha256.Sum256(body)
		in.Key = "sha256:" + hex.EncodeToString(sum[:])
	}
	if len(in.Key) > badge.MaxURLLen {
		return 0, newImsx(http.StatusBadRequest, "invalid_data", "the credential's id is too long")
	}
	in.IssuerName = truncate(firstOf(c.Issuer.Name, c.Issuer.ID), 500)
	if strings.HasPrefix(c.Issuer.URL, "https://") || strings.HasPrefix(c.Issuer.URL, "http://") {
		in.IssuerURL = truncate(c.Issuer.URL, badge.MaxURLLen)
	}
	name := "Badge"
	if sub := c.CredentialSubject; sub != nil && sub.Achievement != nil {
		in.Description = truncate(sub.Achievement.Description, 5000)
		if n := strings.TrimSpace(sub.Achievement.Name); n != "" {
			name = truncate(n, badge.MaxNameLen)
		}
	}
	if t, err := c.AwardedDate.Time(); err == nil && c.AwardedDate != "" {
		in.IssuedAt = &t
	} else if rep.ValidFrom != nil {
		t := *rep.ValidFrom
		in.IssuedAt = &t
	}
	source := s.clientName(ctx, tok.ClientID)
	existing, err := s.db.ImportedItemByKey(ctx, u.ID, in.Key)
	switch {
	case err == nil:
		if prev, ok := credentialOf(existing.Credential); ok && heldIssuer(prev) != c.Issuer.ID {
			return 0, newImsx(http.StatusConflict, "invalid_data", "another issuer's badge with this id is in the portfolio")
		}
		if err := s.db.ReplaceImport(ctx, u.ID, existing.ID, body, source, in); err != nil {
			return 0, err
		}
		return http.StatusOK, nil
	case !badge.IsNotFound(err):
		return 0, err
	}
	it := &store.PortfolioItem{UserID: u.ID, Credential: body, Source: source, Name: name, Import: in}
	if err := s.db.ImportItem(ctx, it); err != nil {
		if badge.ErrorKind(err) == badge.Conflict {
			// Another request imported it meanwhile: an equal credential.
			if ex, err2 := s.db.ImportedItemByKey(ctx, u.ID, in.Key); err2 == nil {
				if err := s.db.ReplaceImport(ctx, u.ID, ex.ID, body, source, in); err != nil {
					return 0, err
				}
				return http.StatusOK, nil
			}
		}
		return 0, err
	}
	return http.StatusCreated, nil
}

// clientName is where an imported badge came from: the client's name.
func (s *ob3Server) clientName(ctx context.Context, clientID string) string {
	c, err := s.db.GetOAuthClient(ctx, clientID)
	if err != nil {
		return "Open Badges API"
	}
	return truncate(c.Name, 200)
}

// heldIssuer is the issuer id of a held credential.
func heldIssuer(h heldCredential) string {
	doc := []byte(h.json)
	if h.jws != "" {
		t, err := vcjwt.Parse(h.jws)
		if err != nil {
			return ""
		}
		doc = t.Credential
	}
	c, err := ob3.Parse(doc)
	if err != nil || c.Issuer == nil {
		return ""
	}
	return c.Issuer.ID
}

// issuedTo reports whether the credential's subject is one of the
// addresses: an e-mail identifier (plain or hashed) or a mailto: id.
func issuedTo(c *ob3.Credential, emails []string) bool {
	sub := c.CredentialSubject
	if sub == nil {
		return false
	}
	for _, e := range emails {
		for _, id := range sub.Identifier {
			if id.Matches(e) {
				return true
			}
		}
		if addr, ok := strings.CutPrefix(strings.ToLower(sub.ID), "mailto:"); ok && strings.EqualFold(addr, e) {
			return true
		}
	}
	return false
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
