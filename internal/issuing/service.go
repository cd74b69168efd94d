// Package issuing is the issuing service: it turns issuers, badge
// definitions and recipients into signed Open Badges 3.0 credentials,
// stores them through internal/store, and publishes what verifiers fetch
// (DID documents, issuer profiles, status lists, revocation lists).
package issuing

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/blob"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/ob3"
)

// Config holds what the service needs. Store, Master and BaseURL are
// required; Now and Rand default to time.Now and crypto/rand.
type Config struct {
	Store   *store.DB
	Blobs   blob.Store // badge images for Baked when the caller gives none; may be nil
	Master  *keys.MasterKey
	BaseURL string
	Now     func() time.Time
	Rand    io.Reader
	// SuspensionStatus also embeds a suspension BitstringStatusListEntry
	// in new credentials. credentialStatus then becomes an array, which VC
	// 2.0 allows but the OB 3.0.3 JSON Schema does not (it wants one
	// object), so such badges fail schema validation in strict verifiers,
	// ours included. Off: credentials carry the revocation entry only, and
	// a suspension is recorded and published in the suspension list but is
	// not visible to verifiers of those credentials.
	SuspensionStatus bool
	// Announce, when set, runs for each new award in the transaction that
	// stores it (and with a nil tx for a re-sent announcement): it queues
	// the award's e-mail with its claim link, so an award and its
	// announcement exist together or not at all.
	Announce Announce
	// Decided, when set, tells applicants of decisions on their
	// applications.
	Decided DecisionNotice
}

// Announce queues the announcement of an award: see Config.Announce.
type Announce func(ctx context.Context, tx *sql.Tx, a *badge.Award, badgeName, issuerName string) error

// Service issues and publishes credentials. It is safe for concurrent use.
type Service struct {
	announce   Announce
	decided    DecisionNotice
	db         *store.DB
	blobs      blob.Store
	master     *keys.MasterKey
	urls       urls
	now        func() time.Time
	rand       io.Reader
	suspension bool

	// Opened private keys, by issuer id and key id: opening one costs a key
	// derivation and a decryption, too much for every award. Which key is
	// current is always read from the store, so a rotation made by another
	// node is seen at once.
	keyMu    sync.Mutex
	keyCache map[keyRef]ed25519.PrivateKey

	// Signed status lists, rebuilt when the entries they publish change
	// (see statuslist.go).
	listMu    sync.Mutex
	listCache map[listRef]*cachedList
}

type keyRef struct{ issuerID, keyID string }

