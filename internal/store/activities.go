package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// The professional-development backpack (tables activities and
// activity_attestations): what a teacher did besides earning badges, and
// the one-time requests to an attester to confirm it.

// Activity kinds.
var ActivityKinds = []string{"reading", "podcast", "community", "mentoring", "conference", "training", "other"}

// Bounds of an activity.
const (
	MaxActivityTitle      = 200
	MaxActivityReflection = 10000
	MaxActivityLinks      = 10
	MaxActivityFiles      = 5
	// MaxActivityHoursCenti is 500 hours: more than a year's worth of
	// evenings, less than a typing slip of an extra zero or two.
	MaxActivityHoursCenti = 500 * 100
)

// ActivityDateLayout is the form of Activity.Date.
const ActivityDateLayout = "2006-01-02"

// Activity is one recorded development activity.
type Activity struct {
	ID         string
	UserID     string
	Kind       string
	Title      string
	Date       string // YYYY-MM-DD
	HoursCenti int    // hundredths of an hour
	Reflection string
	Links      []string
	Files      []badge.Evidence
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CheckActivity validates an activity; errors name the field at fault.
func CheckActivity(a *Activity) error {
	a.Title, a.Reflection = strings.TrimSpace(a.Title), strings.TrimSpace(a.Reflection)
	known := false
	for _, k := range ActivityKinds {
		known = known || k == a.Kind
	}
	if !known {
		return badge.Invalidf("kind", "activity.kind_invalid", "choose the kind of activity")
	}
	if a.Title == "" || len([]rune(a.Title)) > MaxActivityTitle {
		return badge.Invalidf("title", "activity.title_invalid", "a title of at most %d characters is required", MaxActivityTitle)
	}
	if d, err := time.Parse(ActivityDateLayout, a.Date); err != nil || d.Year() < 1900 || d.Year() > 2999 {
		return badge.Invalidf("date", "activity.date_invalid", "the date is not a valid day (YYYY-MM-DD)")
	}
	if a.HoursCenti <= 0 || a.HoursCenti > MaxActivityHoursCenti {
		return badge.Invalidf("hours", "activity.hours_invalid", "the hours must be more than 0 and at most %d", MaxActivityHoursCenti/100)
	}
	if len([]rune(a.Reflection)) > MaxActivityReflection {
		return badge.Invalidf("reflection", "activity.reflection_too_long", "the reflection is longer than %d characters", MaxActivityReflection)
	}
	if len(a.Links) > MaxActivityLinks {
		return badge.Invalidf("links", "activity.links_too_many", "at most %d links", MaxActivityLinks)
	}
	for _, l := range a.Links {
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(l) > badge.MaxURLLen {
			return badge.Invalidf("links", "activity.link_invalid", "%.100q is not an http(s) link", l)
		}
	}
	if len(a.Files) > MaxActivityFiles {
		return badge.Invalidf("files", "activity.files_too_many", "at most %d files", MaxActivityFiles)
	}
	return nil
}

const activityColumns = `id, user_id, kind, title, activity_date, hours_centi, reflection, links, files, created_at, updated_at`

func scanActivity(row interface{ Scan(...any) error }, a *Activity) error {
	var links, files string
	if err := row.Scan(&a.ID, &a.UserID, &a.Kind, &a.Title, &a.Date, &a.HoursCenti, &a.Reflection, &links, &files,
		&a.CreatedAt, &a.UpdatedAt); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(links), &a.Links); err != nil {
		return badge.Internalf(err, "activity %s links", a.ID)
	}
	if err := json.Unmarshal([]byte(files), &a.Files); err != nil {
		return badge.Internalf(err, "activity %s files", a.ID)
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return nil
}

func activityLists(a *Activity) (string, string, error) {
	links, files := a.Links, a.Files
	if links == nil {
		links = []string{}
	}
	if files == nil {
		files = []badge.Evidence{}
	}
	l, err := json.Marshal(links)
	if err != nil {
		return "", "", badge.Internalf(err, "encode links")
	}
	f, err := json.Marshal(files)
	if err != nil {
		return "", "", badge.Internalf(err, "encode files")
	}
	return string(l), string(f), nil
}

// CreateActivity checks and stores a new activity; it sets ID and times.
func (s *DB) CreateActivity(ctx context.Context, a *Activity) error {
	if err := CheckActivity(a); err != nil {
		return err
	}
	links, files, err := activityLists(a)
	if err != nil {
		return err
	}
	if a.ID, err = s.newID(); err != nil {
		return err
	}
	a.CreatedAt = s.timestamp()
	a.UpdatedAt = a.CreatedAt
	_, err = s.db.ExecContext(ctx, `INSERT INTO activities (`+activityColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		a.ID, a.UserID, a.Kind, a.Title, a.Date, a.HoursCenti, a.Reflection, links, files, a.CreatedAt, a.UpdatedAt)
	if err != nil {
		return badge.Internalf(err, "create activity")
	}
	return nil
}

// UpdateActivity checks and saves an activity of its owner (a.UserID).
func (s *DB) UpdateActivity(ctx context.Context, a *Activity) error {
	if err := CheckActivity(a); err != nil {
		return err
	}
	links, files, err := activityLists(a)
	if err != nil {
		return err
	}
	a.UpdatedAt = s.timestamp()
	res, err := s.db.ExecContext(ctx, `UPDATE activities SET kind = $3, title = $4, activity_date = $5, hours_centi = $6,
		reflection = $7, links = $8, files = $9, updated_at = $10 WHERE id = $1 AND user_id = $2`,
		a.ID, a.UserID, a.Kind, a.Title, a.Date, a.HoursCenti, a.Reflection, links, files, a.UpdatedAt)
	if err != nil {
		return badge.Internalf(err, "update activity %s", a.ID)
	}
	return oneRow(res, "activity.not_found", "activity")
}

// GetActivity reads an activity of the user ("" userID: anyone's).
func (s *DB) GetActivity(ctx context.Context, userID, id string) (*Activity, error) {
	var a Activity
	err := scanActivity(s.db.QueryRowContext(ctx, `SELECT `+activityColumns+` FROM activities
		WHERE id = $1 AND ($2 = '' OR user_id = $2)`, id, userID), &a)
	if err != nil {
		var be *badge.Error
		if errors.As(err, &be) {
			return nil, err
		}
		return nil, notFound(err, "activity.not_found", "activity")
	}
	return &a, nil
}

// ListActivities returns the user's activities, newest first.
func (s *DB) ListActivities(ctx context.Context, userID string) ([]*Activity, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+activityColumns+` FROM activities WHERE user_id = $1
		ORDER BY activity_date DESC, created_at DESC`, userID)
	if err != nil {
		return nil, badge.Internalf(err, "list activities")
	}
	defer rows.Close()
	var out []*Activity
	for rows.Next() {
		var a Activity
		if err := scanActivity(rows, &a); err != nil {
			return nil, badge.Internalf(err, "list activities")
		}
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list activities")
	}
	return out, nil
}

