package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// Portfolios: the badges an account holds (portfolio_items), in themes
// the recipient names and orders (portfolio_collections). Every method
// takes the owner's user ID and touches only that account's rows, so a
// handler cannot reach another account's portfolio by guessing an ID.

// MaxCollectionNameLen bounds a theme's name.
const MaxCollectionNameLen = 100

// MaxPortfolioItems bounds what one listing returns: a portfolio page
// shows every badge, and no one holds more than this many.
const MaxPortfolioItems = 5000

// PortfolioItem is one badge in a portfolio: an award made here
// (AwardID) or an imported credential (Credential, Source).
type PortfolioItem struct {
	ID      string
	UserID  string
	AwardID string // "" for an imported badge
	// Credential holds an imported badge's bytes as received (JSON, JWT
	// or baked image); Source says where they came from.
	Credential   []byte
	Source       string
	Name         string // the badge's name when added (for the slug and imported badges)
	Slug         string // unique per account: /@handle/badges/{slug}
	Public       bool
	ShowEvidence bool
	CollectionID string // "" when in no theme
	Position     int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Import describes an imported badge (nil for an award made here).
	Import *ImportInfo
}

// ImportInfo is what an import read from a badge made elsewhere, and what
// its last verification said (table portfolio_imports).
type ImportInfo struct {
	// Key is the credential's id, else "sha256:" and the hex hash of its
	// bytes: an account imports a badge once.
	Key         string
	Format      string // png, svg, json or jwt
	Standard    string // "Open Badges 2.0" or "Open Badges 1.0"; "" for 3.0
	IssuerName  string
	IssuerURL   string
	Description string
	IssuedAt    *time.Time
	ValidUntil  *time.Time
	// State is the verdict of the last verification: valid, expired,
	// revoked, suspended or invalid. StateReason is the issuer's reason.
	State       string
	StateReason string
	CheckedAt   time.Time
	// ImageType is the media type of the stored image ("" when none);
	// Image is set only when writing (ImportItem) and by ImportImage.
	ImageType string
	Image     []byte
}

// MaxImportImage bounds the image stored with an imported badge.
const MaxImportImage = 1 << 20

