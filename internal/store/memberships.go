package store

import (
	"context"
	"database/sql"

	"github.com/sceau/sceau/internal/badge"
)

// AddMember gives a user a role in an organisation, or changes the role
// of a member. An unknown issuer or user is a NotFound.
func (s *DB) AddMember(ctx context.Context, m *badge.Membership) error {
	if !m.Role.Valid() {
		return badge.Invalidf("role", "member.role_invalid", "unknown role %q", m.Role)
	}
	m.CreatedAt = s.timestamp()
	_, err := s.db.ExecContext(ctx, `INSERT INTO memberships (issuer_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (issuer_id, user_id) DO UPDATE SET role = excluded.role`,
		m.IssuerID, m.UserID, string(m.Role), m.CreatedAt)
	if constraintOf(err) == foreignKeyViolation {
		return badge.NotFoundf("member.not_found", "no such organisation or user")
	}
	if err != nil {
		return badge.Internalf(err, "add member to %s", m.IssuerID)
	}
	return nil
}

// CreateIssuerWithOwner stores a new organisation's issuer, its first key
// and its owner in one transaction.
func (s *DB) CreateIssuerWithOwner(ctx context.Context, i *badge.Issuer, k *badge.IssuerKey, ownerID string) error {
	if err := s.prepareIssuer(i); err != nil {
		return err
	}
	k.IssuerID = i.ID
	if err := s.prepareKey(k); err != nil {
		return err
	}
	k.CreatedAt = i.CreatedAt
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := insertIssuer(ctx, tx, i); err != nil {
			return err
		}
		if err := insertKey(ctx, tx, k); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO memberships (issuer_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)`,
			i.ID, ownerID, string(badge.RoleOwner), i.CreatedAt)
		if err != nil {
			return badge.Internalf(err, "add owner of %s", i.Slug)
		}
		return nil
	})
}

// GetMembership returns the user's membership of the organisation, or a
// NotFound: callers turn it into Forbidden without saying whether the
// organisation exists.
func (s *DB) GetMembership(ctx context.Context, issuerID, userID string) (*badge.Membership, error) {
	m := badge.Membership{IssuerID: issuerID, UserID: userID}
	err := s.db.QueryRowContext(ctx, `SELECT role, created_at FROM memberships WHERE issuer_id = $1 AND user_id = $2`,
		issuerID, userID).Scan(&m.Role, &m.CreatedAt)
	if err != nil {
		return nil, notFound(err, "member.not_found", "membership")
	}
	m.CreatedAt = m.CreatedAt.UTC()
	return &m, nil
}

// Member is a membership with the member's name and primary address, as
// the members page lists them.
type Member struct {
	badge.Membership
	Name, Email string
}

// ListMembers returns an organisation's members by name.
func (s *DB) ListMembers(ctx context.Context, issuerID string) ([]*Member, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.user_id, m.role, m.created_at, u.name, COALESCE(e.email, '')
		FROM memberships m JOIN users u ON u.id = m.user_id
		LEFT JOIN user_emails e ON e.user_id = u.id AND e.is_primary
		WHERE m.issuer_id = $1 ORDER BY u.name, u.id`, issuerID)
	if err != nil {
		return nil, badge.Internalf(err, "list members of %s", issuerID)
	}
	defer rows.Close()
	var out []*Member
	for rows.Next() {
		m := &Member{Membership: badge.Membership{IssuerID: issuerID}}
		if err := rows.Scan(&m.UserID, &m.Role, &m.CreatedAt, &m.Name, &m.Email); err != nil {
			return nil, badge.Internalf(err, "scan member")
		}
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// RemoveMember removes a member. The last owner cannot be removed: an
// organisation without an owner could never be managed again.
func (s *DB) RemoveMember(ctx context.Context, issuerID, userID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, `SELECT role FROM memberships WHERE issuer_id = $1 AND user_id = $2`, issuerID, userID).Scan(&role)
		if err != nil {
			return notFound(err, "member.not_found", "membership")
		}
		if badge.Role(role) == badge.RoleOwner {
			var owners int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE issuer_id = $1 AND role = 'owner'`, issuerID).Scan(&owners); err != nil {
				return badge.Internalf(err, "count owners")
			}
			if owners <= 1 {
				return badge.Conflictf("", "member.last_owner", "the last owner cannot leave the organisation")
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE issuer_id = $1 AND user_id = $2`, issuerID, userID); err != nil {
			return badge.Internalf(err, "remove member")
		}
		return nil
	})
}

// Organisation is an issuer seen by one of its members.
type Organisation struct {
	Issuer *badge.Issuer
	Role   badge.Role
}

// ListOrganisations returns the organisations the user is a member of.
func (s *DB) ListOrganisations(ctx context.Context, userID string) ([]Organisation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.role, i.id, i.slug, i.name, i.description, i.url, i.email, i.image_key, i.language, i.created_at, i.updated_at
		FROM memberships m JOIN issuers i ON i.id = m.issuer_id WHERE m.user_id = $1 ORDER BY i.name`, userID)
	if err != nil {
		return nil, badge.Internalf(err, "list organisations of %s", userID)
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		var o Organisation
		var i badge.Issuer
		if err := rows.Scan(&o.Role, &i.ID, &i.Slug, &i.Name, &i.Description, &i.URL, &i.Email, &i.ImageKey, &i.Language, &i.CreatedAt, &i.UpdatedAt); err != nil {
			return nil, badge.Internalf(err, "scan organisation")
		}
		o.Issuer = &i
		out = append(out, o)
	}
	return out, rows.Err()
}
