package verify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/sceau/sceau/ob2"
)

// issuedOnSkew tolerates issuers' clocks: an assertion issued "in the
// future" by a few minutes is not a forgery.
const issuedOnSkew = 5 * time.Minute

// isOpenBadges2 reports whether a JSON or compact-JWS payload is an Open
// Badges 2.0 or 1.0 assertion rather than an OB 3.0 credential.
func isOpenBadges2(payload []byte) bool {
	if looksLikeJWT(payload) {
		_, body, _ := bytes.Cut(payload, []byte("."))
		body, _, _ = bytes.Cut(body, []byte("."))
		decoded, err := base64.RawURLEncoding.DecodeString(string(body))
		if err != nil {
			return false
		}
		payload = decoded
	}
	names2 := bytes.Contains(payload, []byte("w3id.org/openbadges/v")) || bytes.Contains(payload, []byte("openbadgespec.org/v"))
	if !names2 && (bytes.Contains(payload, []byte("www.w3.org/ns/credentials/")) || bytes.Contains(payload, []byte("www.w3.org/2018/credentials/"))) {
		// A W3C credential that names no OB 1.x/2.0 context is not an
		// assertion: skip decoding it a second time (a tenth of a
		// report's cost). Misrouting an odd assertion here could only
		// make it fail, never pass.
		return false
	}
	if _, ok := ob2.Detect(payload); ok {
		return true
	}
	// A document Detect cannot read (too deep, too large, broken JSON) that
	// names the OB 1.x/2.0 contexts is reported by the OB 2.0 parser, whose
	// errors say what is wrong with it as an assertion.
	return names2
}

// openBadges2 verifies an Open Badges 2.0 or 1.0 assertion (JSON, signed
// JWS, or the hosted URL found in an image) and fills the report.
func (v *verifier) openBadges2(ctx context.Context, r *Report, payload []byte) {
	res, err := ob2.Verify(ctx, payload, ob2.Options{Fetcher: v.opts.Fetcher})
	if err != nil {
		if json.Valid(payload) {
			r.Credential = json.RawMessage(payload)
		}
		r.add(CodeJSON, Fail, err.Error())
		return
	}
	a := res.Assertion
	if a != nil && json.Valid(a.Raw) {
		r.Credential = a.Raw
	}
	r.Standard = "Open Badges " + res.Version.String()
	r.add(CodeJSON, Pass, r.Standard)
	if res.Version == ob2.V1 {
		r.add(CodeLegacy, Warn, strings.Join(res.Limits, "; "))
	}
	r.addStep(CodeAssertion, res.Structure, Pass, Fail, Warn)
	r.addStep(CodeBadgeClass, res.Badge, Pass, Fail, Warn)
	if res.Method == ob2.SignedBadge {
		r.addStep(CodeProof, res.Signature, Pass, Fail, Warn)
		r.addStep(CodeIssuerKey, res.Key, Pass, Fail, Skip)
		r.add(CodeHosted, Skip, "")
		r.add(CodeHostScope, Skip, "")
		r.integrity = []Code{CodeProof}
	} else {
		r.add(CodeProof, Skip, "")
		r.add(CodeIssuerKey, Skip, "")
		r.addStep(CodeHosted, res.Hosted, Pass, Fail, Warn)
		r.addStep(CodeHostScope, res.Scope, Pass, Fail, Warn)
		r.integrity = []Code{CodeHosted, CodeHostScope}
	}
	if a != nil {
		v.ob2Validity(r, a)
	}
	switch res.Revocation.Outcome {
	case ob2.Failed:
		r.statusVerdict, r.StatusReason = Revoked, res.RevocationReason
		r.add(CodeStatus, Fail, res.Revocation.Detail)
	case ob2.OK:
		r.add(CodeStatus, Pass, res.Revocation.Detail)
	case ob2.Unknown:
		r.add(CodeStatus, Warn, res.Revocation.Detail)
	default:
		r.add(CodeStatus, Skip, res.Revocation.Detail)
	}
	v.ob2Recipient(r, a)
	r.describeOB2(res)
}