// Collection is a theme of a portfolio.
type Collection struct {
	ID        string
	UserID    string
	Name      string
	Position  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PortfolioEntry is an item with what the portfolio pages show of its
// award, badge, issuer and theme, read in one query. Award fields are
// zero for an imported item. It holds nothing private of the award: no
// recipient address, no identity hash.
type PortfolioEntry struct {
	Item             PortfolioItem
	BadgeID          string
	BadgeName        string
	BadgeDescription string
	BadgeSlug        string
	BadgeImageKey    string
	BadgeLanguage    string
	IssuerID         string
	IssuerName       string
	IssuerSlug       string
	AwardedAt        time.Time
	ValidUntil       *time.Time
	Status           badge.Status
	CollectionName   string
}

const itemColumns = `i.id, i.user_id, i.award_id, i.credential, i.source, i.name, i.slug, i.public, i.show_evidence,
	i.collection_id, i.position, i.created_at, i.updated_at`

// importColumns are what listings read of an imported badge (all NULL for
// an award made here), from portfolio_imports joined as m; not the image.
const importColumns = `m.item_id, COALESCE(m.credential_key, ''), COALESCE(m.format, ''), COALESCE(m.standard, ''),
	COALESCE(m.issuer_name, ''), COALESCE(m.issuer_url, ''), COALESCE(m.description, ''), m.issued_at, m.valid_until,
	COALESCE(m.state, ''), COALESCE(m.state_reason, ''), m.checked_at, COALESCE(m.image_type, '')`

// importScan receives importColumns.
type importScan struct {
	itemID                   sql.NullString
	info                     ImportInfo
	issued, until, checkedAt sql.NullTime
}

func (x *importScan) dest() []any {
	return []any{&x.itemID, &x.info.Key, &x.info.Format, &x.info.Standard, &x.info.IssuerName, &x.info.IssuerURL,
		&x.info.Description, &x.issued, &x.until, &x.info.State, &x.info.StateReason, &x.checkedAt, &x.info.ImageType}
}

// apply sets the item's Import and fills the entry's award fields from it
// (issuer, dates, description), so that pages list both kinds alike.
func (x *importScan) apply(e *PortfolioEntry) {
	if !x.itemID.Valid {
		return
	}
	in := x.info
	in.IssuedAt, in.ValidUntil = timePtr(x.issued), timePtr(x.until)
	if x.checkedAt.Valid {
		in.CheckedAt = x.checkedAt.Time.UTC()
	}
	e.Item.Import = &in
	e.IssuerName, e.BadgeDescription, e.ValidUntil = in.IssuerName, in.Description, in.ValidUntil
	if in.IssuedAt != nil {
		e.AwardedAt = *in.IssuedAt
	}
}

// entryQuery reads items with their award, badge, issuer and theme. Items
// of an imported badge have no award: the joins are outer.
const entryQuery = `SELECT ` + itemColumns + `,
	COALESCE(b.id, ''), COALESCE(b.name, ''), COALESCE(b.description, ''), COALESCE(b.slug, ''), COALESCE(b.image_key, ''),
	COALESCE(b.language, ''), COALESCE(iss.id, ''), COALESCE(iss.name, ''), COALESCE(iss.slug, ''), a.awarded_at,
	a.valid_until, COALESCE(a.status, ''), COALESCE(c.name, ''), ` + importColumns + `
	FROM portfolio_items i
	LEFT JOIN awards a ON a.id = i.award_id
	LEFT JOIN badges b ON b.id = a.badge_id
	LEFT JOIN issuers iss ON iss.id = a.issuer_id
	LEFT JOIN portfolio_collections c ON c.id = i.collection_id
	LEFT JOIN portfolio_imports m ON m.item_id = i.id`

func scanItem(dest []any, it *PortfolioItem, awardID, collectionID *sql.NullString) []any {
	return append(dest, &it.ID, &it.UserID, awardID, &it.Credential, &it.Source, &it.Name, &it.Slug, &it.Public,
		&it.ShowEvidence, collectionID, &it.Position, &it.CreatedAt, &it.UpdatedAt)
}

func scanEntry(row interface{ Scan(...any) error }, e *PortfolioEntry) error {
	var (
		awardID, collectionID sql.NullString
		awardedAt, validUntil sql.NullTime
		status                string
		imp                   importScan
	)
	dest := scanItem(nil, &e.Item, &awardID, &collectionID)
	dest = append(dest, &e.BadgeID, &e.BadgeName, &e.BadgeDescription, &e.BadgeSlug, &e.BadgeImageKey, &e.BadgeLanguage,
		&e.IssuerID, &e.IssuerName, &e.IssuerSlug, &awardedAt, &validUntil, &status, &e.CollectionName)
	dest = append(dest, imp.dest()...)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	e.Item.AwardID, e.Item.CollectionID = awardID.String, collectionID.String
	e.Item.CreatedAt, e.Item.UpdatedAt = e.Item.CreatedAt.UTC(), e.Item.UpdatedAt.UTC()
	if awardedAt.Valid {
		e.AwardedAt = awardedAt.Time.UTC()
	}
	e.ValidUntil, e.Status = timePtr(validUntil), badge.Status(status)
	if e.BadgeName == "" {
		e.BadgeName = e.Item.Name
	}
	imp.apply(e)
	return nil
}

// listQuery reads a portfolio for its pages: only what a listing shows,
// without the definitions (badge and issuer, which callers cache) and
// without an imported credential's bytes, so that a page of a thousand
// badges reads narrow rows.
const listQuery = `SELECT i.id, i.award_id, i.source, i.name, i.slug, i.public, i.show_evidence, i.collection_id, i.position,
	COALESCE(a.badge_id, ''), COALESCE(a.issuer_id, ''), a.awarded_at, a.valid_until, COALESCE(a.status, ''), COALESCE(c.name, ''),
	` + importColumns + `
	FROM portfolio_items i
	LEFT JOIN awards a ON a.id = i.award_id
	LEFT JOIN portfolio_collections c ON c.id = i.collection_id
	LEFT JOIN portfolio_imports m ON m.item_id = i.id
	WHERE i.user_id = $1`

// ListPortfolio returns the account's items, public ones only when
// publicOnly, in the order the pages show them: themes in their order,
// then the items in no theme; within each, the items' order. One query
// serves the whole page. Entries carry BadgeID and IssuerID but not the
// badge's or issuer's names (BadgeName is the name the item was added
// with), nor Item.Credential, CreatedAt and UpdatedAt: callers complete
// them from their caches of definitions. An imported badge's entry has
// its Import (without the image) and its Source.
func (s *DB) ListPortfolio(ctx context.Context, userID string, publicOnly bool) ([]*PortfolioEntry, error) {
	q := listQuery
	if s.dialect == SQLite {
		// See migration 0005: the covering index spares reading each
		// award's row past its credential.
		q = strings.Replace(q, "LEFT JOIN awards a ON", "LEFT JOIN awards a INDEXED BY awards_listing ON", 1)
	}
	if publicOnly {
		q += ` AND i.public`
	}
	q += ` ORDER BY (c.position IS NULL), c.position, c.id, i.position, i.created_at, i.id LIMIT ` + strconv.Itoa(MaxPortfolioItems)
	rows, err := s.db.QueryContext(ctx, q, userID)
	if err != nil {
		return nil, badge.Internalf(err, "list portfolio of user %s", userID)
	}
	defer rows.Close()
	var out []*PortfolioEntry
	for rows.Next() {
		e := &PortfolioEntry{}
		var (
			awardID, collectionID sql.NullString
			awardedAt, validUntil sql.NullTime
			status                string
			imp                   importScan
		)
		err := rows.Scan(append([]any{&e.Item.ID, &awardID, &e.Item.Source, &e.Item.Name, &e.Item.Slug, &e.Item.Public, &e.Item.ShowEvidence, &collectionID,
			&e.Item.Position, &e.BadgeID, &e.IssuerID, &awardedAt, &validUntil, &status, &e.CollectionName}, imp.dest()...)...)
		if err != nil {
			return nil, badge.Internalf(err, "scan portfolio item")
		}
		e.Item.UserID, e.Item.AwardID, e.Item.CollectionID = userID, awardID.String, collectionID.String
		if awardedAt.Valid {
			e.AwardedAt = awardedAt.Time.UTC()
		}
		e.ValidUntil, e.Status, e.BadgeName = timePtr(validUntil), badge.Status(status), e.Item.Name
		imp.apply(e)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list portfolio of user %s", userID)
	}
	return out, nil
}

// GetPortfolioEntry reads one of the account's items by ID.
func (s *DB) GetPortfolioEntry(ctx context.Context, userID, id string) (*PortfolioEntry, error) {
	var e PortfolioEntry
	err := scanEntry(s.db.QueryRowContext(ctx, entryQuery+` WHERE i.user_id = $1 AND i.id = $2`, userID, id), &e)
	if err != nil {
		return nil, notFound(err, "portfolio.item_not_found", "portfolio item")
	}
	return &e, nil
}

// GetPortfolioEntryBySlug reads one of the account's items by its slug.
func (s *DB) GetPortfolioEntryBySlug(ctx context.Context, userID, slug string) (*PortfolioEntry, error) {
	var e PortfolioEntry
	err := scanEntry(s.db.QueryRowContext(ctx, entryQuery+` WHERE i.user_id = $1 AND i.slug = $2`, userID, slug), &e)
	if err != nil {
		return nil, notFound(err, "portfolio.item_not_found", "portfolio item")
	}
	return &e, nil
}

// GetPortfolioItemByAward returns the item holding an award, whoever's.
func (s *DB) GetPortfolioItemByAward(ctx context.Context, awardID string) (*PortfolioEntry, error) {
	var e PortfolioEntry
	err := scanEntry(s.db.QueryRowContext(ctx, entryQuery+` WHERE i.award_id = $1`, awardID), &e)
	if err != nil {
		return nil, notFound(err, "portfolio.item_not_found", "portfolio item")
	}
	return &e, nil
}

// AwardDeclinedAt tells when the award's recipient declined it (nil: not
// declined).
func (s *DB) AwardDeclinedAt(ctx context.Context, awardID string) (*time.Time, error) {
	var at sql.NullTime
	if err := s.db.QueryRowContext(ctx, `SELECT declined_at FROM awards WHERE id = $1`, awardID).Scan(&at); err != nil {
		return nil, notFound(err, "award.not_found", "award")
	}
	return timePtr(at), nil
}

// ClaimAward records that the account accepts the award, and puts it in
// its portfolio, private, in no theme, after the other items there; both
// in one transaction. Accepting again is harmless: the existing item is
// returned. A declined award, or one accepted by another account, is a
// Conflict. Callers check first that the award was made to one of the
// account's addresses.
func (s *DB) ClaimAward(ctx context.Context, awardID, userID string) (*PortfolioItem, error) {
	var item *PortfolioItem
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.timestamp()
		res, err := tx.ExecContext(ctx, `UPDATE awards SET claimed_by = $2, claimed_at = $3
			WHERE id = $1 AND claimed_by IS NULL AND declined_at IS NULL`, awardID, userID, now)
		if err != nil {
			return badge.Internalf(err, "claim award %s", awardID)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var claimedBy sql.NullString
			var declined sql.NullTime
			err := tx.QueryRowContext(ctx, `SELECT claimed_by, declined_at FROM awards WHERE id = $1`, awardID).Scan(&claimedBy, &declined)
			if err != nil {
				return notFound(err, "award.not_found", "award")
			}
			switch {
			case declined.Valid:
				return badge.Conflictf("", "claim.declined", "this badge was declined")
			case claimedBy.String != userID:
				return badge.Conflictf("", "claim.taken", "this badge was accepted by another account")
			}
			// Already ours: return the item (re-created if it was removed).
			it, err := itemByAward(ctx, tx, awardID)
			if err == nil {
				item = it
				return nil
			}
			if !badge.IsNotFound(err) {
				return err
			}
		}
		var name string
		err = tx.QueryRowContext(ctx, `SELECT b.name FROM awards a JOIN badges b ON b.id = a.badge_id WHERE a.id = $1`, awardID).Scan(&name)
		if err != nil {
			return notFound(err, "award.not_found", "award")
		}
		it := &PortfolioItem{UserID: userID, AwardID: awardID, Name: name, CreatedAt: now, UpdatedAt: now}
		if err := s.insertItem(ctx, tx, it); err != nil {
			return err
		}
		item = it
		return s.awardEvent(ctx, tx, EventAwardClaimed, awardID)
	})
	return item, err
}

