package ob2

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/sceau/sceau/did"
)

// Fetcher reads a document over HTTPS (the same shape as did.Fetcher).
// An HTTP error status should come as an error with an HTTPStatus() int
// method; the body of a 410 Gone, when the fetcher keeps it, through an
// HTTPBody() []byte method. An error wrapping did.ErrNotFound counts as 404.
type Fetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// Fetch errors that say where the verifier stands, not what the badge is.
var (
	ErrNoFetcher  = errors.New("ob2: verification is offline: nothing can be fetched")
	ErrFetchLimit = errors.New("ob2: too many documents fetched for one badge")
)

// DefaultMaxFetches bounds the documents fetched for one verification:
// assertion, badge class, issuer, a few keys and a revocation list.
const DefaultMaxFetches = 10

// maxKeys bounds the issuer keys tried against one signature.
const maxKeys = 4

// Options configure Verify.
type Options struct {
	// Fetcher gets hosted documents; nil verifies offline (nothing remote
	// can be established).
	Fetcher Fetcher
	// MaxFetches bounds the documents fetched; 0 means DefaultMaxFetches.
	MaxFetches int
}

// Outcome is the result of one step of a verification.
type Outcome int

// Outcomes.
const (
	// NotApplicable: the step does not apply (a signature for a hosted badge).
	NotApplicable Outcome = iota
	// OK: the step holds.
	OK
	// Failed: the step says the badge cannot be trusted (or, for
	// Revocation, that it is revoked).
	Failed
	// Unknown: the step could not be carried out (offline, unreachable).
	Unknown
)

func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case Failed:
		return "failed"
	case Unknown:
		return "unknown"
	}
	return "n/a"
}

// Step is one step's outcome and its technical detail (English).
type Step struct {
	Outcome Outcome
	Detail  string
}

// Result is what Verify established.
type Result struct {
	Version Version
	// Method is HostedBadge or SignedBadge.
	Method string
	// Assertion is the authoritative assertion: the hosted copy when it
	// could be fetched, the signed payload, else the given copy.
	Assertion *Assertion
	// Given is the assertion as given (nil when a URL was given).
	Given *Assertion
	// HostedURL is where a hosted assertion was fetched from.
	HostedURL  string
	BadgeClass *BadgeClass
	Issuer     *Profile

	// Structure: the assertion's data validation.
	Structure Step
	// Hosted: the issuer's server serves this assertion, identical to the
	// given copy.
	Hosted Step
	// Scope: the hosted assertion's id is within the issuer's policy.
	Scope Step
	// Signature: the JWS verifies with a key of the issuer.
	Signature Step
	// Key: the signing key is one the issuer profile lists.
	Key Step
	// Badge: the badge class and the issuer profile were obtained.
	Badge Step
	// Revocation: OK when not revoked, Failed when revoked.
	Revocation       Step
	Revoked          bool
	RevocationReason string
	// Limits says what could not be checked for an older (1.0) badge.
	Limits []string
	// Fetches counts the documents fetched.
	Fetches int
}

// Verify verifies an assertion given as JSON, as a compact JWS (signed) or
// as the URL of a hosted assertion. An error means the input is not an
// Open Badges 1.0/2.0 assertion at all; everything else is in the Result.
func Verify(ctx context.Context, input []byte, opts Options) (*Result, error) {
	v := &run{opts: opts, cache: map[string][]byte{}}
	if v.opts.MaxFetches <= 0 {
		v.opts.MaxFetches = DefaultMaxFetches
	}
	t := bytes.TrimSpace(bytes.TrimPrefix(input, []byte("\xef\xbb\xbf")))
	var (
		r   *Result
		err error
	)
	switch s := string(t); {
	case len(t) > 0 && t[0] == '{':
		var a *Assertion
		if a, err = Parse(t); err == nil {
			r = v.fromJSON(ctx, a)
		}
	case isCompactJWS(s):
		r, err = v.signed(ctx, s)
	case isHTTP(s) && !strings.ContainsAny(s, " \t\r\n"):
		r = v.hosted(ctx, nil, s)
	default:
		err = fmt.Errorf("%w: neither assertion JSON, a compact JWS nor an http(s) URL", ErrMalformed)
	}
	if err != nil {
		return nil, err
	}
	r.Fetches = v.count
	if r.Version == V1 {
		r.Limits = append(r.Limits, v1Limits(r)...)
	}
	return r, nil
}

