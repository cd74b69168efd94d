package store

import (
	"context"
	"database/sql"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/pathways"
)

// Pathways (table pathways, with pathway_partners and the leaf keys in
// pathway_requirements) and their completions (pathway_completions and
// the badges each rests on, pathway_completion_basis).

const pathwayColumns = `id, issuer_id, slug, name, description, language, tree, completion_badge_id, created_at, updated_at`

func scanPathway(row interface{ Scan(...any) error }, p *pathways.Pathway) error {
	var tree string
	var completion sql.NullString
	if err := row.Scan(&p.ID, &p.IssuerID, &p.Slug, &p.Name, &p.Description, &p.Language, &tree, &completion,
		&p.CreatedAt, &p.UpdatedAt); err != nil {
		return err
	}
	p.CompletionBadgeID = completion.String
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	root, err := pathways.ParseTree([]byte(tree))
	if err != nil {
		return badge.Internalf(err, "stored tree of pathway %s", p.ID)
	}
	p.Root = root
	return nil
}

// CreatePathway validates and stores a new pathway with its partners and
// leaf keys; it sets ID (when empty), CreatedAt and UpdatedAt. A slug the
// issuer already uses is a Conflict; a completion badge that is not the
// issuer's is Invalid.
func (s *DB) CreatePathway(ctx context.Context, p *pathways.Pathway) error {
	if err := p.Validate(); err != nil {
		return err
	}
	tree, err := pathways.MarshalTree(p.Root)
	if err != nil {
		return badge.Internalf(err, "create pathway")
	}
	if p.ID == "" {
		if p.ID, err = s.newID(); err != nil {
			return badge.Internalf(err, "create pathway")
		}
	}
	now := s.timestamp()
	p.CreatedAt, p.UpdatedAt = now, now
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkCompletionBadge(ctx, tx, p); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO pathways (`+pathwayColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			p.ID, p.IssuerID, p.Slug, p.Name, p.Description, p.Language, string(tree), nullString(p.CompletionBadgeID), p.CreatedAt, p.UpdatedAt)
		if err := pathwayWriteError(err, p, "create"); err != nil {
			return err
		}
		return s.writePathwayLists(ctx, tx, p, now)
	})
}

// UpdatePathway saves a pathway's fields (all but ID, IssuerID and
// CreatedAt), partners and tree, and sets UpdatedAt.
func (s *DB) UpdatePathway(ctx context.Context, p *pathways.Pathway) error {
	if err := p.Validate(); err != nil {
		return err
	}
	tree, err := pathways.MarshalTree(p.Root)
	if err != nil {
		return badge.Internalf(err, "update pathway")
	}
	now := s.timestamp()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkCompletionBadge(ctx, tx, p); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE pathways SET slug = $3, name = $4, description = $5, language = $6, tree = $7,
			completion_badge_id = $8, updated_at = $9 WHERE id = $1 AND issuer_id = $2`,
			p.ID, p.IssuerID, p.Slug, p.Name, p.Description, p.Language, string(tree), nullString(p.CompletionBadgeID), now)
		if err := pathwayWriteError(err, p, "update"); err != nil {
			return err
		}
		if err := oneRow(res, "pathway.not_found", "pathway"); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM pathway_partners WHERE pathway_id = $1`, `DELETE FROM pathway_requirements WHERE pathway_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, p.ID); err != nil {
				return badge.Internalf(err, "update pathway %s", p.ID)
			}
		}
		p.UpdatedAt = now
		return s.writePathwayLists(ctx, tx, p, now)
	})
}

func pathwayWriteError(err error, p *pathways.Pathway, doing string) error {
	switch constraintOf(err) {
	case noConstraint:
	case uniqueViolation:
		return badge.Conflictf("slug", "pathway.slug_taken", "the issuer already has a pathway with the address %q", p.Slug)
	case foreignKeyViolation:
		return badge.NotFoundf("issuer.not_found", "issuer or badge not found")
	}
	if err != nil {
		return badge.Internalf(err, "%s pathway %s", doing, p.Slug)
	}
	return nil
}

