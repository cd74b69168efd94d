package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// Delegations (table delegations): organisation A authorises B to award
// one of A's badge definitions through B's own copy of it.

// Delegation is one authorisation, active until WithdrawnAt.
type Delegation struct {
	ID              string
	IssuerID        string // A, who authorises
	DelegateID      string // B, who awards
	BadgeID         string // A's definition
	DelegateBadgeID string // B's copy, A as creator
	GrantedAt       time.Time
	GrantedBy       string
	WithdrawnAt     *time.Time
	WithdrawnBy     string
	// Filled by listings: names and slugs, for pages and the published
	// authorisations.
	IssuerSlug, IssuerName     string
	DelegateSlug, DelegateName string
	BadgeSlug, BadgeName       string
	DelegateBadgeSlug          string
}

// Active reports whether the authorisation holds at t.
func (d *Delegation) Active(t time.Time) bool {
	return !t.Before(d.GrantedAt) && (d.WithdrawnAt == nil || t.Before(*d.WithdrawnAt))
}

const delegationColumns = `d.id, d.issuer_id, d.delegate_id, d.badge_id, d.delegate_badge_id, d.granted_at, d.granted_by,
	d.withdrawn_at, d.withdrawn_by, a.slug, a.name, b.slug, b.name, x.slug, x.name, y.slug`

const delegationFrom = ` FROM delegations d JOIN issuers a ON a.id = d.issuer_id JOIN issuers b ON b.id = d.delegate_id
	JOIN badges x ON x.id = d.badge_id JOIN badges y ON y.id = d.delegate_badge_id`

func scanDelegation(row interface{ Scan(...any) error }, d *Delegation) error {
	var withdrawn sql.NullTime
	if err := row.Scan(&d.ID, &d.IssuerID, &d.DelegateID, &d.BadgeID, &d.DelegateBadgeID, &d.GrantedAt, &d.GrantedBy,
		&withdrawn, &d.WithdrawnBy, &d.IssuerSlug, &d.IssuerName, &d.DelegateSlug, &d.DelegateName,
		&d.BadgeSlug, &d.BadgeName, &d.DelegateBadgeSlug); err != nil {
		return err
	}
	d.GrantedAt, d.WithdrawnAt = d.GrantedAt.UTC(), timePtr(withdrawn)
	return nil
}

// CreateDelegation stores copy (B's copy of A's badge, with A as creator)
// and the authorisation d, in one transaction; it sets their IDs and
// dates. An authorisation already active for the same badge and delegate
// is a Conflict; a badge that is not A's is Invalid.
func (s *DB) CreateDelegation(ctx context.Context, d *Delegation, copy *badge.Badge) error {
	if d.IssuerID == d.DelegateID {
		return badge.Invalidf("delegate", "delegation.self", "an organisation does not authorise itself")
	}
	if copy.IssuerID != d.DelegateID || copy.CreatorIssuerID != d.IssuerID {
		return badge.Invalidf("delegate", "delegation.copy_invalid", "the delegate's copy must be the delegate's, created by the authorising issuer")
	}
	if err := copy.Validate(); err != nil {
		return err
	}
	l, err := encodeBadgeLists(copy)
	if err != nil {
		return badge.Internalf(err, "encode badge copy")
	}
	if d.ID, err = s.newID(); err != nil {
		return badge.Internalf(err, "new delegation")
	}
	if copy.ID == "" {
		if copy.ID, err = s.newID(); err != nil {
			return badge.Internalf(err, "new delegation")
		}
	}
	now := s.timestamp()
	d.GrantedAt, d.WithdrawnAt, d.DelegateBadgeID = now, nil, copy.ID
	copy.CreatedAt, copy.UpdatedAt = now, now
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var owner string
		if err := tx.QueryRowContext(ctx, `SELECT issuer_id FROM badges WHERE id = $1`, d.BadgeID).Scan(&owner); err != nil {
			return notFound(err, "badge.not_found", "badge")
		}
		if owner != d.IssuerID {
			return badge.Invalidf("badge", "delegation.not_owner", "only the badge's issuer authorises others to award it")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM delegations WHERE badge_id = $1 AND delegate_id = $2 AND withdrawn_at IS NULL`,
			d.BadgeID, d.DelegateID).Scan(&n); err != nil {
			return badge.Internalf(err, "read delegations")
		}
		if n > 0 {
			return badge.Conflictf("delegate", "delegation.exists", "this organisation is already authorised to award this badge")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO badges (`+badgeColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
			copy.ID, copy.IssuerID, copy.Slug, copy.Name, copy.Description, copy.CriteriaNarrative, copy.CriteriaURL, copy.ImageKey,
			copy.ImageType, copy.AchievementType, l.tags, l.alignments, copy.Language, l.results, copy.ValidityDays,
			nullString(copy.CreatorIssuerID), copy.CreatedAt, copy.UpdatedAt, false)
		if err != nil {
			return badgeWriteError(err, copy, "create")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO delegations (id, issuer_id, delegate_id, badge_id, delegate_badge_id, granted_at, granted_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, d.ID, d.IssuerID, d.DelegateID, d.BadgeID, d.DelegateBadgeID, d.GrantedAt, d.GrantedBy)
		switch constraintOf(err) {
		case uniqueViolation:
			return badge.Conflictf("delegate", "delegation.exists", "this organisation is already authorised to award this badge")
		case foreignKeyViolation:
			return badge.NotFoundf("issuer.not_found", "issuer not found")
		}
		if err != nil {
			return badge.Internalf(err, "store delegation")
		}
		return nil
	})
}

