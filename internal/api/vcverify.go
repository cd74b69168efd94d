package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
	"github.com/sceau/sceau/status"
	"github.com/sceau/sceau/verify"
)

// clockSkew tolerates a proof created slightly ahead of our clock.
const clockSkew = 5 * time.Minute

// maxPresentedCredentials bounds the credentials of one presentation.
const maxPresentedCredentials = 32

// VerifyResult is the answer to a verification: verified, the checks that
// passed, what could not be established (warnings) and what failed
// (errors).
type VerifyResult struct {
	Verified bool            `json:"verified"`
	Checks   []string        `json:"checks"`
	Warnings []ProblemDetail `json:"warnings"`
	Errors   []ProblemDetail `json:"errors"`

	// malformed: the input breaks the data model (400) rather than failing
	// verification (422).
	malformed bool
}

func newResult() *VerifyResult {
	return &VerifyResult{Checks: []string{}, Warnings: []ProblemDetail{}, Errors: []ProblemDetail{}}
}

func (r *VerifyResult) pass(check string) {
	if !slices.Contains(r.Checks, check) {
		r.Checks = append(r.Checks, check)
	}
}

func (r *VerifyResult) fail(typ, title, detail string) {
	r.Errors = append(r.Errors, newProblem(typ, title, detail))
}

func (r *VerifyResult) warn(typ, title, detail string) {
	r.Warnings = append(r.Warnings, newProblem(typ, title, detail))
}

// statusCode is the HTTP status of the answer.
func (r *VerifyResult) statusCode() int {
	switch {
	case r.malformed:
		return http.StatusBadRequest
	case len(r.Errors) > 0:
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

func (r *VerifyResult) conclude() { r.Verified = len(r.Errors) == 0 }

// verifyRequest is the body of POST /credentials/verify.
type verifyRequest struct {
	VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	Options              json.RawMessage `json:"options"`
}

// verifyCredential answers 200 {verified: true, checks…}, 400 for a
// malformed request or credential, 422 when verification fails.
func (s *vcServer) verifyCredential(w http.ResponseWriter, r *http.Request) error {
	var req verifyRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	doc, err := decodeObject(req.VerifiableCredential, "verifiableCredential")
	if err != nil {
		return err
	}
	res := s.checkCredential(r.Context(), req.VerifiableCredential, doc, "verifiableCredential")
	res.conclude()
	return writeJSON(w, res.statusCode(), res)
}

// resolver resolves did:key and did:jwk locally, this server's did:web
// in process, and other did:web through the remote fetcher, if any.
func (s *vcServer) resolver() did.Resolver {
	return &did.MultiResolver{Web: selfFetcher{s}}
}

// checkCredential verifies one credential (raw: its JSON, doc: decoded).
func (s *vcServer) checkCredential(ctx context.Context, raw []byte, doc map[string]any, path string) *VerifyResult {
	if isOpenBadge(doc) {
		return s.checkOpenBadge(ctx, raw)
	}
	res := newResult()
	now := s.clock()
	if problems := checkCredential(doc, path, forVerify); len(problems) > 0 {
		res.malformed = true
		p := newProblem(problemMalformed, "Invalid credential", fmt.Sprintf("%d rule(s) broken; first: %s", len(problems), problems[0]))
		p.Problems = problems
		res.Errors = append(res.Errors, p)
		return res
	}
	res.pass("dataModel")
	if !s.checkProofs(ctx, res, doc, issuerOf(doc), proof.VerifyOptions{Now: now}) {
		res.warn(problemStatus, "Status not checked", "the proof did not verify")
		return res
	}
	checkValidity(res, doc, now)
	s.checkStatus(ctx, res, doc, now)
	return res
}

// checkProofs verifies every proof of doc (VC Data Integrity §4.5: a
// proof set verifies when all its proofs do) and binds each to controller,
// the issuer or holder. It reports whether they all verified.
func (s *vcServer) checkProofs(ctx context.Context, res *VerifyResult, doc map[string]any, controller string, opts proof.VerifyOptions) bool {
	opts.Resolver = s.resolver()
	opts.ClockSkew = clockSkew
	pr, err := proof.VerifyDocument(ctx, doc, opts)
	if err != nil {
		res.fail(problemProofVerify, "Proof not verified", err.Error())
		return false
	}
	ok := true
	for _, p := range pr.Proofs {
		switch {
		case p.Err != nil:
			typ := problemProofVerify
			if errors.Is(p.Err, proof.ErrInvalidSignature) {
				typ = problemCrypto
			}
			res.fail(typ, "Proof not verified", p.Err.Error())
			ok = false
		case controller != "" && p.Controller != controller:
			res.fail(problemProofVerify, "Proof not made by the issuer",
				fmt.Sprintf("key %s is controlled by %s, not %s", p.VerificationMethod, p.Controller, controller))
			ok = false
		}
	}
	if ok {
		res.pass("proof")
	}
	return ok
}

// checkValidity checks the validity period (VC 2.0) or the issuance and
// expiration dates (VC 1.1).
func checkValidity(res *VerifyResult, doc map[string]any, now time.Time) {
	from, until := "validFrom", "validUntil"
	if _, v2 := doc["validFrom"]; !v2 {
		if _, v1 := doc["issuanceDate"]; v1 {
			from, until = "issuanceDate", "expirationDate"
		}
	}
	bad := false
	if s, ok := doc[from].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err != nil {
			res.fail(problemMalformed, "Invalid "+from, err.Error())
			bad = true
		} else if now.Add(clockSkew).Before(t) {
			res.fail(problemRange, "Not yet valid", fmt.Sprintf("%s is %s", from, s))
			bad = true
		}
	}
	if s, ok := doc[until].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err != nil {
			res.fail(problemMalformed, "Invalid "+until, err.Error())
			bad = true
		} else if !now.Before(t) {
			res.fail(problemRange, "Expired", fmt.Sprintf("%s was %s", until, s))
			bad = true
		}
	}
	if !bad {
		res.pass("validity")
	}
}