// checkCompletionBadge refuses a completion badge of another issuer.
func checkCompletionBadge(ctx context.Context, tx *sql.Tx, p *pathways.Pathway) error {
	if p.CompletionBadgeID == "" {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM badges WHERE id = $1 AND issuer_id = $2`,
		p.CompletionBadgeID, p.IssuerID).Scan(&n); err != nil {
		return badge.Internalf(err, "read completion badge")
	}
	if n == 0 {
		return badge.Invalidf("completion_badge", "pathway.completion_badge_invalid", "the completion badge must be one of the issuer's")
	}
	return nil
}

func (s *DB) writePathwayLists(ctx context.Context, tx *sql.Tx, p *pathways.Pathway, now time.Time) error {
	seen := map[string]bool{p.IssuerID: true}
	for _, id := range p.Partners {
		if seen[id] {
			continue
		}
		seen[id] = true
		_, err := tx.ExecContext(ctx, `INSERT INTO pathway_partners (pathway_id, issuer_id, created_at) VALUES ($1, $2, $3)`, p.ID, id, now)
		if constraintOf(err) == foreignKeyViolation {
			return badge.NotFoundf("issuer.not_found", "partner issuer not found")
		}
		if err != nil {
			return badge.Internalf(err, "store partner of pathway %s", p.ID)
		}
	}
	refs := map[string]bool{}
	for _, l := range pathways.Leaves(p.Root) {
		refs[l.Key()] = true
	}
	for _, ref := range sortedKeys(refs) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO pathway_requirements (pathway_id, ref) VALUES ($1, $2)`, p.ID, ref); err != nil {
			return badge.Internalf(err, "store requirements of pathway %s", p.ID)
		}
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// partnersOf fills the pathways' Partners.
func (s *DB) partnersOf(ctx context.Context, ps []*pathways.Pathway) error {
	if len(ps) == 0 {
		return nil
	}
	byID := map[string]*pathways.Pathway{}
	args := make([]any, 0, len(ps))
	marks := make([]string, 0, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
		p.Partners = nil
		args = append(args, p.ID)
		marks = append(marks, "$"+strconv.Itoa(len(args)))
	}
	rows, err := s.db.QueryContext(ctx, `SELECT pathway_id, issuer_id FROM pathway_partners WHERE pathway_id IN (`+
		strings.Join(marks, ", ")+`) ORDER BY created_at, issuer_id`, args...)
	if err != nil {
		return badge.Internalf(err, "read pathway partners")
	}
	defer rows.Close()
	for rows.Next() {
		var pid, iid string
		if err := rows.Scan(&pid, &iid); err != nil {
			return badge.Internalf(err, "read pathway partners")
		}
		byID[pid].Partners = append(byID[pid].Partners, iid)
	}
	if err := rows.Err(); err != nil {
		return badge.Internalf(err, "read pathway partners")
	}
	return nil
}

func (s *DB) queryPathways(ctx context.Context, what, q string, args ...any) ([]*pathways.Pathway, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, badge.Internalf(err, "list %s", what)
	}
	var out []*pathways.Pathway
	for rows.Next() {
		var p pathways.Pathway
		if err := scanPathway(rows, &p); err != nil {
			rows.Close()
			return nil, badge.Internalf(err, "list %s", what)
		}
		out = append(out, &p)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, badge.Internalf(err, "list %s", what)
	}
	if err := s.partnersOf(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetPathway returns the pathway with the given ID, with its partners.
func (s *DB) GetPathway(ctx context.Context, id string) (*pathways.Pathway, error) {
	ps, err := s.queryPathways(ctx, "pathway", `SELECT `+pathwayColumns+` FROM pathways WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, badge.NotFoundf("pathway.not_found", "pathway not found")
	}
	return ps[0], nil
}

// GetPathwayBySlug returns the issuer's pathway with the given slug.
func (s *DB) GetPathwayBySlug(ctx context.Context, issuerID, slug string) (*pathways.Pathway, error) {
	ps, err := s.queryPathways(ctx, "pathway", `SELECT `+pathwayColumns+` FROM pathways WHERE issuer_id = $1 AND slug = $2`, issuerID, slug)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, badge.NotFoundf("pathway.not_found", "pathway not found")
	}
	return ps[0], nil
}

// MaxPathwayList bounds one listing of pathways.
const MaxPathwayList = 1000

// ListPathways returns the pathways an issuer owns or is a partner of, by
// name.
func (s *DB) ListPathways(ctx context.Context, issuerID string) ([]*pathways.Pathway, error) {
	return s.queryPathways(ctx, "pathways of issuer "+issuerID, `SELECT `+pathwayColumns+` FROM pathways
		WHERE issuer_id = $1 OR id IN (SELECT pathway_id FROM pathway_partners WHERE issuer_id = $1)
		ORDER BY name, id LIMIT `+strconv.Itoa(MaxPathwayList), issuerID)
}

// ListAllPathways returns every pathway, by name, for the catalogue.
func (s *DB) ListAllPathways(ctx context.Context) ([]*pathways.Pathway, error) {
	return s.queryPathways(ctx, "pathways", `SELECT `+pathwayColumns+` FROM pathways ORDER BY name, id LIMIT `+strconv.Itoa(MaxPathwayList))
}

// PathwaysRequiring returns the pathways with a leaf among keys (see
// pathways.Node.Key): those a recipient's badges count toward.
func (s *DB) PathwaysRequiring(ctx context.Context, keys []string) ([]*pathways.Pathway, error) {
	ids := map[string]bool{}
	const chunk = 400
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		args := make([]any, len(part))
		marks := make([]string, len(part))
		for i, k := range part {
			args[i], marks[i] = k, "$"+strconv.Itoa(i+1)
		}
		rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT pathway_id FROM pathway_requirements WHERE ref IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, badge.Internalf(err, "find pathways")
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, badge.Internalf(err, "find pathways")
			}
			ids[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, badge.Internalf(err, "find pathways")
		}
	}
	var out []*pathways.Pathway
	for _, id := range sortedKeys(ids) {
		p, err := s.GetPathway(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
		if len(out) >= MaxPathwayList {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Holding is a badge a recipient holds, as pathways count it: an award
// made here and accepted by the account, or an imported badge (with its
// bytes, to read which achievement it is for).
type Holding struct {
	Kind    string // "award" or "import"
	ID      string // award id or portfolio item id
	BadgeID string // awards only
	// SourceBadgeID is, for an award of a delegate's copy, the authorising
	// issuer's badge, which the award counts as in pathways.
	SourceBadgeID string
	Name          string
	Status        badge.Status // awards only
	State         string       // imports only: the last verification's verdict
	ValidUntil    *time.Time
	Key           string // imports only: the credential's id or hash
	Credential    []byte // imports only
}

// Holdings returns the awards the account accepted and the badges it
// imported, without judging whether they count.
func (s *DB) Holdings(ctx context.Context, userID string) ([]*Holding, error) {
	var out []*Holding
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.badge_id, b.name, a.status, a.valid_until,
		COALESCE((SELECT MIN(d.badge_id) FROM delegations d WHERE d.delegate_badge_id = a.badge_id), '') FROM awards a
		JOIN badges b ON b.id = a.badge_id WHERE a.claimed_by = $1 ORDER BY a.awarded_at, a.id LIMIT `+strconv.Itoa(MaxPortfolioItems), userID)
	if err != nil {
		return nil, badge.Internalf(err, "read holdings of user %s", userID)
	}
	for rows.Next() {
		h := &Holding{Kind: "award"}
		var status string
		var until sql.NullTime
		if err := rows.Scan(&h.ID, &h.BadgeID, &h.Name, &status, &until, &h.SourceBadgeID); err != nil {
			rows.Close()
			return nil, badge.Internalf(err, "read holdings of user %s", userID)
		}
		h.Status, h.ValidUntil = badge.Status(status), timePtr(until)
		out = append(out, h)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, badge.Internalf(err, "read holdings of user %s", userID)
	}
	rows, err = s.db.QueryContext(ctx, `SELECT i.id, i.name, m.state, m.valid_until, m.credential_key, i.credential
		FROM portfolio_imports m JOIN portfolio_items i ON i.id = m.item_id
		WHERE m.user_id = $1 ORDER BY i.created_at, i.id LIMIT `+strconv.Itoa(MaxPortfolioItems), userID)
	if err != nil {
		return nil, badge.Internalf(err, "read imported holdings of user %s", userID)
	}
	defer rows.Close()
	for rows.Next() {
		h := &Holding{Kind: "import"}
		var until sql.NullTime
		if err := rows.Scan(&h.ID, &h.Name, &h.State, &until, &h.Key, &h.Credential); err != nil {
			return nil, badge.Internalf(err, "read imported holdings of user %s", userID)
		}
		h.ValidUntil = timePtr(until)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "read imported holdings of user %s", userID)
	}
	return out, nil
}

// Completion records that a recipient completed a pathway.
type Completion struct {
	ID          string
	PathwayID   string
	UserID      string
	AwardID     string // the completion badge's award; "" when deleted
	CompletedAt time.Time
	Review      string // "", "kept" or "revoked"
	ReviewedAt  *time.Time
	ReviewedBy  string
	Basis       []CompletionBasis
}

// CompletionBasis is one badge a completion rests on.
type CompletionBasis struct {
	Kind  string // "award" or "import"
	RefID string // award id or portfolio item id
	URL   string
	Name  string
}

// Review decisions.
const (
	ReviewKept    = "kept"
	ReviewRevoked = "revoked"
)

// CreateCompletion stores a completion with its basis; it sets ID and
// CompletedAt. A second completion of the same pathway by the same
// account is a Conflict.
func (s *DB) CreateCompletion(ctx context.Context, c *Completion) error {
	id, err := s.newID()
	if err != nil {
		return badge.Internalf(err, "new completion")
	}
	c.ID, c.CompletedAt, c.Review = id, s.timestamp(), ""
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO pathway_completions (id, pathway_id, user_id, award_id, completed_at)
			VALUES ($1, $2, $3, $4, $5)`, c.ID, c.PathwayID, c.UserID, nullString(c.AwardID), c.CompletedAt)
		switch constraintOf(err) {
		case uniqueViolation:
			return badge.Conflictf("", "pathway.already_completed", "this pathway is already completed")
		case foreignKeyViolation:
			return badge.NotFoundf("pathway.not_found", "pathway, account or award not found")
		}
		if err != nil {
			return badge.Internalf(err, "store completion")
		}
		for _, b := range c.Basis {
			_, err := tx.ExecContext(ctx, `INSERT INTO pathway_completion_basis (completion_id, kind, ref_id, url, name)
				VALUES ($1, $2, $3, $4, $5)`, c.ID, b.Kind, b.RefID, b.URL, b.Name)
			if err != nil {
				return badge.Internalf(err, "store completion basis")
			}
		}
		return nil
	})
}

const completionColumns = `c.id, c.pathway_id, c.user_id, COALESCE(c.award_id, ''), c.completed_at, c.review, c.reviewed_at, c.reviewed_by`

func scanCompletion(row interface{ Scan(...any) error }, c *Completion, extra ...any) error {
	var reviewed sql.NullTime
	if err := row.Scan(append([]any{&c.ID, &c.PathwayID, &c.UserID, &c.AwardID, &c.CompletedAt, &c.Review, &reviewed, &c.ReviewedBy}, extra...)...); err != nil {
		return err
	}
	c.CompletedAt, c.ReviewedAt = c.CompletedAt.UTC(), timePtr(reviewed)
	return nil
}

// GetCompletion returns the account's completion of a pathway, with its
// basis; NotFound when there is none.
func (s *DB) GetCompletion(ctx context.Context, pathwayID, userID string) (*Completion, error) {
	var c Completion
	err := scanCompletion(s.db.QueryRowContext(ctx, `SELECT `+completionColumns+` FROM pathway_completions c
		WHERE c.pathway_id = $1 AND c.user_id = $2`, pathwayID, userID), &c)
	if err != nil {
		return nil, notFound(err, "pathway.completion_not_found", "completion")
	}
	return &c, s.completionBasis(ctx, &c)
}

// GetCompletionByID returns a completion of one of the issuer's pathways.
func (s *DB) GetCompletionByID(ctx context.Context, issuerID, id string) (*Completion, error) {
	var c Completion
	err := scanCompletion(s.db.QueryRowContext(ctx, `SELECT `+completionColumns+` FROM pathway_completions c
		JOIN pathways p ON p.id = c.pathway_id WHERE c.id = $1 AND p.issuer_id = $2`, id, issuerID), &c)
	if err != nil {
		return nil, notFound(err, "pathway.completion_not_found", "completion")
	}
	return &c, s.completionBasis(ctx, &c)
}

func (s *DB) completionBasis(ctx context.Context, c *Completion) error {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, ref_id, url, name FROM pathway_completion_basis WHERE completion_id = $1
		ORDER BY kind, ref_id`, c.ID)
	if err != nil {
		return badge.Internalf(err, "read completion basis")
	}
	defer rows.Close()
	c.Basis = nil
	for rows.Next() {
		var b CompletionBasis
		if err := rows.Scan(&b.Kind, &b.RefID, &b.URL, &b.Name); err != nil {
			return badge.Internalf(err, "read completion basis")
		}
		c.Basis = append(c.Basis, b)
	}
	if err := rows.Err(); err != nil {
		return badge.Internalf(err, "read completion basis")
	}
	return nil
}

