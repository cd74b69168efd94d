package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// MaxIdempotencyKey bounds an Idempotency-Key; clients send UUIDs.
const MaxIdempotencyKey = 255

// MaxIdempotentResponse bounds a stored response: an award's JSON is a
// few kilobytes.
const MaxIdempotentResponse = 256 << 10

// IdempotencyKey is an organisation's Idempotency-Key: the request it came
// with (by hash) and, once the request is done, the response to replay to
// a retry. Status 0 means the first request is still running, or died
// before finishing.
type IdempotencyKey struct {
	IssuerID    string
	Key         string
	TokenID     string
	RequestHash string
	Status      int
	Response    []byte
	CreatedAt   time.Time
	CompletedAt *time.Time
}

// Done reports whether the request holding the key finished.
func (k *IdempotencyKey) Done() bool { return k.Status != 0 }

const idempotencyColumns = `issuer_id, idem_key, token_id, request_hash, status, response, created_at, completed_at`

func scanIdempotencyKey(row interface{ Scan(...any) error }) (*IdempotencyKey, error) {
	var (
		k         IdempotencyKey
		tokenID   sql.NullString
		response  string
		completed sql.NullTime
	)
	if err := row.Scan(&k.IssuerID, &k.Key, &tokenID, &k.RequestHash, &k.Status, &response, &k.CreatedAt, &completed); err != nil {
		return nil, err
	}
	k.TokenID, k.Response = tokenID.String, []byte(response)
	k.CreatedAt, k.CompletedAt = k.CreatedAt.UTC(), timePtr(completed)
	return &k, nil
}

// ReserveIdempotencyKey claims k.Key for a request. It returns nil when
// the caller holds the key now (and must Complete or Release it), or the
// row already stored under that key: of a request done (replay its
// response) or still running. The unique (issuer, key) pair makes two
// concurrent reservations end with exactly one holder. It sets CreatedAt.
func (s *DB) ReserveIdempotencyKey(ctx context.Context, k *IdempotencyKey) (*IdempotencyKey, error) {
	if k.Key == "" || len(k.Key) > MaxIdempotencyKey {
		return nil, badge.Invalidf("Idempotency-Key", "idempotency.key_invalid", "an Idempotency-Key has 1 to %d characters", MaxIdempotencyKey)
	}
	if k.IssuerID == "" || k.RequestHash == "" {
		return nil, badge.Internalf(nil, "reserve idempotency key: issuer and request hash are required")
	}
	now := s.timestamp()
	res, err := s.db.ExecContext(ctx, `INSERT INTO idempotency_keys (`+idempotencyColumns+`)
		VALUES ($1, $2, $3, $4, 0, '', $5, NULL) ON CONFLICT (issuer_id, idem_key) DO NOTHING`,
		k.IssuerID, k.Key, nullString(k.TokenID), k.RequestHash, now)
	if err != nil {
		return nil, badge.Internalf(err, "reserve idempotency key")
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, badge.Internalf(err, "reserve idempotency key")
	} else if n == 1 {
		k.Status, k.Response, k.CreatedAt, k.CompletedAt = 0, nil, now, nil
		return nil, nil
	}
	existing, err := s.GetIdempotencyKey(ctx, k.IssuerID, k.Key)
	if badge.IsNotFound(err) {
		// Released between our insert and read: the caller may retry.
		return nil, badge.Conflictf("Idempotency-Key", "idempotency.in_progress", "a request with this Idempotency-Key is in progress")
	}
	return existing, err
}

// GetIdempotencyKey reads an organisation's key.
func (s *DB) GetIdempotencyKey(ctx context.Context, issuerID, key string) (*IdempotencyKey, error) {
	k, err := scanIdempotencyKey(s.db.QueryRowContext(ctx, `SELECT `+idempotencyColumns+` FROM idempotency_keys
		WHERE issuer_id = $1 AND idem_key = $2`, issuerID, key))
	if err != nil {
		return nil, notFound(err, "idempotency.not_found", "idempotency key")
	}
	return k, nil
}

// CompleteIdempotencyKey stores the response of the request holding the
// key. status must be a real HTTP status.
func (s *DB) CompleteIdempotencyKey(ctx context.Context, issuerID, key string, status int, response []byte) error {
	if status < 100 || status > 599 {
		return badge.Internalf(nil, "complete idempotency key: status %d", status)
	}
	if len(response) > MaxIdempotentResponse {
		return badge.Internalf(nil, "complete idempotency key: response of %d bytes", len(response))
	}
	res, err := s.db.ExecContext(ctx, `UPDATE idempotency_keys SET status = $3, response = $4, completed_at = $5
		WHERE issuer_id = $1 AND idem_key = $2 AND status = 0`, issuerID, key, status, string(response), s.timestamp())
	if err != nil {
		return badge.Internalf(err, "complete idempotency key")
	}
	return oneRow(res, "idempotency.not_found", "pending idempotency key")
}

// ReleaseIdempotencyKey forgets a key whose request failed without
// effect, so that a retry runs it again.
func (s *DB) ReleaseIdempotencyKey(ctx context.Context, issuerID, key string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE issuer_id = $1 AND idem_key = $2 AND status = 0`, issuerID, key)
	if err != nil {
		return badge.Internalf(err, "release idempotency key")
	}
	return nil
}

// TakeOverIdempotencyKey lets a retry take a key whose request has been
// running since before staleBefore (its process died): the reservation is
// renewed in one statement, so that of several retries one only gets it.
// It reports whether the caller holds the key now.
func (s *DB) TakeOverIdempotencyKey(ctx context.Context, issuerID, key string, staleBefore time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE idempotency_keys SET created_at = $3
		WHERE issuer_id = $1 AND idem_key = $2 AND status = 0 AND created_at < $4`,
		issuerID, key, s.timestamp(), storedTime(staleBefore))
	if err != nil {
		return false, badge.Internalf(err, "take over idempotency key")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, badge.Internalf(err, "take over idempotency key")
	}
	return n == 1, nil
}

// PurgeIdempotencyKeys deletes the keys created before the time given
// (clients retry within hours, not days) and returns how many.
func (s *DB) PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, storedTime(before))
	if err != nil {
		return 0, badge.Internalf(err, "purge idempotency keys")
	}
	n, err := res.RowsAffected()
	return int(n), err
}
