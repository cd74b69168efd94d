package store

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

func TestIdempotencyKeys(t *testing.T) { forEachDB(t, testIdempotencyKeys) }

func testIdempotencyKeys(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	db.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	setNow := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	iss := newIssuer(t, db, "idem-org")
	other := newIssuer(t, db, "idem-other")

	t.Run("invalid key", func(t *testing.T) {
		for _, key := range []string{"", strings.Repeat("k", MaxIdempotencyKey+1)} {
			_, err := db.ReserveIdempotencyKey(ctx, &IdempotencyKey{IssuerID: iss.ID, Key: key, RequestHash: "h"})
			wantKind(t, err, badge.Invalid, "idempotency.key_invalid")
		}
	})

	t.Run("reserve, complete, replay", func(t *testing.T) {
		k := &IdempotencyKey{IssuerID: iss.ID, Key: "k1", RequestHash: "h1"}
		existing, err := db.ReserveIdempotencyKey(ctx, k)
		if err != nil || existing != nil {
			t.Fatalf("first reservation: %v %v", existing, err)
		}
		existing, err = db.ReserveIdempotencyKey(ctx, &IdempotencyKey{IssuerID: iss.ID, Key: "k1", RequestHash: "h2"})
		if err != nil || existing == nil || existing.Done() || existing.RequestHash != "h1" {
			t.Fatalf("second reservation: %+v %v", existing, err)
		}
		// The same key of another organisation is another key.
		if existing, err := db.ReserveIdempotencyKey(ctx, &IdempotencyKey{IssuerID: other.ID, Key: "k1", RequestHash: "h9"}); err != nil || existing != nil {
			t.Fatalf("other organisation: %v %v", existing, err)
		}
		if err := db.CompleteIdempotencyKey(ctx, iss.ID, "k1", 201, []byte(`{"id":"x"}`)); err != nil {
			t.Fatal(err)
		}
		wantKind(t, db.CompleteIdempotencyKey(ctx, iss.ID, "k1", 201, []byte(`{}`)), badge.NotFound, "idempotency.not_found")
		existing, err = db.ReserveIdempotencyKey(ctx, &IdempotencyKey{IssuerID: iss.ID, Key: "k1", RequestHash: "h1"})
		if err != nil || existing == nil || existing.Status != 201 || string(existing.Response) != `{"id":"x"}` || existing.CompletedAt == nil {
			t.Fatalf("replay: %+v %v", existing, err)
		}
		// A completed key is never released.
		db.ReleaseIdempotencyKey(ctx, iss.ID, "k1")
		if _, err := db.GetIdempotencyKey(ctx, iss.ID, "k1"); err != nil {
			t.Fatalf("completed key released: %v", err)
		}
	})

	t.Run("release", func(t *testing.T) {
		db.ReserveIdempotencyKey(ctx, &IdempotencyKey{IssuerID: iss.ID, Key: "k2", RequestHash: "h"})
		if err := db.ReleaseIdempotencyKey(ctx, iss.ID, "k2"); err != nil {
			t.Fatal(err)
		}
		if existing, err := db.ReserveIdempotencyKey(ctx, &IdempotencyKey{IssuerID: iss.ID, Key: "k2", RequestHash: "h"}); err != nil || existing != nil {
			t.Fatalf("after release: %v %v", existing, err)
		}
	})

	t.Run("take over a stale reservation", func(t *testing.T) {
		db.ReserveIdempotencyKey(ctx, &IdempotencyKey{IssuerID: iss.ID, Key: "k3", RequestHash: "h"})
		start := now
		ok, err := db.TakeOverIdempotencyKey(ctx, iss.ID, "k3", start.Add(-time.Minute))
		if err != nil || ok {
			t.Fatalf("fresh reservation taken over: %v %v", ok, err)
		}
		setNow(start.Add(5 * time.Minute))
		ok, err = db.TakeOverIdempotencyKey(ctx, iss.ID, "k3", start.Add(time.Minute))
		if err != nil || !ok {
			t.Fatalf("stale reservation not taken over: %v %v", ok, err)
		}
		// Renewed: a second retry does not take it too.
		ok, _ = db.TakeOverIdempotencyKey(ctx, iss.ID, "k3", start.Add(time.Minute))
		if ok {
			t.Fatal("taken over twice")
		}
	})

	t.Run("concurrent reservations: one holder", func(t *testing.T) {
		const n = 8
		var wg sync.WaitGroup
		holders := make(chan int, n)
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				existing, err := db.ReserveIdempotencyKey(ctx, &IdempotencyKey{IssuerID: iss.ID, Key: "race", RequestHash: "h"})
				if err != nil {
					errs <- err
					return
				}
				if existing == nil {
					holders <- i
				}
			})
		}
		wg.Wait()
		close(holders)
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if len(holders) != 1 {
			t.Fatalf("%d holders, want 1", len(holders))
		}
	})

	t.Run("purge", func(t *testing.T) {
		setNow(now.Add(48 * time.Hour))
		db.ReserveIdempotencyKey(ctx, &IdempotencyKey{IssuerID: iss.ID, Key: "recent", RequestHash: "h"})
		n, err := db.PurgeIdempotencyKeys(ctx, now.Add(-24*time.Hour))
		if err != nil || n < 4 {
			t.Fatalf("purged %d (%v)", n, err)
		}
		if _, err := db.GetIdempotencyKey(ctx, iss.ID, "recent"); err != nil {
			t.Fatalf("recent key purged: %v", err)
		}
	})
}
