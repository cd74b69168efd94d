package issuing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
)

// BatchJobKind is the job that awards a started batch.
const BatchJobKind = "award.batch"

// batchChunk is how many rows a batch job awards between two progress
// records: one store transaction's worth (store.AwardBatchSize).
const batchChunk = store.AwardBatchSize

// PrepareBatch checks a recipients file for a badge and stores every row
// for the preview: the valid ones, to be awarded once the issuer starts
// the batch, and the refused ones with their errors. Nothing is awarded.
// A file that cannot be read at all (no e-mail column, not UTF-8…) is an
// Invalid error on field "file" and stores nothing.
func (s *Service) PrepareBatch(ctx context.Context, b *badge.Badge, userID, fileName string, r io.Reader) (*store.Batch, error) {
	ins, rowErrs := ParseCSVWith(r, CSVOptions{SkipInvalid: true})
	batch := &store.Batch{IssuerID: b.IssuerID, BadgeID: b.ID, CreatedBy: userID, FileName: cleanFileName(fileName)}
	for _, e := range rowErrs {
		if e.Row <= 1 {
			// The file or its header: nothing can be awarded from it.
			return nil, badge.Invalidf("file", "csv.file", "%s", e.Error())
		}
		batch.Errors = append(batch.Errors, store.BatchRowError{Row: e.Row, Field: e.Field, Code: e.Code, Message: e.Message})
	}
	for _, in := range ins {
		row := store.BatchRow{Row: in.Row, Email: in.Email, Name: in.Name, Narrative: in.Narrative}
		if len(in.Evidence) > 0 {
			row.EvidenceURL = in.Evidence[0].URL
		}
		batch.Rows = append(batch.Rows, row)
	}
	if len(batch.Rows) == 0 && len(batch.Errors) == 0 {
		return nil, badge.Invalidf("file", "csv.empty", "no recipients in the file")
	}
	if err := s.db.CreateBatch(ctx, batch); err != nil {
		return nil, err
	}
	return batch, nil
}

// batchPayload is the batch job's payload.
type batchPayload struct {
	Batch string `json:"batch"`
}

// StartBatch queues a previewed batch's job. Starting twice is a Conflict.
func (s *Service) StartBatch(ctx context.Context, batchID string) error {
	p, err := json.Marshal(batchPayload{Batch: batchID})
	if err != nil {
		return badge.Internalf(err, "encode batch job")
	}
	return s.db.StartBatch(ctx, batchID, &store.Job{Kind: BatchJobKind, Payload: p, MaxAttempts: 20})
}

// RunBatchJob is the job handler of BatchJobKind.
func (s *Service) RunBatchJob(ctx context.Context, payload []byte) error {
	var p batchPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.Batch == "" {
		return fmt.Errorf("decode batch job: %v", err)
	}
	return s.RunBatch(ctx, p.Batch)
}

// RunBatch awards a batch's rows chunk by chunk, recording progress after
// each. Every row's award id is derived from the batch id and the row, so
// a run interrupted (process killed, database down) and run again skips
// the rows already awarded and never awards a row twice.
func (s *Service) RunBatch(ctx context.Context, batchID string) error {
	b, err := s.db.GetBatch(ctx, batchID, true)
	if err != nil {
		return err
	}
	if b.State == store.BatchDone {
		return nil
	}
	if err := s.db.UpdateBatch(ctx, b.ID, store.BatchRunning, b.Done, ""); err != nil {
		return err
	}
	done := 0
	for start := 0; start < len(b.Rows); start += batchChunk {
		chunk := b.Rows[start:min(start+batchChunk, len(b.Rows))]
		ids := make([]string, len(chunk))
		for i, row := range chunk {
			ids[i] = batchAwardID(b.ID, row.Row)
		}
		have, err := s.db.ExistingAwards(ctx, ids)
		if err != nil {
			return s.batchFailed(ctx, b, done, err)
		}
		var ins []AwardInput
		for i, row := range chunk {
			if have[ids[i]] {
				continue
			}
			in := AwardInput{ID: ids[i], Row: row.Row, BadgeID: b.BadgeID, Email: row.Email, Name: row.Name, Narrative: row.Narrative}
			if row.EvidenceURL != "" {
				in.Evidence = []badge.Evidence{{URL: row.EvidenceURL}}
			}
			ins = append(ins, in)
		}
		if len(ins) > 0 {
			if _, err := s.AwardMany(ctx, ins); err != nil {
				return s.batchFailed(ctx, b, done, err)
			}
		}
		done = start + len(chunk)
		if err := s.db.UpdateBatch(ctx, b.ID, store.BatchRunning, done, ""); err != nil {
			return err
		}
	}
	return s.db.UpdateBatch(ctx, b.ID, store.BatchDone, done, "")
}

// batchFailed records the error on the batch (the issuer sees it on the
// progress page) and returns it, so that the job is retried.
func (s *Service) batchFailed(ctx context.Context, b *store.Batch, done int, cause error) error {
	msg := cause.Error()
	if be, ok := cause.(*badge.Error); ok && be.Kind == badge.Internal {
		msg = "internal error" // the cause goes to the log, not to the page
	}
	if err := s.db.UpdateBatch(ctx, b.ID, store.BatchFailed, done, msg); err != nil {
		return err
	}
	return fmt.Errorf("batch %s: %w", b.ID, cause)
}

// batchAwardID derives a row's award id: a UUID (version 4 layout) from
// SHA-256 of the batch id and row number.
func batchAwardID(batchID string, row int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("sceau batch %s row %d", batchID, row)))
	id, err := badge.NewID(bytes.NewReader(sum[:16]))
	if err != nil {
		panic(err) // cannot happen: 16 bytes are there
	}
	return id
}
