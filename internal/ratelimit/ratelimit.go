// Package ratelimit counts events per key (an address, a client IP) in a
// sliding window, in memory, to slow down guessing and flooding.
//
// Several web nodes each keep their own counts, which multiplies the
// allowance by the number of nodes: acceptable for its purpose. The number
// of keys is bounded so that an attacker cycling keys cannot exhaust
// memory: when full, the oldest keys go first.
package ratelimit

import (
	"sync"
	"time"
)

// Window allows at most Max events per key within a sliding window.
type Window struct {
	mu      sync.Mutex
	max     int
	window  time.Duration
	maxKeys int
	hits    map[string][]time.Time
	order   []string // keys in first-seen order, for eviction
}

// New returns a Window allowing max events per key within window, for at
// most maxKeys keys at once.
func New(max int, window time.Duration, maxKeys int) *Window {
	return &Window{max: max, window: window, maxKeys: maxKeys, hits: map[string][]time.Time{}}
}

// Blocked reports whether key has had max events within the window.
func (l *Window) Blocked(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key, now)) >= l.max
}

// Hit records an event for key.
func (l *Window) Hit(key string, now time.Time) {
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

// Allow records an event for key unless key is blocked; it reports
// whether the event was allowed.
func (l *Window) Allow(key string, now time.Time) bool {
	if l.Blocked(key, now) {
		return false
	}
	l.Hit(key, now)
	return true
}

// Reset forgets key's events (after a successful sign-in).
func (l *Window) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.hits[key]; ok {
		l.hits[key] = nil
	}
}

// recent drops key's events older than the window; l.mu is held.
func (l *Window) recent(key string, now time.Time) []time.Time {
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
