package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sceau/sceau/internal/badge"
)

// AwardBatchSize is how many awards CreateAwards signs and stores per
// transaction: large enough that bulk awards are fast, small enough that a
// SQLite writer holds the lock only briefly.
const AwardBatchSize = 250

// awardListColumns are the columns lists need; the credential itself is read
// only by GetAward and GetAwardByStatusIndex.
const awardListColumns = `id, badge_id, issuer_id, recipient_email, recipient_did, recipient_name, recipient_salt,
	recipient_identity_hash, narrative, evidence, awarded_at, valid_from, valid_until, language, status_index,
	status, status_reason, status_changed_at, created_at, updated_at, claimed_by, claimed_at`

const awardColumns = awardListColumns + `, credential, credential_jwt`

func scanAward(row interface{ Scan(...any) error }, a *badge.Award, withCredential bool) error {
	var (
		evidence                    string
		validUntil, statusChangedAt sql.NullTime
		status                      string
		claimedBy                   sql.NullString
		claimedAt                   sql.NullTime
	)
	dest := []any{&a.ID, &a.BadgeID, &a.IssuerID, &a.Recipient.Email, &a.Recipient.DID, &a.Recipient.Name,
		&a.Recipient.Salt, &a.Recipient.IdentityHash, &a.Narrative, &evidence, &a.AwardedAt, &a.ValidFrom,
		&validUntil, &a.Language, &a.StatusIndex, &status, &a.StatusReason, &statusChangedAt,
		&a.CreatedAt, &a.UpdatedAt, &claimedBy, &claimedAt}
	if withCredential {
		dest = append(dest, &a.Credential, &a.CredentialJWT)
	}
	if err := row.Scan(dest...); err != nil {
		return err
	}
	a.Status = badge.Status(status)
	a.ValidUntil, a.StatusChangedAt = timePtr(validUntil), timePtr(statusChangedAt)
	a.ClaimedBy, a.ClaimedAt = claimedBy.String, timePtr(claimedAt)
	a.AwardedAt, a.ValidFrom = a.AwardedAt.UTC(), a.ValidFrom.UTC()
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	if err := fromJSONText(evidence, &a.Evidence); err != nil {
		return fmt.Errorf("award %s evidence: %w", a.ID, err)
	}
	return nil
}

// SignFunc completes an award inside CreateAwards, after its ID and
// StatusIndex are set and before it is stored: it builds and signs the
// credential (which embeds both) and sets Credential, and CredentialJWT if
// wanted. An error aborts the batch.
type SignFunc func(*badge.Award) error

// CreateAwards validates every award first (storing none if one is invalid,
// the error naming it by position, from 1), then stores them in
// transactions of AwardBatchSize. In each transaction it allocates the
// awards' status list indexes, calls sign for each award and inserts it, so
// that an award is either complete (index allocated, signed, stored) or
// absent, whatever happens to the process. It sets ID (when empty),
// StatusIndex, Status (active), AwardedAt and ValidFrom (when zero),
// CreatedAt and UpdatedAt.
//
// It returns how many awards were stored: on error, the batches before the
// failing one are stored and the rest are not (their fields may have been
// set all the same). Indexes of a failed batch are not consumed.
func (s *DB) CreateAwards(ctx context.Context, awards []*badge.Award, sign SignFunc) (int, error) {
	return s.CreateAwardsThen(ctx, awards, sign, nil)
}

// AfterAward runs for each award inside the transaction that stores it,
// after the insert: what must exist if and only if the award does (its
// announcement e-mail job, its claim token) is written there.
type AfterAward func(ctx context.Context, tx *sql.Tx, a *badge.Award) error