// FlaggedCompletion is a completion one of whose badges no longer counts
// (revoked, suspended, expired, deleted, or an imported badge whose last
// verification failed), awaiting the issuer's review.
type FlaggedCompletion struct {
	Completion
	PathwayName string
	PathwaySlug string
	UserName    string
	// Broken lists the badges that stopped counting, with why: the
	// award's status ("revoked", "suspended"), "expired", "deleted", or
	// the imported badge's state.
	Broken []BrokenBasis
}

// BrokenBasis is one badge of a flagged completion that stopped counting.
type BrokenBasis struct {
	CompletionBasis
	Why string
}

// FlaggedCompletions lists the completions of the issuer's pathways that
// rest on a badge that no longer counts at now and that the issuer has not
// reviewed, oldest first. Revocation and expiry are read from the awards
// and imports themselves, so nothing needs to hook into revocation.
func (s *DB) FlaggedCompletions(ctx context.Context, issuerID string, now time.Time) ([]*FlaggedCompletion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+completionColumns+`, p.name, p.slug, u.name, b.kind, b.ref_id, b.url, b.name,
			CASE WHEN b.kind = 'award' THEN
				CASE WHEN a.id IS NULL THEN 'deleted' WHEN a.status <> 'active' THEN a.status ELSE 'expired' END
			ELSE CASE WHEN m.state <> 'valid' THEN m.state ELSE 'expired' END END
		FROM pathway_completions c
		JOIN pathways p ON p.id = c.pathway_id
		JOIN users u ON u.id = c.user_id
		JOIN pathway_completion_basis b ON b.completion_id = c.id
		LEFT JOIN awards a ON b.kind = 'award' AND a.id = b.ref_id
		LEFT JOIN portfolio_imports m ON b.kind = 'import' AND m.item_id = b.ref_id
		WHERE p.issuer_id = $1 AND c.review = '' AND (
			(b.kind = 'award' AND (a.id IS NULL OR a.status <> 'active' OR (a.valid_until IS NOT NULL AND a.valid_until <= $2)))
			OR (b.kind = 'import' AND m.item_id IS NOT NULL AND (m.state <> 'valid' OR (m.valid_until IS NOT NULL AND m.valid_until <= $2))))
		ORDER BY c.completed_at, c.id, b.kind, b.ref_id`, issuerID, storedTime(now))
	if err != nil {
		return nil, badge.Internalf(err, "list flagged completions")
	}
	defer rows.Close()
	var out []*FlaggedCompletion
	for rows.Next() {
		var f FlaggedCompletion
		var b BrokenBasis
		if err := scanCompletion(rows, &f.Completion, &f.PathwayName, &f.PathwaySlug, &f.UserName,
			&b.Kind, &b.RefID, &b.URL, &b.Name, &b.Why); err != nil {
			return nil, badge.Internalf(err, "scan flagged completion")
		}
		if n := len(out); n > 0 && out[n-1].ID == f.ID {
			out[n-1].Broken = append(out[n-1].Broken, b)
			continue
		}
		f.Broken = []BrokenBasis{b}
		out = append(out, &f)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list flagged completions")
	}
	return out, nil
}

