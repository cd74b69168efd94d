package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// OAuth 2.0 for the Open Badges 3.0 API (tables oauth_clients,
// oauth_codes, oauth_tokens). The rules (PKCE, lifetimes, scopes) live in
// internal/oauth; this file stores and finds. Codes and tokens are looked
// up by the SHA-256 of their value; the values themselves are never kept.

// OAuth token kinds.
const (
	OAuthAccess  = "access"
	OAuthRefresh = "refresh"
)

// OAuthClient is a client registered by RFC 7591 dynamic registration.
type OAuthClient struct {
	ID            string
	SecretHash    string // hex SHA-256 of the client secret
	AuthMethod    string // client_secret_basic or client_secret_post
	Name          string
	ClientURI     string
	LogoURI       string
	PolicyURI     string
	TOSURI        string
	RedirectURIs  []string
	Scope         []string
	GrantTypes    []string
	ResponseTypes []string
	CreatedAt     time.Time
}

// OAuthCode is an authorization code waiting for its exchange.
type OAuthCode struct {
	Hash          string
	ClientID      string
	UserID        string
	RedirectURI   string
	Scope         []string
	CodeChallenge string // base64url SHA-256 of the verifier (S256)
	CreatedAt     time.Time
	ExpiresAt     time.Time
	UsedAt        *time.Time
	GrantID       string
}