// New checks cfg and returns a service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("issuing: Config.Store is required")
	}
	if cfg.Master == nil {
		return nil, errors.New("issuing: Config.Master is required")
	}
	// The DID derivation rejects base URLs did:web cannot express.
	if _, err := keys.IssuerDID(cfg.BaseURL, "x"); err != nil {
		return nil, fmt.Errorf("issuing: base URL %q: %w", cfg.BaseURL, err)
	}
	s := &Service{
		db: cfg.Store, blobs: cfg.Blobs, master: cfg.Master, urls: newURLs(cfg.BaseURL),
		now: cfg.Now, rand: cfg.Rand, suspension: cfg.SuspensionStatus, announce: cfg.Announce, decided: cfg.Decided,
		keyCache: map[keyRef]ed25519.PrivateKey{}, listCache: map[listRef]*cachedList{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s, nil
}

// CreateIssuer stores a new issuer with its first signing key, key-1, whose
// private half is sealed with the master key.
//
// The issuer and its key are stored in one transaction, so a failure leaves
// neither. The sealing binds the issuer ID, so the ID is chosen here, before
// the store sees the issuer.
func (s *Service) CreateIssuer(ctx context.Context, i *badge.Issuer) error {
	return s.createIssuer(ctx, i, "")
}

// createIssuer is CreateIssuer, with an owner when ownerID is set.
func (s *Service) createIssuer(ctx context.Context, i *badge.Issuer, ownerID string) error {
	if err := i.Validate(); err != nil {
		return err
	}
	if i.ID == "" {
		id, err := badge.NewID(s.rand)
		if err != nil {
			return badge.Internalf(err, "create issuer %s", i.Slug)
		}
		i.ID = id
	}
	pub, priv, err := (&keys.KeySet{}).Rotate(s.rand, s.now().UTC())
	if err != nil {
		return badge.Internalf(err, "generate key of issuer %s", i.Slug)
	}
	sealed, err := s.master.SealPrivateKey(i.ID, pub.ID, priv)
	if err != nil {
		return badge.Internalf(err, "seal key of issuer %s", i.Slug)
	}
	k := &badge.IssuerKey{KeyID: pub.ID, PublicKeyMultibase: pub.Multikey, EncryptedPrivateKey: sealed}
	if ownerID != "" {
		err = s.db.CreateIssuerWithOwner(ctx, i, k, ownerID)
	} else {
		err = s.db.CreateIssuerWithKey(ctx, i, k)
	}
	if err != nil {
		return err
	}
	s.keyMu.Lock()
	s.keyCache[keyRef{i.ID, pub.ID}] = priv
	s.keyMu.Unlock()
	return nil
}

// RotateKey makes a new key current for the issuer and retires the
// previous one, which stays in the DID document so that the credentials it
// signed still verify. It returns the new key's id ("key-2").
func (s *Service) RotateKey(ctx context.Context, issuerID string) (string, error) {
	if _, err := s.db.GetIssuer(ctx, issuerID); err != nil {
		return "", err
	}
	stored, err := s.db.ListIssuerKeys(ctx, issuerID)
	if err != nil {
		return "", err
	}
	return s.addKey(ctx, issuerID, stored)
}

// addKey generates, seals and stores the issuer's next key, then retires
// the keys that were current. The new key is stored first: should the
// retirement fail, the issuer has two unretired keys and the newest signs,
// which still verifies.
func (s *Service) addKey(ctx context.Context, issuerID string, stored []*badge.IssuerKey) (string, error) {
	set, err := keySet(stored)
	if err != nil {
		return "", err
	}
	now := s.now().UTC()
	pub, priv, err := set.Rotate(s.rand, now)
	if err != nil {
		return "", badge.Internalf(err, "generate key")
	}
	sealed, err := s.master.SealPrivateKey(issuerID, pub.ID, priv)
	if err != nil {
		return "", badge.Internalf(err, "seal key")
	}
	k := &badge.IssuerKey{IssuerID: issuerID, KeyID: pub.ID, PublicKeyMultibase: pub.Multikey, EncryptedPrivateKey: sealed}
	if err := s.db.AddIssuerKey(ctx, k); err != nil {
		return "", err
	}
	for _, old := range stored {
		if old.Active() {
			// Never before its creation, whatever the clocks of the nodes
			// that made and retire it.
			at := now
			if at.Before(old.CreatedAt) {
				at = old.CreatedAt
			}
			if err := s.db.RetireIssuerKey(ctx, issuerID, old.KeyID, at); err != nil {
				return "", err
			}
		}
	}
	s.keyMu.Lock()
	s.keyCache[keyRef{issuerID, pub.ID}] = priv
	s.keyMu.Unlock()
	return pub.ID, nil
}

// keySet rebuilds the issuer's key set from its stored keys, oldest first.
func keySet(stored []*badge.IssuerKey) (*keys.KeySet, error) {
	set := &keys.KeySet{}
	for _, k := range stored {
		pk := keys.PublicKey{ID: k.KeyID, Multikey: k.PublicKeyMultibase, Created: k.CreatedAt.UTC()}
		if k.RetiredAt != nil {
			pk.Retired = k.RetiredAt.UTC()
		}
		set.Keys = append(set.Keys, pk)
	}
	if err := set.Validate(); err != nil {
		return nil, badge.Internalf(err, "stored key set")
	}
	return set, nil
}

// signingKey is an issuer's current key, opened.
type signingKey struct {
	priv     ed25519.PrivateKey
	methodID string // DID#key-N
}

// currentKey returns the issuer's current key, opened (from the cache when
// it was opened before).
func (s *Service) currentKey(ctx context.Context, iss *badge.Issuer) (*signingKey, error) {
	stored, err := s.db.ListIssuerKeys(ctx, iss.ID)
	if err != nil {
		return nil, err
	}
	var cur *badge.IssuerKey
	for _, k := range stored {
		if k.Active() {
			cur = k // oldest first: the last active key is the newest
		}
	}
	if cur == nil {
		return nil, badge.Conflictf("", "issuer.no_key", "issuer %s has no signing key", iss.Slug)
	}
	didID, err := s.urls.issuerDID(iss.Slug)
	if err != nil {
		return nil, badge.Internalf(err, "issuer DID")
	}
	pk := keys.PublicKey{ID: cur.KeyID, Multikey: cur.PublicKeyMultibase, Created: cur.CreatedAt}
	ref := keyRef{iss.ID, cur.KeyID}
	s.keyMu.Lock()
	priv, ok := s.keyCache[ref]
	s.keyMu.Unlock()
	if !ok {
		priv, err = s.master.OpenPrivateKey(iss.ID, pk, cur.EncryptedPrivateKey)
		if err != nil {
			return nil, badge.Internalf(err, "open key %s of issuer %s", cur.KeyID, iss.Slug)
		}
		s.keyMu.Lock()
		s.keyCache[ref] = priv
		s.keyMu.Unlock()
	}
	return &signingKey{priv: priv, methodID: pk.MethodID(didID)}, nil
}

// DIDDocument returns the JSON DID document of the issuer with the given
// slug, listing every key, current and retired.
func (s *Service) DIDDocument(ctx context.Context, slug string) ([]byte, error) {
	iss, err := s.db.GetIssuerBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	stored, err := s.db.ListIssuerKeys(ctx, iss.ID)
	if err != nil {
		return nil, err
	}
	set, err := keySet(stored)
	if err != nil {
		return nil, err
	}
	didID, err := s.urls.issuerDID(slug)
	if err != nil {
		return nil, badge.Internalf(err, "issuer DID")
	}
	out, err := json.Marshal(keys.Document(didID, set.Keys))
	if err != nil {
		return nil, badge.Internalf(err, "encode DID document")
	}
	return out, nil
}

// IssuerProfile returns the issuer's OB 3.0 Profile as JSON-LD, served at
// its id URL. Its DID, the id credentials name, is given as another
// identifier.
func (s *Service) IssuerProfile(ctx context.Context, slug string) ([]byte, error) {
	iss, err := s.db.GetIssuerBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	didID, err := s.urls.issuerDID(slug)
	if err != nil {
		return nil, badge.Internalf(err, "issuer DID")
	}
	p := s.profile(iss, s.urls.issuer(slug))
	p.Description = iss.Description
	// The DID, and the signed list of organisations this issuer lets
	// award its badges (delegated issuing), which verifiers check.
	p.OtherIdentifier = []ob3.IdentifierEntry{{Type: "IdentifierEntry", Identifier: didID, IdentifierType: "identifier"},
		s.IssuingAuthorisationsEntry(slug)}
	body, err := ob3.Marshal(p)
	if err != nil {
		return nil, badge.Internalf(err, "encode profile")
	}
	// The Profile alone has no @context member in ob3's model: add it in
	// front so that the document is JSON-LD on its own.
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, badge.Internalf(err, "encode profile")
	}
	ctxJSON, _ := json.Marshal([]string{ob3.ContextVC2, ob3.ContextOB})
	members["@context"] = ctxJSON
	out, err := json.Marshal(members)
	if err != nil {
		return nil, badge.Internalf(err, "encode profile")
	}
	return out, nil
}

// profile is the issuer as credentials describe it, under id.
func (s *Service) profile(iss *badge.Issuer, id string) *ob3.Profile {
	p := &ob3.Profile{ID: id, Type: []string{"Profile"}, Name: iss.Name, URL: iss.URL, Email: iss.Email}
	if iss.ImageKey != "" {
		p.Image = &ob3.Image{ID: s.urls.issuerImage(iss.Slug), Type: "Image"}
	}
	return p
}

// CreateBadge stores a badge definition. The image, if any, is stored by
// the caller beforehand (ImageKey and ImageType set).
func (s *Service) CreateBadge(ctx context.Context, b *badge.Badge) error {
	return s.db.CreateBadge(ctx, b)
}