// ReviewCompletion records the issuer's decision on a flagged completion.
func (s *DB) ReviewCompletion(ctx context.Context, issuerID, id, decision, by string) error {
	if decision != ReviewKept && decision != ReviewRevoked {
		return badge.Invalidf("decision", "pathway.review_invalid", "the decision is keep or revoke")
	}
	res, err := s.db.ExecContext(ctx, `UPDATE pathway_completions SET review = $3, reviewed_at = $4, reviewed_by = $5
		WHERE id = $1 AND review = '' AND pathway_id IN (SELECT id FROM pathways WHERE issuer_id = $2)`,
		id, issuerID, decision, s.timestamp(), by)
	if err != nil {
		return badge.Internalf(err, "review completion %s", id)
	}
	return oneRow(res, "pathway.completion_not_found", "completion awaiting review")
}

// SetCompletionAward ties a completion to its completion badge's award.
func (s *DB) SetCompletionAward(ctx context.Context, id, awardID string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE pathway_completions SET award_id = $2 WHERE id = $1`, id, awardID)
	if err != nil {
		return badge.Internalf(err, "set award of completion %s", id)
	}
	return oneRow(res, "pathway.completion_not_found", "completion")
}

// DeleteCompletion removes a completion whose award could not be made.
func (s *DB) DeleteCompletion(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM pathway_completions WHERE id = $1`, id)
	if err != nil {
		return badge.Internalf(err, "delete completion %s", id)
	}
	return oneRow(res, "pathway.completion_not_found", "completion")
}

// PathwayCompletions counts a pathway's recorded completions and, among
// them, those whose completion badge was awarded (and not deleted since):
// what the owner is told before deleting it.
func (s *DB) PathwayCompletions(ctx context.Context, pathwayID string) (completions, awarded int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(award_id) FROM pathway_completions WHERE pathway_id = $1`,
		pathwayID).Scan(&completions, &awarded)
	if err != nil {
		return 0, 0, badge.Internalf(err, "count completions of pathway %s", pathwayID)
	}
	return completions, awarded, nil
}

// DeletePathway deletes one of the issuer's pathways with its partners,
// leaf keys and completion records (the foreign keys cascade). The
// completion badges' awards are not touched: they are signed credentials
// that stay valid, and only their link to the pathway goes. Another
// issuer's pathway (a partner's too) is NotFound.
func (s *DB) DeletePathway(ctx context.Context, issuerID, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM pathways WHERE id = $1 AND issuer_id = $2`, id, issuerID)
	if err != nil {
		return badge.Internalf(err, "delete pathway %s", id)
	}
	return oneRow(res, "pathway.not_found", "pathway")
}