// checkStatus checks each BitstringStatusListEntry against its list. A
// list that cannot be fetched or trusted is a warning (an unreachable
// server must not revoke credentials); a set bit is an error.
func (s *vcServer) checkStatus(ctx context.Context, res *VerifyResult, doc map[string]any, now time.Time) {
	raw, ok := doc["credentialStatus"]
	if !ok {
		return
	}
	entries, ok := raw.([]any)
	if !ok {
		entries = []any{raw}
	}
	issuer := issuerOf(doc)
	failed := false
	for _, item := range entries {
		data, err := json.Marshal(item)
		if err != nil {
			continue
		}
		e, err := status.ParseEntry(data)
		if errors.Is(err, status.ErrUnsupportedType) || (err == nil && e.Type == status.Type1EdTechRevocationList) {
			res.warn(problemStatus, "Status not checked", "unsupported credentialStatus type")
			failed = true
			continue
		}
		if err != nil {
			res.fail(problemMalformed, "Invalid credentialStatus", err.Error())
			failed = true
			continue
		}
		listJSON, err := selfFetcher{s}.Fetch(ctx, e.StatusListCredential)
		var list *trustedList
		if err == nil {
			list, err = s.trustList(ctx, listJSON, e.StatusListCredential, issuer, now)
		}
		if err != nil {
			res.warn(problemStatus, "Status not checked", fmt.Sprintf("status list %s: %v", e.StatusListCredential, err))
			failed = true
			continue
		}
		value, err := list.lookup(e)
		switch {
		case errors.Is(err, status.ErrIndexOutOfRange):
			res.fail(problemRange, "Invalid credentialStatus", err.Error())
		case err != nil:
			res.fail(problemStatus, "Invalid credentialStatus", err.Error())
		case value != 0 && e.StatusPurpose == status.PurposeRevocation:
			res.fail(problemStatus, "Revoked", "the issuer revoked this credential")
		case value != 0 && e.StatusPurpose == status.PurposeSuspension:
			res.fail(problemStatus, "Suspended", "the issuer suspended this credential")
		default:
			continue
		}
		failed = true
	}
	if !failed {
		res.pass("credentialStatus")
	}
}

// trustList checks that a status list credential is the issuer's and in
// effect (Bitstring Status List, validate algorithm): its id the URL it
// was fetched from, signed by the issuer, within its validity period.
func (s *vcServer) trustList(ctx context.Context, data []byte, url, issuer string, now time.Time) (*trustedList, error) {
	// The issuer and id are part of the bytes the cache is keyed by: a
	// list trusted for one issuer is not taken for another's.
	l := s.trusted.get(data)
	if l == nil {
		cred, err := status.ParseListCredential(data)
		if err != nil {
			return nil, err
		}
		pr, err := proof.Verify(ctx, data, proof.VerifyOptions{Resolver: s.resolver(), Now: now, ClockSkew: clockSkew})
		if err != nil {
			return nil, err
		}
		if err := pr.Err(); err != nil {
			return nil, err
		}
		for _, p := range pr.Proofs {
			if p.Controller != cred.Issuer {
				return nil, fmt.Errorf("signed by %s, not by its issuer %s", p.Controller, cred.Issuer)
			}
		}
		bits, err := status.DecodeList(cred.EncodedList)
		if err != nil {
			return nil, err
		}
		l = &trustedList{cred: cred, bits: bits}
		s.trusted.add(data, l)
	}
	switch {
	case l.cred.ID != "" && l.cred.ID != url:
		return nil, fmt.Errorf("the list's id is %s", l.cred.ID)
	case l.cred.Issuer != issuer:
		return nil, fmt.Errorf("published by %s, not by the issuer %s", l.cred.Issuer, issuer)
	}
	if t, err := time.Parse(time.RFC3339Nano, l.cred.ValidUntil); err == nil && !now.Before(t) {
		return nil, fmt.Errorf("the list expired on %s", l.cred.ValidUntil)
	}
	if t, err := time.Parse(time.RFC3339Nano, l.cred.ValidFrom); err == nil && now.Add(clockSkew).Before(t) {
		return nil, fmt.Errorf("the list is valid only from %s", l.cred.ValidFrom)
	}
	return l, nil
}

