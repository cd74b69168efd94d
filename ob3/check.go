package ob3

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Severity of a Problem.
type Severity int

const (
	// SeverityError: the credential does not conform; a verifier fails it.
	SeverityError Severity = iota
	// SeverityWarning: worth reporting, not a failure (an older but valid
	// form, a value that tools commonly get wrong).
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Problem codes reported by Check and CheckTime. They are stable: the
// verifier and the translations key on them.
const (
	CodeContextMissing      = "CONTEXT_MISSING"      // no @context
	CodeContextFirst        = "CONTEXT_FIRST"        // first @context is not the VC 2.0 (or 1.1) context
	CodeContextOBMissing    = "CONTEXT_OB_MISSING"   // no OB 3.0 context
	CodeContextOBOutdated   = "CONTEXT_OB_OUTDATED"  // warning: VC 2.0 form with an OB context older than 3.0.3
	CodeContextMismatch     = "CONTEXT_MISMATCH"     // warning: VC 1.1 form with the OB 3.0.3 context made for VC 2.0
	CodeVC1Form             = "VC1_FORM"             // warning: VC Data Model 1.1 form (OB 3.0.0–3.0.2)
	CodeTypeVCMissing       = "TYPE_VC_MISSING"      // type lacks VerifiableCredential
	CodeTypeOBMissing       = "TYPE_OB_MISSING"      // type lacks OpenBadgeCredential/AchievementCredential/EndorsementCredential
	CodeIDMissing           = "ID_MISSING"           // credential has no id
	CodeNotURI              = "NOT_URI"              // an id (or other IRI) is not a URI
	CodeRequired            = "REQUIRED"             // a required property is missing
	CodeWrongType           = "WRONG_TYPE"           // an object's type lacks its class name
	CodeIssuerMissing       = "ISSUER_MISSING"       // no issuer
	CodeSubjectMissing      = "SUBJECT_MISSING"      // no credentialSubject
	CodeSubjectUnidentified = "SUBJECT_UNIDENTIFIED" // credentialSubject has neither id nor identifier
	CodeAchievementMissing  = "ACHIEVEMENT_MISSING"  // AchievementSubject without achievement
	CodeIdentityHash        = "IDENTITY_HASH_FORMAT" // hashed identityHash is not sha256$/md5$ + hex
	CodeDateMissing         = "DATE_MISSING"         // no validFrom (VC 2.0) / issuanceDate (VC 1.1)
	CodeDateInvalid         = "DATE_INVALID"         // a date is not an xsd:dateTime
	CodeDateNoTimezone      = "DATE_NO_TIMEZONE"     // warning: a dateTime without time zone
	CodeDateFormMismatch    = "DATE_FORM_MISMATCH"   // warning: VC 1.1 date names in a VC 2.0 credential, or the reverse
	CodeValidityRange       = "VALIDITY_RANGE"       // validUntil before validFrom
	CodeStatusIndex         = "STATUS_INDEX_FORMAT"  // warning: statusListIndex is not a string of digits
	CodeNotYetValid         = "NOT_YET_VALID"        // CheckTime: before validFrom
	CodeExpired             = "EXPIRED"              // CheckTime: after validUntil
)

// Problem is one rule a credential breaks. Path is the property path
// ("credentialSubject.identifier[0].type"), "" for the whole credential.
type Problem struct {
	Code     string
	Path     string
	Message  string
	Severity Severity
}

func (p Problem) String() string {
	if p.Path == "" {
		return fmt.Sprintf("%s %s: %s", p.Severity, p.Code, p.Message)
	}
	return fmt.Sprintf("%s %s at %s: %s", p.Severity, p.Code, p.Path, p.Message)
}

// HasErrors reports whether any problem is an error (not a warning).
func HasErrors(ps []Problem) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Severity == SeverityError })
}

// maxCheckDepth bounds recursion through profiles and endorsements, which
// a value built in Go could make cyclic.
const maxCheckDepth = 32

type checker struct {
	ps []Problem
}

func (k *checker) add(code, path string, sev Severity, format string, args ...any) {
	k.ps = append(k.ps, Problem{Code: code, Path: path, Message: fmt.Sprintf(format, args...), Severity: sev})
}