// CreateAwardsThen is CreateAwards with after (which may be nil) run for
// each award in its transaction.
func (s *DB) CreateAwardsThen(ctx context.Context, awards []*badge.Award, sign SignFunc, after AfterAward) (int, error) {
	for i, a := range awards {
		if err := a.Validate(); err != nil {
			return 0, fmt.Errorf("award %d: %w", i+1, err)
		}
		if a.Status != "" && a.Status != badge.StatusActive {
			return 0, fmt.Errorf("award %d: %w", i+1, badge.Invalidf("status", "award.status_not_active", "a new award must be active"))
		}
	}
	stored := 0
	for start := 0; start < len(awards); start += AwardBatchSize {
		batch := awards[start:min(start+AwardBatchSize, len(awards))]
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if err := s.insertAwards(ctx, tx, batch, sign); err != nil {
				return err
			}
			if after == nil {
				return nil
			}
			for _, a := range batch {
				if err := after(ctx, tx, a); err != nil {
					return fmt.Errorf("award %s: %w", a.ID, err)
				}
			}
			return nil
		})
		if err != nil {
			return stored, err
		}
		stored += len(batch)
	}
	return stored, nil
}

// CreateAward stores one award; see CreateAwards.
func (s *DB) CreateAward(ctx context.Context, a *badge.Award, sign SignFunc) error {
	_, err := s.CreateAwards(ctx, []*badge.Award{a}, sign)
	return err
}

