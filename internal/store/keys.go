package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

const keyColumns = `id, issuer_id, key_id, public_key_multibase, encrypted_private_key, created_at, retired_at`

// AddIssuerKey stores a new key of an issuer and sets its ID (when empty)
// and CreatedAt. A key_id already used by the issuer is a Conflict; an
// unknown issuer is NotFound.
func (s *DB) AddIssuerKey(ctx context.Context, k *badge.IssuerKey) error {
	if err := s.prepareKey(k); err != nil {
		return err
	}
	k.CreatedAt = s.timestamp()
	return insertKey(ctx, s.db, k)
}

// prepareKey validates a new key and sets its ID (when empty); it
// normalises RetiredAt as stored.
func (s *DB) prepareKey(k *badge.IssuerKey) error {
	if err := k.Validate(); err != nil {
		return err
	}
	if k.ID == "" {
		id, err := s.newID()
		if err != nil {
			return badge.Internalf(err, "add issuer key")
		}
		k.ID = id
	}
	k.RetiredAt = storedTimePtr(k.RetiredAt)
	return nil
}

// execer is what *sql.DB and *sql.Tx share, so that a key is written the same
// way alone or with its new issuer.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insertKey writes a prepared key.
func insertKey(ctx context.Context, db execer, k *badge.IssuerKey) error {
	_, err := db.ExecContext(ctx, `INSERT INTO issuer_keys (`+keyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, k.IssuerID, k.KeyID, k.PublicKeyMultibase, k.EncryptedPrivateKey, k.CreatedAt, nullTime(k.RetiredAt))
	switch constraintOf(err) {
	case uniqueViolation:
		return badge.Conflictf("key_id", "key.key_id_taken", "the issuer already has a key %q", k.KeyID)
	case foreignKeyViolation:
		return badge.NotFoundf("issuer.not_found", "issuer not found")
	}
	if err != nil {
		return badge.Internalf(err, "add key %s of issuer %s", k.KeyID, k.IssuerID)
	}
	return nil
}

// ListIssuerKeys returns all keys of an issuer, retired ones included (so
// that earlier credentials still verify), oldest first. An issuer without
// keys, or an unknown issuer, has an empty list.
func (s *DB) ListIssuerKeys(ctx context.Context, issuerID string) ([]*badge.IssuerKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+keyColumns+` FROM issuer_keys WHERE issuer_id = $1 ORDER BY created_at, key_id`, issuerID)
	if err != nil {
		return nil, badge.Internalf(err, "list keys of issuer %s", issuerID)
	}
	defer rows.Close()
	var out []*badge.IssuerKey
	for rows.Next() {
		var k badge.IssuerKey
		var retired sql.NullTime
		if err := rows.Scan(&k.ID, &k.IssuerID, &k.KeyID, &k.PublicKeyMultibase, &k.EncryptedPrivateKey, &k.CreatedAt, &retired); err != nil {
			return nil, badge.Internalf(err, "list keys of issuer %s", issuerID)
		}
		k.CreatedAt = k.CreatedAt.UTC()
		k.RetiredAt = timePtr(retired)
		out = append(out, &k)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list keys of issuer %s", issuerID)
	}
	return out, nil
}

// RetireIssuerKey marks a key as no longer used for signing, at the given
// time. Retiring a retired key keeps its first retirement time.
func (s *DB) RetireIssuerKey(ctx context.Context, issuerID, keyID string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE issuer_keys SET retired_at = COALESCE(retired_at, $3)
		WHERE issuer_id = $1 AND key_id = $2`, issuerID, keyID, storedTime(at))
	if err != nil {
		return badge.Internalf(err, "retire key %s of issuer %s", keyID, issuerID)
	}
	return oneRow(res, "key.not_found", "key")
}