// Check reports the structural rules of VC and OB 3.0 that a credential
// breaks, without a clock (see CheckTime) and without the proof (see the
// proof and vcjwt packages). It covers the MUST rules the 1EdTech JSON
// Schema does not (first context, OB context, VerifiableCredential and OB
// types, class names in each object's type, subject identified, dates
// parseable and ordered, URIs) and, so that VC 1.1-form badges (to which
// the 3.0.3 schema does not apply) are checked too, the few required
// properties a verifier depends on (issuer, credentialSubject,
// achievement, validFrom/issuanceDate). Nested endorsements are checked
// the same way, with their path as prefix.
func (c *Credential) Check() []Problem {
	k := &checker{}
	k.credential("", c, 0)
	return k.ps
}

func (k *checker) credential(p string, c *Credential, depth int) {
	if depth > maxCheckDepth {
		return
	}
	at := func(key string) string { return joinPath(p, key) }
	// @context
	switch {
	case len(c.Context) == 0:
		k.add(CodeContextMissing, at("@context"), SeverityError, "@context is missing")
	case c.Context[0].URL != ContextVC2 && c.Context[0].URL != ContextVC1:
		k.add(CodeContextFirst, at("@context"), SeverityError, "the first context must be %s", ContextVC2)
	}
	ver := c.ContextVersion()
	switch {
	case len(c.Context) == 0:
	case ver == "":
		k.add(CodeContextOBMissing, at("@context"), SeverityError, "the Open Badges 3.0 context (%s) is missing", ContextOB)
	case c.IsVC2() && (ver == "3.0.0" || ver == "3.0.1" || ver == "3.0.2"):
		k.add(CodeContextOBOutdated, at("@context"), SeverityWarning, "Open Badges context %s is outdated; 3.0.3 is the one for VC 2.0", ver)
	case c.IsVC1() && ver == "3.0.3":
		k.add(CodeContextMismatch, at("@context"), SeverityWarning, "Open Badges context 3.0.3 is made for VC 2.0, not VC 1.1")
	}
	if c.IsVC1() {
		k.add(CodeVC1Form, at("@context"), SeverityWarning, "Verifiable Credentials 1.1 form (Open Badges 3.0.0–3.0.2)")
	}
	// type
	if !c.HasType(TypeVerifiableCredential) {
		k.add(CodeTypeVCMissing, at("type"), SeverityError, "type must contain %q", TypeVerifiableCredential)
	}
	if !c.IsOpenBadge() && !c.IsEndorsement() {
		k.add(CodeTypeOBMissing, at("type"), SeverityError, "type must contain %q or %q", TypeOpenBadgeCredential, TypeEndorsementCredential)
	}
	// id
	if c.ID == "" {
		// OB 3.0 requires an id; VC 1.1 did not, and VC 1.1-era endorsements
		// often lack one.
		sev := SeverityError
		if c.IsVC1() {
			sev = SeverityWarning
		}
		k.add(CodeIDMissing, at("id"), sev, "the credential has no id")
	} else {
		k.uri(at("id"), c.ID)
	}
	k.dates(p, c)
	// issuer
	if c.Issuer == nil {
		k.add(CodeIssuerMissing, at("issuer"), SeverityError, "issuer is missing")
	} else {
		k.profile(at("issuer"), c.Issuer, depth)
	}
	k.image(at("image"), c.Image)
	// credentialSubject
	s := c.CredentialSubject
	switch {
	case s == nil:
		k.add(CodeSubjectMissing, at("credentialSubject"), SeverityError, "credentialSubject is missing")
	case c.IsEndorsement() && !c.IsOpenBadge():
		k.endorsementSubject(at("credentialSubject"), s)
	default:
		k.achievementSubject(at("credentialSubject"), s, depth)
	}
	for i := range c.Evidence {
		e := &c.Evidence[i]
		ep := fmt.Sprintf("%s[%d]", at("evidence"), i)
		k.typeHas(ep, e.Type, "Evidence")
		if e.ID != "" {
			k.uri(joinPath(ep, "id"), e.ID)
		}
	}
	for i := range c.CredentialSchema {
		cs := &c.CredentialSchema[i]
		sp := fmt.Sprintf("%s[%d]", at("credentialSchema"), i)
		k.required(joinPath(sp, "id"), cs.ID)
		k.required(joinPath(sp, "type"), cs.Type)
	}
	for i := range c.CredentialStatus {
		sp := at("credentialStatus")
		if len(c.CredentialStatus) > 1 {
			sp = fmt.Sprintf("%s[%d]", sp, i)
		}
		k.status(sp, &c.CredentialStatus[i])
	}
	if c.RefreshService != nil {
		k.required(at("refreshService.id"), c.RefreshService.ID)
		k.required(at("refreshService.type"), c.RefreshService.Type)
	}
	for i := range c.TermsOfUse {
		k.required(fmt.Sprintf("%s[%d].type", at("termsOfUse"), i), c.TermsOfUse[i].Type)
	}
	k.endorsements(at("endorsement"), c.Endorsement, depth)
}