type run struct {
	opts  Options
	cache map[string][]byte
	count int
}

// fetch gets a document once per verification, within the budget.
func (v *run) fetch(ctx context.Context, u string) ([]byte, error) {
	if b, ok := v.cache[u]; ok {
		return b, nil
	}
	if v.opts.Fetcher == nil {
		return nil, ErrNoFetcher
	}
	if !isHTTP(u) {
		return nil, fmt.Errorf("%q is not an http(s) URL", clip(u))
	}
	if v.count >= v.opts.MaxFetches {
		return nil, fmt.Errorf("%w (%d)", ErrFetchLimit, v.opts.MaxFetches)
	}
	v.count++
	b, err := v.opts.Fetcher.Fetch(ctx, u)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxDocumentSize {
		return nil, fmt.Errorf("%s: %w", u, ErrTooLarge)
	}
	v.cache[u] = b
	return b, nil
}

// HTTPStatus returns the HTTP status carried by a fetch error (404 for
// did.ErrNotFound), or 0.
func HTTPStatus(err error) int {
	var hs interface{ HTTPStatus() int }
	if errors.As(err, &hs) {
		return hs.HTTPStatus()
	}
	if errors.Is(err, did.ErrNotFound) {
		return 404
	}
	return 0
}

// fromJSON verifies an assertion given as JSON.
func (v *run) fromJSON(ctx context.Context, a *Assertion) *Result {
	if a.Verification.Type == SignedBadge {
		// The signature wraps the JSON: without the JWS, the JSON is only
		// a claim. A signed assertion with an http(s) id may still be
		// hosted by its issuer, but that is not what it declares.
		r := &Result{Version: a.Version, Method: SignedBadge, Assertion: a, Given: a}
		r.Structure = structure(a, SignedBadge)
		r.Hosted, r.Scope = Step{NotApplicable, ""}, Step{NotApplicable, ""}
		r.Signature = Step{Unknown, "a signed assertion given without its JWS: the signature cannot be checked"}
		r.Revocation = Step{Unknown, "not checked: the signature was not verified"}
		v.badgeAndIssuer(ctx, r)
		return r
	}
	return v.hosted(ctx, a, "")
}

