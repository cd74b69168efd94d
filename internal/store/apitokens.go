package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sceau/sceau/internal/badge"
)

// API token scopes: what a token of the integration API may do.
const (
	ScopeAward = "award" // create and revoke awards
	ScopeRead  = "read"  // read awards and badge definitions
)

// Scopes lists the valid scopes, in the order pages show them.
var Scopes = []string{ScopeAward, ScopeRead}

// Bounds on API tokens.
const (
	MaxAPITokenName      = 100
	MaxAPITokensPerOrg   = 100
	maxAPITokenPrefixLen = 20
)

// APITokenPrefix starts every API token, so that a token pasted where it
// should not be (a public repository) is recognisable by secret scanners.
const APITokenPrefix = "sceau_"

// apiTokenShown is how many characters of a token lists show.
const apiTokenShown = len(APITokenPrefix) + 4

// NewAPITokenSecret returns a new token: APITokenPrefix and 32 random
// bytes in base64url (49 characters), and the prefix lists show. Store its
// hash (badge.HashSecret), never the token.
func NewAPITokenSecret(r io.Reader) (token, prefix string, err error) {
	secret, err := badge.NewSecret(r)
	if err != nil {
		return "", "", fmt.Errorf("new API token: %w", err)
	}
	token = APITokenPrefix + secret
	return token, token[:apiTokenShown], nil
}

// APIToken is an organisation's credential for the integration API. The
// secret itself is shown once, when created; only its SHA-256 (Hash) and
// its first characters (Prefix) are kept.
type APIToken struct {
	ID         string
	IssuerID   string
	Name       string
	Prefix     string
	Hash       string // hex SHA-256 of the whole token
	Scopes     []string
	CreatedBy  string // user id; "" once that account is gone
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Allows reports whether the token carries scope.
func (t *APIToken) Allows(scope string) bool {
	for _, s := range t.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

const apiTokenColumns = `id, issuer_id, name, prefix, hash, scopes, created_by, created_at, last_used_at, revoked_at`

func scanAPIToken(row interface{ Scan(...any) error }) (*APIToken, error) {
	var (
		t               APIToken
		scopes          string
		createdBy       sql.NullString
		lastUsed, revok sql.NullTime
	)
	if err := row.Scan(&t.ID, &t.IssuerID, &t.Name, &t.Prefix, &t.Hash, &scopes, &createdBy, &t.CreatedAt, &lastUsed, &revok); err != nil {
		return nil, err
	}
	t.Scopes = strings.Fields(scopes)
	t.CreatedBy = createdBy.String
	t.CreatedAt = t.CreatedAt.UTC()
	t.LastUsedAt, t.RevokedAt = timePtr(lastUsed), timePtr(revok)
	return &t, nil
}

// checkScopes validates a scope list and returns it in canonical order
// without duplicates.
func checkScopes(scopes []string) ([]string, error) {
	seen := map[string]bool{}
	for _, s := range scopes {
		if s != ScopeAward && s != ScopeRead {
			return nil, badge.Invalidf("scopes", "api_token.scope_invalid", "unknown scope %q (award, read)", s)
		}
		seen[s] = true
	}
	var out []string
	for _, s := range Scopes {
		if seen[s] {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, badge.Invalidf("scopes", "api_token.scope_required", "choose at least one scope")
	}
	return out, nil
}

// CreateAPIToken stores a new token of t.IssuerID. It sets ID, Scopes (in
// canonical order) and CreatedAt. An organisation has at most
// MaxAPITokensPerOrg tokens that are not revoked.
func (s *DB) CreateAPIToken(ctx context.Context, t *APIToken) error {
	t.Name = strings.TrimSpace(t.Name)
	switch {
	case t.Name == "":
		return badge.Invalidf("name", "api_token.name_required", "give the token a name")
	case utf8.RuneCountInString(t.Name) > MaxAPITokenName:
		return badge.Invalidf("name", "api_token.name_too_long", "the name is longer than %d characters", MaxAPITokenName)
	case t.IssuerID == "" || len(t.Hash) != 64 || t.Prefix == "" || len(t.Prefix) > maxAPITokenPrefixLen:
		return badge.Internalf(nil, "create API token: issuer, hash and prefix are required")
	}
	scopes, err := checkScopes(t.Scopes)
	if err != nil {
		return err
	}
	id, err := s.newID()
	if err != nil {
		return badge.Internalf(err, "new API token id")
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_tokens WHERE issuer_id = $1 AND revoked_at IS NULL`,
			t.IssuerID).Scan(&n); err != nil {
			return badge.Internalf(err, "count API tokens")
		}
		if n >= MaxAPITokensPerOrg {
			return badge.Conflictf("", "api_token.too_many", "an organisation has at most %d active tokens: revoke one first", MaxAPITokensPerOrg)
		}
		now := s.timestamp()
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (`+apiTokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)`,
			id, t.IssuerID, t.Name, t.Prefix, t.Hash, strings.Join(scopes, " "), nullString(t.CreatedBy), now)
		switch constraintOf(err) {
		case uniqueViolation:
			return badge.Conflictf("", "api_token.hash_taken", "this token exists already")
		case foreignKeyViolation:
			return badge.NotFoundf("issuer.not_found", "issuer %s not found", t.IssuerID)
		}
		if err != nil {
			return badge.Internalf(err, "create API token")
		}
		t.ID, t.Scopes, t.CreatedAt, t.LastUsedAt, t.RevokedAt = id, scopes, now, nil, nil
		return nil
	})
}

// ListAPITokens returns the organisation's tokens, newest first, revoked
// ones included.
func (s *DB) ListAPITokens(ctx context.Context, issuerID string) ([]*APIToken, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE issuer_id = $1
		ORDER BY created_at DESC, id`, issuerID)
	if err != nil {
		return nil, badge.Internalf(err, "list API tokens")
	}
	defer rows.Close()
	var out []*APIToken
	for rows.Next() {
		t, err := scanAPIToken(rows)
		if err != nil {
			return nil, badge.Internalf(err, "list API tokens")
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list API tokens")
	}
	return out, nil
}

// APITokenByHash returns the token with that hash, revoked or not (the
// caller tells the client which); an unknown hash is a NotFound.
func (s *DB) APITokenByHash(ctx context.Context, hash string) (*APIToken, error) {
	t, err := scanAPIToken(s.db.QueryRowContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens WHERE hash = $1`, hash))
	if err != nil {
		return nil, notFound(err, "api_token.not_found", "API token")
	}
	return t, nil
}

// TouchAPIToken records that the token was used at at, unless that was
// already recorded less than every ago: a busy integration should not
// turn every read into a write.
func (s *DB) TouchAPIToken(ctx context.Context, id string, at time.Time, every time.Duration) error {
	at = storedTime(at)
	_, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $2
		WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)`, id, at, storedTime(at.Add(-every)))
	if err != nil {
		return badge.Internalf(err, "record use of API token %s", id)
	}
	return nil
}

// RevokeAPIToken revokes the organisation's token for good. A token of
// another organisation is a NotFound; one already revoked a Conflict.
func (s *DB) RevokeAPIToken(ctx context.Context, issuerID, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var revoked sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM api_tokens WHERE id = $1 AND issuer_id = $2`, id, issuerID).Scan(&revoked)
		if err != nil {
			return notFound(err, "api_token.not_found", "API token")
		}
		if revoked.Valid {
			return badge.Conflictf("", "api_token.already_revoked", "the token is revoked already")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND issuer_id = $2`,
			id, issuerID, s.timestamp()); err != nil {
			return badge.Internalf(err, "revoke API token %s", id)
		}
		return nil
	})
}

