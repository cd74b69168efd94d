package store

import (
	"context"
	"database/sql"

	"github.com/sceau/sceau/internal/badge"
)

const userColumns = `id, handle, name, password_hash, language, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }, u *badge.User) error {
	err := row.Scan(&u.ID, &u.Handle, &u.Name, &u.PasswordHash, &u.Language, &u.CreatedAt, &u.UpdatedAt)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return err
}

// CreateUser stores a new account with its first (primary, unverified)
// address, in one transaction. It sets ID, CreatedAt and UpdatedAt. A
// taken handle is a Conflict on "handle"; an address already verified by
// another account is a Conflict on "email".
func (s *DB) CreateUser(ctx context.Context, u *badge.User, email string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	email = badge.NormalizeEmail(email)
	if err := badge.CheckEmail("email", email); err != nil {
		return err
	}
	id, err := s.newID()
	if err != nil {
		return badge.Internalf(err, "create user")
	}
	now := s.timestamp()
	u.ID, u.CreatedAt, u.UpdatedAt = id, now, now
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_emails WHERE email = $1 AND verified_at IS NOT NULL`, email).Scan(&taken); err != nil {
			return badge.Internalf(err, "check address")
		}
		if taken > 0 {
			return badge.Conflictf("email", "email.taken", "an account already uses this address")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			u.ID, u.Handle, u.Name, u.PasswordHash, u.Language, u.CreatedAt, u.UpdatedAt)
		if constraintOf(err) == uniqueViolation {
			return badge.Conflictf("handle", "user.handle_taken", "the handle %q is taken", u.Handle)
		}
		if err != nil {
			return badge.Internalf(err, "insert user")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO user_emails (email, user_id, is_primary, created_at) VALUES ($1, $2, TRUE, $3)`,
			email, u.ID, now)
		if err != nil {
			return badge.Internalf(err, "insert address of user %s", u.ID)
		}
		return nil
	})
}

// GetUser reads an account.
func (s *DB) GetUser(ctx context.Context, id string) (*badge.User, error) {
	var u badge.User
	err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id), &u)
	if err != nil {
		return nil, notFound(err, "user.not_found", "user "+id)
	}
	return &u, nil
}

// GetUserByHandle reads the account with that handle.
func (s *DB) GetUserByHandle(ctx context.Context, handle string) (*badge.User, error) {
	var u badge.User
	err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE handle = $1`, handle), &u)
	if err != nil {
		return nil, notFound(err, "user.not_found", "user @"+handle)
	}
	return &u, nil
}

// GetUserByEmail reads the account that holds the address: the one that
// verified it, else the one that registered it unverified (so that a
// person who has not yet confirmed can still sign in to ask for a new
// confirmation). Several unverified holders: the earliest.
func (s *DB) GetUserByEmail(ctx context.Context, email string) (*badge.User, error) {
	var u badge.User
	err := scanUser(s.db.QueryRowContext(ctx, `SELECT u.id, u.handle, u.name, u.password_hash, u.language, u.created_at, u.updated_at
		FROM user_emails e JOIN users u ON u.id = e.user_id
		WHERE e.email = $1
		ORDER BY (e.verified_at IS NULL), e.created_at LIMIT 1`, badge.NormalizeEmail(email)), &u)
	if err != nil {
		return nil, notFound(err, "user.not_found", "user by address")
	}
	return &u, nil
}

// UpdateUser writes the account's name, language and password hash.
func (s *DB) UpdateUser(ctx context.Context, u *badge.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	u.UpdatedAt = s.timestamp()
	res, err := s.db.ExecContext(ctx, `UPDATE users SET name = $2, language = $3, password_hash = $4, updated_at = $5 WHERE id = $1`,
		u.ID, u.Name, u.Language, u.PasswordHash, u.UpdatedAt)
	if err != nil {
		return badge.Internalf(err, "update user %s", u.ID)
	}
	return oneRow(res, "user.not_found", "user "+u.ID)
}

