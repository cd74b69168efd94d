package store

import (
	"context"
	"database/sql"

	"github.com/sceau/sceau/internal/badge"
)

// What the Open Badges 3.0 API's upsert needs of imported badges beyond
// ImportItem: find one by its credential key, and replace its bytes.

// ImportedItemByKey returns the account's imported item whose credential
// key is key (the credential's id, or "sha256:" and the hash of its
// bytes), with its bytes; NotFound when there is none.
func (s *DB) ImportedItemByKey(ctx context.Context, userID, key string) (*PortfolioItem, error) {
	var it PortfolioItem
	var aid, cid sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM portfolio_items i
		JOIN portfolio_imports m ON m.item_id = i.id WHERE m.user_id = $1 AND m.credential_key = $2`, userID, key).
		Scan(scanItem(nil, &it, &aid, &cid)...)
	if err != nil {
		return nil, notFound(err, "portfolio.item_not_found", "imported portfolio item")
	}
	it.AwardID, it.CollectionID = aid.String, cid.String
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	return &it, nil
}

// ReplaceImport replaces an imported item's bytes, source and what was
// read from them (in.Key must stay the same; the image is replaced when
// in.Image is set and kept otherwise). The item keeps its slug, theme,
// position and visibility.
func (s *DB) ReplaceImport(ctx context.Context, userID, itemID string, credential []byte, source string, in *ImportInfo) error {
	if len(credential) == 0 || in == nil || in.State == "" || in.Format == "" {
		return badge.Invalidf("", "portfolio.import_incomplete", "an imported badge needs its bytes, format and state")
	}
	if len(in.Image) > MaxImportImage {
		return badge.Invalidf("", "portfolio.image_too_large", "the badge's image is larger than %d bytes", MaxImportImage)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.timestamp()
		res, err := tx.ExecContext(ctx, `UPDATE portfolio_items SET credential = $3, source = $4, updated_at = $5
			WHERE id = $1 AND user_id = $2 AND award_id IS NULL`, itemID, userID, credential, source, now)
		if err != nil {
			return badge.Internalf(err, "replace imported item %s", itemID)
		}
		if err := oneRow(res, "portfolio.item_not_found", "portfolio item"); err != nil {
			return err
		}
		checked := in.CheckedAt
		if checked.IsZero() {
			checked = now
		}
		q := `UPDATE portfolio_imports SET format = $3, standard = $4, issuer_name = $5, issuer_url = $6, description = $7,
			issued_at = $8, valid_until = $9, state = $10, state_reason = $11, checked_at = $12`
		args := []any{itemID, userID, in.Format, in.Standard, in.IssuerName, in.IssuerURL, in.Description,
			nullTime(storedTimePtr(in.IssuedAt)), nullTime(storedTimePtr(in.ValidUntil)), in.State, in.StateReason, storedTime(checked)}
		if len(in.Image) > 0 {
			q += `, image_type = $13, image = $14`
			args = append(args, in.ImageType, in.Image)
		}
		res, err = tx.ExecContext(ctx, q+` WHERE item_id = $1 AND user_id = $2`, args...)
		if err != nil {
			return badge.Internalf(err, "replace import of item %s", itemID)
		}
		return oneRow(res, "portfolio.item_not_found", "imported portfolio item")
	})
}