func itemByAward(ctx context.Context, tx *sql.Tx, awardID string) (*PortfolioItem, error) {
	var it PortfolioItem
	var aid, cid sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM portfolio_items i WHERE i.award_id = $1`, awardID).
		Scan(scanItem(nil, &it, &aid, &cid)...)
	if err != nil {
		return nil, notFound(err, "portfolio.item_not_found", "portfolio item")
	}
	it.AwardID, it.CollectionID = aid.String, cid.String
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	return &it, nil
}

// ImportItem adds an imported badge (its bytes and source) to the
// account's portfolio, private, in no theme. With it.Import, what the
// import read is stored alongside in the same transaction; a badge the
// account already imported (same Import.Key) is a Conflict.
func (s *DB) ImportItem(ctx context.Context, it *PortfolioItem) error {
	if err := s.checkImport(it); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.insertImport(ctx, tx, it) })
}

// checkImport checks an imported item and sets what an import starts as:
// private, in no theme, created now.
func (s *DB) checkImport(it *PortfolioItem) error {
	if len(it.Credential) == 0 {
		return badge.Invalidf("credential", "portfolio.credential_required", "the imported badge is empty")
	}
	if strings.TrimSpace(it.Name) == "" || len([]rune(it.Name)) > badge.MaxNameLen {
		return badge.Invalidf("name", "portfolio.name_invalid", "an imported badge needs a name of at most %d characters", badge.MaxNameLen)
	}
	if in := it.Import; in != nil {
		switch {
		case in.Key == "" || in.Format == "" || in.State == "":
			return badge.Invalidf("", "portfolio.import_incomplete", "an imported badge needs its key, format and state")
		case len(in.Image) > MaxImportImage:
			return badge.Invalidf("", "portfolio.image_too_large", "the badge's image is larger than %d bytes", MaxImportImage)
		}
	}
	it.AwardID, it.Public, it.ShowEvidence, it.CollectionID = "", false, false, ""
	it.CreatedAt = s.timestamp()
	it.UpdatedAt = it.CreatedAt
	return nil
}

// insertImport writes a checked imported item (ImportItem) in tx, so
// that other writes (a confirmed attestation) can share its transaction.
func (s *DB) insertImport(ctx context.Context, tx *sql.Tx, it *PortfolioItem) error {
	if in := it.Import; in != nil {
		// Checked first: the item's slug would otherwise be taken
		// before the duplicate is noticed.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM portfolio_imports WHERE user_id = $1 AND credential_key = $2`,
			it.UserID, in.Key).Scan(&n); err != nil {
			return badge.Internalf(err, "read imports")
		}
		if n > 0 {
			return badge.Conflictf("", "portfolio.already_imported", "this badge is already in your portfolio")
		}
	}
	if err := s.insertItem(ctx, tx, it); err != nil {
		return err
	}
	if it.Import == nil {
		return nil
	}
	in := it.Import
	if in.CheckedAt.IsZero() {
		in.CheckedAt = it.CreatedAt
	}
	in.CheckedAt = storedTime(in.CheckedAt)
	var image []byte
	if len(in.Image) > 0 {
		image = in.Image
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO portfolio_imports (item_id, user_id, credential_key, format, standard,
		issuer_name, issuer_url, description, issued_at, valid_until, state, state_reason, checked_at, image_type, image)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		it.ID, it.UserID, in.Key, in.Format, in.Standard, in.IssuerName, in.IssuerURL, in.Description,
		nullTime(storedTimePtr(in.IssuedAt)), nullTime(storedTimePtr(in.ValidUntil)), in.State, in.StateReason, in.CheckedAt, in.ImageType, image)
	if constraintOf(err) == uniqueViolation {
		return badge.Conflictf("", "portfolio.already_imported", "this badge is already in your portfolio")
	}
	if err != nil {
		return badge.Internalf(err, "insert import of item %s", it.ID)
	}
	return nil
}

