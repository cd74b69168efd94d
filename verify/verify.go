package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sceau/sceau/bake"
	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/jsonld"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
	"github.com/sceau/sceau/vcjwt"
)

// Options configure a verification. The zero value verifies offline with
// the current time: nothing remote can be reached, so a status list gives a
// warning and a did:web issuer cannot be checked.
type Options struct {
	// Email, when set, is the address the badge should have been issued to.
	Email string
	// Now is the time of the verification; zero means time.Now().
	Now time.Time
	// Fetcher gets remote documents: did:web documents, HTTPS keys, status
	// and revocation lists. nil: nothing is fetched.
	Fetcher did.Fetcher
	// Resolver resolves DIDs; nil means a did.MultiResolver over Fetcher.
	Resolver did.Resolver
	// Loader provides JSON-LD contexts; nil means the bundled ones.
	Loader jsonld.DocumentLoader
}

// maxEndorsementDepth bounds endorsements of endorsements: an endorsement
// may itself carry endorsements, but a verifier must not recurse without end.
const maxEndorsementDepth = 2

// verifier carries one verification's options, completed with defaults.
type verifier struct {
	opts     Options
	resolver did.Resolver
	now      time.Time
}

// Verify checks one input (credential JSON, VC-JWT, enveloped credential,
// baked PNG or SVG) and returns its report. It never fails: what goes wrong
// is a check of the report.
func Verify(ctx context.Context, input []byte, opts Options) *Report {
	v := &verifier{opts: opts, resolver: opts.Resolver, now: opts.Now}
	if v.resolver == nil {
		v.resolver = &did.MultiResolver{Web: opts.Fetcher}
	}
	if v.now.IsZero() {
		v.now = time.Now()
	}
	r := &Report{}
	payload, legacy, ok := v.unwrap(r, input)
	switch {
	case !ok:
	case legacy || isOpenBadges2(payload):
		v.openBadges2(ctx, r, payload)
	case isCLR(payload):
		v.clr(ctx, r, payload)
	default:
		// Only an achievement with a creator other than the issuer can be
		// issued on another's behalf.
		if c := v.credential(ctx, r, payload, 0); c != nil {
			r.Delegation = checkDelegation(ctx, c, opts)
		}
	}
	r.conclude()
	return r
}

// unwrap finds the credential in the input: it sniffs the container and
// unbakes images. legacy is true for an image baked the Open Badges 2.0 or
// 1.0 way.
func (v *verifier) unwrap(r *Report, input []byte) (payload []byte, legacy, ok bool) {
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(input, []byte("\xef\xbb\xbf")))
	switch {
	case bytes.HasPrefix(input, []byte("\x89PNG")):
		r.Format = "png"
	case isSVG(trimmed):
		r.Format = "svg"
	case len(trimmed) > 0 && trimmed[0] == '{':
		r.Format = "json"
	case looksLikeJWT(trimmed):
		r.Format = "jwt"
	default:
		r.add(CodeFormat, Fail, "neither JSON, a compact JWT, a PNG nor an SVG")
		return nil, false, false
	}
	r.add(CodeFormat, Pass, r.Format)
	if r.Format != "png" && r.Format != "svg" {
		return trimmed, false, true
	}
	b, err := bake.Unbake(input)
	if err != nil {
		r.add(CodeBaked, Fail, err.Error())
		return nil, false, false
	}
	r.add(CodeBaked, Pass, b.Format.String())
	// Open Badges 2.0 and 1.0 images carry assertion JSON, a signed
	// assertion (JWS) or the hosted assertion's URL.
	return bytes.TrimSpace(b.Payload), b.Format != bake.FormatOB3, true
}