// ReuseDelegation authorises again a delegate whose earlier authorisation
// for the badge was withdrawn, reusing its copy (so its awards keep one
// achievement id).
func (s *DB) ReuseDelegation(ctx context.Context, d *Delegation, copyID string) error {
	id, err := s.newID()
	if err != nil {
		return badge.Internalf(err, "new delegation")
	}
	d.ID, d.GrantedAt, d.WithdrawnAt, d.DelegateBadgeID = id, s.timestamp(), nil, copyID
	_, err = s.db.ExecContext(ctx, `INSERT INTO delegations (id, issuer_id, delegate_id, badge_id, delegate_badge_id, granted_at, granted_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, d.ID, d.IssuerID, d.DelegateID, d.BadgeID, d.DelegateBadgeID, d.GrantedAt, d.GrantedBy)
	switch constraintOf(err) {
	case uniqueViolation:
		return badge.Conflictf("delegate", "delegation.exists", "this organisation is already authorised to award this badge")
	case foreignKeyViolation:
		return badge.NotFoundf("issuer.not_found", "issuer not found")
	}
	if err != nil {
		return badge.Internalf(err, "store delegation")
	}
	return nil
}

// WithdrawDelegation ends one of A's active authorisations now.
func (s *DB) WithdrawDelegation(ctx context.Context, issuerID, id, by string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE delegations SET withdrawn_at = $3, withdrawn_by = $4
		WHERE id = $1 AND issuer_id = $2 AND withdrawn_at IS NULL`, id, issuerID, s.timestamp(), by)
	if err != nil {
		return badge.Internalf(err, "withdraw delegation %s", id)
	}
	return oneRow(res, "delegation.not_found", "active authorisation")
}

func (s *DB) queryDelegations(ctx context.Context, where string, args ...any) ([]*Delegation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+delegationColumns+delegationFrom+` WHERE `+where+` ORDER BY d.granted_at, d.id LIMIT 5000`, args...)
	if err != nil {
		return nil, badge.Internalf(err, "list delegations")
	}
	defer rows.Close()
	var out []*Delegation
	for rows.Next() {
		var d Delegation
		if err := scanDelegation(rows, &d); err != nil {
			return nil, badge.Internalf(err, "scan delegation")
		}
		out = append(out, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list delegations")
	}
	return out, nil
}

// GetDelegation returns one authorisation.
func (s *DB) GetDelegation(ctx context.Context, id string) (*Delegation, error) {
	ds, err := s.queryDelegations(ctx, `d.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, badge.NotFoundf("delegation.not_found", "authorisation not found")
	}
	return ds[0], nil
}

// DelegationsGiven lists A's authorisations, active and withdrawn, oldest
// first.
func (s *DB) DelegationsGiven(ctx context.Context, issuerID string) ([]*Delegation, error) {
	return s.queryDelegations(ctx, `d.issuer_id = $1`, issuerID)
}

// DelegationsReceived lists the authorisations given to B, oldest first.
func (s *DB) DelegationsReceived(ctx context.Context, delegateID string) ([]*Delegation, error) {
	return s.queryDelegations(ctx, `d.delegate_id = $1`, delegateID)
}

// DelegationsOfCopy lists the authorisations behind one of B's copies.
func (s *DB) DelegationsOfCopy(ctx context.Context, copyBadgeID string) ([]*Delegation, error) {
	return s.queryDelegations(ctx, `d.delegate_badge_id = $1`, copyBadgeID)
}