// ImportImage returns the stored image of one of the account's imported
// badges and its media type; NotFound when it has none.
func (s *DB) ImportImage(ctx context.Context, userID, itemID string) (string, []byte, error) {
	var ctype string
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT image_type, image FROM portfolio_imports
		WHERE item_id = $1 AND user_id = $2 AND image IS NOT NULL`, itemID, userID).Scan(&ctype, &data)
	if err != nil {
		return "", nil, notFound(err, "portfolio.image_not_found", "image of portfolio item")
	}
	return ctype, data, nil
}

// ImportCheck is an imported badge due for a new verification.
type ImportCheck struct {
	ItemID     string
	UserID     string
	Credential []byte
	State      string
	CheckedAt  time.Time
}

// MaxImportChecks bounds one batch of DueImports.
const MaxImportChecks = 500

// DueImports returns up to limit imported badges last verified before
// before, those checked longest ago first, with their bytes.
func (s *DB) DueImports(ctx context.Context, before time.Time, limit int) ([]*ImportCheck, error) {
	limit = min(max(limit, 1), MaxImportChecks)
	rows, err := s.db.QueryContext(ctx, `SELECT m.item_id, m.user_id, i.credential, m.state, m.checked_at
		FROM portfolio_imports m JOIN portfolio_items i ON i.id = m.item_id
		WHERE m.checked_at < $1 ORDER BY m.checked_at, m.item_id LIMIT $2`, storedTime(before), limit)
	if err != nil {
		return nil, badge.Internalf(err, "list imports due for a check")
	}
	defer rows.Close()
	var out []*ImportCheck
	for rows.Next() {
		var c ImportCheck
		if err := rows.Scan(&c.ItemID, &c.UserID, &c.Credential, &c.State, &c.CheckedAt); err != nil {
			return nil, badge.Internalf(err, "scan import due for a check")
		}
		c.CheckedAt = c.CheckedAt.UTC()
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list imports due for a check")
	}
	return out, nil
}

// RecordImportCheck stores the outcome of a verification of an imported
// badge, checked now. An item removed meanwhile is NotFound.
func (s *DB) RecordImportCheck(ctx context.Context, itemID, state, reason string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE portfolio_imports SET state = $2, state_reason = $3, checked_at = $4 WHERE item_id = $1`,
		itemID, state, reason, s.timestamp())
	if err != nil {
		return badge.Internalf(err, "record check of imported item %s", itemID)
	}
	return oneRow(res, "portfolio.item_not_found", "portfolio item")
}

