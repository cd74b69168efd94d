package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// CreateToken stores a one-time token (its hash: the secret itself is
// only in the e-mail). CreatedAt is set.
func (s *DB) CreateToken(ctx context.Context, t *badge.Token) error {
	return s.CreateTokenTx(ctx, nil, t)
}

// CreateTokenTx is CreateToken inside tx (nil: outside any transaction).
func (s *DB) CreateTokenTx(ctx context.Context, tx *sql.Tx, t *badge.Token) error {
	if t.Hash == "" || t.Kind == "" || t.ExpiresAt.IsZero() {
		return badge.Internalf(nil, "create token: hash, kind and expiry are required")
	}
	if t.Data == "" {
		t.Data = "{}"
	}
	t.CreatedAt = s.timestamp()
	var db execer = s.db
	if tx != nil {
		db = tx
	}
	_, err := db.ExecContext(ctx, `INSERT INTO tokens (hash, kind, user_id, email, data, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		t.Hash, string(t.Kind), nullString(t.UserID), t.Email, t.Data, storedTime(t.ExpiresAt), t.CreatedAt)
	if err != nil {
		return badge.Internalf(err, "create %s token", t.Kind)
	}
	return nil
}

// UseToken marks the token of that kind and hash as used and returns it,
// in one statement, so that two requests racing with the same link cannot
// both succeed. An unknown, used or expired token is a NotFound: the page
// says "this link is no longer valid" without telling which.
func (s *DB) UseToken(ctx context.Context, kind badge.TokenKind, hash string) (*badge.Token, error) {
	now := s.timestamp()
	var t badge.Token
	var userID sql.NullString
	err := s.db.QueryRowContext(ctx, `UPDATE tokens SET used_at = $3
		WHERE hash = $1 AND kind = $2 AND used_at IS NULL AND expires_at > $3
		RETURNING hash, kind, user_id, email, data, expires_at, created_at`,
		hash, string(kind), now).Scan(&t.Hash, &t.Kind, &userID, &t.Email, &t.Data, &t.ExpiresAt, &t.CreatedAt)
	if err != nil {
		return nil, notFound(err, "token.invalid", "token")
	}
	t.UserID, t.UsedAt = userID.String, &now
	t.ExpiresAt, t.CreatedAt = t.ExpiresAt.UTC(), t.CreatedAt.UTC()
	return &t, nil
}

// PeekToken reads a valid token without using it (to show what an
// invitation is for before it is accepted).
func (s *DB) PeekToken(ctx context.Context, kind badge.TokenKind, hash string) (*badge.Token, error) {
	var t badge.Token
	var userID sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT hash, kind, user_id, email, data, expires_at, created_at FROM tokens
		WHERE hash = $1 AND kind = $2 AND used_at IS NULL AND expires_at > $3`,
		hash, string(kind), s.timestamp()).Scan(&t.Hash, &t.Kind, &userID, &t.Email, &t.Data, &t.ExpiresAt, &t.CreatedAt)
	if err != nil {
		return nil, notFound(err, "token.invalid", "token")
	}
	t.UserID = userID.String
	t.ExpiresAt, t.CreatedAt = t.ExpiresAt.UTC(), t.CreatedAt.UTC()
	return &t, nil
}

// DeleteExpiredTokens removes tokens that expired before the time given,
// and returns how many.
func (s *DB) DeleteExpiredTokens(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM tokens WHERE expires_at < $1`, storedTime(before))
	if err != nil {
		return 0, badge.Internalf(err, "delete expired tokens")
	}
	return res.RowsAffected()
}
