package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// BatchState is where a bulk award stands.
type BatchState string

// The states of a batch: checked and shown (preview), waiting for the job
// (queued), being awarded (running), finished (done), or stopped by an
// error the job could not get past (failed).
const (
	BatchPreview BatchState = "preview"
	BatchQueued  BatchState = "queued"
	BatchRunning BatchState = "running"
	BatchDone    BatchState = "done"
	BatchFailed  BatchState = "failed"
)

// BatchRow is one valid row of a recipients file.
type BatchRow struct {
	Row         int    `json:"row"`
	Email       string `json:"email"`
	Name        string `json:"name,omitempty"`
	Narrative   string `json:"narrative,omitempty"`
	EvidenceURL string `json:"evidence_url,omitempty"`
}

// BatchRowError is a refused row, kept for the preview.
type BatchRowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// Batch is a bulk award.
type Batch struct {
	ID, IssuerID, BadgeID, CreatedBy string
	FileName                         string
	State                            BatchState
	Rows                             []BatchRow
	Errors                           []BatchRowError
	Total, Done                      int
	LastError                        string
	CreatedAt, UpdatedAt             time.Time
}

const batchColumns = `id, issuer_id, badge_id, created_by, file_name, state, rows, row_errors, total, done, last_error, created_at, updated_at`

func scanBatch(row interface{ Scan(...any) error }, b *Batch, withRows bool) error {
	var rows, errs string
	var createdBy sql.NullString
	if err := row.Scan(&b.ID, &b.IssuerID, &b.BadgeID, &createdBy, &b.FileName, &b.State, &rows, &errs, &b.Total, &b.Done,
		&b.LastError, &b.CreatedAt, &b.UpdatedAt); err != nil {
		return err
	}
	b.CreatedBy = createdBy.String
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(errs), &b.Errors); err != nil {
		return err
	}
	if withRows {
		return json.Unmarshal([]byte(rows), &b.Rows)
	}
	return nil
}

// CreateBatch stores a checked recipients file in the preview state. It
// sets ID, State, Total and the times.
func (s *DB) CreateBatch(ctx context.Context, b *Batch) error {
	id, err := s.newID()
	if err != nil {
		return badge.Internalf(err, "create batch")
	}
	rows, err := json.Marshal(b.Rows)
	if err != nil {
		return badge.Internalf(err, "encode batch rows")
	}
	if b.Errors == nil {
		b.Errors = []BatchRowError{}
	}
	errs, err := json.Marshal(b.Errors)
	if err != nil {
		return badge.Internalf(err, "encode batch errors")
	}
	now := s.timestamp()
	b.ID, b.State, b.Total, b.Done, b.CreatedAt, b.UpdatedAt = id, BatchPreview, len(b.Rows), 0, now, now
	_, err = s.db.ExecContext(ctx, `INSERT INTO award_batches (`+batchColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		b.ID, b.IssuerID, b.BadgeID, nullString(b.CreatedBy), b.FileName, string(b.State), string(rows), string(errs), b.Total, 0, "", now, now)
	if err != nil {
		return badge.Internalf(err, "store batch")
	}
	return nil
}

// GetBatch reads a batch; withRows also decodes its rows (the preview and
// the job need them; the progress poll does not).
func (s *DB) GetBatch(ctx context.Context, id string, withRows bool) (*Batch, error) {
	var b Batch
	err := scanBatch(s.db.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM award_batches WHERE id = $1`, id), &b, withRows)
	if err != nil {
		return nil, notFound(err, "batch.not_found", "batch "+id)
	}
	return &b, nil
}

// StartBatch moves a previewed batch to queued and queues its job, in one
// transaction: a batch is started once (a second start is a Conflict),
// and never queued without its job.
func (s *DB) StartBatch(ctx context.Context, id string, job *Job) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE award_batches SET state = 'queued', updated_at = $2 WHERE id = $1 AND state = 'preview'`,
			id, s.timestamp())
		if err != nil {
			return badge.Internalf(err, "start batch %s", id)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return badge.Conflictf("", "batch.started", "this batch was already started")
		}
		return s.EnqueueJobTx(ctx, tx, job)
	})
}

// UpdateBatch records a batch's progress and state.
func (s *DB) UpdateBatch(ctx context.Context, id string, state BatchState, done int, lastError string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE award_batches SET state = $2, done = $3, last_error = $4, updated_at = $5 WHERE id = $1`,
		id, string(state), done, lastError, s.timestamp())
	if err != nil {
		return badge.Internalf(err, "update batch %s", id)
	}
	return oneRow(res, "batch.not_found", "batch "+id)
}

// ExistingAwards returns which of the ids are stored awards.
func (s *DB) ExistingAwards(ctx context.Context, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		q := `SELECT id FROM awards WHERE id IN (`
		for i, id := range chunk {
			if i > 0 {
				q += ", "
			}
			q += "$" + strconv.Itoa(i+1)
			args[i] = id
		}
		rows, err := s.db.QueryContext(ctx, q+`)`, args...)
		if err != nil {
			return nil, badge.Internalf(err, "find awards")
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, badge.Internalf(err, "find awards")
			}
			out[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, badge.Internalf(err, "find awards")
		}
	}
	return out, nil
}