// credential verifies a credential given as JSON or as a VC-JWT, and
// returns it parsed (nil when it could not be). depth counts endorsement
// nesting.
func (v *verifier) credential(ctx context.Context, r *Report, payload []byte, depth int) *ob3.Credential {
	var (
		jwtResult *vcjwt.Result
		jwtErr    error
		isJWT     = looksLikeJWT(payload)
	)
	if !isJWT && bytes.Contains(payload, []byte("EnvelopedVerifiableCredential")) {
		if token, err := vcjwt.Unenvelope(payload); err == nil {
			payload, isJWT = []byte(token), true
		}
	}
	if isJWT {
		jwtResult, jwtErr = vcjwt.Verify(ctx, string(payload), vcjwt.VerifyOptions{Resolver: v.resolver})
		if jwtResult == nil {
			// The signature did not verify: still show what the token says.
			tok, perr := vcjwt.Parse(string(payload))
			if perr != nil {
				r.add(CodeJSON, Fail, perr.Error())
				return nil
			}
			payload = tok.Credential
		} else {
			payload = jwtResult.Credential
		}
	}
	c, err := ob3.Parse(payload)
	if err != nil {
		if json.Valid(payload) {
			// Only JSON can be embedded: broken input would make the
			// whole report unmarshalable.
			r.Credential = json.RawMessage(payload)
		}
		r.add(CodeJSON, Fail, err.Error())
		return nil
	}
	r.Credential = json.RawMessage(payload)
	r.add(CodeJSON, Pass, "")
	r.describe(c)
	// The schema and the proof both need the generic form of the
	// document: it is decoded once, for both. docErr (a document Parse
	// accepted but too large for the proof) is the proof's to report.
	doc, docErr := proof.DecodeDocument(payload)
	v.structure(r, c, payload, doc)

	if isJWT {
		v.jwtProof(r, c, jwtResult, jwtErr)
	} else {
		v.dataIntegrity(ctx, r, c, doc, docErr)
	}
	v.validity(r, c)
	if pc := r.Check(CodeProof); pc != nil && pc.Outcome == Pass {
		v.status(ctx, r, c)
	} else {
		// A badge whose signature does not hold is not worth a request to
		// the server it names: that server could be anyone's.
		r.add(CodeStatus, Warn, "not checked: the signature was not verified")
	}
	v.endorsements(ctx, r, c, depth)
	if depth == 0 {
		// Options.Email names the badge's recipient; an endorsement's
		// subject is the thing endorsed, not that person.
		v.recipient(r, c)
	}
	return c
}

// structure reports @context, type, schema and the other Open Badges rules.
// doc is payload decoded, or nil when it could not be.
func (v *verifier) structure(r *Report, c *ob3.Credential, payload []byte, doc map[string]any) {
	var context, types, rules []string
	for _, p := range c.Check() {
		if p.Severity != ob3.SeverityError {
			continue
		}
		switch {
		case strings.HasPrefix(p.Code, "CONTEXT_"):
			context = append(context, p.String())
		case strings.HasPrefix(p.Code, "TYPE_"):
			types = append(types, p.String())
		default:
			rules = append(rules, p.String())
		}
	}
	r.addAll(CodeContext, context)
	r.addAll(CodeType, types)

	if !ob3.SchemaApplies(c) {
		r.add(CodeSchema, Skip, "VC 1.1 form (Open Badges context "+c.ContextVersion()+"): the 3.0.3 schema is written for VC 2.0")
	} else if errs, err := validateSchema(payload, doc, ob3.SchemaFor(c)); err != nil {
		r.add(CodeSchema, Fail, err.Error())
	} else {
		msgs := make([]string, 0, len(errs))
		for _, e := range errs {
			msgs = append(msgs, e.Path+": "+e.Message)
		}
		r.addAll(CodeSchema, msgs)
	}
	r.addAll(CodeStructure, rules)
}

// validateSchema validates the decoded document when there is one, else
// the bytes.
func validateSchema(payload []byte, doc map[string]any, kind ob3.SchemaKind) ([]ob3.SchemaError, error) {
	if doc == nil {
		return ob3.ValidateSchema(payload, kind)
	}
	return ob3.ValidateSchemaValue(doc, kind)
}

