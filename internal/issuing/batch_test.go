package issuing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

func TestBatch(t *testing.T) { storetest.ForEach(t, testBatch) }

func testBatch(t *testing.T, db *store.DB) {
	ctx := context.Background()
	f := newFixture(t, db)
	var csv strings.Builder
	csv.WriteString("\uFEFFcourriel;nom\r\n")
	for i := 1; i <= 600; i++ {
		switch i {
		case 17:
			csv.WriteString("pas-une-adresse;Paul\r\n")
		case 42:
			csv.WriteString(";Vide\r\n")
		default:
			fmt.Fprintf(&csv, "p%d@exemple.ca;Personne %d\r\n", i, i)
		}
	}
	b, err := f.svc.PrepareBatch(ctx, f.badge, "", "inscrits.csv", strings.NewReader(csv.String()))
	if err != nil {
		t.Fatal(err)
	}
	if b.Total != 598 || len(b.Errors) != 2 || b.Errors[0].Row != 18 || b.Errors[1].Row != 43 || b.Errors[1].Code != "csv.email_missing" {
		t.Fatalf("batch total %d errors %+v", b.Total, b.Errors)
	}
	if n, _ := db.CountAwards(ctx, store.AwardFilter{BadgeID: f.badge.ID}); n != 0 {
		t.Fatal("a preview awarded")
	}

	// The job is queued with the batch; starting twice is refused.
	if err := f.svc.StartBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.StartBatch(ctx, b.ID); badge.ErrorKind(err) != badge.Conflict {
		t.Errorf("second start: %v", err)
	}
	job, err := db.ClaimJob(ctx, []string{BatchJobKind}, 60e9)
	if err != nil {
		t.Fatal(err)
	}

	// A run that dies after the first chunk, then the retried run: every
	// row is awarded once.
	first := &store.Batch{}
	*first = *b
	first.Rows = b.Rows[:batchChunk]
	for _, row := range first.Rows[:batchChunk] {
		in := AwardInput{ID: batchAwardID(b.ID, row.Row), BadgeID: b.BadgeID, Email: row.Email}
		if _, err := f.svc.Award(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.RunBatchJob(ctx, job.Payload); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountAwards(ctx, store.AwardFilter{BadgeID: f.badge.ID}); n != 598 {
		t.Errorf("%d awards, want 598", n)
	}
	got, err := db.GetBatch(ctx, b.ID, false)
	if err != nil || got.State != store.BatchDone || got.Done != 598 {
		t.Errorf("batch after run: %+v %v", got, err)
	}
	// Running it again changes nothing.
	if err := f.svc.RunBatch(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountAwards(ctx, store.AwardFilter{BadgeID: f.badge.ID}); n != 598 {
		t.Errorf("%d awards after a second run", n)
	}

	for _, tc := range []struct{ name, file, code string }{
		{"no e-mail column", "nom\nPaul\n", "csv.file"},
		{"empty", "", "csv.file"},
		{"Latin-1", "email,nom\na@b.ca,Andr\xe9\n", "csv.file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.PrepareBatch(ctx, f.badge, "", "f.csv", strings.NewReader(tc.file))
			var be *badge.Error
			if !errors.As(err, &be) || be.Code != tc.code || be.Field != "file" {
				t.Errorf("error %v, want %s on file", err, tc.code)
			}
		})
	}
}
