package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// Two servers starting in the same slot, and a run retried after a crash,
// queue one job per slot; Next queues the following slot.
func TestPeriodicOneJobPerSlot(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := Periodic{Kind: "test.periodic", IDPrefix: "test-periodic-", Every: time.Hour}
		now := time.Date(2026, 11, 23, 10, 42, 0, 0, time.UTC)
		for range 2 {
			if err := p.Schedule(ctx, db, now); err != nil {
				t.Fatal(err)
			}
			if err := p.Next(ctx, db, now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		for _, want := range []struct {
			id string
			at time.Time
		}{
			{"test-periodic-20261123T100000Z", time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)},
			{"test-periodic-20261123T110000Z", time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC)},
		} {
			j, err := db.GetJob(ctx, want.id)
			if err != nil {
				t.Fatalf("%s: %v", want.id, err)
			}
			if j.Kind != p.Kind || !j.RunAt.Equal(want.at) {
				t.Errorf("%s: kind %s at %v", want.id, j.Kind, j.RunAt)
			}
		}
		all, err := db.ListJobs(ctx, store.JobFilter{Kind: p.Kind})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 {
			t.Errorf("%d jobs queued, want 2", len(all))
		}
	})
}