// HandleTaken reports whether an account uses the handle.
func (s *DB) HandleTaken(ctx context.Context, handle string) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE handle = $1`, handle).Scan(&n); err != nil {
		return false, badge.Internalf(err, "check handle")
	}
	return n > 0, nil
}

// ListEmails returns the account's addresses, primary first.
func (s *DB) ListEmails(ctx context.Context, userID string) ([]*badge.Email, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT email, user_id, is_primary, verified_at, created_at FROM user_emails
		WHERE user_id = $1 ORDER BY is_primary DESC, created_at, email`, userID)
	if err != nil {
		return nil, badge.Internalf(err, "list addresses of user %s", userID)
	}
	defer rows.Close()
	var out []*badge.Email
	for rows.Next() {
		var e badge.Email
		var verified sql.NullTime
		if err := rows.Scan(&e.Address, &e.UserID, &e.Primary, &verified, &e.CreatedAt); err != nil {
			return nil, badge.Internalf(err, "scan address")
		}
		e.VerifiedAt, e.CreatedAt = timePtr(verified), e.CreatedAt.UTC()
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list addresses of user %s", userID)
	}
	return out, nil
}

// VerifiedEmails returns the account's confirmed addresses.
func (s *DB) VerifiedEmails(ctx context.Context, userID string) ([]string, error) {
	all, err := s.ListEmails(ctx, userID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range all {
		if e.Verified() {
			out = append(out, e.Address)
		}
	}
	return out, nil
}

// AddEmail adds an unverified address to an account. An address the
// account already has, or one verified by another account, is a Conflict.
func (s *DB) AddEmail(ctx context.Context, userID, email string) error {
	email = badge.NormalizeEmail(email)
	if err := badge.CheckEmail("email", email); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_emails WHERE email = $1 AND (verified_at IS NOT NULL OR user_id = $2)`,
			email, userID).Scan(&taken); err != nil {
			return badge.Internalf(err, "check address")
		}
		if taken > 0 {
			return badge.Conflictf("email", "email.taken", "this address is already registered")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO user_emails (email, user_id, is_primary, created_at) VALUES ($1, $2, FALSE, $3)`,
			email, userID, s.timestamp())
		if err != nil {
			return badge.Internalf(err, "add address to user %s", userID)
		}
		return nil
	})
}

// VerifyEmail marks the account's address as confirmed and removes other
// accounts' unverified claims on it. An address confirmed meanwhile by
// another account is a Conflict.
func (s *DB) VerifyEmail(ctx context.Context, userID, email string) error {
	email = badge.NormalizeEmail(email)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE user_emails SET verified_at = $3 WHERE user_id = $1 AND email = $2 AND verified_at IS NULL`,
			userID, email, s.timestamp())
		if constraintOf(err) == uniqueViolation {
			return badge.Conflictf("email", "email.taken", "another account confirmed this address first")
		}
		if err != nil {
			return badge.Internalf(err, "verify address of user %s", userID)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var verified int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_emails WHERE user_id = $1 AND email = $2`, userID, email).Scan(&verified); err != nil {
				return badge.Internalf(err, "read address")
			}
			if verified == 0 {
				return badge.NotFoundf("email.not_found", "the account has no such address")
			}
			return nil // already verified: confirming twice is fine
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_emails WHERE email = $1 AND user_id <> $2 AND verified_at IS NULL`, email, userID); err != nil {
			return badge.Internalf(err, "drop other claims on address")
		}
		return nil
	})
}

// RemoveEmail removes a non-primary address from the account.
func (s *DB) RemoveEmail(ctx context.Context, userID, email string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM user_emails WHERE user_id = $1 AND email = $2 AND NOT is_primary`,
		userID, badge.NormalizeEmail(email))
	if err != nil {
		return badge.Internalf(err, "remove address of user %s", userID)
	}
	return oneRow(res, "email.not_removable", "removable address")
}