// hosted verifies a hosted assertion: given (as JSON) or by its URL.
func (v *run) hosted(ctx context.Context, given *Assertion, u string) *Result {
	r := &Result{Method: HostedBadge, Given: given, Assertion: given}
	r.Signature, r.Key = Step{NotApplicable, ""}, Step{NotApplicable, ""}
	if given != nil {
		r.Version = given.Version
		u = given.HostedURL()
	}
	r.HostedURL = u
	if u == "" {
		r.Hosted = Step{Failed, "the assertion has no http(s) id (or verify.url) where its issuer hosts it"}
		r.Scope = Step{Unknown, "no hosted URL"}
		r.Revocation = Step{Unknown, "no hosted copy to ask"}
		r.Structure = structure(given, HostedBadge)
		v.badgeAndIssuer(ctx, r)
		return r
	}
	body, err := v.fetch(ctx, u)
	var hostedCopy *Assertion
	switch status := HTTPStatus(err); {
	case err == nil:
		if hostedCopy, err = Parse(body); err != nil {
			r.Hosted = Step{Failed, fmt.Sprintf("the document at %s is not an assertion: %v", u, err)}
		}
	case status == 410:
		// 410 Gone is how an issuer revokes a hosted assertion; the body,
		// when there is one, may give the reason.
		r.Hosted = Step{OK, "the issuer's server answers 410 Gone for " + u}
		r.Revoked = true
		var hb interface{ HTTPBody() []byte }
		if errors.As(err, &hb) {
			if gone, perr := Parse(hb.HTTPBody()); perr == nil {
				r.RevocationReason = gone.RevocationReason
				if r.Assertion == nil {
					r.Assertion = gone
					r.Version = gone.Version
				}
			}
		}
	case status == 404:
		r.Hosted = Step{Failed, "the assertion is no longer hosted at " + u + " (404)"}
	case status != 0:
		r.Hosted = Step{Unknown, fmt.Sprintf("%s answered HTTP %d", u, status)}
	default:
		r.Hosted = Step{Unknown, fmt.Sprintf("fetch %s: %v", u, err)}
	}
	if hostedCopy != nil {
		r.Assertion, r.Version = hostedCopy, hostedCopy.Version
		switch {
		case hostedCopy.Revoked:
			r.Revoked, r.RevocationReason = true, hostedCopy.RevocationReason
			r.Hosted = Step{OK, "hosted at " + u + ", marked revoked"}
		case hostedCopy.Version == V2 && hostedCopy.ID != "" && hostedCopy.ID != u && (given == nil || hostedCopy.ID != given.ID):
			r.Hosted = Step{Failed, fmt.Sprintf("the document at %s gives its id as %s", u, clip(hostedCopy.ID))}
		case given != nil:
			if d := differences(given, hostedCopy); len(d) > 0 {
				r.Hosted = Step{Failed, "this copy differs from the one the issuer hosts at " + u + ": " + strings.Join(d, ", ")}
			} else {
				r.Hosted = Step{OK, "identical to the copy hosted at " + u}
			}
		default:
			r.Hosted = Step{OK, "hosted at " + u}
		}
	}
	switch {
	case r.Revoked:
		r.Revocation = Step{Failed, withReason("revoked by the issuer", r.RevocationReason)}
	case r.Hosted.Outcome == OK:
		r.Revocation = Step{OK, "the issuer still hosts it"}
	default:
		r.Revocation = Step{Unknown, "the hosted copy could not be read"}
	}
	if r.Revoked {
		r.Structure = Step{OK, "revoked: only id and revoked are required"}
	} else {
		r.Structure = structure(r.Assertion, HostedBadge)
	}
	v.badgeAndIssuer(ctx, r)
	r.Scope = scope(r, u)
	if given != nil && given.Badge.Embedded && r.BadgeClass != nil && r.Hosted.Outcome == OK && !r.Revoked {
		// The given copy may embed its badge class: it must say what the
		// issuer's says.
		if given.Badge.Name != r.BadgeClass.Name || given.Badge.ID != r.BadgeClass.ID {
			r.Hosted = Step{Failed, "this copy's badge class differs from the issuer's (" + clip(given.Badge.Name) + ")"}
		}
	}
	return r
}

// structure runs data validation on the assertion.
func structure(a *Assertion, method string) Step {
	if a == nil {
		return Step{Unknown, "no assertion to validate"}
	}
	p := a.Problems()
	if method == SignedBadge && a.Verification.Type != "" && a.Verification.Type != SignedBadge {
		p = append(p, fmt.Sprintf("verification type %s in a signed assertion", a.Verification.Type))
	}
	if len(p) > 0 {
		return Step{Failed, strings.Join(p, "; ")}
	}
	return Step{OK, ""}
}