// insertItem picks the item's ID, slug and position and inserts it.
func (s *DB) insertItem(ctx context.Context, tx *sql.Tx, it *PortfolioItem) error {
	id, err := s.newID()
	if err != nil {
		return badge.Internalf(err, "new portfolio item")
	}
	it.ID = id
	if it.Slug, err = freeItemSlug(ctx, tx, it.UserID, it.Name); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position) + 1, 0) FROM portfolio_items
		WHERE user_id = $1 AND collection_id IS NULL`, it.UserID).Scan(&it.Position); err != nil {
		return badge.Internalf(err, "position of new portfolio item")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO portfolio_items (id, user_id, award_id, credential, source, name, slug, public,
		show_evidence, collection_id, position, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		it.ID, it.UserID, nullString(it.AwardID), it.Credential, it.Source, it.Name, it.Slug, it.Public, it.ShowEvidence,
		nullString(it.CollectionID), it.Position, it.CreatedAt, it.UpdatedAt)
	switch constraintOf(err) {
	case uniqueViolation:
		return badge.Conflictf("", "portfolio.duplicate", "this badge is already in a portfolio")
	case foreignKeyViolation:
		return badge.NotFoundf("user.not_found", "user %s not found", it.UserID)
	}
	if err != nil {
		return badge.Internalf(err, "insert portfolio item")
	}
	return nil
}

// freeItemSlug finds the account's first unused slug for a badge name:
// the name's slug, then with -2, -3… (slugs hold no LIKE wildcards). The
// transaction serialises writers on SQLite; on PostgreSQL the unique
// index catches a race, which the caller sees as a Conflict.
func freeItemSlug(ctx context.Context, tx *sql.Tx, userID, name string) (string, error) {
	base := badge.Slugify(name)
	if base == "" {
		base = "badge"
	}
	rows, err := tx.QueryContext(ctx, `SELECT slug FROM portfolio_items WHERE user_id = $1 AND (slug = $2 OR slug LIKE $3)`,
		userID, base, base+`-%`)
	if err != nil {
		return "", badge.Internalf(err, "read portfolio slugs")
	}
	defer rows.Close()
	taken := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", badge.Internalf(err, "read portfolio slugs")
		}
		taken[s] = true
	}
	if err := rows.Err(); err != nil {
		return "", badge.Internalf(err, "read portfolio slugs")
	}
	for n := 1; ; n++ {
		slug := base
		if n > 1 {
			slug = base + "-" + strconv.Itoa(n)
		}
		if !taken[slug] {
			return slug, nil
		}
	}
}

// DeclineAward records that the recipient declined the award: it stays
// out of the portfolio. An award already accepted is a Conflict;
// declining twice is harmless.
func (s *DB) DeclineAward(ctx context.Context, awardID string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE awards SET declined_at = $2 WHERE id = $1 AND claimed_by IS NULL AND declined_at IS NULL`,
		awardID, s.timestamp())
	if err != nil {
		return badge.Internalf(err, "decline award %s", awardID)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	var claimedBy sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT claimed_by FROM awards WHERE id = $1`, awardID).Scan(&claimedBy); err != nil {
		return notFound(err, "award.not_found", "award")
	}
	if claimedBy.Valid {
		return badge.Conflictf("", "claim.already_accepted", "this badge was already accepted")
	}
	return nil
}

// PendingAwards returns the awards made to any of the account's verified
// addresses that it has neither accepted nor declined, newest first,
// without their credentials.
func (s *DB) PendingAwards(ctx context.Context, userID string) ([]*badge.Award, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+awardListColumns+` FROM awards
		WHERE recipient_email IN (SELECT email FROM user_emails WHERE user_id = $1 AND verified_at IS NOT NULL)
		AND claimed_by IS NULL AND declined_at IS NULL
		ORDER BY awarded_at DESC, id LIMIT $2`, userID, MaxAwardLimit)
	if err != nil {
		return nil, badge.Internalf(err, "list pending awards of user %s", userID)
	}
	defer rows.Close()
	var out []*badge.Award
	for rows.Next() {
		var a badge.Award
		if err := scanAward(rows, &a, false); err != nil {
			return nil, badge.Internalf(err, "list pending awards")
		}
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list pending awards of user %s", userID)
	}
	return out, nil
}

// ItemSettings are what the recipient chooses for an item.
type ItemSettings struct {
	Public       bool
	ShowEvidence bool
	CollectionID string // "" for no theme
}

// UpdatePortfolioItem applies the settings to one of the account's items.
// Moved to another theme, the item goes last there. A theme that is not
// the account's is NotFound.
func (s *DB) UpdatePortfolioItem(ctx context.Context, userID, id string, set ItemSettings) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var current sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT collection_id FROM portfolio_items WHERE id = $1 AND user_id = $2`, id, userID).Scan(&current)
		if err != nil {
			return notFound(err, "portfolio.item_not_found", "portfolio item")
		}
		if set.CollectionID != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM portfolio_collections WHERE id = $1 AND user_id = $2`,
				set.CollectionID, userID).Scan(&n); err != nil {
				return badge.Internalf(err, "read theme")
			}
			if n == 0 {
				return badge.NotFoundf("portfolio.collection_not_found", "theme not found")
			}
		}
		now := s.timestamp()
		if current.String == set.CollectionID {
			_, err = tx.ExecContext(ctx, `UPDATE portfolio_items SET public = $3, show_evidence = $4, updated_at = $5
				WHERE id = $1 AND user_id = $2`, id, userID, set.Public, set.ShowEvidence, now)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE portfolio_items SET public = $3, show_evidence = $4, updated_at = $5,
				collection_id = $6, position = (SELECT COALESCE(MAX(position) + 1, 0) FROM portfolio_items
					WHERE user_id = $2 AND COALESCE(collection_id, '') = $7)
				WHERE id = $1 AND user_id = $2`, id, userID, set.Public, set.ShowEvidence, now, nullString(set.CollectionID), set.CollectionID)
		}
		if err != nil {
			return badge.Internalf(err, "update portfolio item %s", id)
		}
		return nil
	})
}

