package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// Endorsements (table endorsements): an organisation's signed
// EndorsementCredential about an issuer or one of its badge definitions,
// pending until the endorsed issuer accepts it.

// Endorsement states.
const (
	EndorsementPending  = "pending"
	EndorsementAccepted = "accepted"
	EndorsementDeclined = "declined"
)

// MaxEndorsementComment bounds an endorsement's comment.
const MaxEndorsementComment = 5000

// Endorsement is one endorsement.
type Endorsement struct {
	ID         string
	EndorserID string
	IssuerID   string // the endorsed issuer
	BadgeID    string // "" when the issuer itself is endorsed
	Comment    string
	Credential []byte // signed by the endorser, stored as signed
	State      string
	CreatedBy  string
	CreatedAt  time.Time
	DecidedAt  *time.Time
	// Filled by listings.
	EndorserSlug, EndorserName string
	IssuerSlug, IssuerName     string
	BadgeSlug, BadgeName       string
}

const endorsementColumns = `e.id, e.endorser_id, e.issuer_id, COALESCE(e.badge_id, ''), e.comment, e.credential, e.state, e.created_by,
	e.created_at, e.decided_at, r.slug, r.name, i.slug, i.name, COALESCE(b.slug, ''), COALESCE(b.name, '')`

const endorsementFrom = ` FROM endorsements e JOIN issuers r ON r.id = e.endorser_id JOIN issuers i ON i.id = e.issuer_id
	LEFT JOIN badges b ON b.id = e.badge_id`

func scanEndorsement(row interface{ Scan(...any) error }, e *Endorsement) error {
	var decided sql.NullTime
	if err := row.Scan(&e.ID, &e.EndorserID, &e.IssuerID, &e.BadgeID, &e.Comment, &e.Credential, &e.State, &e.CreatedBy,
		&e.CreatedAt, &decided, &e.EndorserSlug, &e.EndorserName, &e.IssuerSlug, &e.IssuerName, &e.BadgeSlug, &e.BadgeName); err != nil {
		return err
	}
	e.CreatedAt, e.DecidedAt = e.CreatedAt.UTC(), timePtr(decided)
	return nil
}

// CheckEndorsement validates what an endorser gives, before signing.
func CheckEndorsement(e *Endorsement) error {
	switch {
	case e.EndorserID == "" || e.IssuerID == "":
		return badge.Invalidf("issuer", "endorsement.target_required", "say what is endorsed")
	case e.EndorserID == e.IssuerID:
		return badge.Invalidf("issuer", "endorsement.self", "an organisation does not endorse itself")
	case strings.TrimSpace(e.Comment) == "":
		return badge.Invalidf("comment", "endorsement.comment_required", "an endorsement says why, in a comment")
	case len([]rune(e.Comment)) > MaxEndorsementComment:
		return badge.Invalidf("comment", "endorsement.comment_too_long", "the comment is longer than %d characters", MaxEndorsementComment)
	}
	return nil
}

// NewEndorsementID picks an endorsement's id before it is signed (the
// credential's id contains it).
func (s *DB) NewEndorsementID() (string, error) { return s.newID() }

// CreateEndorsement stores a signed endorsement, pending; ID must be set
// (NewEndorsementID). It sets State and CreatedAt.
func (s *DB) CreateEndorsement(ctx context.Context, e *Endorsement) error {
	if err := CheckEndorsement(e); err != nil {
		return err
	}
	if !badge.ValidID(e.ID) || len(e.Credential) == 0 {
		return badge.Invalidf("", "endorsement.incomplete", "an endorsement needs its id and signed credential")
	}
	e.State, e.CreatedAt, e.DecidedAt = EndorsementPending, s.timestamp(), nil
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if e.BadgeID != "" {
			var owner string
			if err := tx.QueryRowContext(ctx, `SELECT issuer_id FROM badges WHERE id = $1`, e.BadgeID).Scan(&owner); err != nil {
				return notFound(err, "badge.not_found", "badge")
			}
			if owner != e.IssuerID {
				return badge.Invalidf("badge", "endorsement.badge_issuer", "the badge is not the endorsed issuer's")
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO endorsements (id, endorser_id, issuer_id, badge_id, comment, credential, state, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.ID, e.EndorserID, e.IssuerID, nullString(e.BadgeID), e.Comment, e.Credential,
			e.State, e.CreatedBy, e.CreatedAt)
		switch constraintOf(err) {
		case uniqueViolation:
			return badge.Conflictf("", "endorsement.id_taken", "an endorsement with this id exists")
		case foreignKeyViolation:
			return badge.NotFoundf("issuer.not_found", "issuer not found")
		}
		if err != nil {
			return badge.Internalf(err, "store endorsement")
		}
		return nil
	})
}

