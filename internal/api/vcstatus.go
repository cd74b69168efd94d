package api

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
	"github.com/sceau/sceau/status"
)

// keyIDPattern is the form of the store's key ids.
var keyIDPattern = regexp.MustCompile(`^key-[0-9]{1,9}$`)

// statusListHandler serves GET /status/{key}/{purpose}.
func (s *vcServer) statusListHandler(w http.ResponseWriter, r *http.Request) error {
	doc, err := s.statusList(r.Context(), r.PathValue("key"), r.PathValue("purpose"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/vc+ld+json")
	// Verifiers may keep a list for a while; a status update (when this
	// API offers one) must show within minutes.
	h.Set("Cache-Control", "public, max-age=300")
	_, err = w.Write(doc)
	return err
}

// statusList returns the signed BitstringStatusListCredential of the
// issuer's key keyID for purpose. Every bit is 0: the VC API offers no
// status update yet, so the list is signed once and kept.
//
// Each did:key has its own lists, signed by that did:key, since a
// verifier accepts only a list signed by the credential's issuer. Under
// did:web the DID outlives rotations, so the current key signs every list.
func (s *vcServer) statusList(ctx context.Context, keyID, purpose string) ([]byte, error) {
	if purpose != status.PurposeRevocation && purpose != status.PurposeSuspension {
		return nil, badge.NotFoundf("status.purpose_unknown", "no %q status list", purpose)
	}
	if !keyIDPattern.MatchString(keyID) {
		return nil, badge.NotFoundf("status.list_unknown", "no status list %q", keyID)
	}
	// A list once signed stays valid: under did:key its key is its
	// identity, under did:web the DID document keeps retired keys. So the
	// cache is by URL alone and costs no query.
	id := s.statusListURL(keyID, purpose)
	s.listMu.Lock()
	cached, ok := s.lists[id]
	s.listMu.Unlock()
	if ok {
		return cached, nil
	}
	signer, err := s.signer(ctx, keyID)
	if err != nil {
		return nil, err
	}
	signed, err := buildStatusList(signer, id, purpose, s.clock())
	if err != nil {
		return nil, err
	}
	s.listMu.Lock()
	s.lists[id] = signed
	s.listMu.Unlock()
	return signed, nil
}

func buildStatusList(signer *issuing.VCSigner, id, purpose string, now time.Time) ([]byte, error) {
	bits, err := status.New(status.MinEntries)
	if err != nil {
		return nil, badge.Internalf(err, "new bitstring")
	}
	encoded, err := bits.Encode()
	if err != nil {
		return nil, badge.Internalf(err, "encode bitstring")
	}
	unsigned, err := marshal(map[string]any{
		"@context":  []any{ob3.ContextVC2},
		"id":        id,
		"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    signer.DID,
		"validFrom": proof.FormatDateTime(now),
		"credentialSubject": map[string]any{
			"id": id + "#list", "type": "BitstringStatusList", "statusPurpose": purpose, "encodedList": encoded,
		},
	})
	if err != nil {
		return nil, badge.Internalf(err, "encode status list")
	}
	signed, err := signer.Sign(unsigned, proof.SignOptions{Created: now})
	if err != nil {
		return nil, badge.Internalf(err, "sign status list")
	}
	return signed, nil
}

// trustedList is a status list credential whose proof verified, parsed,
// with its bitstring decompressed.
type trustedList struct {
	cred *status.ListCredential
	bits *status.Bitstring
}

// lookup reads entry e in the list, as status.CheckBitstring does (purpose
// listed, list long enough, index in range), without decompressing the
// list again.
func (l *trustedList) lookup(e *status.Entry) (uint64, error) {
	if !slices.Contains(l.cred.Purposes, e.StatusPurpose) {
		return 0, fmt.Errorf("%w: %s", status.ErrPurposeMismatch, e.StatusPurpose)
	}
	if l.bits.Len() < status.MinEntries*e.StatusSize {
		return 0, fmt.Errorf("%w: %d entries", status.ErrListTooShort, l.bits.Len()/e.StatusSize)
	}
	return l.bits.Get(e.StatusListIndex, e.StatusSize)
}

// trustCache remembers status list credentials whose proof verified and
// whose signer is their issuer, by the SHA-256 of their bytes. It is
// bounded: when full it is emptied, which costs only re-verifications.
type trustCache struct {
	mu    sync.Mutex
	max   int
	lists map[[32]byte]*trustedList
}

func newTrustCache(max int) *trustCache {
	return &trustCache{max: max, lists: map[[32]byte]*trustedList{}}
}

func (c *trustCache) get(data []byte) *trustedList {
	sum := sha256.Sum256(data)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lists[sum]
}

func (c *trustCache) add(data []byte, l *trustedList) {
	sum := sha256.Sum256(data)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.lists) >= c.max {
		clear(c.lists)
	}
	c.lists[sum] = l
}