// RemovePortfolioItem takes an item out of the account's portfolio. An
// award removed this way stays accepted: it can be put back with
// ClaimAward.
func (s *DB) RemovePortfolioItem(ctx context.Context, userID, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM portfolio_items WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return badge.Internalf(err, "remove portfolio item %s", id)
	}
	return oneRow(res, "portfolio.item_not_found", "portfolio item")
}

// MovePortfolioItem moves an item one place up (delta < 0) or down
// (delta > 0) among the items of its theme. At either end it stays.
func (s *DB) MovePortfolioItem(ctx context.Context, userID, id string, delta int) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var coll sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT collection_id FROM portfolio_items WHERE id = $1 AND user_id = $2`, id, userID).Scan(&coll)
		if err != nil {
			return notFound(err, "portfolio.item_not_found", "portfolio item")
		}
		ids, err := orderedIDs(ctx, tx, `SELECT id FROM portfolio_items WHERE user_id = $1 AND COALESCE(collection_id, '') = $2
			ORDER BY position, created_at, id`, userID, coll.String)
		if err != nil {
			return err
		}
		return s.reorder(ctx, tx, `UPDATE portfolio_items SET position = $2 WHERE id = $1`, ids, id, delta)
	})
}

// orderedIDs reads a list of IDs in order.
func orderedIDs(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, badge.Internalf(err, "read order")
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, badge.Internalf(err, "read order")
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "read order")
	}
	return ids, nil
}

// reorder moves id by delta places in ids and writes positions 0, 1, 2…
// for the rows whose position changed, so that ties left by earlier
// writes disappear.
func (s *DB) reorder(ctx context.Context, tx *sql.Tx, update string, ids []string, id string, delta int) error {
	from := -1
	for i, x := range ids {
		if x == id {
			from = i
		}
	}
	if from < 0 {
		return badge.NotFoundf("portfolio.item_not_found", "not found")
	}
	to := min(max(from+delta, 0), len(ids)-1)
	moved := append([]string{}, ids...)
	moved = append(moved[:from], moved[from+1:]...)
	moved = append(moved[:to], append([]string{id}, moved[to:]...)...)
	for i, x := range moved {
		if _, err := tx.ExecContext(ctx, update, x, i); err != nil {
			return badge.Internalf(err, "write order")
		}
	}
	return nil
}

// ListCollections returns the account's themes in order.
func (s *DB) ListCollections(ctx context.Context, userID string) ([]*Collection, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, user_id, name, position, created_at, updated_at FROM portfolio_collections
		WHERE user_id = $1 ORDER BY position, created_at, id`, userID)
	if err != nil {
		return nil, badge.Internalf(err, "list themes of user %s", userID)
	}
	defer rows.Close()
	var out []*Collection
	for rows.Next() {
		var c Collection
		if err := rows.Scan(&c.ID, &c.UserID, &c.Name, &c.Position, &c.CreatedAt, &c.UpdatedAt); err != nil {
			return nil, badge.Internalf(err, "scan theme")
		}
		c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list themes of user %s", userID)
	}
	return out, nil
}