// differences names the properties on which the given copy differs from
// the hosted one. The comparison is by meaning, not bytes: platforms
// re-serialize (key order, embedded or referenced badge, date format).
func differences(given, hosted *Assertion) []string {
	var d []string
	if given.ID != "" && given.ID != hosted.ID {
		d = append(d, "id")
	}
	if given.UID != hosted.UID && given.UID != "" {
		d = append(d, "uid")
	}
	g, h := given.Recipient, hosted.Recipient
	if !strings.EqualFold(g.Identity, h.Identity) || g.Salt != h.Salt || !strings.EqualFold(g.Type, h.Type) {
		d = append(d, "recipient")
	}
	if given.Badge.ID != "" && hosted.Badge.ID != "" && given.Badge.ID != hosted.Badge.ID {
		d = append(d, "badge")
	}
	if !given.IssuedOn.Equal(hosted.IssuedOn) {
		d = append(d, "issuedOn")
	}
	if !given.Expires.Equal(hosted.Expires) {
		d = append(d, "expires")
	}
	if given.Narrative != hosted.Narrative {
		d = append(d, "narrative")
	}
	if !slices.Equal(given.Evidence, hosted.Evidence) {
		d = append(d, "evidence")
	}
	return d
}

// badgeAndIssuer obtains the badge class (embedded or fetched) and the
// issuer profile. The profile is always fetched from its id when it is an
// http(s) URL: the keys and the hosting policy it lists are only the
// issuer's word when they come from the issuer's own server.
func (v *run) badgeAndIssuer(ctx context.Context, r *Result) {
	a := r.Assertion
	if a != nil && a.Revoked && a.Badge.ID == "" && !a.Badge.Embedded && r.Given != nil {
		// A revoked hosted copy is often stripped to id and revoked: the
		// badge class is the given copy's.
		a = r.Given
	}
	if a == nil || (a.Badge.ID == "" && !a.Badge.Embedded) {
		r.Badge = Step{Unknown, "the assertion names no badge class"}
		if a != nil && !a.Revoked {
			r.Badge.Outcome = Failed
		}
		return
	}
	bc := a.Badge
	if !bc.Embedded {
		body, err := v.fetch(ctx, bc.ID)
		if err != nil {
			r.Badge = fetchStep("badge class", bc.ID, err)
			return
		}
		fetched, err := ParseBadgeClass(body)
		if err != nil {
			r.Badge = Step{Failed, fmt.Sprintf("badge class %s: %v", bc.ID, err)}
			return
		}
		if fetched.ID != "" && fetched.ID != bc.ID {
			r.Badge = Step{Failed, fmt.Sprintf("the badge class at %s gives its id as %s", bc.ID, clip(fetched.ID))}
			return
		}
		if fetched.ID == "" {
			fetched.ID = bc.ID
		}
		bc = *fetched
	}
	r.BadgeClass = &bc
	iss := bc.Issuer
	if iss.ID == "" {
		if iss.Embedded && a.Version == V1 {
			// 0.5 badge classes embedded their issuer without an id.
			r.Issuer = &iss
			r.Badge = Step{OK, "issuer described in the badge class only"}
			return
		}
		r.Badge = Step{Failed, "the badge class names no issuer"}
		return
	}
	if iss.Embedded {
		// Shown if the profile cannot be fetched; never trusted for keys
		// or hosting policy.
		r.Issuer = &iss
	}
	body, err := v.fetch(ctx, iss.ID)
	if err != nil {
		r.Badge = fetchStep("issuer profile", iss.ID, err)
		return
	}
	p, err := ParseProfile(body)
	if err != nil {
		r.Badge = Step{Failed, fmt.Sprintf("issuer profile %s: %v", iss.ID, err)}
		return
	}
	if p.ID != "" && p.ID != iss.ID {
		r.Badge = Step{Failed, fmt.Sprintf("the issuer profile at %s gives its id as %s", iss.ID, clip(p.ID))}
		return
	}
	if p.ID == "" {
		p.ID = iss.ID
	}
	p.Embedded = false
	r.Issuer = p
	r.Badge = Step{OK, fmt.Sprintf("badge class %s, issuer %s", bc.ID, p.ID)}
}

