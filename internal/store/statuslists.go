package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// allocateStatusIndexes reserves n consecutive status list indexes of an
// issuer inside tx and returns the first. The counter only grows: an index
// is never handed out twice, even when awards are deleted; a rolled-back
// transaction gives its indexes back, which is safe since nothing used them.
func allocateStatusIndexes(ctx context.Context, tx *sql.Tx, issuerID string, n int, now time.Time) (int, error) {
	var end int
	err := tx.QueryRowContext(ctx, `UPDATE status_lists SET next_index = next_index + $2, updated_at = $3
		WHERE issuer_id = $1 RETURNING next_index`, issuerID, n, now).Scan(&end)
	if err != nil {
		return 0, notFound(err, "issuer.not_found", "issuer")
	}
	return end - n, nil
}

// StatusEntries is what an issuer's status lists publish.
type StatusEntries struct {
	Revoked   []int // indexes of revoked awards and withdrawn endorsements, ascending
	Suspended []int // indexes of suspended awards, ascending
	Size      int   // indexes allocated so far: every index is below Size
}

// StatusEntries reads the indexes of the issuer's revoked and suspended
// awards, and of the endorsements it withdrew (endorsements.go), for
// building its Bitstring Status List and revocation list credentials.
func (s *DB) StatusEntries(ctx context.Context, issuerID string) (*StatusEntries, error) {
	e := &StatusEntries{}
	if err := s.db.QueryRowContext(ctx, `SELECT next_index FROM status_lists WHERE issuer_id = $1`, issuerID).Scan(&e.Size); err != nil {
		return nil, notFound(err, "issuer.not_found", "issuer")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT status_index, status FROM awards
		WHERE issuer_id = $1 AND status <> 'active'
		UNION ALL SELECT status_index, 'revoked' FROM endorsements
		WHERE endorser_id = $1 AND withdrawn_at IS NOT NULL AND status_index IS NOT NULL
		ORDER BY 1`, issuerID)
	if err != nil {
		return nil, badge.Internalf(err, "read status entries of issuer %s", issuerID)
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var st string
		if err := rows.Scan(&i, &st); err != nil {
			return nil, badge.Internalf(err, "read status entries of issuer %s", issuerID)
		}
		switch badge.Status(st) {
		case badge.StatusRevoked:
			e.Revoked = append(e.Revoked, i)
		case badge.StatusSuspended:
			e.Suspended = append(e.Suspended, i)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "read status entries of issuer %s", issuerID)
	}
	return e, nil
}

// AwardsIssued returns how many awards the issuer has ever made: its next
// status index, read from one row, less the indexes its endorsements took
// (a few, counted on an index). Pages show it instead of counting a
// hundred thousand rows; it counts awards deleted since (which only an
// operator does), as the status list does.
func (s *DB) AwardsIssued(ctx context.Context, issuerID string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT l.next_index - (SELECT COUNT(*) FROM endorsements e
		WHERE e.endorser_id = l.issuer_id AND e.status_index IS NOT NULL) FROM status_lists l WHERE l.issuer_id = $1`, issuerID).Scan(&n)
	if err != nil {
		return 0, notFound(err, "issuer.not_found", "issuer "+issuerID)
	}
	return n, nil
}
