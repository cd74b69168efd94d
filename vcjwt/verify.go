package vcjwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/sceau/sceau/did"
)

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Resolver resolves the DID of a kid; when it also implements
	// did.KeyURLResolver (did.MultiResolver does), HTTPS key URLs in kid are
	// dereferenced too. Nil allows only jwk headers bound to a did:key or
	// did:jwk issuer.
	Resolver did.Resolver
	// Now enables the nbf and exp checks; zero skips them (the caller then
	// judges validity from the credential's own dates).
	Now time.Time
	// Leeway tolerates clock skew in the nbf and exp checks.
	Leeway time.Duration
}

// allowed maps the algorithms Verify accepts to go-jose's names.
var allowed = map[string]jose.SignatureAlgorithm{
	"EdDSA": jose.EdDSA,
	"ES256": jose.ES256,
	"RS256": jose.RS256,
}

// Verify checks a VC-JWT: size and syntax, alg (EdDSA, ES256 or RS256 only;
// "none" and all others refused), no critical extensions, a typ fit for a
// credential, the key (from kid through opts.Resolver, or from a jwk
// header when the issuer is that did:jwk or did:key), the key's binding to
// the issuer (its controller must be the issuer), the signature, the
// agreement of the registered claims with the credential and, when
// opts.Now is set, nbf and exp.
//
// When the signature verifies but a later check fails (claims, dates), the
// Result is returned together with the error, so that a report can still
// show what was signed. Otherwise the Result is nil on error.
func Verify(ctx context.Context, token string, opts VerifyOptions) (*Result, error) {
	t, err := Parse(token)
	if err != nil {
		return nil, err
	}
	h := &t.Header
	alg, ok := allowed[h.Alg]
	if !ok {
		if strings.EqualFold(h.Alg, "none") {
			return nil, fmt.Errorf("%w: alg %q (unsigned token)", ErrAlgRefused, h.Alg)
		}
		return nil, fmt.Errorf("%w: alg %q (only EdDSA, ES256 and RS256 are accepted)", ErrAlgRefused, clip(h.Alg))
	}
	if len(h.Crit) > 0 {
		return nil, fmt.Errorf("%w: %q", ErrCritRefused, h.Crit)
	}
	if !typeAccepted(h.Typ) {
		return nil, fmt.Errorf("%w: typ %q is not a credential type", ErrMalformed, clip(h.Typ))
	}
	f, err := credentialFacts(t.Credential)
	if err != nil {
		return nil, err
	}
	if f.issuer == "" {
		return nil, fmt.Errorf("%w: credential has no issuer id", ErrMalformed)
	}

	method, pub, err := verificationKey(ctx, t, f.issuer, opts)
	if err != nil {
		return nil, err
	}
	if err := keyFitsAlg(h.Alg, pub); err != nil {
		return nil, err
	}
	jws, err := jose.ParseSignedCompact(strings.TrimSpace(token), []jose.SignatureAlgorithm{alg})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, err := jws.Verify(pub); err != nil {
		return nil, fmt.Errorf("%w with key %s", ErrBadSignature, clip(method.ID))
	}

	res := &Result{Token: *t, Method: method}
	if err := checkClaims(t.Claims, f); err != nil {
		return res, err
	}
	if !opts.Now.IsZero() {
		now := opts.Now.Unix()
		leeway := int64(opts.Leeway / time.Second)
		if c := t.Claims.Nbf; c != nil && *c > now+leeway {
			return res, fmt.Errorf("%w: nbf %s", ErrNotYetValid, time.Unix(*c, 0).UTC().Format(time.RFC3339))
		}
		if c := t.Claims.Exp; c != nil && *c <= now-leeway {
			return res, fmt.Errorf("%w: exp %s", ErrExpired, time.Unix(*c, 0).UTC().Format(time.RFC3339))
		}
	}
	return res, nil
}