func (k *checker) dates(p string, c *Credential) {
	at := func(key string) string { return joinPath(p, key) }
	if c.IsVC1() {
		if c.IssuanceDate == "" {
			k.add(CodeDateMissing, at("issuanceDate"), SeverityError, "issuanceDate is missing")
		}
		if c.ValidFrom != "" || c.ValidUntil != "" {
			k.add(CodeDateFormMismatch, p, SeverityWarning, "validFrom/validUntil in a VC 1.1 credential")
		}
	} else {
		if c.ValidFrom == "" {
			k.add(CodeDateMissing, at("validFrom"), SeverityError, "validFrom is missing")
		}
		if c.IssuanceDate != "" || c.ExpirationDate != "" {
			k.add(CodeDateFormMismatch, p, SeverityWarning, "issuanceDate/expirationDate (VC 1.1) in a VC 2.0 credential")
		}
	}
	for _, d := range []struct {
		key string
		v   DateTime
	}{
		{"validFrom", c.ValidFrom}, {"validUntil", c.ValidUntil},
		{"issuanceDate", c.IssuanceDate}, {"expirationDate", c.ExpirationDate},
		{"awardedDate", c.AwardedDate},
	} {
		k.date(at(d.key), d.v)
	}
	from, ok1 := c.ValidFromTime()
	until, ok2 := c.ValidUntilTime()
	if ok1 && ok2 && until.Before(from) {
		k.add(CodeValidityRange, p, SeverityError, "the credential expires (%s) before it becomes valid (%s)",
			until.Format(time.RFC3339), from.Format(time.RFC3339))
	}
}

func (k *checker) date(path string, d DateTime) {
	if d == "" {
		return
	}
	_, err := d.Time()
	switch {
	case errors.Is(err, ErrNoTimezone):
		k.add(CodeDateNoTimezone, path, SeverityWarning, "%q has no time zone", string(d))
	case err != nil:
		k.add(CodeDateInvalid, path, SeverityError, "%q is not an RFC 3339 date-time", string(d))
	}
}

func (k *checker) required(path, v string) {
	if v == "" {
		k.add(CodeRequired, path, SeverityError, "required property is missing")
	}
}

func (k *checker) uri(path, v string) {
	if !IsURI(v) {
		k.add(CodeNotURI, path, SeverityError, "%q is not a URI", v)
	}
}

func (k *checker) typeHas(path string, types []string, class string) {
	if !slices.Contains(types, class) {
		k.add(CodeWrongType, joinPath(path, "type"), SeverityError, "type must contain %q", class)
	}
}

func (k *checker) typeIs(path, typ, class string) {
	if typ != class {
		k.add(CodeWrongType, joinPath(path, "type"), SeverityError, "type must be %q", class)
	}
}

func (k *checker) profile(path string, pr *Profile, depth int) {
	if pr == nil || depth > maxCheckDepth {
		return
	}
	if pr.ID == "" {
		k.add(CodeRequired, joinPath(path, "id"), SeverityError, "required property is missing")
	} else {
		k.uri(joinPath(path, "id"), pr.ID)
	}
	if pr.iri {
		return // a bare IRI: nothing else to check here
	}
	k.typeHas(path, pr.Type, "Profile")
	k.image(joinPath(path, "image"), pr.Image)
	if pr.Address != nil {
		ap := joinPath(path, "address")
		k.typeHas(ap, pr.Address.Type, "Address")
		if g := pr.Address.Geo; g != nil {
			k.typeIs(joinPath(ap, "geo"), g.Type, "GeoCoordinates")
		}
	}
	k.identifierEntries(joinPath(path, "otherIdentifier"), pr.OtherIdentifier)
	k.profile(joinPath(path, "parentOrg"), pr.ParentOrg, depth+1)
	k.endorsements(joinPath(path, "endorsement"), pr.Endorsement, depth)
}

