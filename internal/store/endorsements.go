package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// Endorsements (table endorsements): an organisation's signed
// EndorsementCredential about an issuer or one of its badge definitions,
// pending until the endorsed issuer accepts it. Each carries an index in
// the endorser's status lists, taken from the counter awards use; the
// endorser withdraws it by dating it, which sets its bit.

// Endorsement states.
const (
	EndorsementPending  = "pending"
	EndorsementAccepted = "accepted"
	EndorsementDeclined = "declined"
	// EndorsementWithdrawn is not stored in state: withdrawn_at says it
	// (see Shown), so the endorsed issuer's decision stays on record.
	EndorsementWithdrawn = "withdrawn"
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
	// StatusIndex is the endorsement's index in the endorser's status
	// lists; nil for endorsements signed before they had one.
	StatusIndex *int
	WithdrawnAt *time.Time
	WithdrawnBy string
	// Filled by listings.
	EndorserSlug, EndorserName string
	IssuerSlug, IssuerName     string
	BadgeSlug, BadgeName       string
}

const endorsementColumns = `e.id, e.endorser_id, e.issuer_id, COALESCE(e.badge_id, ''), e.comment, e.credential, e.state, e.created_by,
	e.created_at, e.decided_at, e.status_index, e.withdrawn_at, e.withdrawn_by,
	r.slug, r.name, i.slug, i.name, COALESCE(b.slug, ''), COALESCE(b.name, '')`

const endorsementFrom = ` FROM endorsements e JOIN issuers r ON r.id = e.endorser_id JOIN issuers i ON i.id = e.issuer_id
	LEFT JOIN badges b ON b.id = e.badge_id`

func scanEndorsement(row interface{ Scan(...any) error }, e *Endorsement) error {
	var decided, withdrawn sql.NullTime
	var index sql.NullInt64
	if err := row.Scan(&e.ID, &e.EndorserID, &e.IssuerID, &e.BadgeID, &e.Comment, &e.Credential, &e.State, &e.CreatedBy,
		&e.CreatedAt, &decided, &index, &withdrawn, &e.WithdrawnBy,
		&e.EndorserSlug, &e.EndorserName, &e.IssuerSlug, &e.IssuerName, &e.BadgeSlug, &e.BadgeName); err != nil {
		return err
	}
	e.CreatedAt, e.DecidedAt, e.WithdrawnAt = e.CreatedAt.UTC(), timePtr(decided), timePtr(withdrawn)
	e.StatusIndex = nil
	if index.Valid {
		i := int(index.Int64)
		e.StatusIndex = &i
	}
	return nil
}