// DeleteActivity removes an activity of the user and its pending
// requests; attestations already in the portfolio stay there.
func (s *DB) DeleteActivity(ctx context.Context, userID, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM activities WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return badge.Internalf(err, "delete activity %s", id)
	}
	return oneRow(res, "activity.not_found", "activity")
}

// Attestation states.
const (
	AttestationPending   = "pending"
	AttestationConfirmed = "confirmed"
	AttestationDeclined  = "declined"
)

// Attestation is a request to attest an activity.
type Attestation struct {
	ID            string
	ActivityID    string
	UserID        string
	AttesterName  string
	AttesterEmail string
	TokenHash     string
	State         string
	ExpiresAt     time.Time
	CreatedAt     time.Time
	DecidedAt     *time.Time
	ItemID        string
}

const attestationColumns = `id, activity_id, user_id, attester_name, attester_email, token_hash, state, expires_at, created_at,
	decided_at, COALESCE(item_id, '')`

func scanAttestation(row interface{ Scan(...any) error }, a *Attestation) error {
	var decided sql.NullTime
	if err := row.Scan(&a.ID, &a.ActivityID, &a.UserID, &a.AttesterName, &a.AttesterEmail, &a.TokenHash, &a.State,
		&a.ExpiresAt, &a.CreatedAt, &decided, &a.ItemID); err != nil {
		return err
	}
	a.ExpiresAt, a.CreatedAt, a.DecidedAt = a.ExpiresAt.UTC(), a.CreatedAt.UTC(), timePtr(decided)
	return nil
}

// CreateAttestation stores a pending request; TokenHash, ExpiresAt and
// the attester are set by the caller, ID, State and CreatedAt here.
func (s *DB) CreateAttestation(ctx context.Context, a *Attestation) error {
	if a.TokenHash == "" || a.ExpiresAt.IsZero() || a.ActivityID == "" || a.UserID == "" {
		return badge.Internalf(nil, "create attestation: token, expiry, activity and user are required")
	}
	var err error
	if a.ID, err = s.newID(); err != nil {
		return err
	}
	a.State, a.CreatedAt = AttestationPending, s.timestamp()
	if _, err := s.GetActivity(ctx, a.UserID, a.ActivityID); err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO activity_attestations (id, activity_id, user_id, attester_name, attester_email,
		token_hash, state, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		a.ID, a.ActivityID, a.UserID, a.AttesterName, a.AttesterEmail, a.TokenHash, a.State, storedTime(a.ExpiresAt), a.CreatedAt)
	if err != nil {
		return badge.Internalf(err, "create attestation")
	}
	return nil
}

