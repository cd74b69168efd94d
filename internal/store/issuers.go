package store

import (
	"context"
	"database/sql"

	"github.com/sceau/sceau/internal/badge"
)

const issuerColumns = `id, slug, name, description, url, email, image_key, language, created_at, updated_at`

func scanIssuer(row interface{ Scan(...any) error }, i *badge.Issuer) error {
	err := row.Scan(&i.ID, &i.Slug, &i.Name, &i.Description, &i.URL, &i.Email, &i.ImageKey, &i.Language,
		&i.CreatedAt, &i.UpdatedAt)
	i.CreatedAt, i.UpdatedAt = i.CreatedAt.UTC(), i.UpdatedAt.UTC()
	return err
}

// CreateIssuer validates and stores a new issuer, with its status list
// counter. It sets ID (when empty), CreatedAt and UpdatedAt. A taken slug is
// a Conflict.
func (s *DB) CreateIssuer(ctx context.Context, i *badge.Issuer) error {
	if err := s.prepareIssuer(i); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return insertIssuer(ctx, tx, i) })
}

// CreateIssuerWithKey stores a new issuer, its status list counter and its
// first key in one transaction, so that an issuer never exists without a key
// to sign with. It sets the issuer's ID (when empty), the key's IssuerID to
// it, the key's ID (when empty) and both creation times. An invalid issuer or
// key stores nothing; a taken slug is a Conflict and stores nothing either.
// Callers that seal the key with the issuer ID as additional data set i.ID
// first (badge.NewID).
func (s *DB) CreateIssuerWithKey(ctx context.Context, i *badge.Issuer, k *badge.IssuerKey) error {
	if err := s.prepareIssuer(i); err != nil {
		return err
	}
	k.IssuerID = i.ID
	if err := s.prepareKey(k); err != nil {
		return err
	}
	// The key is created with its issuer: one time for both.
	k.CreatedAt = i.CreatedAt
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := insertIssuer(ctx, tx, i); err != nil {
			return err
		}
		return insertKey(ctx, tx, k)
	})
}

// prepareIssuer validates a new issuer and sets its ID (when empty),
// CreatedAt and UpdatedAt.
func (s *DB) prepareIssuer(i *badge.Issuer) error {
	if err := i.Validate(); err != nil {
		return err
	}
	if i.ID == "" {
		id, err := s.newID()
		if err != nil {
			return badge.Internalf(err, "create issuer")
		}
		i.ID = id
	}
	now := s.timestamp()
	i.CreatedAt, i.UpdatedAt = now, now
	return nil
}

// insertIssuer writes a prepared issuer and its status list counter.
func insertIssuer(ctx context.Context, tx *sql.Tx, i *badge.Issuer) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO issuers (`+issuerColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		i.ID, i.Slug, i.Name, i.Description, i.URL, i.Email, i.ImageKey, i.Language, i.CreatedAt, i.UpdatedAt)
	if constraintOf(err) == uniqueViolation {
		return badge.Conflictf("slug", "issuer.slug_taken", "an issuer with the address %q already exists", i.Slug)
	}
	if err != nil {
		return badge.Internalf(err, "create issuer %s", i.Slug)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO status_lists (issuer_id, next_index, updated_at) VALUES ($1, 0, $2)`,
		i.ID, i.CreatedAt); err != nil {
		return badge.Internalf(err, "create status list of issuer %s", i.Slug)
	}
	return nil
}

// GetIssuer returns the issuer with the given ID.
func (s *DB) GetIssuer(ctx context.Context, id string) (*badge.Issuer, error) {
	var i badge.Issuer
	err := scanIssuer(s.db.QueryRowContext(ctx, `SELECT `+issuerColumns+` FROM issuers WHERE id = $1`, id), &i)
	if err != nil {
		return nil, notFound(err, "issuer.not_found", "issuer")
	}
	return &i, nil
}

// GetIssuerBySlug returns the issuer with the given slug.
func (s *DB) GetIssuerBySlug(ctx context.Context, slug string) (*badge.Issuer, error) {
	var i badge.Issuer
	err := scanIssuer(s.db.QueryRowContext(ctx, `SELECT `+issuerColumns+` FROM issuers WHERE slug = $1`, slug), &i)
	if err != nil {
		return nil, notFound(err, "issuer.not_found", "issuer")
	}
	return &i, nil
}

// UpdateIssuer validates and saves an issuer's fields (all but ID and
// CreatedAt), and sets UpdatedAt.
func (s *DB) UpdateIssuer(ctx context.Context, i *badge.Issuer) error {
	if err := i.Validate(); err != nil {
		return err
	}
	now := s.timestamp()
	res, err := s.db.ExecContext(ctx, `UPDATE issuers
		SET slug = $2, name = $3, description = $4, url = $5, email = $6, image_key = $7, language = $8, updated_at = $9
		WHERE id = $1`,
		i.ID, i.Slug, i.Name, i.Description, i.URL, i.Email, i.ImageKey, i.Language, now)
	if constraintOf(err) == uniqueViolation {
		return badge.Conflictf("slug", "issuer.slug_taken", "an issuer with the address %q already exists", i.Slug)
	}
	if err != nil {
		return badge.Internalf(err, "update issuer %s", i.ID)
	}
	if err := oneRow(res, "issuer.not_found", "issuer"); err != nil {
		return err
	}
	i.UpdatedAt = now
	return nil
}

// ListIssuers returns all issuers by name.
func (s *DB) ListIssuers(ctx context.Context) ([]*badge.Issuer, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+issuerColumns+` FROM issuers ORDER BY name, id`)
	if err != nil {
		return nil, badge.Internalf(err, "list issuers")
	}
	defer rows.Close()
	var out []*badge.Issuer
	for rows.Next() {
		var i badge.Issuer
		if err := scanIssuer(rows, &i); err != nil {
			return nil, badge.Internalf(err, "list issuers")
		}
		out = append(out, &i)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list issuers")
	}
	return out, nil
}

// oneRow turns an UPDATE or DELETE that touched no row into NotFound.
func oneRow(res sql.Result, code, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return badge.Internalf(err, "update %s", what)
	}
	if n == 0 {
		return badge.NotFoundf(code, "%s not found", what)
	}
	return nil
}
