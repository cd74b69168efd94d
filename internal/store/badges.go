package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/sceau/sceau/internal/badge"
)

const badgeColumns = `id, issuer_id, slug, name, description, criteria_narrative, criteria_url, image_key, image_type,
	achievement_type, tags, alignments, language, result_descriptions, validity_days, creator_issuer_id, created_at, updated_at, applications_open`

// badgeLists holds a badge's list fields encoded as JSON text.
type badgeLists struct{ tags, alignments, results string }

func encodeBadgeLists(b *badge.Badge) (badgeLists, error) {
	var l badgeLists
	var err error
	if l.tags, err = jsonText(b.Tags); err != nil {
		return l, err
	}
	if l.alignments, err = jsonText(b.Alignments); err != nil {
		return l, err
	}
	l.results, err = jsonText(b.ResultDescriptions)
	return l, err
}

// jsonText encodes a list as JSON, nil as [] so the column is never null.
func jsonText[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func fromJSONText[T any](s string, v *[]T) error {
	*v = nil
	if s == "" || s == "[]" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}

func scanBadge(row interface{ Scan(...any) error }, b *badge.Badge) error {
	var l badgeLists
	var creator sql.NullString
	if err := row.Scan(&b.ID, &b.IssuerID, &b.Slug, &b.Name, &b.Description, &b.CriteriaNarrative, &b.CriteriaURL,
		&b.ImageKey, &b.ImageType, &b.AchievementType, &l.tags, &l.alignments, &b.Language, &l.results,
		&b.ValidityDays, &creator, &b.CreatedAt, &b.UpdatedAt, &b.ApplicationsOpen); err != nil {
		return err
	}
	b.CreatorIssuerID = creator.String
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	if err := fromJSONText(l.tags, &b.Tags); err != nil {
		return fmt.Errorf("badge %s tags: %w", b.ID, err)
	}
	if err := fromJSONText(l.alignments, &b.Alignments); err != nil {
		return fmt.Errorf("badge %s alignments: %w", b.ID, err)
	}
	if err := fromJSONText(l.results, &b.ResultDescriptions); err != nil {
		return fmt.Errorf("badge %s result descriptions: %w", b.ID, err)
	}
	return nil
}

// badgeWriteError classifies a failed insert or update of a badge.
func badgeWriteError(err error, b *badge.Badge, doing string) error {
	switch constraintOf(err) {
	case uniqueViolation:
		return badge.Conflictf("slug", "badge.slug_taken", "the issuer already has a badge with the address %q", b.Slug)
	case foreignKeyViolation:
		return badge.NotFoundf("issuer.not_found", "issuer not found")
	}
	return badge.Internalf(err, "%s badge %s", doing, b.Slug)
}

// CreateBadge validates and stores a new badge definition; it sets ID (when
// empty), CreatedAt and UpdatedAt. A slug the issuer already uses is a
// Conflict; an unknown issuer or creator is NotFound.
func (s *DB) CreateBadge(ctx context.Context, b *badge.Badge) error {
	if err := b.Validate(); err != nil {
		return err
	}
	l, err := encodeBadgeLists(b)
	if err != nil {
		return badge.Internalf(err, "encode badge %s", b.Slug)
	}
	if b.ID == "" {
		if b.ID, err = s.newID(); err != nil {
			return badge.Internalf(err, "create badge")
		}
	}
	now := s.timestamp()
	b.CreatedAt, b.UpdatedAt = now, now
	_, err = s.db.ExecContext(ctx, `INSERT INTO badges (`+badgeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		b.ID, b.IssuerID, b.Slug, b.Name, b.Description, b.CriteriaNarrative, b.CriteriaURL, b.ImageKey, b.ImageType,
		b.AchievementType, l.tags, l.alignments, b.Language, l.results, b.ValidityDays, nullString(b.CreatorIssuerID),
		b.CreatedAt, b.UpdatedAt, b.ApplicationsOpen)
	if err != nil {
		return badgeWriteError(err, b, "create")
	}
	return nil
}

// GetBadge returns the badge definition with the given ID.
func (s *DB) GetBadge(ctx context.Context, id string) (*badge.Badge, error) {
	var b badge.Badge
	if err := scanBadge(s.db.QueryRowContext(ctx, `SELECT `+badgeColumns+` FROM badges WHERE id = $1`, id), &b); err != nil {
		return nil, notFound(err, "badge.not_found", "badge")
	}
	return &b, nil
}

// GetBadgeBySlug returns the issuer's badge definition with the given slug.
func (s *DB) GetBadgeBySlug(ctx context.Context, issuerID, slug string) (*badge.Badge, error) {
	var b badge.Badge
	if err := scanBadge(s.db.QueryRowContext(ctx, `SELECT `+badgeColumns+` FROM badges WHERE issuer_id = $1 AND slug = $2`,
		issuerID, slug), &b); err != nil {
		return nil, notFound(err, "badge.not_found", "badge")
	}
	return &b, nil
}

// UpdateBadge validates and saves a badge definition (all fields but ID,
// IssuerID and CreatedAt) and sets UpdatedAt. Awards already issued keep
// the credential they were signed with.
func (s *DB) UpdateBadge(ctx context.Context, b *badge.Badge) error {
	if err := b.Validate(); err != nil {
		return err
	}
	l, err := encodeBadgeLists(b)
	if err != nil {
		return badge.Internalf(err, "encode badge %s", b.Slug)
	}
	now := s.timestamp()
	res, err := s.db.ExecContext(ctx, `UPDATE badges SET slug = $3, name = $4, description = $5, criteria_narrative = $6,
		criteria_url = $7, image_key = $8, image_type = $9, achievement_type = $10, tags = $11, alignments = $12,
		language = $13, result_descriptions = $14, validity_days = $15, creator_issuer_id = $16, updated_at = $17,
		applications_open = $18
		WHERE id = $1 AND issuer_id = $2`,
		b.ID, b.IssuerID, b.Slug, b.Name, b.Description, b.CriteriaNarrative, b.CriteriaURL, b.ImageKey, b.ImageType,
		b.AchievementType, l.tags, l.alignments, b.Language, l.results, b.ValidityDays, nullString(b.CreatorIssuerID), now,
		b.ApplicationsOpen)
	if err != nil {
		return badgeWriteError(err, b, "update")
	}
	if err := oneRow(res, "badge.not_found", "badge"); err != nil {
		return err
	}
	b.UpdatedAt = now
	return nil
}

// ListBadges returns an issuer's badge definitions by name.
func (s *DB) ListBadges(ctx context.Context, issuerID string) ([]*badge.Badge, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+badgeColumns+` FROM badges WHERE issuer_id = $1 ORDER BY name, id`, issuerID)
	if err != nil {
		return nil, badge.Internalf(err, "list badges of issuer %s", issuerID)
	}
	defer rows.Close()
	var out []*badge.Badge
	for rows.Next() {
		var b badge.Badge
		if err := scanBadge(rows, &b); err != nil {
			return nil, badge.Internalf(err, "list badges of issuer %s", issuerID)
		}
		out = append(out, &b)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list badges of issuer %s", issuerID)
	}
	return out, nil
}
