package issuing

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
	"github.com/sceau/sceau/status"
)

// Revoke revokes an award for good, with a reason shown to verifiers.
func (s *Service) Revoke(ctx context.Context, awardID, reason string) error {
	return s.setStatus(ctx, awardID, badge.StatusRevoked, reason)
}

// Suspend suspends an award until Reinstate.
func (s *Service) Suspend(ctx context.Context, awardID, reason string) error {
	return s.setStatus(ctx, awardID, badge.StatusSuspended, reason)
}

// Reinstate lifts a suspension. A revoked award cannot be reinstated.
func (s *Service) Reinstate(ctx context.Context, awardID, reason string) error {
	return s.setStatus(ctx, awardID, badge.StatusActive, reason)
}

func (s *Service) setStatus(ctx context.Context, awardID string, st badge.Status, reason string) error {
	if err := s.db.UpdateAwardStatus(ctx, awardID, st, reason, s.now()); err != nil {
		return err
	}
	// The lists are rebuilt on the next request: their cache key is what
	// they publish, so this is only to free memory early.
	a, err := s.db.GetAward(ctx, awardID)
	if err == nil {
		s.listMu.Lock()
		for ref := range s.listCache {
			if ref.issuerID == a.IssuerID {
				delete(s.listCache, ref)
			}
		}
		s.listMu.Unlock()
	}
	return nil
}

// statusEntry is a credential's entry at index in its issuer's status
// list for purpose: awards and endorsements share the issuer's lists
// (their indexes come from one counter, store.allocateStatusIndexes).
func (s *Service) statusEntry(issuerSlug, purpose string, index int) ob3.CredentialStatus {
	list, idx := s.urls.statusList(issuerSlug, purpose), strconv.Itoa(index)
	return ob3.CredentialStatus{
		ID: list + "#" + idx, Type: status.TypeBitstringEntry, StatusPurpose: purpose,
		StatusListIndex: idx, StatusListCredential: list,
	}
}

type listRef struct{ issuerID, purpose string }

// cachedList is a signed status list with what it was built from. The
// cache is checked against the store on every request (one query), so a
// status changed by another node is published at once too.
type cachedList struct {
	keyID string
	size  int
	bits  []int
	json  []byte
}

// listSize is the length of a status list for n allocated indexes: a
// multiple of the specification's 131,072-entry minimum, which keeps the
// herd privacy the minimum is for as the issuer grows.
func listSize(n int) int {
	blocks := max(1, (n+status.MinEntries-1)/status.MinEntries)
	return blocks * status.MinEntries
}

// StatusList returns the issuer's signed BitstringStatusListCredential for
// purpose ("revocation" or "suspension").
func (s *Service) StatusList(ctx context.Context, slug, purpose string) ([]byte, error) {
	if purpose != status.PurposeRevocation && purpose != status.PurposeSuspension {
		return nil, badge.NotFoundf("status.purpose_unknown", "no %q status list", purpose)
	}
	iss, err := s.db.GetIssuerBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	entries, err := s.db.StatusEntries(ctx, iss.ID)
	if err != nil {
		return nil, err
	}
	set := entries.Revoked
	if purpose == status.PurposeSuspension {
		set = entries.Suspended
	}
	ii, err := s.issuerInfo(ctx, iss)
	if err != nil {
		return nil, err
	}
	ref := listRef{iss.ID, purpose}
	size := listSize(entries.Size)
	s.listMu.Lock()
	c, ok := s.listCache[ref]
	s.listMu.Unlock()
	if ok && c.keyID == ii.key.methodID && c.size == size && slices.Equal(c.bits, set) {
		return c.json, nil
	}
	out, err := s.buildStatusList(ii, purpose, size, set)
	if err != nil {
		return nil, fmt.Errorf("status list %s of %s: %w", purpose, slug, err)
	}
	s.listMu.Lock()
	s.listCache[ref] = &cachedList{keyID: ii.key.methodID, size: size, bits: slices.Clone(set), json: out}
	s.listMu.Unlock()
	return out, nil
}

func (s *Service) buildStatusList(ii *issuerInfo, purpose string, size int, set []int) ([]byte, error) {
	bits, err := status.New(size)
	if err != nil {
		return nil, badge.Internalf(err, "new bitstring")
	}
	for _, i := range set {
		if err := bits.Set(i, 1, 1); err != nil {
			return nil, badge.Internalf(err, "set index %d", i)
		}
	}
	encoded, err := bits.Encode()
	if err != nil {
		return nil, badge.Internalf(err, "encode bitstring")
	}
	id := s.urls.statusList(ii.iss.Slug, purpose)
	doc := map[string]any{
		"@context":  []string{ob3.ContextVC2},
		"id":        id,
		"type":      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    ii.did,
		"validFrom": proof.FormatDateTime(s.now()),
		"credentialSubject": map[string]any{
			"id":            id + "#list",
			"type":          "BitstringStatusList",
			"statusPurpose": purpose,
			"encodedList":   encoded,
		},
	}
	unsigned, err := json.Marshal(doc)
	if err != nil {
		return nil, badge.Internalf(err, "encode status list")
	}
	signer := proof.Signer{Key: ii.key.priv, VerificationMethod: ii.key.methodID, Now: s.now}
	signed, err := signer.Sign(unsigned, proof.SignOptions{})
	if err != nil {
		return nil, badge.Internalf(err, "sign status list")
	}
	return signed, nil
}

// RevocationList returns the issuer's 1EdTech revocation list: the ids of
// its revoked credentials with their reasons. It is plain JSON, trusted as
// far as the HTTPS origin serving it.
func (s *Service) RevocationList(ctx context.Context, slug string) ([]byte, error) {
	iss, err := s.db.GetIssuerBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	didID, err := s.urls.issuerDID(slug)
	if err != nil {
		return nil, badge.Internalf(err, "issuer DID")
	}
	entries, err := s.db.StatusEntries(ctx, iss.ID)
	if err != nil {
		return nil, err
	}
	type revoked struct {
		ID      string `json:"id"`
		Revoked bool   `json:"revoked"`
		Reason  string `json:"revocationReason,omitempty"`
	}
	items := make([]revoked, 0, len(entries.Revoked))
	for _, idx := range entries.Revoked {
		a, err := s.db.GetAwardByStatusIndex(ctx, iss.ID, idx)
		if badge.IsNotFound(err) {
			// Not an award: an endorsement the issuer withdrew.
			e, eerr := s.db.GetEndorsementByStatusIndex(ctx, iss.ID, idx)
			if eerr == nil {
				items = append(items, revoked{ID: s.urls.endorsement(e.ID), Revoked: true, Reason: EndorsementWithdrawnReason})
				continue
			}
		}
		if err != nil {
			return nil, fmt.Errorf("revocation list of %s: %w", slug, err)
		}
		items = append(items, revoked{ID: s.urls.award(a.ID), Revoked: true, Reason: a.StatusReason})
	}
	out, err := json.Marshal(struct {
		Context            []string  `json:"@context"`
		ID                 string    `json:"id"`
		Type               string    `json:"type"`
		Issuer             string    `json:"issuer"`
		RevokedCredentials []revoked `json:"revokedCredentials"`
	}{
		Context: []string{ob3.ContextOBExtensions}, ID: s.urls.revocationList(slug),
		Type: "1EdTechRevocationList", Issuer: didID, RevokedCredentials: items,
	})
	if err != nil {
		return nil, badge.Internalf(err, "encode revocation list")
	}
	return out, nil
}