// addStep adds the check for an ob2 step. outcomes lists the outcomes the
// call site can produce (the catalogue test reads them); an ob2 outcome
// maps to Pass, Fail, Warn (unknown) or Skip (not applicable).
func (r *Report) addStep(code Code, s ob2.Step, outcomes ...Outcome) {
	o := Skip
	switch s.Outcome {
	case ob2.OK:
		o = Pass
	case ob2.Failed:
		o = Fail
	case ob2.Unknown:
		o = Warn
	}
	if !containsOutcome(outcomes, o) && len(outcomes) > 0 {
		// A step this call site does not expect: the last outcome listed
		// (the weakest) rather than a sentence that does not exist.
		o = outcomes[len(outcomes)-1]
	}
	r.Checks = append(r.Checks, Check{Code: code, Outcome: o, Detail: s.Detail, Message: message(code, o)})
}

func containsOutcome(list []Outcome, o Outcome) bool {
	for _, x := range list {
		if x == o {
			return true
		}
	}
	return false
}

// ob2Validity checks issuedOn (not in the future) and expires.
func (v *verifier) ob2Validity(r *Report, a *ob2.Assertion) {
	switch {
	case a.IssuedOn.IsZero():
		r.add(CodeValidFrom, Skip, "")
	case v.now.Add(issuedOnSkew).Before(a.IssuedOn):
		r.add(CodeValidFrom, Fail, "issued on "+a.IssuedOn.UTC().Format(time.RFC3339))
	default:
		r.add(CodeValidFrom, Pass, a.IssuedOn.UTC().Format(time.RFC3339))
	}
	switch {
	case a.Expires.IsZero():
		r.add(CodeValidUntil, Skip, "")
	case !v.now.Before(a.Expires):
		r.add(CodeValidUntil, Fail, "expires "+a.Expires.UTC().Format(time.RFC3339))
	default:
		r.add(CodeValidUntil, Pass, a.Expires.UTC().Format(time.RFC3339))
	}
}

func (v *verifier) ob2Recipient(r *Report, a *ob2.Assertion) {
	switch {
	case v.opts.Email == "":
		r.add(CodeRecipient, Skip, "")
		return
	case a == nil || a.Recipient.Identity == "":
		r.add(CodeRecipient, Fail, "the assertion names no recipient")
		return
	}
	ok, err := ob2.MatchRecipient(a.Recipient, v.opts.Email)
	switch {
	case errors.Is(err, ob2.ErrIdentityType):
		r.add(CodeRecipient, Fail, "the recipient is identified by "+a.Recipient.Type+", not by e-mail")
	case err != nil:
		r.add(CodeRecipient, Fail, err.Error())
	case ok:
		detail := "identity " + a.Recipient.Type
		if a.Recipient.Hashed {
			detail += " (hashed)"
		}
		r.add(CodeRecipient, Pass, detail)
	default:
		r.add(CodeRecipient, Fail, "the recipient identity does not match the address")
	}
}

// describeOB2 fills the human-facing summary from the assertion, its
// badge class and its issuer.
func (r *Report) describeOB2(res *ob2.Result) {
	if p := res.Issuer; p != nil {
		r.Issuer = &Party{ID: p.ID, Name: p.Name, URL: p.URL, Description: p.Description, Image: p.Image.ID}
	}
	a := res.Assertion
	bc := res.BadgeClass
	if bc == nil && a != nil && a.Badge.Embedded {
		bc = &a.Badge
	}
	if bc != nil {
		r.Achievement = &Party{ID: bc.ID, Name: bc.Name, Description: bc.Description, Image: bc.Image.ID, URL: bc.Criteria.ID}
	}
	if a == nil {
		return
	}
	if id := a.Recipient; id.Identity != "" && !id.Hashed && !strings.Contains(id.Identity, "$") {
		// A hashed identity says nothing to a reader: shown only in clear.
		r.Recipient = &Party{ID: id.Identity}
	}
	if !a.IssuedOn.IsZero() {
		t := a.IssuedOn
		r.ValidFrom = &t
	}
	if !a.Expires.IsZero() {
		t := a.Expires
		r.ValidUntil = &t
	}
	for _, e := range a.Evidence {
		r.Evidence = append(r.Evidence, Evidence{ID: e.ID, Name: e.Name, Description: e.Description, Narrative: e.Narrative})
	}
	r.Narrative = a.Narrative
}
