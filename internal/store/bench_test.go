package store

import (
	"context"
	"testing"

	"github.com/sceau/sceau/internal/badge"
)

func benchDBs(b *testing.B, fn func(b *testing.B, db *DB)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, openTestSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { fn(b, openTestPostgres(b)) })
}

// BenchmarkCreateAwards measures storing awards (index allocation, insert,
// commit per AwardBatchSize) with a trivial sign callback; ns/op is per award.
func BenchmarkCreateAwards(b *testing.B) {
	benchDBs(b, func(b *testing.B, db *DB) {
		i := newIssuer(b, db, "acme")
		bd := newBadge(b, db, i.ID, "go")
		as := make([]*badge.Award, b.N)
		for j := range as {
			as[j] = newAward(bd, "r"+itoa(j)+"@example.org")
		}
		b.ResetTimer()
		if _, err := db.CreateAwards(context.Background(), as, fakeSign); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkGetAward reads awards by id, in parallel, from 100,000 stored.
func BenchmarkGetAward(b *testing.B) {
	benchDBs(b, func(b *testing.B, db *DB) {
		i := newIssuer(b, db, "acme")
		bd := newBadge(b, db, i.ID, "go")
		const n = 100000
		as := make([]*badge.Award, n)
		for j := range as {
			as[j] = newAward(bd, "r"+itoa(j)+"@example.org")
		}
		if _, err := db.CreateAwards(context.Background(), as, fakeSign); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			k := 0
			for pb.Next() {
				k = (k + 7919) % n
				if _, err := db.GetAward(context.Background(), as[k].ID); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