// MaxCollections bounds the themes of one account.
const MaxCollections = 100

func checkCollectionName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", badge.Invalidf("name", "portfolio.collection_name_required", "a theme needs a name")
	case len([]rune(name)) > MaxCollectionNameLen:
		return "", badge.Invalidf("name", "portfolio.collection_name_too_long", "a theme's name has at most %d characters", MaxCollectionNameLen)
	}
	return name, nil
}

// CreateCollection adds a theme after the account's others.
func (s *DB) CreateCollection(ctx context.Context, userID, name string) (*Collection, error) {
	name, err := checkCollectionName(name)
	if err != nil {
		return nil, err
	}
	id, err := s.newID()
	if err != nil {
		return nil, badge.Internalf(err, "new theme")
	}
	now := s.timestamp()
	c := &Collection{ID: id, UserID: userID, Name: name, CreatedAt: now, UpdatedAt: now}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(position) + 1, 0) FROM portfolio_collections WHERE user_id = $1`,
			userID).Scan(&n, &c.Position); err != nil {
			return badge.Internalf(err, "count themes")
		}
		if n >= MaxCollections {
			return badge.Invalidf("name", "portfolio.too_many_collections", "at most %d themes", MaxCollections)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO portfolio_collections (id, user_id, name, position, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, c.UserID, c.Name, c.Position, c.CreatedAt, c.UpdatedAt)
		if constraintOf(err) == foreignKeyViolation {
			return badge.NotFoundf("user.not_found", "user %s not found", userID)
		}
		if err != nil {
			return badge.Internalf(err, "insert theme")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// RenameCollection renames one of the account's themes.
func (s *DB) RenameCollection(ctx context.Context, userID, id, name string) error {
	name, err := checkCollectionName(name)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE portfolio_collections SET name = $3, updated_at = $4 WHERE id = $1 AND user_id = $2`,
		id, userID, name, s.timestamp())
	if err != nil {
		return badge.Internalf(err, "rename theme %s", id)
	}
	return oneRow(res, "portfolio.collection_not_found", "theme")
}