// fetchStep turns a fetch error into a step: a document that is gone fails,
// one that could not be reached is unknown.
func fetchStep(what, u string, err error) Step {
	switch HTTPStatus(err) {
	case 404, 410:
		return Step{Failed, fmt.Sprintf("%s %s is gone: %v", what, u, err)}
	}
	if !isHTTP(u) {
		return Step{Failed, fmt.Sprintf("%s %s cannot be retrieved: not an http(s) URL", what, clip(u))}
	}
	return Step{Unknown, fmt.Sprintf("%s %s: %v", what, u, err)}
}

// trustedIssuer is the issuer profile fetched from its own id, or nil.
func trustedIssuer(r *Result) *Profile {
	if r.Issuer == nil || r.Issuer.Embedded || r.Badge.Outcome != OK {
		return nil
	}
	return r.Issuer
}

// scope checks the hosted URL against the issuer's policy.
func scope(r *Result, hostedURL string) Step {
	p := trustedIssuer(r)
	if p == nil {
		if r.Issuer != nil && r.Badge.Outcome == OK {
			// 0.5: issuer embedded without id; its origin is its url.
			p = r.Issuer
		} else {
			return Step{Unknown, "the issuer profile could not be obtained: " + r.Badge.Detail}
		}
	}
	badgeID := ""
	if r.BadgeClass != nil && r.Assertion != nil && !r.Assertion.Badge.Embedded {
		badgeID = r.BadgeClass.ID
	}
	if err := p.AllowsHosted(hostedURL, badgeID, r.Version); err != nil {
		return Step{Failed, err.Error()}
	}
	return Step{OK, hostedURL}
}

// ErrScope: a hosted assertion lives outside what its issuer allows.
var ErrScope = errors.New("ob2: hosted outside the issuer's allowed scope")

// AllowsHosted checks that a hosted assertion (and, under the default
// policy, its badge class) lives where the issuer's verification policy
// allows: under one of startsWith, on one of allowedOrigins (host names),
// by default on the origin of the profile's id (1.0: of its url). When both
// startsWith and allowedOrigins are given, both must hold.
func (p *Profile) AllowsHosted(assertionURL, badgeClassURL string, version Version) error {
	if vo := p.Verification; vo != nil && (len(vo.StartsWith) > 0 || len(vo.AllowedOrigins) > 0) {
		if prop := vo.VerificationProperty; prop != "" && prop != "id" && prop != "@id" && !strings.HasSuffix(prop, "#id") {
			return fmt.Errorf("%w: verificationProperty %q is not supported", ErrScope, clip(prop))
		}
		if len(vo.StartsWith) > 0 && !slices.ContainsFunc(vo.StartsWith, func(s string) bool { return s != "" && strings.HasPrefix(assertionURL, s) }) {
			return fmt.Errorf("%w: %s starts with none of %s", ErrScope, clip(assertionURL), strings.Join(vo.StartsWith, ", "))
		}
		if len(vo.AllowedOrigins) > 0 {
			u, err := url.Parse(assertionURL)
			if err != nil {
				return fmt.Errorf("%w: %v", ErrScope, err)
			}
			if !slices.ContainsFunc(vo.AllowedOrigins, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), u.Hostname()) }) {
				return fmt.Errorf("%w: %s is not among the allowed origins %s", ErrScope, u.Hostname(), strings.Join(vo.AllowedOrigins, ", "))
			}
		}
		return nil
	}
	base := p.ID
	if version == V1 || !isHTTP(base) {
		base = p.URL
	}
	if !isHTTP(base) {
		return fmt.Errorf("%w: the issuer has no http(s) id or url to compare origins with", ErrScope)
	}
	want := origin(base)
	if got := origin(assertionURL); got != want {
		return fmt.Errorf("%w: the assertion is hosted on %s, the issuer on %s", ErrScope, got, want)
	}
	if badgeClassURL != "" && version == V2 {
		if got := origin(badgeClassURL); got != want {
			return fmt.Errorf("%w: the badge class is hosted on %s, the issuer on %s", ErrScope, got, want)
		}
	}
	return nil
}