// ListAwardsSince is ListAwards restricted to awards made at or after
// since (zero: no restriction), for the integration API's "since" filter.
//
// It belongs with ListAwards: AwardFilter should gain a Since field, and
// this method go, once awards.go can be changed.
func (s *DB) ListAwardsSince(ctx context.Context, f AwardFilter, since time.Time) ([]*badge.Award, error) {
	if since.IsZero() {
		return s.ListAwards(ctx, f)
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, badge.Invalidf("status", "award.status_invalid", "status must be active, revoked or suspended")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultAwardLimit
	}
	limit = min(limit, MaxAwardLimit)
	where, args := f.sinceWhere(since)
	args = append(args, limit, max(f.Offset, 0))
	q := `SELECT ` + awardListColumns + ` FROM awards` + where +
		` ORDER BY awarded_at DESC, id LIMIT $` + strconv.Itoa(len(args)-1) + ` OFFSET $` + strconv.Itoa(len(args))
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, badge.Internalf(err, "list awards")
	}
	defer rows.Close()
	var out []*badge.Award
	for rows.Next() {
		var a badge.Award
		if err := scanAward(rows, &a, false); err != nil {
			return nil, badge.Internalf(err, "list awards")
		}
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list awards")
	}
	return out, nil
}

// CountAwardsSince counts what ListAwardsSince pages through.
func (s *DB) CountAwardsSince(ctx context.Context, f AwardFilter, since time.Time) (int, error) {
	if since.IsZero() {
		return s.CountAwards(ctx, f)
	}
	where, args := f.sinceWhere(since)
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM awards`+where, args...).Scan(&n); err != nil {
		return 0, badge.Internalf(err, "count awards")
	}
	return n, nil
}

// sinceWhere is where() with "awarded_at >= since" added.
func (f *AwardFilter) sinceWhere(since time.Time) (string, []any) {
	where, args := f.where()
	args = append(args, storedTime(since))
	cond := "awarded_at >= $" + strconv.Itoa(len(args))
	if where == "" {
		return " WHERE " + cond, args
	}
	return where + " AND " + cond, args
}