func (k *checker) image(path string, im *Image) {
	if im == nil || im.iri {
		return
	}
	k.required(joinPath(path, "id"), im.ID)
	k.typeIs(path, im.Type, "Image")
}

func (k *checker) identifierEntries(path string, es []IdentifierEntry) {
	for i := range es {
		ep := fmt.Sprintf("%s[%d]", path, i)
		k.typeIs(ep, es[i].Type, "IdentifierEntry")
		k.required(joinPath(ep, "identifier"), es[i].Identifier)
		k.required(joinPath(ep, "identifierType"), es[i].IdentifierType)
	}
}

func (k *checker) alignments(path string, as []Alignment) {
	for i := range as {
		ap := fmt.Sprintf("%s[%d]", path, i)
		k.typeHas(ap, as[i].Type, "Alignment")
		k.required(joinPath(ap, "targetName"), as[i].TargetName)
		if as[i].TargetURL == "" {
			k.required(joinPath(ap, "targetUrl"), "")
		} else {
			k.uri(joinPath(ap, "targetUrl"), as[i].TargetURL)
		}
	}
}

func (k *checker) endorsements(path string, es []Credential, depth int) {
	for i := range es {
		k.credential(fmt.Sprintf("%s[%d]", path, i), &es[i], depth+1)
	}
}

func (k *checker) endorsementSubject(path string, s *AchievementSubject) {
	k.typeHas(path, s.Type, "EndorsementSubject")
	if s.ID == "" {
		k.add(CodeSubjectUnidentified, joinPath(path, "id"), SeverityError, "the endorsed entity has no id")
	} else {
		k.uri(joinPath(path, "id"), s.ID)
	}
}

func (k *checker) achievementSubject(path string, s *AchievementSubject, depth int) {
	at := func(key string) string { return joinPath(path, key) }
	k.typeHas(path, s.Type, "AchievementSubject")
	if s.ID == "" && len(s.Identifier) == 0 {
		k.add(CodeSubjectUnidentified, path, SeverityError, "credentialSubject has neither id nor identifier")
	}
	if s.ID != "" {
		k.uri(at("id"), s.ID)
	}
	for i := range s.Identifier {
		o := &s.Identifier[i]
		ip := fmt.Sprintf("%s[%d]", at("identifier"), i)
		k.typeIs(ip, o.Type, TypeIdentityObject)
		k.required(joinPath(ip, "identityHash"), o.IdentityHash)
		k.required(joinPath(ip, "identityType"), o.IdentityType)
		if o.Hashed && o.IdentityHash != "" && !validIdentityHash(o.IdentityHash) {
			k.add(CodeIdentityHash, joinPath(ip, "identityHash"), SeverityError,
				"a hashed identityHash must be \"sha256$\" or \"md5$\" followed by the hex digest")
		}
	}
	k.date(at("activityStartDate"), s.ActivityStartDate)
	k.date(at("activityEndDate"), s.ActivityEndDate)
	k.image(at("image"), s.Image)
	k.profile(at("source"), s.Source, depth+1)
	for i := range s.Result {
		r := &s.Result[i]
		rp := fmt.Sprintf("%s[%d]", at("result"), i)
		k.typeHas(rp, r.Type, "Result")
		k.alignments(joinPath(rp, "alignment"), r.Alignment)
	}
	a := s.Achievement
	if a == nil {
		k.add(CodeAchievementMissing, at("achievement"), SeverityError, "achievement is missing")
		return
	}
	ap := at("achievement")
	if a.ID == "" {
		k.required(joinPath(ap, "id"), "")
	} else {
		k.uri(joinPath(ap, "id"), a.ID)
	}
	k.typeHas(ap, a.Type, "Achievement")
	k.required(joinPath(ap, "name"), a.Name)
	k.required(joinPath(ap, "description"), a.Description)
	if a.Criteria == nil {
		k.add(CodeRequired, joinPath(ap, "criteria"), SeverityError, "required property is missing")
	}
	k.image(joinPath(ap, "image"), a.Image)
	k.profile(joinPath(ap, "creator"), a.Creator, depth+1)
	k.alignments(joinPath(ap, "alignment"), a.Alignment)
	k.identifierEntries(joinPath(ap, "otherIdentifier"), a.OtherIdentifier)
	for i := range a.ResultDescription {
		rd := &a.ResultDescription[i]
		rp := fmt.Sprintf("%s[%d]", joinPath(ap, "resultDescription"), i)
		k.typeHas(rp, rd.Type, "ResultDescription")
		k.required(joinPath(rp, "id"), rd.ID)
		k.required(joinPath(rp, "name"), rd.Name)
		k.required(joinPath(rp, "resultType"), rd.ResultType)
		k.alignments(joinPath(rp, "alignment"), rd.Alignment)
		for j := range rd.RubricCriterionLevel {
			lp := fmt.Sprintf("%s[%d]", joinPath(rp, "rubricCriterionLevel"), j)
			k.typeHas(lp, rd.RubricCriterionLevel[j].Type, "RubricCriterionLevel")
			k.alignments(joinPath(lp, "alignment"), rd.RubricCriterionLevel[j].Alignment)
		}
	}
	for i := range a.Related {
		k.typeHas(fmt.Sprintf("%s[%d]", joinPath(ap, "related"), i), a.Related[i].Type, "Related")
	}
	k.endorsements(joinPath(ap, "endorsement"), a.Endorsement, depth)
}

