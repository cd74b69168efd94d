package web

import (
	"context"
	"sync"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
)

// definitionTTL is how long a badge definition or issuer read for a page is
// reused. Pages are the hot path (one award, its badge, its issuer); the
// latter two change rarely, and a web node that shows an edited name a few
// seconds late, while others behind the same load balancer already show the
// new one, does no harm. Awards themselves (status!) are always read fresh.
const definitionTTL = 5 * time.Second

// ttlCache keeps values for definitionTTL. It is bounded by the number of
// issuers and badge definitions, which are few next to awards.
type ttlCache[T any] struct {
	mu      sync.Mutex
	entries map[string]ttlEntry[T]
	now     func() time.Time
}

type ttlEntry[T any] struct {
	v       T
	expires time.Time
}

func (c *ttlCache[T]) get(ctx context.Context, id string, load func(context.Context, string) (T, error)) (T, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.v, nil
	}
	v, err := load(ctx, id)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]ttlEntry[T]{}
	}
	c.entries[id] = ttlEntry[T]{v: v, expires: now.Add(definitionTTL)}
	c.mu.Unlock()
	return v, nil
}

// peek returns a fresh value without loading one.
func (c *ttlCache[T]) peek(id string) (T, bool) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok || !now.Before(e.expires) {
		var zero T
		return zero, false
	}
	return e.v, true
}

// put stores a value for definitionTTL. Expired entries are swept when
// the cache grows past maxEntries, so keys chosen by visitors (handles)
// cannot grow it without end.
func (c *ttlCache[T]) put(id string, v T) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]ttlEntry[T]{}
	}
	if len(c.entries) >= maxCacheEntries {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCacheEntries {
			return
		}
	}
	c.entries[id] = ttlEntry[T]{v: v, expires: now.Add(definitionTTL)}
}

// maxCacheEntries bounds a cache of pages: beyond it, pages are built
// each time until entries expire.
const maxCacheEntries = 10_000

// forget drops id, so that the node that saved an edit shows it at once.
func (c *ttlCache[T]) forget(id string) {
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}

// definitions caches the badge definitions and issuers pages show.
type definitions struct {
	badges  ttlCache[*badge.Badge]
	issuers ttlCache[*badge.Issuer]
	// endorsements of a badge (and of its issuer), by badge ID.
	endorsements ttlCache[[]*store.Endorsement]
}

func newDefinitions() *definitions {
	return &definitions{badges: ttlCache[*badge.Badge]{now: time.Now}, issuers: ttlCache[*badge.Issuer]{now: time.Now},
		endorsements: ttlCache[[]*store.Endorsement]{now: time.Now}}
}