// origin is scheme://host[:port], lower-cased, default ports dropped.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// signed verifies a compact JWS.
func (v *run) signed(ctx context.Context, token string) (*Result, error) {
	s, err := ParseSigned(token)
	if err != nil {
		return nil, err
	}
	a := s.Assertion
	r := &Result{Version: a.Version, Method: SignedBadge, Assertion: a, Given: a}
	r.Hosted, r.Scope = Step{NotApplicable, ""}, Step{NotApplicable, ""}
	r.Structure = structure(a, SignedBadge)
	if err := s.CheckAlgorithm(); err != nil {
		// No key can make an unaccepted algorithm acceptable: nothing to fetch.
		r.Signature, r.Key = Step{Failed, err.Error()}, Step{NotApplicable, ""}
		r.Revocation = Step{Unknown, "not checked: the signature was not verified"}
		v.badgeAndIssuer(ctx, r)
		return r, nil
	}
	v.badgeAndIssuer(ctx, r)
	v.signature(ctx, r, s)
	if r.Signature.Outcome == OK {
		v.revocation(ctx, r)
	} else {
		r.Revocation = Step{Unknown, "not checked: the signature was not verified"}
	}
	return r, nil
}

// signature finds the issuer's key and checks the JWS with it.
func (v *run) signature(ctx context.Context, r *Result, s *Signed) {
	r.Key = Step{NotApplicable, ""}
	p := trustedIssuer(r)
	if p == nil {
		if r.Badge.Outcome == Failed {
			r.Signature = Step{Failed, "no issuer profile to take the key from: " + r.Badge.Detail}
		} else {
			r.Signature = Step{Unknown, "the issuer profile could not be obtained: " + r.Badge.Detail}
		}
		return
	}
	if r.Version == V1 {
		v.signatureV1(ctx, r, s, p)
		return
	}
	candidates := p.PublicKeys
	if c := r.Assertion.Verification.Creator; c != "" {
		i := slices.IndexFunc(p.PublicKeys, func(k CryptographicKey) bool { return k.ID == c })
		if i < 0 {
			// "If a key is declared here, it must be authorized in the
			// issuer Profile as well."
			r.Signature = Step{Unknown, "not checked: the key is not the issuer's"}
			r.Key = Step{Failed, fmt.Sprintf("key %s is not among the issuer profile's publicKey", clip(c))}
			return
		}
		candidates = p.PublicKeys[i : i+1]
	}
	if len(candidates) == 0 {
		r.Signature = Step{Failed, "the issuer profile " + p.ID + " lists no publicKey"}
		return
	}
	if len(candidates) > maxKeys {
		candidates = candidates[:maxKeys]
	}
	var unreachable, unusable error
	for _, k := range candidates {
		pemText := k.PublicKeyPEM
		if pemText == "" {
			body, err := v.fetch(ctx, k.ID)
			if err != nil {
				unreachable = fmt.Errorf("key %s: %w", k.ID, err)
				continue
			}
			key, err := ParseCryptographicKey(body)
			if err != nil {
				unusable = fmt.Errorf("key %s: %w", k.ID, err)
				continue
			}
			if key.ID != "" && key.ID != k.ID {
				unusable = fmt.Errorf("the key at %s gives its id as %s", k.ID, clip(key.ID))
				continue
			}
			// The two-way link: the key names its owner, the owner lists
			// the key.
			if key.Owner != "" && key.Owner != p.ID {
				unusable = fmt.Errorf("key %s is owned by %s, not by the issuer %s", k.ID, clip(key.Owner), p.ID)
				continue
			}
			pemText = key.PublicKeyPEM
		}
		switch err := s.Verify(pemText); {
		case err == nil:
			r.Signature = Step{OK, "RS256"}
			r.Key = Step{OK, k.ID}
			return
		case errors.Is(err, ErrSignature):
			if unusable == nil {
				unusable = fmt.Errorf("%w with the issuer's key %s", err, k.ID)
			}
		default:
			unusable = fmt.Errorf("key %s: %w", k.ID, err)
		}
	}
	switch {
	case unusable != nil:
		r.Signature = Step{Failed, unusable.Error()}
	default:
		r.Signature = Step{Unknown, unreachable.Error()}
	}
}