func (k *checker) status(path string, s *CredentialStatus) {
	k.required(joinPath(path, "type"), s.Type)
	if s.ID != "" {
		k.uri(joinPath(path, "id"), s.ID)
	}
	if s.Type != "BitstringStatusListEntry" {
		return
	}
	k.required(joinPath(path, "statusPurpose"), s.StatusPurpose)
	if s.StatusListCredential == "" {
		k.required(joinPath(path, "statusListCredential"), "")
	} else {
		k.uri(joinPath(path, "statusListCredential"), s.StatusListCredential)
	}
	_, inExtra := s.Extra["statusListIndex"]
	switch {
	case s.StatusListIndex == "" && !inExtra:
		k.required(joinPath(path, "statusListIndex"), "")
	case s.StatusListIndex == "" || !isDigits(s.StatusListIndex):
		k.add(CodeStatusIndex, joinPath(path, "statusListIndex"), SeverityWarning,
			"statusListIndex must be a string of decimal digits")
	}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func validIdentityHash(h string) bool {
	var n int
	switch {
	case hasPrefixFold(h, identityHashSHA256):
		h, n = h[len(identityHashSHA256):], 64
	case hasPrefixFold(h, identityHashMD5):
		h, n = h[len(identityHashMD5):], 32
	default:
		return false
	}
	if len(h) != n {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// IsURI reports whether s is an absolute URI as VC and OB ids must be: an
// RFC 3986 scheme, a colon, something after it, and no white space or
// control characters. It accepts IRIs (non-ASCII letters).
func IsURI(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 1 || colon == len(s)-1 {
		return false
	}
	for i := 0; i < colon; i++ {
		c := s[i]
		alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if i == 0 && !alpha || !alpha && !('0' <= c && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' || r == '"' {
			return false
		}
	}
	return true
}

// CheckTime reports the time-dependent rules at now: NOT_YET_VALID before
// validFrom (issuanceDate), EXPIRED after validUntil (expirationDate).
func (c *Credential) CheckTime(now time.Time) []Problem {
	var ps []Problem
	if from, ok := c.ValidFromTime(); ok && now.Before(from) {
		ps = append(ps, Problem{Code: CodeNotYetValid, Path: validityKey(c, true), Severity: SeverityError,
			Message: fmt.Sprintf("the credential is not valid before %s", from.Format(time.RFC3339))})
	}
	if until, ok := c.ValidUntilTime(); ok && now.After(until) {
		ps = append(ps, Problem{Code: CodeExpired, Path: validityKey(c, false), Severity: SeverityError,
			Message: fmt.Sprintf("the credential expired on %s", until.Format(time.RFC3339))})
	}
	return ps
}

func validityKey(c *Credential, start bool) string {
	switch {
	case start && c.ValidFrom != "":
		return "validFrom"
	case start:
		return "issuanceDate"
	case c.ValidUntil != "":
		return "validUntil"
	}
	return "expirationDate"
}