// dataIntegrity checks the embedded proofs and binds their key to the
// issuer, on the credential as proof.DecodeDocument decoded it (doc), or
// reports docErr, why it could not be decoded.
func (v *verifier) dataIntegrity(ctx context.Context, r *Report, c *ob3.Credential, doc map[string]any, docErr error) {
	var res *proof.Result
	err := docErr
	if err == nil {
		res, err = proof.VerifyDocument(ctx, doc, proof.VerifyOptions{
			Resolver: v.resolver,
			Loader:   v.opts.Loader,
			Now:      v.now,
			// Signers' clocks drift; a proof created a few minutes "in the
			// future" is not a forgery.
			ClockSkew: 5 * time.Minute,
		})
	}
	if err != nil {
		r.add(CodeProof, Fail, err.Error())
		r.add(CodeIssuerKey, Skip, "")
		return
	}
	// A proof set may carry proofs this verifier cannot check (another
	// cryptosuite, a key it cannot reach) next to one it can, as 1EdTech's
	// validator fixtures do: such proofs neither prove nor disprove
	// anything. A proof that fails for real (wrong signature, malformed)
	// makes the credential invalid whatever the others say.
	issuer := issuerID(c)
	var (
		verified, ignored []string
		bound             string
		realErr, unknown  error
	)
	for _, p := range res.Proofs {
		switch {
		case p.Err == nil:
			verified = append(verified, proofName(p.Proof))
			if p.Controller == issuer && bound == "" {
				bound = p.VerificationMethod
			}
		case cannotCheck(p.Err):
			ignored = append(ignored, proofName(p.Proof))
			if unknown == nil {
				unknown = p.Err
			}
		default:
			if realErr == nil {
				realErr = p.Err
			}
		}
	}
	switch {
	case realErr != nil:
		r.add(CodeProof, Fail, realErr.Error())
		r.add(CodeIssuerKey, Skip, "")
		return
	case len(verified) == 0 && unknown != nil:
		// The suite is unknown or the key cannot be found from here: say
		// so rather than call the badge forged.
		r.add(CodeProof, Warn, unknown.Error())
		r.add(CodeIssuerKey, Skip, "")
		return
	case len(verified) == 0:
		r.add(CodeProof, Fail, proof.ErrNoProof.Error())
		r.add(CodeIssuerKey, Skip, "")
		return
	}
	detail := strings.Join(verified, ", ")
	if len(ignored) > 0 {
		detail += "; not checked: " + strings.Join(ignored, ", ") + " (" + unknown.Error() + ")"
	}
	r.add(CodeProof, Pass, detail)
	if bound == "" {
		// Every verified proof was made by someone else's key: the
		// credential is intact, but nothing says the issuer made it.
		p := res.Proofs[0]
		for _, q := range res.Proofs {
			if q.Err == nil {
				p = q
				break
			}
		}
		r.add(CodeIssuerKey, Fail, fmt.Sprintf("key %s is controlled by %s, the issuer is %q", p.VerificationMethod, p.Controller, issuer))
		return
	}
	r.add(CodeIssuerKey, Pass, bound)
}

// cannotCheck reports whether a proof error says the proof could not be
// checked here (unknown suite, unreachable key) rather than that it is wrong.
func cannotCheck(err error) bool {
	return errors.Is(err, proof.ErrUnsupportedCryptosuite) || keyUnreachable(err)
}

// keyUnreachable reports whether the key could not be obtained because of
// where the verifier stands (unknown DID method, no network, not among the
// offline documents), not because of the credential.
func keyUnreachable(err error) bool {
	return errors.Is(err, did.ErrUnsupportedMethod) || errors.Is(err, did.ErrNoFetcher) || errors.Is(err, ErrNotOffline)
}

// jwtProof turns the outcome of vcjwt.Verify into proof and key checks;
// vcjwt already binds the key to the issuer.
func (v *verifier) jwtProof(r *Report, c *ob3.Credential, res *vcjwt.Result, err error) {
	switch {
	case err == nil:
		r.add(CodeProof, Pass, "VC-JWT "+res.Header.Alg)
		r.add(CodeIssuerKey, Pass, res.Method.ID)
	case errors.Is(err, vcjwt.ErrKeyNotBound):
		r.add(CodeProof, Pass, "VC-JWT signature")
		r.add(CodeIssuerKey, Fail, err.Error())
	case keyUnreachable(err):
		r.add(CodeProof, Warn, err.Error())
		r.add(CodeIssuerKey, Skip, "")
	default:
		r.add(CodeProof, Fail, err.Error())
		r.add(CodeIssuerKey, Skip, "")
	}
}

func (v *verifier) validity(r *Report, c *ob3.Credential) {
	if from, ok := c.ValidFromTime(); !ok {
		r.add(CodeValidFrom, Skip, "")
	} else if v.now.Before(from) {
		r.add(CodeValidFrom, Fail, "valid from "+from.UTC().Format(time.RFC3339))
	} else {
		r.add(CodeValidFrom, Pass, from.UTC().Format(time.RFC3339))
	}
	if until, ok := c.ValidUntilTime(); !ok {
		r.add(CodeValidUntil, Skip, "")
	} else if !v.now.Before(until) {
		r.add(CodeValidUntil, Fail, "valid until "+until.UTC().Format(time.RFC3339))
	} else {
		r.add(CodeValidUntil, Pass, until.UTC().Format(time.RFC3339))
	}
}