// PendingAttestation reads the pending, unexpired request with that token
// hash; anything else is NotFound ("this link is no longer valid").
func (s *DB) PendingAttestation(ctx context.Context, hash string) (*Attestation, error) {
	var a Attestation
	err := scanAttestation(s.db.QueryRowContext(ctx, `SELECT `+attestationColumns+` FROM activity_attestations
		WHERE token_hash = $1 AND state = $2 AND expires_at > $3`, hash, AttestationPending, s.timestamp()), &a)
	if err != nil {
		return nil, notFound(err, "attestation.invalid", "attestation")
	}
	return &a, nil
}

// DeclineAttestation records the attester's refusal of a pending,
// unexpired request, in one statement, so that it cannot race with a
// confirmation. It returns the request as it was.
func (s *DB) DeclineAttestation(ctx context.Context, hash string) (*Attestation, error) {
	now := s.timestamp()
	var a Attestation
	err := scanAttestation(s.db.QueryRowContext(ctx, `UPDATE activity_attestations SET state = $2, decided_at = $4
		WHERE token_hash = $1 AND state = $3 AND expires_at > $4 RETURNING `+attestationColumns,
		hash, AttestationDeclined, AttestationPending, now), &a)
	if err != nil {
		return nil, notFound(err, "attestation.invalid", "attestation")
	}
	return &a, nil
}

// ConfirmAttestation, in one transaction, uses the pending, unexpired
// request with that token hash, adds it (the signed attestation, as an
// import: see ImportItem) to the portfolio of the request's teacher, and
// records the item on the request. Either all of it happens or none: a
// link used twice (a double click, a replay, two confirmations racing)
// gives one credential, and a failure leaves the link pending. The link
// is claimed first, so a racing confirmation waits on that row and then
// finds it used (NotFound) rather than tripping on the credential's key.
func (s *DB) ConfirmAttestation(ctx context.Context, hash string, it *PortfolioItem) (*Attestation, error) {
	if err := s.checkImport(it); err != nil {
		return nil, err
	}
	now := s.timestamp()
	var a Attestation
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := scanAttestation(tx.QueryRowContext(ctx, `UPDATE activity_attestations SET state = $2, decided_at = $4
			WHERE token_hash = $1 AND state = $3 AND expires_at > $4 RETURNING `+attestationColumns,
			hash, AttestationConfirmed, AttestationPending, now), &a)
		if err != nil {
			return notFound(err, "attestation.invalid", "attestation")
		}
		it.UserID = a.UserID
		if err := s.insertImport(ctx, tx, it); err != nil {
			return fmt.Errorf("attestation %s: %w", a.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE activity_attestations SET item_id = $2 WHERE id = $1`, a.ID, it.ID); err != nil {
			return badge.Internalf(err, "attestation %s item", a.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.ItemID = it.ID
	return &a, nil
}

// ListAttestations returns the requests about an activity of the user,
// newest first.
func (s *DB) ListAttestations(ctx context.Context, userID, activityID string) ([]*Attestation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+attestationColumns+` FROM activity_attestations
		WHERE user_id = $1 AND activity_id = $2 ORDER BY created_at DESC`, userID, activityID)
	if err != nil {
		return nil, badge.Internalf(err, "list attestations")
	}
	defer rows.Close()
	var out []*Attestation
	for rows.Next() {
		var a Attestation
		if err := scanAttestation(rows, &a); err != nil {
			return nil, badge.Internalf(err, "list attestations")
		}
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list attestations")
	}
	return out, nil
}

// AttestedActivities returns, for each of the user's activities with a
// confirmed attestation, the portfolio items holding its attestations
// ("" for one the teacher has since removed from the portfolio): which
// activities are attested, and in which themes their credentials sit.
func (s *DB) AttestedActivities(ctx context.Context, userID string) (map[string][]string, error) {
	// Through activities, whose user index finds the rows (requests have
	// an index by activity only).
	rows, err := s.db.QueryContext(ctx, `SELECT t.activity_id, COALESCE(t.item_id, '') FROM activities a
		JOIN activity_attestations t ON t.activity_id = a.id
		WHERE a.user_id = $1 AND t.state = $2 ORDER BY t.activity_id, t.created_at, t.id`, userID, AttestationConfirmed)
	if err != nil {
		return nil, badge.Internalf(err, "list attested activities")
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var activity, item string
		if err := rows.Scan(&activity, &item); err != nil {
			return nil, badge.Internalf(err, "list attested activities")
		}
		out[activity] = append(out[activity], item)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list attested activities")
	}
	return out, nil
}