func (s *DB) insertAwards(ctx context.Context, tx *sql.Tx, batch []*badge.Award, sign SignFunc) error {
	// Allocate first: in SQLite the transaction already holds the write
	// lock; in PostgreSQL the counter rows stay locked until commit, so
	// concurrent batches get disjoint ranges. Issuers are taken in a fixed
	// order so two batches never wait on each other crosswise.
	counts := map[string]int{}
	for _, a := range batch {
		counts[a.IssuerID]++
	}
	issuers := make([]string, 0, len(counts))
	for id := range counts {
		issuers = append(issuers, id)
	}
	sort.Strings(issuers)
	next := make(map[string]int, len(issuers))
	for _, id := range issuers {
		first, err := allocateStatusIndexes(ctx, tx, id, counts[id], s.timestamp())
		if err != nil {
			return err
		}
		next[id] = first
	}
	perBadge := map[string]int{}
	for _, a := range batch {
		perBadge[a.BadgeID]++
	}
	for id, n := range perBadge {
		if _, err := tx.ExecContext(ctx, `UPDATE badges SET awards_count = awards_count + $2 WHERE id = $1`, id, n); err != nil {
			return badge.Internalf(err, "count awards of badge %s", id)
		}
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO awards (`+awardColumns+`) VALUES
		($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`)
	if err != nil {
		return badge.Internalf(err, "prepare award insert")
	}
	defer stmt.Close()
	for _, a := range batch {
		if a.ID == "" {
			if a.ID, err = s.newID(); err != nil {
				return badge.Internalf(err, "create award")
			}
		}
		now := s.timestamp()
		a.StatusIndex = next[a.IssuerID]
		next[a.IssuerID]++
		a.Status, a.StatusReason, a.StatusChangedAt = badge.StatusActive, "", nil
		if a.AwardedAt.IsZero() {
			a.AwardedAt = now
		}
		if a.ValidFrom.IsZero() {
			a.ValidFrom = a.AwardedAt
		}
		// Normalise before signing, so that the dates in the credential are
		// the ones read back.
		a.AwardedAt, a.ValidFrom, a.ValidUntil = storedTime(a.AwardedAt), storedTime(a.ValidFrom), storedTimePtr(a.ValidUntil)
		a.CreatedAt, a.UpdatedAt = now, now
		if err := sign(a); err != nil {
			return fmt.Errorf("sign award %s: %w", a.ID, err)
		}
		if len(a.Credential) == 0 {
			return badge.Internalf(errors.New("sign left the credential empty"), "award %s", a.ID)
		}
		evidence, err := jsonText(a.Evidence)
		if err != nil {
			return badge.Internalf(err, "encode evidence of award %s", a.ID)
		}
		_, err = stmt.ExecContext(ctx, a.ID, a.BadgeID, a.IssuerID, a.Recipient.Email, a.Recipient.DID, a.Recipient.Name,
			a.Recipient.Salt, a.Recipient.IdentityHash, a.Narrative, evidence, a.AwardedAt, a.ValidFrom,
			nullTime(a.ValidUntil), a.Language, a.StatusIndex, string(a.Status), a.StatusReason, nullTime(a.StatusChangedAt),
			a.CreatedAt, a.UpdatedAt, nullString(a.ClaimedBy), nullTime(a.ClaimedAt), a.Credential, a.CredentialJWT)
		switch constraintOf(err) {
		case uniqueViolation:
			return badge.Conflictf("id", "award.id_taken", "an award with id %s already exists", a.ID)
		case foreignKeyViolation:
			return badge.NotFoundf("badge.not_found", "badge %s of issuer %s not found", a.BadgeID, a.IssuerID)
		}
		if err != nil {
			return badge.Internalf(err, "store award %s", a.ID)
		}
	}
	return nil
}

// GetAward returns the award with the given ID, with its credential.
func (s *DB) GetAward(ctx context.Context, id string) (*badge.Award, error) {
	var a badge.Award
	if err := scanAward(s.db.QueryRowContext(ctx, `SELECT `+awardColumns+` FROM awards WHERE id = $1`, id), &a, true); err != nil {
		return nil, notFound(err, "award.not_found", "award")
	}
	return &a, nil
}

// GetAwardByStatusIndex returns the issuer's award holding a status index.
func (s *DB) GetAwardByStatusIndex(ctx context.Context, issuerID string, index int) (*badge.Award, error) {
	var a badge.Award
	if err := scanAward(s.db.QueryRowContext(ctx, `SELECT `+awardColumns+` FROM awards WHERE issuer_id = $1 AND status_index = $2`,
		issuerID, index), &a, true); err != nil {
		return nil, notFound(err, "award.not_found", "award")
	}
	return &a, nil
}

// AwardFilter selects awards. Empty fields do not filter; at least one of
// IssuerID and BadgeID should be set in the web layer, but the store does
// not insist (the CLI lists everything).
type AwardFilter struct {
	IssuerID       string
	BadgeID        string
	Status         badge.Status
	RecipientEmail string // exact
	RecipientDID   string // exact
	Search         string // case-insensitive substring of the recipient's e-mail or name
	Limit          int    // 0: DefaultAwardLimit; capped at MaxAwardLimit
	Offset         int
	// After and Before page by position rather than by offset, so that a
	// page deep in a hundred thousand awards costs what the first does:
	// After lists the awards that come after the cursor in the list's
	// order (older), Before those that come before it (newer, still
	// returned newest first). Cursors come from AwardCursor.
	After, Before *Cursor
}

// Cursor is a position in an award list: the awarded_at and id of an
// award (the list's sort key).
type Cursor struct {
	AwardedAt time.Time
	ID        string
}

// AwardCursor is a's position in a list.
func AwardCursor(a *badge.Award) *Cursor { return &Cursor{AwardedAt: a.AwardedAt, ID: a.ID} }

// String encodes the cursor for a URL.
func (c *Cursor) String() string {
	return strconv.FormatInt(c.AwardedAt.UnixMicro(), 10) + "." + c.ID
}

// ParseCursor decodes a cursor from a URL; a malformed one is an Invalid
// error.
func ParseCursor(s string) (*Cursor, error) {
	us, id, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil || !badge.ValidID(id) {
		return nil, badge.Invalidf("cursor", "award.cursor_invalid", "this page link is malformed")
	}
	return &Cursor{AwardedAt: time.UnixMicro(n).UTC(), ID: id}, nil
}

// Limits on one page of awards.
const (
	DefaultAwardLimit = 50
	MaxAwardLimit     = 1000
)

// where builds the WHERE clause; values go into args, never into the text.
func (f *AwardFilter) where() (string, []any) { return f.whereIn("") }

// whereIn is where, with the index hints of dialect d.
func (f *AwardFilter) whereIn(d Dialect) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.IssuerID != "" {
		add("issuer_id = ?", f.IssuerID)
	}
	if f.BadgeID != "" {
		add("badge_id = ?", f.BadgeID)
	}
	if f.Status != "" {
		add("status = ?", string(f.Status))
		if f.Status != badge.StatusActive {
			// Lets the planner use the partial index of inactive awards,
			// which it cannot match from the bound value alone.
			conds = append(conds, "status <> 'active'")
		}
	}
	if f.RecipientEmail != "" {
		add("recipient_email = ?", f.RecipientEmail)
	}
	if f.RecipientDID != "" {
		add("recipient_did = ?", f.RecipientDID)
	}
	if f.Search != "" {
		if f.fullText(d) {
			// SQLite: the trigram full-text index finds the substring
			// in a few milliseconds among a hundred thousand awards.
			add(`rowid IN (SELECT rowid FROM awards_fts WHERE awards_fts MATCH ?)`, ftsPhrase(f.Search))
		} else if d == SQLite {
			// One or two letters: the start of an address, found by a
			// range of the search index (a substring that short would
			// match nearly every award).
			q := strings.ToLower(f.Search)
			args = append(args, q)
			add(`recipient_email >= $`+strconv.Itoa(len(args))+` AND recipient_email < ?`, q+"\U0010FFFF")
		} else {
			// PostgreSQL reads every award of the
			// issuer: from the narrow search index (addresses are stored
			// lower-cased), never from the table, whose rows carry the
			// credentials.
			hint := ""
			if d == SQLite && f.IssuerID != "" {
				hint = " INDEXED BY awards_issuer_search"
			}
			match := `(recipient_email LIKE ? ESCAPE '\' OR LOWER(recipient_name) LIKE ? ESCAPE '\')`
			if f.IssuerID != "" {
				args = append(args, f.IssuerID)
				match = `issuer_id = $` + strconv.Itoa(len(args)) + ` AND ` + match
			}
			add(`id IN (SELECT id FROM awards`+hint+` WHERE `+match+`)`, likePattern(f.Search))
		}
	}
	if c := f.After; c != nil {
		args = append(args, storedTime(c.AwardedAt), c.ID)
		// A row-value comparison, which both databases answer from the
		// (…, awarded_at, id) indexes as a range.
		conds = append(conds, "(awarded_at, id) < ($"+strconv.Itoa(len(args)-1)+", $"+strconv.Itoa(len(args))+")")
	}
	if c := f.Before; c != nil {
		args = append(args, storedTime(c.AwardedAt), c.ID)
		conds = append(conds, "(awarded_at, id) > ($"+strconv.Itoa(len(args)-1)+", $"+strconv.Itoa(len(args))+")")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// ListAwards returns a page of awards, newest first, without their
// credentials (Credential and CredentialJWT are empty; use GetAward).
func (s *DB) ListAwards(ctx context.Context, f AwardFilter) ([]*badge.Award, error) {
	if f.Status != "" && !f.Status.Valid() {
		return nil, badge.Invalidf("status", "award.status_invalid", "status must be active, revoked or suspended")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultAwardLimit
	}
	limit = min(limit, MaxAwardLimit)
	where, args := f.whereIn(s.dialect)
	args = append(args, limit, max(f.Offset, 0))
	from := ` FROM awards`
	if s.dialect == SQLite && f.IssuerID != "" && f.Status != "" && f.Status != badge.StatusActive && f.Search == "" {
		// Inactive awards are few: find them in their partial index and
		// sort them, rather than walk every award of the issuer in date
		// order looking for them.
		from += ` INDEXED BY awards_issuer_inactive`
	}
	if f.fullText(s.dialect) {
		// The matches are few: read them by rowid, rather than walk the
		// issuer's index checking each award against the match list.
		from += ` NOT INDEXED`
	}
	// The page's ids are picked from an index (skipping OFFSET entries
	// there, not whole rows), then only those rows are read.
	// Before a cursor, the nearest newer awards are the page: read them
	// in ascending order from the index, then show them newest first.
	inner := `DESC`
	if f.Before != nil {
		inner = `ASC`
	}
	q := `SELECT ` + awardListColumns + ` FROM awards WHERE id IN (SELECT id` + from + where +
		` ORDER BY awarded_at ` + inner + `, id ` + inner + ` LIMIT $` + strconv.Itoa(len(args)-1) + ` OFFSET $` + strconv.Itoa(len(args)) +
		`) ORDER BY awarded_at DESC, id DESC`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, badge.Internalf(err, "list awards")
	}
	defer rows.Close()
	var out []*badge.Award
	for rows.Next() {
		var a badge.Award
		if err := scanAward(rows, &a, false); err != nil {
			return nil, badge.Internalf(err, "list awards")
		}
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list awards")
	}
	return out, nil
}

// fullText reports whether the search goes through the trigram index
// (SQLite, three letters or more: a trigram needs three).
func (f *AwardFilter) fullText(d Dialect) bool {
	return d == SQLite && f.Search != "" && utf8.RuneCountInString(f.Search) >= 3
}

// ftsPhrase quotes a search as one FTS5 phrase: whatever the user typed
// is matched as a substring, never read as query syntax.
func ftsPhrase(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// CountAwards counts the awards ListAwards would page through.
func (s *DB) CountAwards(ctx context.Context, f AwardFilter) (int, error) {
	where, args := f.whereIn(s.dialect)
	var n int
	from := ` FROM awards`
	if f.fullText(s.dialect) {
		from += ` NOT INDEXED` // see ListAwards
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+from+where, args...).Scan(&n); err != nil {
		return 0, badge.Internalf(err, "count awards")
	}
	return n, nil
}

// UpdateAwardStatus revokes, suspends or reinstates an award. Revocation is
// final: changing a revoked award is a Conflict. The signed credential does
// not change; verifiers learn the status from the issuer's status lists.
func (s *DB) UpdateAwardStatus(ctx context.Context, id string, status badge.Status, reason string, at time.Time) error {
	if !status.Valid() {
		return badge.Invalidf("status", "award.status_invalid", "status must be active, revoked or suspended")
	}
	if len([]rune(reason)) > badge.MaxDescriptionLen {
		return badge.Invalidf("reason", "award.status_reason_too_long", "the reason is longer than %d characters", badge.MaxDescriptionLen)
	}
	at = storedTime(at)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var current string
		err := tx.QueryRowContext(ctx, `SELECT status FROM awards WHERE id = $1`, id).Scan(&current)
		if err != nil {
			return notFound(err, "award.not_found", "award")
		}
		if badge.Status(current) == badge.StatusRevoked {
			return badge.Conflictf("status", "award.already_revoked", "the award is revoked; revocation cannot be undone")
		}
		_, err = tx.ExecContext(ctx, `UPDATE awards SET status = $2, status_reason = $3, status_changed_at = $4, updated_at = $5
			WHERE id = $1`, id, string(status), reason, at, s.timestamp())
		if err != nil {
			return badge.Internalf(err, "update status of award %s", id)
		}
		if status == badge.StatusRevoked {
			return s.awardEvent(ctx, tx, EventAwardRevoked, id)
		}
		return nil
	})
}

// AwardEvents is told of changes to awards inside the transaction that
// makes them (webhooks queue their deliveries there): claimed, revoked.
type AwardEvents func(ctx context.Context, tx *sql.Tx, event string, a *badge.Award) error

// SetAwardEvents sets the receiver of award events (nil: none). Call it
// before serving.
func (s *DB) SetAwardEvents(fn AwardEvents) { s.events = fn }

// awardEvent reads the award in tx and passes it to the events receiver.
func (s *DB) awardEvent(ctx context.Context, tx *sql.Tx, event, id string) error {
	if s.events == nil {
		return nil
	}
	var a badge.Award
	if err := scanAward(tx.QueryRowContext(ctx, `SELECT `+awardListColumns+` FROM awards WHERE id = $1`, id), &a, false); err != nil {
		return notFound(err, "award.not_found", "award")
	}
	return s.events(ctx, tx, event, &a)
}

// ReplaceAwardCredential stores a re-issued award: the recipient's display
// name, narrative, evidence, validity, language and the new signed
// credential. The ID, badge, issuer, recipient identity, AwardedAt, status
// index and status are kept from the stored row (OB 3.0: a re-issued
// credential keeps its id and awardedDate) and copied back into a.
func (s *DB) ReplaceAwardCredential(ctx context.Context, a *badge.Award) error {
	if len(a.Credential) == 0 {
		return badge.Invalidf("credential", "award.credential_required", "the re-issued credential is empty")
	}
	if err := optionalLen(a.Recipient.Name, badge.MaxNameLen, "recipient_name"); err != nil {
		return err
	}
	evidence, err := jsonText(a.Evidence)
	if err != nil {
		return badge.Internalf(err, "encode evidence of award %s", a.ID)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var stored badge.Award
		err := scanAward(tx.QueryRowContext(ctx, `SELECT `+awardListColumns+` FROM awards WHERE id = $1`, a.ID), &stored, false)
		if err != nil {
			return notFound(err, "award.not_found", "award")
		}
		cand := stored
		cand.Recipient.Name, cand.Narrative, cand.Evidence = a.Recipient.Name, a.Narrative, a.Evidence
		cand.ValidFrom, cand.ValidUntil, cand.Language = storedTime(a.ValidFrom), storedTimePtr(a.ValidUntil), a.Language
		if cand.ValidFrom.IsZero() {
			cand.ValidFrom = stored.ValidFrom
		}
		if err := cand.Validate(); err != nil {
			return err
		}
		now := s.timestamp()
		_, err = tx.ExecContext(ctx, `UPDATE awards SET recipient_name = $2, narrative = $3, evidence = $4, valid_from = $5,
			valid_until = $6, language = $7, credential = $8, credential_jwt = $9, updated_at = $10 WHERE id = $1`,
			a.ID, cand.Recipient.Name, cand.Narrative, evidence, cand.ValidFrom, nullTime(cand.ValidUntil), cand.Language,
			a.Credential, a.CredentialJWT, now)
		if err != nil {
			return badge.Internalf(err, "re-issue award %s", a.ID)
		}
		credential, jwt := a.Credential, a.CredentialJWT
		*a = cand
		a.Credential, a.CredentialJWT, a.UpdatedAt = credential, jwt, now
		return nil
	})
}

func optionalLen(s string, max int, field string) error {
	if len([]rune(s)) > max {
		return badge.Invalidf(field, "award."+field+"_too_long", "%s is longer than %d characters", field, max)
	}
	return nil
}

// DeleteAward removes an award issued by mistake. Its status index is not
// given to any other award.
func (s *DB) DeleteAward(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var badgeID string
		if err := tx.QueryRowContext(ctx, `DELETE FROM awards WHERE id = $1 RETURNING badge_id`, id).Scan(&badgeID); err != nil {
			return notFound(err, "award.not_found", "award")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE badges SET awards_count = awards_count - 1 WHERE id = $1`, badgeID); err != nil {
			return badge.Internalf(err, "count awards of badge %s", badgeID)
		}
		return nil
	})
}

// BadgeAwardCount returns how many awards a badge has, from its counter.
func (s *DB) BadgeAwardCount(ctx context.Context, badgeID string) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT awards_count FROM badges WHERE id = $1`, badgeID).Scan(&n); err != nil {
		return 0, notFound(err, "badge.not_found", "badge "+badgeID)
	}
	return n, nil
}