func (v *verifier) recipient(r *Report, c *ob3.Credential) {
	if v.opts.Email == "" {
		r.add(CodeRecipient, Skip, "")
		return
	}
	s := c.CredentialSubject
	if s == nil {
		r.add(CodeRecipient, Fail, "the credential has no subject")
		return
	}
	for _, id := range s.Identifier {
		if id.Matches(v.opts.Email) {
			r.add(CodeRecipient, Pass, "identifier "+id.IdentityType)
			return
		}
	}
	if strings.EqualFold(s.ID, "mailto:"+strings.TrimSpace(v.opts.Email)) {
		r.add(CodeRecipient, Pass, "credentialSubject.id")
		return
	}
	r.add(CodeRecipient, Fail, "no identifier of the subject matches the address")
}

// describe fills the human-facing summary of the report.
func (r *Report) describe(c *ob3.Credential) {
	if c.Issuer != nil {
		r.Issuer = &Party{ID: c.Issuer.ID, Name: c.Issuer.Name, URL: c.Issuer.URL}
	}
	if s := c.CredentialSubject; s != nil {
		r.Recipient = &Party{ID: s.ID}
		if s.Achievement != nil {
			r.Achievement = &Party{ID: s.Achievement.ID, Name: s.Achievement.Name}
		}
	}
	if t, ok := c.ValidFromTime(); ok {
		r.ValidFrom = &t
	}
	if t, ok := c.ValidUntilTime(); ok {
		r.ValidUntil = &t
	}
}

// conclude derives the verdict from the checks: integrity first, then what
// the issuer said (status), then time.
func (r *Report) conclude() {
	r.Verdict = Valid
	var firstFail *Check
	for i := range r.Checks {
		c := &r.Checks[i]
		if c.Outcome != Fail {
			continue
		}
		switch c.Code {
		case CodeStatus, CodeValidFrom, CodeValidUntil:
		default:
			if firstFail == nil {
				firstFail = c
			}
		}
	}
	notGenuine := r.authentic()
	switch {
	case firstFail != nil:
		r.Verdict = Invalid
	case notGenuine != nil:
		// Nothing failed, but the signature (or the hosted copy) could not
		// be checked: the badge cannot be called valid, nor "genuine but
		// expired" or "genuine but revoked", since nothing says it is genuine.
		r.Verdict = Invalid
		if notGenuine.Outcome != Skip {
			firstFail = notGenuine
		}
	case r.statusVerdict != "":
		r.Verdict = r.statusVerdict
	case r.Failed(CodeValidUntil):
		r.Verdict = Expired
	case r.Failed(CodeValidFrom):
		r.Verdict = NotYetValid
	}
	r.Reason = verdictReasons[r.Verdict]
	if firstFail != nil {
		r.Reason.EN += " " + firstFail.Message.EN
		r.Reason.FR += " " + firstFail.Message.FR
	}
}

// addAll adds one check: pass when problems is empty, else fail with them.
func (r *Report) addAll(code Code, problems []string) {
	if len(problems) == 0 {
		r.add(code, Pass, "")
		return
	}
	r.add(code, Fail, strings.Join(problems, "; "))
}

func issuerID(c *ob3.Credential) string {
	if c.Issuer == nil {
		return ""
	}
	return c.Issuer.ID
}

func proofName(p *proof.Proof) string {
	switch {
	case p == nil:
		return "proof"
	case p.Cryptosuite != "":
		return p.Cryptosuite
	case p.Type != "":
		return p.Type
	}
	return "proof"
}

func isSVG(b []byte) bool {
	if len(b) == 0 || b[0] != '<' {
		return false
	}
	head := b
	if len(head) > 4096 {
		head = head[:4096]
	}
	return bytes.Contains(head, []byte("<svg"))
}

// looksLikeJWT reports whether b has the shape of a compact JWS: three
// base64url segments separated by dots.
func looksLikeJWT(b []byte) bool {
	if len(b) < 5 || bytes.Count(b, []byte(".")) != 2 {
		return false
	}
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return false
		}
	}
	return true
}