// signatureV1 checks a 1.0 signed badge: its verify.url is the PEM public
// key itself, trusted when it lives on the issuer's origin.
func (v *run) signatureV1(ctx context.Context, r *Result, s *Signed, p *Profile) {
	keyURL := r.Assertion.Verification.URL
	if !isHTTP(keyURL) {
		r.Signature = Step{Failed, "the 1.0 signed assertion has no http(s) verify.url for its key"}
		return
	}
	if err := p.AllowsHosted(keyURL, "", V1); err != nil {
		r.Key = Step{Failed, "key " + keyURL + ": " + err.Error()}
		r.Signature = Step{Unknown, "not checked: the key is not the issuer's"}
		return
	}
	body, err := v.fetch(ctx, keyURL)
	if err != nil {
		r.Signature = fetchStep("key", keyURL, err)
		return
	}
	if err := s.Verify(string(body)); err != nil {
		r.Signature = Step{Failed, err.Error()}
		return
	}
	r.Signature, r.Key = Step{OK, "RS256"}, Step{OK, keyURL}
}

// revocation checks a signed assertion against the issuer's list.
func (v *run) revocation(ctx context.Context, r *Result) {
	a, p := r.Assertion, r.Issuer
	if a.Revoked {
		r.Revoked, r.RevocationReason = true, a.RevocationReason
		r.Revocation = Step{Failed, withReason("marked revoked", a.RevocationReason)}
		return
	}
	if p.RevocationList == "" {
		r.Revocation = Step{NotApplicable, "the issuer publishes no revocation list"}
		return
	}
	body, err := v.fetch(ctx, p.RevocationList)
	if err != nil {
		r.Revocation = Step{Unknown, fmt.Sprintf("revocation list %s: %v", p.RevocationList, err)}
		return
	}
	l, err := ParseRevocationList(body)
	if err != nil {
		r.Revocation = Step{Unknown, fmt.Sprintf("revocation list %s: %v", p.RevocationList, err)}
		return
	}
	if l.Issuer != "" && l.Issuer != p.ID {
		r.Revocation = Step{Unknown, fmt.Sprintf("revocation list %s is published by %s, not by the issuer", p.RevocationList, clip(l.Issuer))}
		return
	}
	if revoked, reason := l.Lookup(a.ID, a.UID); revoked {
		r.Revoked, r.RevocationReason = true, reason
		r.Revocation = Step{Failed, withReason("listed in "+p.RevocationList, reason)}
		return
	}
	r.Revocation = Step{OK, "not in " + p.RevocationList}
}

// v1Limits says what a 1.0 verification cannot establish.
func v1Limits(r *Result) []string {
	l := []string{"Open Badges 1.0: no JSON-LD context, so extensions and linked data are not interpreted"}
	if r.Method == HostedBadge {
		l = append(l, "the hosted URL is checked against the issuer's origin (its url), the only policy 1.0 knows",
			"revocation is known only from the hosted URL (410 Gone or revoked: true)")
	} else {
		l = append(l, "the key at verify.url is trusted because it lives on the issuer's origin; 1.0 has no key list")
	}
	if r.Issuer != nil && r.Issuer.ID == "" && r.Issuer.Embedded {
		l = append(l, "the issuer is described only inside the badge class (0.5): its identity rests on its origin")
	}
	return l
}

func withReason(what, reason string) string {
	if reason == "" {
		return what
	}
	return what + ": " + reason
}