// DecideEndorsement accepts or declines a pending endorsement of the
// issuer.
func (s *DB) DecideEndorsement(ctx context.Context, issuerID, id string, accept bool) error {
	state := EndorsementDeclined
	if accept {
		state = EndorsementAccepted
	}
	res, err := s.db.ExecContext(ctx, `UPDATE endorsements SET state = $3, decided_at = $4 WHERE id = $1 AND issuer_id = $2 AND state = 'pending'`,
		id, issuerID, state, s.timestamp())
	if err != nil {
		return badge.Internalf(err, "decide endorsement %s", id)
	}
	return oneRow(res, "endorsement.not_found", "pending endorsement")
}

// WithdrawEndorsement lets the endorser take back an endorsement: it is
// deleted, so it is no longer shown nor put in new credentials
// (credentials already signed keep their copy).
func (s *DB) WithdrawEndorsement(ctx context.Context, endorserID, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM endorsements WHERE id = $1 AND endorser_id = $2`, id, endorserID)
	if err != nil {
		return badge.Internalf(err, "withdraw endorsement %s", id)
	}
	return oneRow(res, "endorsement.not_found", "endorsement")
}

func (s *DB) queryEndorsements(ctx context.Context, where string, args ...any) ([]*Endorsement, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+endorsementColumns+endorsementFrom+` WHERE `+where+` ORDER BY e.created_at, e.id LIMIT 1000`, args...)
	if err != nil {
		return nil, badge.Internalf(err, "list endorsements")
	}
	defer rows.Close()
	var out []*Endorsement
	for rows.Next() {
		var e Endorsement
		if err := scanEndorsement(rows, &e); err != nil {
			return nil, badge.Internalf(err, "scan endorsement")
		}
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list endorsements")
	}
	return out, nil
}

// GetEndorsement returns one endorsement.
func (s *DB) GetEndorsement(ctx context.Context, id string) (*Endorsement, error) {
	es, err := s.queryEndorsements(ctx, `e.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, badge.NotFoundf("endorsement.not_found", "endorsement not found")
	}
	return es[0], nil
}

// EndorsementsReceived lists the endorsements of an issuer and its badges
// in any state, oldest first.
func (s *DB) EndorsementsReceived(ctx context.Context, issuerID string) ([]*Endorsement, error) {
	return s.queryEndorsements(ctx, `e.issuer_id = $1`, issuerID)
}

// EndorsementsGiven lists an organisation's endorsements of others.
func (s *DB) EndorsementsGiven(ctx context.Context, endorserID string) ([]*Endorsement, error) {
	return s.queryEndorsements(ctx, `e.endorser_id = $1`, endorserID)
}

// AcceptedEndorsements lists the accepted endorsements of a badge
// definition (badgeID set) or of the issuer itself (badgeID ""): what
// pages show and new credentials carry.
func (s *DB) AcceptedEndorsements(ctx context.Context, issuerID, badgeID string) ([]*Endorsement, error) {
	if badgeID == "" {
		return s.queryEndorsements(ctx, `e.issuer_id = $1 AND e.badge_id IS NULL AND e.state = 'accepted'`, issuerID)
	}
	return s.queryEndorsements(ctx, `e.issuer_id = $1 AND e.badge_id = $2 AND e.state = 'accepted'`, issuerID, badgeID)
}