// Shown is the state pages show: "withdrawn" once the endorser withdrew
// it, whatever the endorsed issuer decided, else State.
func (e *Endorsement) Shown() string {
	if e.WithdrawnAt != nil {
		return EndorsementWithdrawn
	}
	return e.State
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

// CreateEndorsement stores an endorsement, pending; ID must be set
// (NewEndorsementID). Inside the transaction it reserves the endorsement's
// index in the endorser's status lists (the counter awards use), sets
// StatusIndex, State and CreatedAt, then calls sign, which must set
// Credential: the signed credential names its index.
func (s *DB) CreateEndorsement(ctx context.Context, e *Endorsement, sign func(*Endorsement) error) error {
	if err := CheckEndorsement(e); err != nil {
		return err
	}
	if !badge.ValidID(e.ID) {
		return badge.Invalidf("", "endorsement.incomplete", "an endorsement needs its id and signed credential")
	}
	e.State, e.CreatedAt, e.DecidedAt, e.WithdrawnAt, e.WithdrawnBy = EndorsementPending, s.timestamp(), nil, nil, ""
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
		index, err := allocateStatusIndexes(ctx, tx, e.EndorserID, 1, e.CreatedAt)
		if err != nil {
			return err
		}
		e.StatusIndex = &index
		if err := sign(e); err != nil {
			return fmt.Errorf("sign endorsement %s: %w", e.ID, err)
		}
		if len(e.Credential) == 0 {
			return badge.Invalidf("", "endorsement.incomplete", "an endorsement needs its id and signed credential")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO endorsements (id, endorser_id, issuer_id, badge_id, comment, credential, state, created_by, created_at, status_index)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, e.ID, e.EndorserID, e.IssuerID, nullString(e.BadgeID), e.Comment, e.Credential,
			e.State, e.CreatedBy, e.CreatedAt, index)
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
// issuer; a withdrawn one is no longer pending.
func (s *DB) DecideEndorsement(ctx context.Context, issuerID, id string, accept bool) error {
	state := EndorsementDeclined
	if accept {
		state = EndorsementAccepted
	}
	res, err := s.db.ExecContext(ctx, `UPDATE endorsements SET state = $3, decided_at = $4
		WHERE id = $1 AND issuer_id = $2 AND state = 'pending' AND withdrawn_at IS NULL`,
		id, issuerID, state, s.timestamp())
	if err != nil {
		return badge.Internalf(err, "decide endorsement %s", id)
	}
	return oneRow(res, "endorsement.not_found", "pending endorsement")
}

// WithdrawEndorsement lets the endorser take back an endorsement, in any
// state: it is dated, so it is no longer shown nor put in new
// credentials, and its bit is set in the endorser's revocation list
// (StatusEntries), so credentials already signed, which keep their copy,
// verify with the endorsement revoked. Another organisation's endorsement
// is NotFound; a second withdrawal is a Conflict.
func (s *DB) WithdrawEndorsement(ctx context.Context, endorserID, id, by string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE endorsements SET withdrawn_at = $3, withdrawn_by = $4
		WHERE id = $1 AND endorser_id = $2 AND withdrawn_at IS NULL`, id, endorserID, s.timestamp(), by)
	if err != nil {
		return badge.Internalf(err, "withdraw endorsement %s", id)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		if err != nil {
			return badge.Internalf(err, "withdraw endorsement %s", id)
		}
		return nil
	}
	if e, err := s.GetEndorsement(ctx, id); err == nil && e.EndorserID == endorserID {
		return badge.Conflictf("", "endorsement.already_withdrawn", "this endorsement is already withdrawn")
	}
	return badge.NotFoundf("endorsement.not_found", "endorsement not found")
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

// AcceptedEndorsements lists the accepted, not withdrawn endorsements of
// a badge definition (badgeID set) or of the issuer itself (badgeID ""):
// what pages show and new credentials carry.
func (s *DB) AcceptedEndorsements(ctx context.Context, issuerID, badgeID string) ([]*Endorsement, error) {
	if badgeID == "" {
		return s.queryEndorsements(ctx, `e.issuer_id = $1 AND e.badge_id IS NULL AND e.state = 'accepted' AND e.withdrawn_at IS NULL`, issuerID)
	}
	return s.queryEndorsements(ctx, `e.issuer_id = $1 AND e.badge_id = $2 AND e.state = 'accepted' AND e.withdrawn_at IS NULL`, issuerID, badgeID)
}

// CurrentEndorsements lists the accepted, not withdrawn endorsements of
// an issuer and of all its badges, the issuer's own first, then oldest
// first: what the issuer's public page shows.
func (s *DB) CurrentEndorsements(ctx context.Context, issuerID string) ([]*Endorsement, error) {
	es, err := s.queryEndorsements(ctx, `e.issuer_id = $1 AND e.state = 'accepted' AND e.withdrawn_at IS NULL`, issuerID)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].BadgeID == "" && es[j].BadgeID != "" })
	return es, nil
}

// GetEndorsementByStatusIndex returns the endorser's endorsement holding
// an index of its status lists (the revocation list names it).
func (s *DB) GetEndorsementByStatusIndex(ctx context.Context, endorserID string, index int) (*Endorsement, error) {
	es, err := s.queryEndorsements(ctx, `e.endorser_id = $1 AND e.status_index = $2`, endorserID, index)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, badge.NotFoundf("endorsement.not_found", "endorsement not found")
	}
	return es[0], nil
}
