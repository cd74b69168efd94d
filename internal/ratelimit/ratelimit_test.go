package ratelimit

import (
	"testing"
	"time"
)

func TestBoundsKeys(t *testing.T) {
	l := New(2, time.Minute, 3)
	now := time.Now()
	for _, k := range []string{"a", "b", "c", "d"} {
		l.Hit(k, now)
		l.Hit(k, now)
	}
	if len(l.hits) != 3 {
		t.Errorf("%d keys kept, want 3", len(l.hits))
	}
	if l.Blocked("a", now) {
		t.Error("evicted key still blocked")
	}
	if !l.Blocked("d", now) {
		t.Error("d not blocked after 2 events")
	}
	l.Blocked("never-seen", now)
	if _, ok := l.hits["never-seen"]; ok {
		t.Error("a lookup added a key")
	}
}

func TestWindowSlides(t *testing.T) {
	l := New(2, time.Minute, 10)
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	steps := []struct {
		at   time.Duration
		want bool
	}{
		{0, true}, {10 * time.Second, true}, {20 * time.Second, false}, // third within the minute
		{61 * time.Second, true},  // the first has left the window
		{65 * time.Second, false}, // 10 s and 61 s are still in it
		{122 * time.Second, true},
	}
	for _, s := range steps {
		if got := l.Allow("ip", t0.Add(s.at)); got != s.want {
			t.Errorf("at %v: allowed %v, want %v", s.at, got, s.want)
		}
	}
	l.Reset("ip")
	if !l.Allow("ip", t0.Add(123*time.Second)) {
		t.Error("blocked after Reset")
	}
}
