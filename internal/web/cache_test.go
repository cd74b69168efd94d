package web

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestTTLCache(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	c := ttlCache[int]{now: func() time.Time { return now }}
	loads := 0
	load := func(_ context.Context, id string) (int, error) {
		loads++
		if id == "bad" {
			return 0, errors.New("boom")
		}
		return loads, nil
	}
	steps := []struct {
		name    string
		advance time.Duration
		id      string
		want    int
		wantErr bool
		loads   int
	}{
		{"first read loads", 0, "a", 1, false, 1},
		{"within the TTL reuses", definitionTTL - time.Millisecond, "a", 1, false, 1},
		{"another id loads", 0, "b", 2, false, 2},
		{"after the TTL reloads", definitionTTL, "a", 3, false, 3},
		{"errors are not cached", 0, "bad", 0, true, 4},
		{"errors are retried", 0, "bad", 0, true, 5},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		got, err := c.get(context.Background(), s.id, load)
		if (err != nil) != s.wantErr || got != s.want || loads != s.loads {
			t.Fatalf("%s: got %d, %v after %d loads; want %d, error %v, %d loads", s.name, got, err, loads, s.want, s.wantErr, s.loads)
		}
	}
}