// OAuthToken is an access or refresh token.
type OAuthToken struct {
	Hash      string
	Kind      string // OAuthAccess or OAuthRefresh
	GrantID   string
	ClientID  string
	UserID    string
	Scope     []string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// HasScope reports whether the token was granted scope.
func (t *OAuthToken) HasScope(scope string) bool {
	for _, s := range t.Scope {
		if s == scope {
			return true
		}
	}
	return false
}

// CreateOAuthClient stores a registered client (its ID chosen by the
// caller: it is the client_id given to the client).
func (s *DB) CreateOAuthClient(ctx context.Context, c *OAuthClient) error {
	c.CreatedAt = s.timestamp()
	_, err := s.db.ExecContext(ctx, `INSERT INTO oauth_clients (id, secret_hash, auth_method, name, client_uri, logo_uri,
		policy_uri, tos_uri, redirect_uris, scope, grant_types, response_types, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.ID, c.SecretHash, c.AuthMethod, c.Name, c.ClientURI, c.LogoURI, c.PolicyURI, c.TOSURI,
		strings.Join(c.RedirectURIs, "\n"), strings.Join(c.Scope, " "), strings.Join(c.GrantTypes, " "),
		strings.Join(c.ResponseTypes, " "), c.CreatedAt)
	if constraintOf(err) == uniqueViolation {
		return badge.Conflictf("", "oauth.client_exists", "client %s already exists", c.ID)
	}
	if err != nil {
		return badge.Internalf(err, "insert OAuth client")
	}
	return nil
}

// GetOAuthClient reads a client by its client_id.
func (s *DB) GetOAuthClient(ctx context.Context, id string) (*OAuthClient, error) {
	var c OAuthClient
	var uris, scope, grants, responses string
	err := s.db.QueryRowContext(ctx, `SELECT id, secret_hash, auth_method, name, client_uri, logo_uri, policy_uri, tos_uri,
		redirect_uris, scope, grant_types, response_types, created_at FROM oauth_clients WHERE id = $1`, id).
		Scan(&c.ID, &c.SecretHash, &c.AuthMethod, &c.Name, &c.ClientURI, &c.LogoURI, &c.PolicyURI, &c.TOSURI,
			&uris, &scope, &grants, &responses, &c.CreatedAt)
	if err != nil {
		return nil, notFound(err, "oauth.client_not_found", "OAuth client")
	}
	c.RedirectURIs = splitNonEmpty(uris, "\n")
	c.Scope, c.GrantTypes, c.ResponseTypes = strings.Fields(scope), strings.Fields(grants), strings.Fields(responses)
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

func splitNonEmpty(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// CreateOAuthCode stores an authorization code (Hash, ExpiresAt and the
// request's fields set by the caller).
func (s *DB) CreateOAuthCode(ctx context.Context, c *OAuthCode) error {
	c.CreatedAt = s.timestamp()
	_, err := s.db.ExecContext(ctx, `INSERT INTO oauth_codes (hash, client_id, user_id, redirect_uri, scope, code_challenge,
		created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		c.Hash, c.ClientID, c.UserID, c.RedirectURI, strings.Join(c.Scope, " "), c.CodeChallenge, c.CreatedAt, storedTime(c.ExpiresAt))
	switch constraintOf(err) {
	case uniqueViolation:
		return badge.Conflictf("", "oauth.code_exists", "authorization code already exists")
	case foreignKeyViolation:
		return badge.NotFoundf("oauth.client_not_found", "client or user not found")
	}
	if err != nil {
		return badge.Internalf(err, "insert authorization code")
	}
	return nil
}

// ErrOAuthCodeUsed is the code of the Conflict UseOAuthCode returns for a
// code already exchanged.
const ErrOAuthCodeUsed = "oauth.code_used"

// UseOAuthCode marks a code used by the grant grantID and returns it as
// it was before. A code already used is a Conflict (code
// ErrOAuthCodeUsed): the tokens of its grant are revoked in the same
// transaction, since a second use means the code leaked (RFC 6749,
// section 4.1.2). An unknown code is NotFound. Expiry and the client are
// the caller's to check.
func (s *DB) UseOAuthCode(ctx context.Context, hash, grantID string) (*OAuthCode, error) {
	var code *OAuthCode
	reused := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var c OAuthCode
		var scope string
		var used sql.NullTime
		var grant sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT hash, client_id, user_id, redirect_uri, scope, code_challenge, created_at,
			expires_at, used_at, grant_id FROM oauth_codes WHERE hash = $1`, hash).
			Scan(&c.Hash, &c.ClientID, &c.UserID, &c.RedirectURI, &scope, &c.CodeChallenge, &c.CreatedAt, &c.ExpiresAt, &used, &grant)
		if err != nil {
			return notFound(err, "oauth.code_not_found", "authorization code")
		}
		c.Scope, c.UsedAt, c.GrantID = strings.Fields(scope), timePtr(used), grant.String
		c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
		code = &c
		now := s.timestamp()
		res, err := tx.ExecContext(ctx, `UPDATE oauth_codes SET used_at = $2, grant_id = $3 WHERE hash = $1 AND used_at IS NULL`,
			hash, now, grantID)
		if err != nil {
			return badge.Internalf(err, "use authorization code")
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		reused = true
		if c.GrantID == "" {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL`,
			c.GrantID, now); err != nil {
			return badge.Internalf(err, "revoke tokens of a reused code")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if reused {
		return code, badge.Conflictf("", ErrOAuthCodeUsed, "the authorization code was already used")
	}
	return code, nil
}

// CreateOAuthTokens stores tokens (Hash, Kind, GrantID, ClientID, UserID,
// Scope and ExpiresAt set by the caller) in one transaction.
func (s *DB) CreateOAuthTokens(ctx context.Context, toks ...*OAuthToken) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.insertOAuthTokens(ctx, tx, toks) })
}

