package accounts

import (
	"sync"
	"time"
)

// limiter counts failures per key (an address, a client IP) in a sliding
// window, in memory. Several web nodes each keep their own counts, which
// multiplies the allowance by the number of nodes: acceptable for slowing
// down guessing, which is its purpose. The number of keys is bounded so
// that an attacker cycling addresses cannot exhaust memory: when full,
// the oldest entries go first.
type limiter struct {
	mu      sync.Mutex
	max     int
	window  time.Duration
	maxKeys int
	hits    map[string][]time.Time
	order   []string // keys in first-seen order, for eviction
}

func newLimiter(max int, window time.Duration, maxKeys int) *limiter {
	return &limiter{max: max, window: window, maxKeys: maxKeys, hits: map[string][]time.Time{}}
}

// blocked reports whether key has max failures within the window.
func (l *limiter) blocked(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key, now)) >= l.max
}

// fail records a failure for key.
func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.hits[key]; !ok {
		for len(l.order) >= l.maxKeys {
			delete(l.hits, l.order[0])
			l.order = l.order[1:]
		}
		l.order = append(l.order, key)
	}
	l.hits[key] = append(l.recent(key, now), now)
}

// reset forgets key's failures (after a successful sign-in).
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.hits[key]; ok {
		l.hits[key] = nil
	}
}

// recent drops key's failures older than the window; l.mu is held.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	ts, ok := l.hits[key]
	if !ok {
		return nil
	}
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	ts = ts[i:]
	l.hits[key] = ts
	return ts
}
