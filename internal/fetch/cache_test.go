package fetch

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// origin is a test server whose answers the cache tests script.
type origin struct {
	mu       sync.Mutex
	header   http.Header // sent with 200 and 304 answers
	body     string
	status   int    // 0: 200
	etag     string // when set, If-None-Match equal to it gives 304
	lastMod  string // when set, If-Modified-Since equal to it gives 304
	requests []string
}

func (o *origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for k, v := range o.header {
		w.Header()[k] = v
	}
	cond := ""
	switch {
	case o.etag != "" && r.Header.Get("If-None-Match") == o.etag:
		cond = "304"
	case o.lastMod != "" && r.Header.Get("If-Modified-Since") == o.lastMod:
		cond = "304"
	}
	if o.etag != "" {
		w.Header().Set("ETag", o.etag)
	}
	if o.lastMod != "" {
		w.Header().Set("Last-Modified", o.lastMod)
	}
	if cond == "304" {
		o.requests = append(o.requests, "304")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	status := o.status
	if status == 0 {
		status = 200
	}
	o.requests = append(o.requests, strconv.Itoa(status))
	w.Header().Set("Content-Type", "application/vc+ld+json")
	w.WriteHeader(status)
	io.WriteString(w, o.body)
}

func (o *origin) set(f func(o *origin)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f(o)
}

func (o *origin) log() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.requests...)
}

// step is one action of a cache scenario: move the clock, change the
// origin, or fetch and check what came back.
type step struct {
	advance time.Duration
	change  func(o *origin)
	path    string // fetch when set
	noCache bool   // fetch with Request.Cache false
	body    string
	cached  bool
	status  int // expected StatusError status, 0 for success
}