// MoveCollection moves a theme one place up (delta < 0) or down.
func (s *DB) MoveCollection(ctx context.Context, userID, id string, delta int) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := orderedIDs(ctx, tx, `SELECT id FROM portfolio_collections WHERE user_id = $1 ORDER BY position, created_at, id`, userID)
		if err != nil {
			return err
		}
		err = s.reorder(ctx, tx, `UPDATE portfolio_collections SET position = $2 WHERE id = $1`, ids, id, delta)
		if badge.IsNotFound(err) {
			return badge.NotFoundf("portfolio.collection_not_found", "theme not found")
		}
		return err
	})
}

// DeleteCollection removes a theme; its badges stay in the portfolio, in
// no theme, after the others there.
func (s *DB) DeleteCollection(ctx context.Context, userID, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM portfolio_collections WHERE id = $1 AND user_id = $2`, id, userID).Scan(&n); err != nil {
			return badge.Internalf(err, "read theme")
		}
		if n == 0 {
			return badge.NotFoundf("portfolio.collection_not_found", "theme not found")
		}
		var next int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position) + 1, 0) FROM portfolio_items WHERE user_id = $1 AND collection_id IS NULL`,
			userID).Scan(&next); err != nil {
			return badge.Internalf(err, "read order")
		}
		// Done here rather than by ON DELETE SET NULL so that the badges
		// keep their order, after those already in no theme.
		if _, err := tx.ExecContext(ctx, `UPDATE portfolio_items SET collection_id = NULL, position = position + $3
			WHERE user_id = $1 AND collection_id = $2`, userID, id, next); err != nil {
			return badge.Internalf(err, "empty theme %s", id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM portfolio_collections WHERE id = $1 AND user_id = $2`, id, userID); err != nil {
			return badge.Internalf(err, "delete theme %s", id)
		}
		return nil
	})
}