// checkOpenBadge runs Sceau's Open Badges verifier, whose rules (1EdTech
// schema, OB context and types, revocation lists) apply on top of VC 2.0.
func (s *vcServer) checkOpenBadge(ctx context.Context, raw []byte) *VerifyResult {
	rep := verify.Verify(ctx, raw, verify.Options{Fetcher: selfFetcher{s}, Now: s.clock()})
	res := newResult()
	for _, c := range rep.Checks {
		detail := c.Message.EN
		if c.Detail != "" {
			detail += " (" + c.Detail + ")"
		}
		switch c.Outcome {
		case verify.Pass:
			res.pass(string(c.Code))
		case verify.Warn:
			res.warn(problemFor(c.Code), string(c.Code), detail)
		case verify.Fail:
			res.fail(problemFor(c.Code), string(c.Code), detail)
			switch c.Code {
			case verify.CodeFormat, verify.CodeJSON, verify.CodeContext, verify.CodeType, verify.CodeSchema, verify.CodeStructure:
				res.malformed = true
			}
		}
	}
	if rep.Verdict != verify.Valid && len(res.Errors) == 0 {
		// A proof that could not be checked is only a warning in the
		// report, yet the credential is not verified.
		res.fail(problemProofVerify, string(rep.Verdict), rep.Reason.EN)
	}
	return res
}

func problemFor(code verify.Code) string {
	switch code {
	case verify.CodeProof, verify.CodeIssuerKey:
		return problemCrypto
	case verify.CodeValidFrom, verify.CodeValidUntil:
		return problemRange
	case verify.CodeStatus:
		return problemStatus
	}
	return problemMalformed
}

// isOpenBadge reports whether doc is an Open Badges 3.0 credential.
func isOpenBadge(doc map[string]any) bool {
	types, ok := doc["type"].([]any)
	if !ok {
		types = []any{doc["type"]}
	}
	for _, t := range types {
		if t == ob3.TypeOpenBadgeCredential || t == "AchievementCredential" {
			return true
		}
	}
	return false
}

// issuerOf returns the issuer id of a credential.
func issuerOf(doc map[string]any) string {
	switch v := doc["issuer"].(type) {
	case string:
		return v
	case map[string]any:
		id, _ := v["id"].(string)
		return id
	}
	return ""
}

// presentationRequest is the body of POST /presentations/verify.
type presentationRequest struct {
	VerifiablePresentation json.RawMessage `json:"verifiablePresentation"`
	Options                struct {
		Challenge string `json:"challenge"`
		Domain    string `json:"domain"`
	} `json:"options"`
}

// PresentationResult is a presentation's verification with one result per
// credential, in order.
type PresentationResult struct {
	VerifyResult
	CredentialResults []*VerifyResult `json:"credentialResults"`
}

