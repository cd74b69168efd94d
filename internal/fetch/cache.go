package fetch

import (
	"container/list"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// cacheControl holds the Cache-Control directives the cache acts on.
type cacheControl struct {
	noStore bool
	noCache bool
	maxAge  int64 // seconds; meaningful when hasMaxAge
	// hasMaxAge is set when a max-age directive is present; an invalid
	// value counts as max-age=0 (RFC 9111 §1.2.2: treat as stale).
	hasMaxAge bool
}

// maxDeltaSeconds is the cap RFC 9111 §1.2.2 gives for delta-seconds that
// overflow: 2^31.
const maxDeltaSeconds = 1 << 31

// parseCacheControl reads the Cache-Control header values (several headers
// and comma-separated lists alike). Unknown directives are ignored; commas
// inside quoted strings do not split. With max-age given twice the smaller
// wins, the cautious reading of a conflict.
func parseCacheControl(values []string) cacheControl {
	var cc cacheControl
	for _, v := range values {
		for _, d := range splitDirectives(v) {
			name, arg, _ := strings.Cut(d, "=")
			name = strings.ToLower(strings.TrimSpace(name))
			arg = strings.TrimSpace(arg)
			switch name {
			case "no-store":
				cc.noStore = true
			case "no-cache":
				// no-cache="field" restricts the directive to some fields;
				// revalidating the whole response is the safe superset.
				cc.noCache = true
			case "max-age":
				n := deltaSeconds(arg)
				if !cc.hasMaxAge || n < cc.maxAge {
					cc.maxAge = n
				}
				cc.hasMaxAge = true
			}
		}
	}
	return cc
}

// splitDirectives splits a header value on commas outside quoted strings.
func splitDirectives(v string) []string {
	var out []string
	start, quoted, escaped := 0, false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			if s := strings.TrimSpace(v[start:i]); s != "" {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	if s := strings.TrimSpace(v[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// deltaSeconds parses a delta-seconds value (quoted form accepted); an
// invalid one gives 0, an overflowing one 2^31.
func deltaSeconds(s string) int64 {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if s == "" {
		return 0
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxDeltaSeconds {
		return maxDeltaSeconds
	}
	return n
}

// policy is what the cache does with a response: store it or not, and how
// long it stays fresh (zero: revalidate on every use).
type policy struct {
	store bool
	fresh time.Duration
}

// cachePolicy applies RFC 9111 to the headers of a 200 response, as a
// private cache: no-store and Vary: * forbid storing; freshness comes from
// max-age (less Age) or Expires minus Date, is zero with no-cache or
// without either, and is capped at maxFresh so that a revoked badge shows
// within that time whatever the server says. A response without freshness
// is still stored when it has a validator (ETag or Last-Modified), to be
// revalidated cheaply with a conditional request.
func cachePolicy(h http.Header, maxFresh time.Duration) policy {
	cc := parseCacheControl(h.Values("Cache-Control"))
	if cc.noStore {
		return policy{}
	}
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.TrimSpace(f) == "*" {
				return policy{}
			}
		}
	}
	var fresh time.Duration
	switch {
	case cc.noCache:
	case len(h.Values("Cache-Control")) == 0 && pragmaNoCache(h):
	case cc.hasMaxAge:
		age := deltaSeconds(strings.TrimSpace(h.Get("Age")))
		if cc.maxAge > age {
			fresh = time.Duration(cc.maxAge-age) * time.Second
		}
	case h.Get("Expires") != "":
		// Expires minus Date: a difference of two times from the same
		// server clock, immune to skew between its clock and ours. An
		// invalid Expires (often "0" or "-1") means already expired.
		exp, err := http.ParseTime(h.Get("Expires"))
		if err != nil {
			break
		}
		date, err := http.ParseTime(h.Get("Date"))
		if err != nil {
			break
		}
		if d := exp.Sub(date); d > 0 {
			fresh = d
		}
	}
	if fresh > maxFresh {
		fresh = maxFresh
	}
	return policy{store: fresh > 0 || h.Get("ETag") != "" || h.Get("Last-Modified") != "", fresh: fresh}
}

func pragmaNoCache(h http.Header) bool {
	for _, v := range h.Values("Pragma") {
		if strings.Contains(strings.ToLower(v), "no-cache") {
			return true
		}
	}
	return false
}

// entry is a stored response.
type entry struct {
	key     string
	resp    Response
	expires time.Time // fresh before this instant
	size    int64
}

// cache is a bounded in-memory LRU of responses, safe for concurrent use.
type cache struct {
	mu         sync.Mutex
	order      *list.List // front: most recently used; values are *entry
	items      map[string]*list.Element
	bytes      int64
	maxEntries int
	maxBytes   int64
}

func newCache(maxEntries int, maxBytes int64) *cache {
	return &cache{order: list.New(), items: map[string]*list.Element{}, maxEntries: maxEntries, maxBytes: maxBytes}
}

// get returns a copy of the entry under key, or false.
func (c *cache) get(key string) (entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return entry{}, false
	}
	c.order.MoveToFront(el)
	return *el.Value.(*entry), true
}

// put stores e, evicting the least recently used entries beyond the bounds.
// Entries are immutable once stored: callers get copies of the body.
func (c *cache) put(e entry) {
	e.size = int64(len(e.resp.Body)) + int64(len(e.key)) + headerSize(e.resp.Header)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.items[e.key]; ok {
		c.removeLocked(old)
	}
	if c.maxEntries <= 0 || e.size > c.maxBytes {
		return
	}
	c.items[e.key] = c.order.PushFront(&e)
	c.bytes += e.size
	for c.order.Len() > c.maxEntries || c.bytes > c.maxBytes {
		c.removeLocked(c.order.Back())
	}
}

// remove drops the entry under key, if any.
func (c *cache) remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.removeLocked(el)
	}
}

func (c *cache) removeLocked(el *list.Element) {
	e := el.Value.(*entry)
	c.order.Remove(el)
	delete(c.items, e.key)
	c.bytes -= e.size
}

func headerSize(h http.Header) int64 {
	var n int64
	for k, vs := range h {
		for _, v := range vs {
			n += int64(len(k) + len(v))
		}
	}
	return n
}
