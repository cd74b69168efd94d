package verify

import (
	"context"
	"sync"
	"testing"
)

// countingFetcher records every URL asked of it.
type countingFetcher struct {
	mu   sync.Mutex
	urls []string
	next *Documents
}

func (f *countingFetcher) Fetch(ctx context.Context, url string) ([]byte, error) {
	f.mu.Lock()
	f.urls = append(f.urls, url)
	f.mu.Unlock()
	return f.next.Fetch(ctx, url)
}

// A forged badge must not make the verifier call the server it names: the
// status list is fetched only once the signature holds.
func TestStatusNotFetchedForForgedBadge(t *testing.T) {
	issuer := newParty(t, 1)
	list := statusList(t, issuer.did, issuer, "revocation")
	signed := issuer.sign(t, mustJSON(t, typical(t, issuer.did)), "")
	forged := replaceOnce(t, signed, "Secourisme", "Sauvetage")

	for _, c := range []struct {
		name      string
		input     []byte
		wantFetch bool
	}{
		{"genuine", signed, true},
		{"forged", forged, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &countingFetcher{next: documents(t, map[string][]byte{statusListURL: list})}
			r := Verify(context.Background(), c.input, Options{Fetcher: f, Now: signTime})
			fetched := false
			for _, u := range f.urls {
				if u == statusListURL {
					fetched = true
				}
			}
			if fetched != c.wantFetch {
				t.Fatalf("status list fetched = %v, want %v (verdict %s, checks %s)", fetched, c.wantFetch, r.Verdict, outcomes(r))
			}
		})
	}
}
