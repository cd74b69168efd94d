package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// Sessions is the session store of the web layer (it satisfies
// scs.CtxStore). Rows are keyed by the SHA-256 of the session token, so
// that a copy of the database holds no usable session cookie.
type Sessions struct{ db *DB }

// Sessions returns the session store on this database.
func (s *DB) Sessions() *Sessions { return &Sessions{db: s} }

// FindCtx returns the data of an unexpired session.
func (ss *Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := ss.db.db.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token = $1 AND expiry > $2`,
		badge.HashSecret(token), ss.db.timestamp()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// CommitCtx stores a session's data and expiry.
func (ss *Sessions) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	_, err := ss.db.db.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
		badge.HashSecret(token), data, storedTime(expiry))
	return err
}

// DeleteCtx removes a session.
func (ss *Sessions) DeleteCtx(ctx context.Context, token string) error {
	_, err := ss.db.db.ExecContext(ctx, `DELETE FROM sessions WHERE token = $1`, badge.HashSecret(token))
	return err
}

// Find, Commit and Delete complete scs.Store; scs calls the Ctx forms.
func (ss *Sessions) Find(token string) ([]byte, bool, error) {
	return ss.FindCtx(context.Background(), token)
}

func (ss *Sessions) Commit(token string, data []byte, expiry time.Time) error {
	return ss.CommitCtx(context.Background(), token, data, expiry)
}

func (ss *Sessions) Delete(token string) error { return ss.DeleteCtx(context.Background(), token) }

// DeleteExpired removes expired sessions.
func (ss *Sessions) DeleteExpired(ctx context.Context) error {
	_, err := ss.db.db.ExecContext(ctx, `DELETE FROM sessions WHERE expiry < $1`, ss.db.timestamp())
	return err
}