// verificationKey finds the key named by the header and checks that the
// issuer controls it.
func verificationKey(ctx context.Context, t *Token, issuer string, opts VerifyOptions) (*did.VerificationMethod, crypto.PublicKey, error) {
	h := &t.Header
	if h.Kid == "" && h.JWK == nil {
		return nil, nil, fmt.Errorf("%w: the header has neither kid nor jwk", ErrNoKey)
	}
	if h.Kid == "" {
		return boundJWK(h.JWK, issuer)
	}
	kid := h.Kid
	if strings.HasPrefix(kid, "#") && strings.HasPrefix(issuer, "did:") {
		kid = issuer + kid // a fragment relative to the issuer's DID
	}
	if !strings.HasPrefix(kid, "did:") && !strings.HasPrefix(kid, "https://") {
		return nil, nil, fmt.Errorf("%w: kid %q is neither a DID URL nor an https URL", ErrNoKey, clip(h.Kid))
	}
	if opts.Resolver == nil {
		return nil, nil, fmt.Errorf("%w: kid %q needs a resolver", ErrNoKey, clip(h.Kid))
	}
	if strings.HasPrefix(kid, "did:") && !strings.Contains(kid, "#") {
		// A bare DID as kid: acceptable when it has a single assertion key.
		doc, err := opts.Resolver.Resolve(ctx, kid)
		if err != nil {
			return nil, nil, fmt.Errorf("kid: %w", err)
		}
		if len(doc.AssertionMethod) != 1 {
			return nil, nil, fmt.Errorf("%w: kid %q is a DID with %d assertion methods, not a method id", ErrNoKey, clip(kid), len(doc.AssertionMethod))
		}
		kid = doc.AssertionMethod[0].ID()
		if strings.HasPrefix(kid, "#") {
			kid = doc.ID + kid
		}
	}
	m, err := did.Dereference(ctx, opts.Resolver, kid, did.AssertionMethod)
	if err != nil {
		return nil, nil, fmt.Errorf("kid: %w", err)
	}
	if m.Controller != issuer {
		ctrl := m.Controller
		if ctrl == "" {
			ctrl = "no one"
		}
		return nil, nil, fmt.Errorf("%w: key %s is controlled by %s, not by the issuer %s", ErrKeyNotBound, clip(m.ID), clip(ctrl), clip(issuer))
	}
	if d, _, _, err := did.SplitURL(m.ID); err == nil && strings.HasPrefix(issuer, "did:") && d != issuer {
		return nil, nil, fmt.Errorf("%w: key %s belongs to %s, not to the issuer %s", ErrKeyNotBound, clip(m.ID), clip(d), clip(issuer))
	}
	pub, err := m.PublicKey()
	if err != nil {
		return nil, nil, fmt.Errorf("key %s: %w", clip(m.ID), err)
	}
	if h.JWK != nil {
		hk, err := did.PublicKeyFromJWK(h.JWK)
		if err != nil || !sameKey(hk, pub) {
			return nil, nil, fmt.Errorf("%w: header jwk is not the key that kid %s names", ErrKeyNotBound, clip(m.ID))
		}
	}
	return m, pub, nil
}

// boundJWK accepts a key carried in the jwk header only when the issuer's
// DID is that key (did:jwk of it, or did:key of it): a key carried by the
// token itself proves nothing about who signed unless the issuer id
// commits to it.
func boundJWK(jwk map[string]any, issuer string) (*did.VerificationMethod, crypto.PublicKey, error) {
	pub, err := did.PublicKeyFromJWK(jwk)
	if err != nil {
		return nil, nil, fmt.Errorf("header jwk: %w", err)
	}
	var doc *did.Document
	switch did.Method(issuer) {
	case "jwk":
		doc, err = did.ResolveJWK(issuer)
	case "key":
		doc, err = did.ResolveKey(issuer)
	default:
		return nil, nil, fmt.Errorf("%w: a jwk header without kid is only accepted when the issuer is a did:jwk or did:key, not %s", ErrKeyNotBound, clip(issuer))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("issuer: %w", err)
	}
	m, err := doc.Method(doc.VerificationMethod[0].ID, did.AssertionMethod)
	if err != nil {
		return nil, nil, fmt.Errorf("issuer %s: %w", clip(issuer), err)
	}
	ik, err := m.PublicKey()
	if err != nil || !sameKey(ik, pub) {
		return nil, nil, fmt.Errorf("%w: header jwk is not the key of issuer %s", ErrKeyNotBound, clip(issuer))
	}
	return m, pub, nil
}

func keyFitsAlg(alg string, pub crypto.PublicKey) error {
	ok := false
	switch k := pub.(type) {
	case ed25519.PublicKey:
		ok = alg == "EdDSA"
	case *ecdsa.PublicKey:
		ok = alg == "ES256" && k.Curve == elliptic.P256()
	case *rsa.PublicKey:
		ok = alg == "RS256"
	}
	if !ok {
		return fmt.Errorf("%w: alg %s does not fit a %s key", ErrAlgRefused, alg, keyKind(pub))
	}
	return nil
}

func keyKind(pub crypto.PublicKey) string {
	switch pub.(type) {
	case ed25519.PublicKey:
		return "Ed25519"
	case *ecdsa.PublicKey:
		return "ECDSA P-256"
	case *rsa.PublicKey:
		return "RSA"
	}
	return fmt.Sprintf("%T", pub)
}

func sameKey(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

func clip(s string) string {
	const max = 120
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
