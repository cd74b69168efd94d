// Package verify is Sceau's verifier: from any input (credential JSON,
// VC-JWT, baked PNG or SVG) to a Report that says, first, whether the badge
// can be trusted and, then, every check behind that verdict.
//
// It knows nothing of HTTP serving or storage: documents that live elsewhere
// (DID documents, status lists) come through the Fetcher and did.Resolver of
// Options, so that the same code runs online, offline (--documents) and in
// tests.
package verify

import (
	"encoding/json"
	"time"
)

// Verdict is the one-word answer an appraiser reads first.
type Verdict string

const (
	Valid       Verdict = "valid"
	Revoked     Verdict = "revoked"
	Suspended   Verdict = "suspended"
	Expired     Verdict = "expired"
	NotYetValid Verdict = "not_yet_valid"
	Invalid     Verdict = "invalid"
)

// Outcome is the result of one check.
type Outcome string

const (
	Pass Outcome = "pass"
	Fail Outcome = "fail"
	// Warn is for what could not be established but does not make the badge
	// invalid, such as a status list that cannot be fetched.
	Warn Outcome = "warn"
	// Skip is for a check that does not apply (no status entry, no e-mail given).
	Skip Outcome = "skip"
)

// Check is one step of the verification. Code is stable (clients and tests
// rely on it); Detail is the technical cause in English, for operators.
type Check struct {
	Code    Code    `json:"code"`
	Outcome Outcome `json:"outcome"`
	Detail  string  `json:"detail,omitempty"`
	// Message holds the plain-language sentence in each supported language.
	Message Text `json:"message"`
}

// Text is a sentence in each language the project speaks.
type Text struct {
	EN string `json:"en"`
	FR string `json:"fr"`
}

// In returns the text in lang ("fr" or "en"; anything else gives English).
func (t Text) In(lang string) string {
	if lang == "fr" && t.FR != "" {
		return t.FR
	}
	return t.EN
}

// Party is an issuer, endorser or recipient as the report shows it.
type Party struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	URL         string `json:"url,omitempty"`
	Description string `json:"description,omitempty"`
	// Image is the image URL (or data: URI) the issuer gives.
	Image string `json:"image,omitempty"`
}

// Evidence is one piece of evidence of an award, as the report shows it.
type Evidence struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Narrative   string `json:"narrative,omitempty"`
}

// Report is the whole answer for one input.
type Report struct {
	Verdict Verdict `json:"verdict"`
	// Reason is the plain-language explanation of the verdict.
	Reason Text `json:"reason"`
	// Format is the container the credential came in: json, jwt, png or svg.
	Format string `json:"format,omitempty"`
	// Standard names the badge's generation when it is not Open Badges 3.0:
	// "Open Badges 2.0" or "Open Badges 1.0", or StandardCLR for a CLR.
	Standard string  `json:"standard,omitempty"`
	Checks   []Check `json:"checks"`

	Issuer      *Party     `json:"issuer,omitempty"`
	Recipient   *Party     `json:"recipient,omitempty"`
	Achievement *Party     `json:"achievement,omitempty"`
	ValidFrom   *time.Time `json:"validFrom,omitempty"`
	ValidUntil  *time.Time `json:"validUntil,omitempty"`
	// StatusReason is the reason given by the issuer for a revocation or
	// suspension, when the status list carries one.
	StatusReason string `json:"statusReason,omitempty"`
	// Delegation, for a badge issued on another organisation's behalf,
	// says whether that organisation authorised it (see CheckDelegation).
	Delegation   *Delegation `json:"delegation,omitempty"`
	Endorsements []*Report   `json:"endorsements,omitempty"`
	// Included, for a CLR, holds the report of each credential it carries, in order.
	Included []*Report `json:"included,omitempty"`
	// Evidence and Narrative describe the award (Open Badges 2.0).
	Evidence  []Evidence `json:"evidence,omitempty"`
	Narrative string     `json:"narrative,omitempty"`

	// Credential is the credential JSON as found in the input (for a JWT,
	// its decoded credential), never re-serialized.
	Credential json.RawMessage `json:"credential,omitempty"`

	// statusVerdict is Revoked or Suspended when the status check found so.
	statusVerdict Verdict
	// integrity lists the checks that must pass for the badge to be
	// genuine: the proof, or for a hosted OB 2.0 badge its hosted copy and
	// the hosting scope. nil means {CodeProof}.
	integrity []Code
}

// authentic returns the first integrity check that did not pass (or a
// placeholder when the check is missing), nil when the badge is genuine.
func (r *Report) authentic() *Check {
	codes := r.integrity
	if codes == nil {
		codes = []Code{CodeProof}
	}
	for _, code := range codes {
		c := r.Check(code)
		if c == nil {
			return &Check{Code: code, Outcome: Skip, Message: message(code, Skip)}
		}
		if c.Outcome != Pass {
			return c
		}
	}
	return nil
}

// Failed reports whether a check with that code failed.
func (r *Report) Failed(code Code) bool {
	for _, c := range r.Checks {
		if c.Code == code && c.Outcome == Fail {
			return true
		}
	}
	return false
}

// Check returns the first check with that code, or nil.
func (r *Report) Check(code Code) *Check {
	for i := range r.Checks {
		if r.Checks[i].Code == code {
			return &r.Checks[i]
		}
	}
	return nil
}

func (r *Report) add(code Code, outcome Outcome, detail string) {
	r.Checks = append(r.Checks, Check{Code: code, Outcome: outcome, Detail: detail, Message: message(code, outcome)})
}