func TestCache(t *testing.T) {
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	cases := []struct {
		name     string
		origin   *origin
		opts     Options
		steps    []step
		requests []string // what the origin saw, in order
	}{
		{
			name:   "max-age reused without a request, then expires",
			origin: &origin{header: h("Cache-Control", "public, max-age=60"), body: "v1"},
			steps: []step{
				{path: "/list", body: "v1"},
				{advance: 59 * time.Second, path: "/list", body: "v1", cached: true},
				{change: func(o *origin) { o.body = "v2" }, path: "/list", body: "v1", cached: true},
				{advance: 2 * time.Second, path: "/list", body: "v2"},
			},
			requests: []string{"200", "200"},
		},
		{
			name:   "Age is subtracted from max-age",
			origin: &origin{header: h("Cache-Control", "max-age=60", "Age", "50"), body: "v1"},
			steps: []step{
				{path: "/list", body: "v1"},
				{advance: 9 * time.Second, path: "/list", body: "v1", cached: true},
				{advance: 2 * time.Second, path: "/list", body: "v1"},
			},
			requests: []string{"200", "200"},
		},
		{
			name:   "no-store is not cached",
			origin: &origin{header: h("Cache-Control", "no-store, max-age=60"), body: "v1"},
			steps: []step{
				{path: "/list", body: "v1"},
				{path: "/list", body: "v1"},
			},
			requests: []string{"200", "200"},
		},
		{
			name:   "Cache false neither reads nor writes",
			origin: &origin{header: h("Cache-Control", "max-age=60"), body: "v1"},
			steps: []step{
				{path: "/list", noCache: true, body: "v1"},
				{path: "/list", body: "v1"},
				{path: "/list", noCache: true, body: "v1"},
				{path: "/list", body: "v1", cached: true},
			},
			requests: []string{"200", "200", "200"},
		},
		{
			name:   "no-cache with ETag revalidates with 304",
			origin: &origin{header: h("Cache-Control", "no-cache"), body: "v1", etag: `"v1"`},
			steps: []step{
				{path: "/list", body: "v1"},
				{path: "/list", body: "v1", cached: true},
				{change: func(o *origin) { o.body, o.etag = "v2", `"v2"` }, path: "/list", body: "v2"},
				{path: "/list", body: "v2", cached: true},
			},
			requests: []string{"200", "304", "200", "304"},
		},
		{
			name:   "Last-Modified revalidates with 304",
			origin: &origin{body: "v1", lastMod: "Sat, 14 Mar 2026 12:00:00 GMT"},
			steps: []step{
				{path: "/did.json", body: "v1"},
				{path: "/did.json", body: "v1", cached: true},
			},
			requests: []string{"200", "304"},
		},
		{
			name:   "304 renews freshness from its own headers",
			origin: &origin{header: h("Cache-Control", "max-age=10"), body: "v1", etag: `"e"`},
			steps: []step{
				{path: "/list", body: "v1"},
				{advance: 11 * time.Second, change: func(o *origin) { o.header = h("Cache-Control", "max-age=100") }, path: "/list", body: "v1", cached: true},
				{advance: 90 * time.Second, path: "/list", body: "v1", cached: true},
			},
			requests: []string{"200", "304"},
		},
		{
			name:   "Expires minus Date",
			origin: &origin{header: h("Date", "Sat, 14 Mar 2026 12:00:00 GMT", "Expires", "Sat, 14 Mar 2026 12:05:00 GMT"), body: "v1"},
			steps: []step{
				{path: "/list", body: "v1"},
				{advance: 299 * time.Second, path: "/list", body: "v1", cached: true},
				{advance: 2 * time.Second, path: "/list", body: "v1"},
			},
			requests: []string{"200", "200"},
		},
		{
			name:   "server's max-age capped by CacheMaxAge",
			origin: &origin{header: h("Cache-Control", "max-age=31536000"), body: "v1"},
			opts:   Options{CacheMaxAge: time.Hour},
			steps: []step{
				{advance: 59 * time.Minute, path: "/list", body: "v1"},
				{advance: 59 * time.Minute, path: "/list", body: "v1", cached: true},
				{advance: 2 * time.Minute, path: "/list", body: "v1"},
			},
			requests: []string{"200", "200"},
		},
		{
			name:   "gone after expiry is not served stale",
			origin: &origin{header: h("Cache-Control", "max-age=10"), body: "v1"},
			steps: []step{
				{path: "/assertion", body: "v1"},
				{advance: 11 * time.Second, change: func(o *origin) { o.status = 410 }, path: "/assertion", status: 410},
				{change: func(o *origin) { o.status = 0 }, path: "/assertion", body: "v1"},
			},
			requests: []string{"200", "410", "200"},
		},
		{
			name:   "least recently used evicted beyond CacheEntries",
			origin: &origin{header: h("Cache-Control", "max-age=600"), body: "v1"},
			opts:   Options{CacheEntries: 2},
			steps: []step{
				{path: "/a", body: "v1"},
				{path: "/b", body: "v1"},
				{path: "/a", body: "v1", cached: true},
				{path: "/c", body: "v1"}, // evicts /b
				{path: "/a", body: "v1", cached: true},
				{path: "/b", body: "v1"},
			},
			requests: []string{"200", "200", "200", "200"},
		},
		{
			name:   "entries beyond CacheBytes evicted",
			origin: &origin{header: h("Cache-Control", "max-age=600"), body: string(make([]byte, 600))},
			opts:   Options{CacheBytes: 1000},
			steps: []step{
				{path: "/a", body: string(make([]byte, 600))},
				{path: "/b", body: string(make([]byte, 600))}, // evicts /a
				{path: "/a", body: string(make([]byte, 600))},
			},
			requests: []string{"200", "200", "200"},
		},
		{
			name:   "caching disabled",
			origin: &origin{header: h("Cache-Control", "max-age=600"), body: "v1"},
			opts:   Options{CacheEntries: -1},
			steps: []step{
				{path: "/a", body: "v1"},
				{path: "/a", body: "v1"},
			},
			requests: []string{"200", "200"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.origin
			srv := httptest.NewServer(o)
			defer srv.Close()
			clock := &fakeClock{t: t0}
			opts := tc.opts
			opts.Allow, opts.Now = mustAllow(t, "127.0.0.1"), clock.now
			c := newClient(t, opts)
			for i, s := range tc.steps {
				clock.advance(s.advance)
				if s.change != nil {
					o.set(s.change)
				}
				r, err := c.Get(context.Background(), srv.URL+s.path, Request{Accept: JSONTypes, Cache: !s.noCache})
				if s.status != 0 {
					var se *StatusError
					if !errors.As(err, &se) || se.Status != s.status {
						t.Fatalf("step %d: got %v, want HTTP %d", i, err, s.status)
					}
					continue
				}
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if string(r.Body) != s.body || r.Cached != s.cached {
					t.Errorf("step %d: body %q cached %v, want %q cached %v", i, r.Body, r.Cached, s.body, s.cached)
				}
				if r.ContentType != "application/vc+ld+json" {
					t.Errorf("step %d: content type %q", i, r.ContentType)
				}
			}
			if diff := cmp.Diff(tc.requests, o.log()); diff != "" {
				t.Errorf("requests seen by the origin (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCachedBodyIsACopy(t *testing.T) {
	srv := httptest.NewServer(&origin{header: http.Header{"Cache-Control": {"max-age=60"}}, body: "abc"})
	defer srv.Close()
	c := newClient(t, Options{Allow: mustAllow(t, "127.0.0.1")})
	for i := range 3 {
		r, err := c.Get(context.Background(), srv.URL, Request{Cache: true})
		if err != nil || string(r.Body) != "abc" {
			t.Fatalf("fetch %d: %q, %v", i, r.Body, err)
		}
		r.Body[0] = 'X' // must not reach the cache
		r.Header.Set("Cache-Control", "no-store")
	}
}

func TestCacheSmallerLimitOnHit(t *testing.T) {
	srv := httptest.NewServer(&origin{header: http.Header{"Cache-Control": {"max-age=60"}}, body: "0123456789"})
	defer srv.Close()
	c := newClient(t, Options{Allow: mustAllow(t, "127.0.0.1")})
	if _, err := c.Get(context.Background(), srv.URL, Request{Cache: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), srv.URL, Request{Cache: true, MaxBytes: 5}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge from a cached body over the call's limit", err)
	}
}

func TestCachePolicy(t *testing.T) {
	const maxFresh = time.Hour
	cases := []struct {
		name   string
		header http.Header
		want   policy
	}{
		{"nothing", http.Header{}, policy{}},
		{"max-age", http.Header{"Cache-Control": {"max-age=60"}}, policy{true, time.Minute}},
		{"quoted max-age", http.Header{"Cache-Control": {`max-age="60"`}}, policy{true, time.Minute}},
		{"upper case", http.Header{"Cache-Control": {"MAX-AGE=60"}}, policy{true, time.Minute}},
		{"two max-age, smaller wins", http.Header{"Cache-Control": {"max-age=600", "max-age=60"}}, policy{true, time.Minute}},
		{"invalid max-age is stale", http.Header{"Cache-Control": {"max-age=soon"}}, policy{}},
		{"negative max-age is stale", http.Header{"Cache-Control": {"max-age=-5"}}, policy{}},
		{"huge max-age capped", http.Header{"Cache-Control": {"max-age=99999999999999999999999"}}, policy{true, maxFresh}},
		{"age beyond max-age", http.Header{"Cache-Control": {"max-age=60"}, "Age": {"120"}}, policy{}},
		{"no-store wins", http.Header{"Cache-Control": {"max-age=60, no-store"}, "Etag": {`"x"`}}, policy{}},
		{"no-cache with validator", http.Header{"Cache-Control": {"no-cache, max-age=60"}, "Etag": {`"x"`}}, policy{true, 0}},
		{"no-cache without validator", http.Header{"Cache-Control": {"no-cache"}}, policy{}},
		{"no-cache with field list", http.Header{"Cache-Control": {`no-cache="set-cookie, x", max-age=60`}}, policy{}},
		{"comma inside quotes", http.Header{"Cache-Control": {`private="a,no-store", max-age=60`}}, policy{true, time.Minute}},
		{"pragma without cache-control", http.Header{"Pragma": {"no-cache"}, "Expires": {"Sat, 14 Mar 2026 12:05:00 GMT"}, "Date": {"Sat, 14 Mar 2026 12:00:00 GMT"}}, policy{}},
		{"expires", http.Header{"Expires": {"Sat, 14 Mar 2026 12:05:00 GMT"}, "Date": {"Sat, 14 Mar 2026 12:00:00 GMT"}}, policy{true, 5 * time.Minute}},
		{"expires in the past", http.Header{"Expires": {"Sat, 14 Mar 2026 11:00:00 GMT"}, "Date": {"Sat, 14 Mar 2026 12:00:00 GMT"}}, policy{}},
		{"invalid expires", http.Header{"Expires": {"0"}, "Date": {"Sat, 14 Mar 2026 12:00:00 GMT"}, "Last-Modified": {"Sat, 14 Mar 2026 11:00:00 GMT"}}, policy{true, 0}},
		{"expires without date", http.Header{"Expires": {"Sat, 14 Mar 2026 12:05:00 GMT"}}, policy{}},
		{"max-age beats expires", http.Header{"Cache-Control": {"max-age=10"}, "Expires": {"Sat, 14 Mar 2026 12:05:00 GMT"}, "Date": {"Sat, 14 Mar 2026 12:00:00 GMT"}}, policy{true, 10 * time.Second}},
		{"vary star", http.Header{"Cache-Control": {"max-age=60"}, "Vary": {"Accept, *"}}, policy{}},
		{"vary accept", http.Header{"Cache-Control": {"max-age=60"}, "Vary": {"Accept"}}, policy{true, time.Minute}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := cachePolicy(tc.header, maxFresh); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func BenchmarkCacheHit(b *testing.B) {
	srv := httptest.NewServer(&origin{header: http.Header{"Cache-Control": {"max-age=600"}}, body: string(make([]byte, 4<<10))})
	defer srv.Close()
	c := newClient(b, Options{Allow: mustAllow(b, "127.0.0.1")})
	if _, err := c.Fetch(context.Background(), srv.URL); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Fetch(context.Background(), srv.URL); err != nil {
			b.Fatal(err)
		}
	}
}