func (s *DB) insertOAuthTokens(ctx context.Context, tx *sql.Tx, toks []*OAuthToken) error {
	now := s.timestamp()
	for _, t := range toks {
		t.CreatedAt = now
		_, err := tx.ExecContext(ctx, `INSERT INTO oauth_tokens (hash, kind, grant_id, client_id, user_id, scope, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			t.Hash, t.Kind, t.GrantID, t.ClientID, t.UserID, strings.Join(t.Scope, " "), t.CreatedAt, storedTime(t.ExpiresAt))
		switch constraintOf(err) {
		case uniqueViolation:
			return badge.Conflictf("", "oauth.token_exists", "token already exists")
		case foreignKeyViolation:
			return badge.NotFoundf("oauth.client_not_found", "client or user not found")
		}
		if err != nil {
			return badge.Internalf(err, "insert OAuth token")
		}
	}
	return nil
}

// GetOAuthToken reads a token by its hash, revoked or expired alike.
func (s *DB) GetOAuthToken(ctx context.Context, hash string) (*OAuthToken, error) {
	var t OAuthToken
	var scope string
	var revoked sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT hash, kind, grant_id, client_id, user_id, scope, created_at, expires_at, revoked_at
		FROM oauth_tokens WHERE hash = $1`, hash).
		Scan(&t.Hash, &t.Kind, &t.GrantID, &t.ClientID, &t.UserID, &scope, &t.CreatedAt, &t.ExpiresAt, &revoked)
	if err != nil {
		return nil, notFound(err, "oauth.token_not_found", "OAuth token")
	}
	t.Scope, t.RevokedAt = strings.Fields(scope), timePtr(revoked)
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	return &t, nil
}

// ErrOAuthRefreshUsed is the code of the Conflict RotateOAuthRefresh
// returns for a refresh token already revoked or rotated.
const ErrOAuthRefreshUsed = "oauth.refresh_used"

// RotateOAuthRefresh revokes the refresh token oldHash and stores its
// successors in one transaction. A refresh token already revoked is a
// Conflict (code ErrOAuthRefreshUsed) and its whole grant is revoked: a
// rotated token presented again was copied by someone.
func (s *DB) RotateOAuthRefresh(ctx context.Context, oldHash string, next ...*OAuthToken) error {
	reused := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.timestamp()
		res, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = $2 WHERE hash = $1 AND kind = $3 AND revoked_at IS NULL`,
			oldHash, now, OAuthRefresh)
		if err != nil {
			return badge.Internalf(err, "rotate refresh token")
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return s.insertOAuthTokens(ctx, tx, next)
		}
		reused = true
		_, err = tx.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = $2
			WHERE grant_id = (SELECT grant_id FROM oauth_tokens WHERE hash = $1) AND revoked_at IS NULL`, oldHash, now)
		if err != nil {
			return badge.Internalf(err, "revoke grant of a reused refresh token")
		}
		return nil
	})
	if err != nil {
		return err
	}
	if reused {
		return badge.Conflictf("", ErrOAuthRefreshUsed, "the refresh token was already used or revoked")
	}
	return nil
}

// RevokeOAuthToken revokes one token of the client. Revoking a refresh
// token revokes its whole grant (RFC 7009, section 2.1: its access tokens
// too). A token unknown, already revoked or another client's changes
// nothing and is no error: RFC 7009 answers 200 alike.
func (s *DB) RevokeOAuthToken(ctx context.Context, hash, clientID string) error {
	t, err := s.GetOAuthToken(ctx, hash)
	if badge.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if t.ClientID != clientID {
		return nil
	}
	if t.Kind == OAuthRefresh {
		return s.RevokeOAuthGrant(ctx, t.GrantID)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = $2 WHERE hash = $1 AND revoked_at IS NULL`,
		hash, s.timestamp()); err != nil {
		return badge.Internalf(err, "revoke OAuth token")
	}
	return nil
}

// RevokeOAuthGrant revokes every token of a grant.
func (s *DB) RevokeOAuthGrant(ctx context.Context, grantID string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL`,
		grantID, s.timestamp()); err != nil {
		return badge.Internalf(err, "revoke OAuth grant %s", grantID)
	}
	return nil
}

// DeleteExpiredOAuth removes codes and tokens that expired before before
// (a housekeeping job calls it) and returns how many rows went.
func (s *DB) DeleteExpiredOAuth(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for _, q := range []string{`DELETE FROM oauth_codes WHERE expires_at < $1`, `DELETE FROM oauth_tokens WHERE expires_at < $1`} {
		res, err := s.db.ExecContext(ctx, q, storedTime(before))
		if err != nil {
			return total, badge.Internalf(err, "delete expired OAuth rows")
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
