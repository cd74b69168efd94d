package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"

	"github.com/sceau/sceau/internal/badge"
)

const applicationColumns = `id, badge_id, issuer_id, user_id, email, state, text, links, files, history, award_id, created_at, updated_at`

func scanApplication(row interface{ Scan(...any) error }, a *badge.Application) error {
	var links, files, history string
	var award sql.NullString
	if err := row.Scan(&a.ID, &a.BadgeID, &a.IssuerID, &a.UserID, &a.Email, &a.State, &a.Text, &links, &files, &history,
		&award, &a.Created, &a.Updated); err != nil {
		return err
	}
	a.AwardID = award.String
	a.Created, a.Updated = a.Created.UTC(), a.Updated.UTC()
	if err := json.Unmarshal([]byte(links), &a.Links); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(files), &a.Files); err != nil {
		return err
	}
	return json.Unmarshal([]byte(history), &a.History)
}

func applicationLists(a *badge.Application) (links, files, history string, err error) {
	enc := func(v any) string {
		b, e := json.Marshal(v)
		if e != nil {
			err = e
		}
		return string(b)
	}
	if a.Links == nil {
		a.Links = []string{}
	}
	if a.Files == nil {
		a.Files = []badge.Evidence{}
	}
	if a.History == nil {
		a.History = []badge.ApplicationEvent{}
	}
	return enc(a.Links), enc(a.Files), enc(a.History), err
}

// CreateApplication stores a new submission. It sets ID and the times.
func (s *DB) CreateApplication(ctx context.Context, a *badge.Application) error {
	if err := a.Validate(); err != nil {
		return err
	}
	id, err := s.newID()
	if err != nil {
		return badge.Internalf(err, "create application")
	}
	links, files, history, err := applicationLists(a)
	if err != nil {
		return badge.Internalf(err, "encode application")
	}
	now := s.timestamp()
	a.ID, a.Created, a.Updated = id, now, now
	_, err = s.db.ExecContext(ctx, `INSERT INTO applications (`+applicationColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.BadgeID, a.IssuerID, a.UserID, a.Email, string(a.State), a.Text, links, files, history, nullString(a.AwardID), now, now)
	if err != nil {
		return badge.Internalf(err, "store application")
	}
	return nil
}

// GetApplication reads an application.
func (s *DB) GetApplication(ctx context.Context, id string) (*badge.Application, error) {
	var a badge.Application
	err := scanApplication(s.db.QueryRowContext(ctx, `SELECT `+applicationColumns+` FROM applications WHERE id = $1`, id), &a)
	if err != nil {
		return nil, notFound(err, "application.not_found", "application "+id)
	}
	return &a, nil
}

// UpdateApplication writes an application's state, submission, history
// and award, provided its state is still from (a reviewer and a
// resubmission racing: one wins, the other gets a Conflict).
func (s *DB) UpdateApplication(ctx context.Context, a *badge.Application, from badge.ApplicationState) error {
	if err := a.Validate(); err != nil {
		return err
	}
	links, files, history, err := applicationLists(a)
	if err != nil {
		return badge.Internalf(err, "encode application")
	}
	a.Updated = s.timestamp()
	res, err := s.db.ExecContext(ctx, `UPDATE applications SET state = $3, text = $4, links = $5, files = $6, history = $7,
		award_id = $8, updated_at = $9 WHERE id = $1 AND state = $2`,
		a.ID, string(from), string(a.State), a.Text, links, files, history, nullString(a.AwardID), a.Updated)
	if err != nil {
		return badge.Internalf(err, "update application %s", a.ID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return badge.Conflictf("", "application.changed", "the application changed meanwhile")
	}
	return nil
}

// ApplicationFilter selects applications: an organisation's queue or a
// user's own.
type ApplicationFilter struct {
	IssuerID, UserID string
	State            badge.ApplicationState
	Limit            int
}

// ListApplications returns applications, oldest update first for a queue
// (IssuerID set: first come, first judged), newest first for a user.
func (s *DB) ListApplications(ctx context.Context, f ApplicationFilter) ([]*badge.Application, error) {
	q := `SELECT ` + applicationColumns + ` FROM applications WHERE 1 = 1`
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		q += " AND " + cond + " = $" + strconv.Itoa(len(args))
	}
	if f.IssuerID != "" {
		add("issuer_id", f.IssuerID)
	}
	if f.UserID != "" {
		add("user_id", f.UserID)
	}
	if f.State != "" {
		add("state", string(f.State))
	}
	if f.IssuerID != "" {
		q += " ORDER BY updated_at, id"
	} else {
		q += " ORDER BY updated_at DESC, id"
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	q += " LIMIT " + strconv.Itoa(limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, badge.Internalf(err, "list applications")
	}
	defer rows.Close()
	var out []*badge.Application
	for rows.Next() {
		var a badge.Application
		if err := scanApplication(rows, &a); err != nil {
			return nil, badge.Internalf(err, "scan application")
		}
		out = append(out, &a)
	}
	return out, rows.Err()
}