// verifyPresentation verifies a presentation's proof, when it has one
// (authentication, with the challenge and domain of the options; a
// challenge asked for makes the proof required), and each credential.
func (s *vcServer) verifyPresentation(w http.ResponseWriter, r *http.Request) error {
	var req presentationRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	vp, err := decodeObject(req.VerifiablePresentation, "verifiablePresentation")
	if err != nil {
		return err
	}
	ctx := r.Context()
	out := &PresentationResult{VerifyResult: *newResult(), CredentialResults: []*VerifyResult{}}
	res := &out.VerifyResult
	if problems := checkPresentation(vp, "verifiablePresentation"); len(problems) > 0 {
		res.malformed = true
		p := newProblem(problemMalformed, "Invalid presentation", fmt.Sprintf("%d rule(s) broken; first: %s", len(problems), problems[0]))
		p.Problems = problems
		res.Errors = append(res.Errors, p)
		res.conclude()
		return writeJSON(w, res.statusCode(), out)
	}
	res.pass("dataModel")
	if _, signed := vp["proof"]; signed {
		s.checkProofs(ctx, res, vp, holderOf(vp), proof.VerifyOptions{
			Now: s.clock(), Purpose: did.Authentication, Challenge: req.Options.Challenge, Domain: req.Options.Domain,
		})
	} else if req.Options.Challenge != "" || req.Options.Domain != "" {
		res.fail(problemProofVerify, "Proof missing", "a challenge or domain was given but the presentation has no proof")
	}

	creds, _ := vp["verifiableCredential"].([]any)
	if c, ok := vp["verifiableCredential"].(map[string]any); ok {
		creds = []any{c}
	}
	if len(creds) > maxPresentedCredentials {
		res.malformed = true
		res.fail(problemMalformed, "Too many credentials", fmt.Sprintf("at most %d credentials per presentation", maxPresentedCredentials))
		creds = nil
	}
	for i, c := range creds {
		path := fmt.Sprintf("verifiablePresentation.verifiableCredential[%d]", i)
		doc, ok := c.(map[string]any)
		if !ok {
			res.malformed = true
			res.fail(problemMalformed, "Invalid credential", path+" must be an object")
			continue
		}
		var cr *VerifyResult
		if doc["type"] == "EnvelopedVerifiableCredential" {
			cr = newResult()
			cr.warn(problemUnsupported, "Not checked", "enveloped credentials are not verified by this endpoint")
		} else {
			raw, err := marshal(doc)
			if err != nil {
				return badge.Internalf(err, "encode presented credential")
			}
			cr = s.checkCredential(ctx, raw, doc, path)
		}
		cr.conclude()
		out.CredentialResults = append(out.CredentialResults, cr)
		if cr.malformed {
			res.malformed = true
		}
		for _, e := range cr.Errors {
			e.Detail = strings.TrimSpace(path + ": " + e.Detail)
			res.Errors = append(res.Errors, e)
		}
	}
	if len(creds) > 0 && len(res.Errors) == 0 {
		res.pass("credentials")
	}
	res.conclude()
	return writeJSON(w, res.statusCode(), out)
}

// holderOf returns the presentation's holder id, "" when it names none
// (the proof then binds nobody in particular).
func holderOf(vp map[string]any) string {
	switch v := vp["holder"].(type) {
	case string:
		return v
	case map[string]any:
		id, _ := v["id"].(string)
		return id
	}
	return ""
}

// errForeignURL answers fetches of documents that are not this server's
// when no remote fetcher is configured. It wraps did.ErrNoFetcher: the
// document is unreachable from here, which says nothing of the credential.
var errForeignURL = fmt.Errorf("not a document of this server: %w", did.ErrNoFetcher)

// selfFetcher answers fetches of this server's own documents in process
// (issuer DID documents and status lists, the VC API's and the awards'),
// and passes others to the configured remote fetcher, if any.
type selfFetcher struct{ s *vcServer }

func (f selfFetcher) Fetch(ctx context.Context, u string) ([]byte, error) {
	if path, ok := f.s.ownPath(u); ok {
		doc, err := f.s.ownDocument(ctx, path)
		switch {
		case err == nil:
			return doc, nil
		case badge.IsNotFound(err):
			return nil, fmt.Errorf("fetch %s: %w (%v)", u, did.ErrNotFound, err)
		case !errors.Is(err, errForeignURL):
			return nil, fmt.Errorf("fetch %s: %w", u, err)
		}
	}
	if f.s.remote != nil {
		return f.s.remote.Fetch(ctx, u)
	}
	return nil, fmt.Errorf("fetch %.200q: %w", u, errForeignURL)
}

// ownPath returns the path of u when u is under the base URL. A did:web
// always resolves over https, so an http base URL (development) also
// matches its https form.
func (s *vcServer) ownPath(u string) (string, bool) {
	if rest, ok := strings.CutPrefix(u, s.base); ok && (rest == "" || rest[0] == '/') {
		return rest, true
	}
	if httpBase, ok := strings.CutPrefix(s.base, "http://"); ok {
		if rest, ok := strings.CutPrefix(u, "https://"+httpBase); ok && (rest == "" || rest[0] == '/') {
			return rest, true
		}
	}
	return "", false
}

// ownDocument returns one of this server's public documents by path.
func (s *vcServer) ownDocument(ctx context.Context, path string) ([]byte, error) {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	switch {
	case len(parts) == 5 && "/"+parts[0]+"/"+parts[1] == VCPrefix && parts[2] == "status":
		return s.statusList(ctx, parts[3], parts[4])
	case len(parts) == 3 && parts[0] == "issuers" && badge.ValidSlug(parts[1]) && parts[2] == "did.json":
		return s.svc.DIDDocument(ctx, parts[1])
	case len(parts) == 4 && parts[0] == "issuers" && badge.ValidSlug(parts[1]) && parts[2] == "status":
		return s.svc.StatusList(ctx, parts[1], parts[3])
	case len(parts) == 3 && parts[0] == "issuers" && badge.ValidSlug(parts[1]) && parts[2] == "revocations":
		return s.svc.RevocationList(ctx, parts[1])
	}
	return nil, errForeignURL
}
