package ob2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limits on untrusted documents. A badge object is a few kilobytes; an
// embedded data: image can make it a few hundred.
const (
	// MaxDocumentSize bounds each document parsed.
	MaxDocumentSize = 2 << 20
	// MaxDepth bounds JSON nesting: badge objects are shallow.
	MaxDepth = 32
	// maxValues bounds how many values of one property are read (evidence,
	// keys, revoked assertions are read in full up to this many).
	maxValues = 10000
)

// Errors. They are wrapped with details; test with errors.Is.
var (
	ErrTooLarge     = errors.New("ob2: document too large")
	ErrTooDeep      = errors.New("ob2: document nested too deeply")
	ErrMalformed    = errors.New("ob2: malformed document")
	ErrNotAssertion = errors.New("ob2: not an Open Badges assertion")
)

// decode reads one JSON object within the limits.
func decode(data []byte) (map[string]any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, len(data), MaxDocumentSize)
	}
	if err := checkDepth(data); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON value", ErrMalformed)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	return m, nil
}

// checkDepth scans the bytes once and refuses nesting deeper than
// MaxDepth before the decoder builds anything.
func checkDepth(data []byte) error {
	depth := 0
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > MaxDepth {
				return fmt.Errorf("%w: more than %d levels", ErrTooDeep, MaxDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// get returns the first present key: JSON-LD lets "@id" stand for "id".
func get(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok && v != nil {
			return v
		}
	}
	return nil
}

// str reads a text value: a string, a number, a JSON-LD value object
// ({"@value": …}), or the first of an array.
func str(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case map[string]any:
		return str(x["@value"])
	case []any:
		for _, e := range x {
			if s := str(e); s != "" {
				return s
			}
		}
	}
	return ""
}

// idOf reads a node reference: an IRI string or an object's id.
func idOf(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case map[string]any:
		return idOf(get(x, "id", "@id"))
	case []any:
		for _, e := range x {
			if s := idOf(e); s != "" {
				return s
			}
		}
	}
	return ""
}

// strs reads a multi-valued text property.
func strs(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		if len(x) > maxValues {
			x = x[:maxValues]
		}
		for _, e := range x {
			if s := str(e); s != "" {
				out = append(out, s)
			}
		}
	default:
		if s := str(x); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// list reads a multi-valued property as a slice of values.
func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		if len(x) > maxValues {
			x = x[:maxValues]
		}
		return x
	}
	return []any{v}
}

// typePrefixes are the ways the Open Badges vocabulary's types are written
// in compacted or expanded JSON-LD.
var typePrefixes = []string{"obi:", "https://w3id.org/openbadges#", "http://w3id.org/openbadges#"}

// types reads @type values, with the vocabulary's prefix removed.
func types(v any) []string {
	out := strs(v)
	for i, t := range out {
		for _, p := range typePrefixes {
			if strings.HasPrefix(t, p) {
				out[i] = t[len(p):]
				break
			}
		}
	}
	return out
}

func hasType(ts []string, want ...string) bool {
	for _, t := range ts {
		for _, w := range want {
			if strings.EqualFold(t, w) {
				return true
			}
		}
	}
	return false
}

// boolean reads a boolean, also written as a string by some platforms.
func boolean(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(strings.TrimSpace(x), "true")
	case []any:
		return len(x) > 0 && boolean(x[0])
	}
	return false
}

// Date layouts seen in the wild: ISO 8601 with and without zone, seconds
// or fractions, and bare dates (1.0).
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// parseDate reads a DateTime: ISO 8601 (a missing zone is taken as UTC,
// as 1.0 allowed) or a Unix timestamp in seconds (1.0).
func parseDate(v any) (time.Time, string, error) {
	raw := str(v)
	if raw == "" {
		return time.Time{}, "", nil
	}
	if isDigits(raw) {
		n, err := strconv.ParseInt(raw, 10, 64)
		// Bound to years 1970..5138: a larger number is not a date.
		if err != nil || n > 1e11 {
			return time.Time{}, raw, fmt.Errorf("timestamp %q out of range", raw)
		}
		return time.Unix(n, 0).UTC(), raw, nil
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, raw); err == nil {
			return t, raw, nil
		}
	}
	return time.Time{}, raw, fmt.Errorf("date %q is not ISO 8601", clip(raw))
}

func isDigits(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// clip shortens untrusted text quoted in error messages.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// contexts reads @context strings (objects in the array are local term
// definitions: kept out).
func contexts(v any) []string {
	var out []string
	for _, e := range list(v) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// contextVersion says which Open Badges context a document declares.
func contextVersion(ctx []string) Version {
	for _, c := range ctx {
		c = strings.TrimSuffix(strings.TrimSpace(c), "/")
		switch {
		case strings.HasSuffix(c, "w3id.org/openbadges/v2"), strings.HasPrefix(c, "https://openbadgespec.org/v2"),
			strings.HasPrefix(c, "http://openbadgespec.org/v2"), strings.Contains(c, "OBv2p0"):
			return V2
		case strings.HasSuffix(c, "w3id.org/openbadges/v1"), strings.HasPrefix(c, "https://openbadgespec.org/v1"),
			strings.HasPrefix(c, "http://openbadgespec.org/v1"):
			return V1
		}
	}
	return 0
}

// Detect reports whether data is an Open Badges 1.0 or 2.0 assertion (as
// opposed to an OB 3.0 credential or anything else), and which version. It
// reads only the shape; Parse validates.
func Detect(data []byte) (Version, bool) {
	m, err := decode(data)
	if err != nil {
		return 0, false
	}
	return detect(m)
}

func detect(m map[string]any) (Version, bool) {
	ctx := contexts(m["@context"])
	if v := contextVersion(ctx); v != 0 {
		return v, true
	}
	for _, c := range ctx {
		if strings.Contains(c, "/credentials/") || strings.Contains(c, "/ob/v3") {
			return 0, false
		}
	}
	_, hasRecipient := m["recipient"]
	_, hasBadge := m["badge"]
	if !hasRecipient || !hasBadge {
		if hasType(types(get(m, "type", "@type")), "Assertion") {
			return V2, true
		}
		// A revoked hosted assertion may be stripped to id and revoked.
		return 0, false
	}
	if get(m, "verification") != nil || hasType(types(get(m, "type", "@type")), "Assertion") {
		return V2, true
	}
	return V1, true
}

// Parse reads an assertion (2.0, or 1.0 / 0.5).
func Parse(data []byte) (*Assertion, error) {
	m, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("assertion: %w", err)
	}
	version, ok := detect(m)
	if !ok {
		if _, revoked := m["revoked"]; !revoked {
			return nil, fmt.Errorf("%w: no Open Badges context, type, recipient or badge", ErrNotAssertion)
		}
		// A stripped revoked assertion: {"id":…, "revoked": true}.
		version = V2
	}
	a := &Assertion{
		Version: version,
		Context: contexts(m["@context"]),
		ID:      idOf(get(m, "id", "@id")),
		Type:    types(get(m, "type", "@type")),
		UID:     str(m["uid"]),
		Raw:     json.RawMessage(bytes.Clone(data)),
	}
	a.Recipient = parseIdentity(m["recipient"], str(m["salt"]))
	a.Badge = parseBadgeValue(m["badge"])
	a.Verification = parseVerification(get(m, "verification", "verify"))
	a.IssuedOn, a.IssuedOnRaw, _ = parseDate(get(m, "issuedOn", "issued_on"))
	a.Expires, a.ExpiresRaw, _ = parseDate(m["expires"])
	a.Image = parseImage(m["image"])
	for _, e := range list(m["evidence"]) {
		if ev, ok := parseEvidence(e); ok {
			a.Evidence = append(a.Evidence, ev)
		}
	}
	a.Narrative = str(m["narrative"])
	a.Revoked = boolean(m["revoked"])
	a.RevocationReason = str(m["revocationReason"])
	return a, nil
}

// Problems lists what the assertion lacks or gets wrong for its version,
// as data validation in the specification requires. A revoked assertion
// needs only its id.
func (a *Assertion) Problems() []string {
	var p []string
	if a.Revoked {
		if a.ID == "" && a.UID == "" {
			p = append(p, "revoked assertion without id")
		}
		return p
	}
	if a.Version == V2 {
		if contextVersion(a.Context) != V2 {
			p = append(p, "@context does not include "+Context)
		}
		if !hasType(a.Type, "Assertion") {
			p = append(p, "type does not include Assertion")
		}
		if a.ID == "" {
			p = append(p, "id is missing")
		}
	} else if a.UID == "" && a.ID == "" {
		p = append(p, "uid is missing")
	}
	if a.Recipient.Identity == "" {
		p = append(p, "recipient identity is missing")
	}
	if a.Badge.ID == "" && !a.Badge.Embedded {
		p = append(p, "badge is missing")
	}
	switch a.Verification.Type {
	case HostedBadge, SignedBadge:
	case "":
		p = append(p, "verification type is missing")
	default:
		p = append(p, fmt.Sprintf("verification type %q is unknown", clip(a.Verification.Type)))
	}
	if a.IssuedOn.IsZero() {
		if a.IssuedOnRaw == "" {
			p = append(p, "issuedOn is missing")
		} else {
			p = append(p, fmt.Sprintf("issuedOn %q is not a date", clip(a.IssuedOnRaw)))
		}
	}
	if a.ExpiresRaw != "" && a.Expires.IsZero() {
		p = append(p, fmt.Sprintf("expires %q is not a date", clip(a.ExpiresRaw)))
	}
	return p
}

// HostedURL is where a hosted assertion lives: the 1.0 verify.url, else
// its id.
func (a *Assertion) HostedURL() string {
	if a.Version == V1 && isHTTP(a.Verification.URL) {
		return a.Verification.URL
	}
	if isHTTP(a.ID) {
		return a.ID
	}
	if isHTTP(a.Verification.URL) {
		return a.Verification.URL
	}
	return ""
}

func parseIdentity(v any, topSalt string) IdentityObject {
	switch x := v.(type) {
	case string:
		// 0.5 and some 1.0 issuers: the (hashed) e-mail as a string, the
		// salt at the top level.
		id := IdentityObject{Type: "email", Identity: strings.TrimSpace(x), Salt: topSalt}
		id.Hashed = looksHashed(id.Identity)
		return id
	case map[string]any:
		id := IdentityObject{
			Type:     str(get(x, "type", "@type")),
			Hashed:   boolean(x["hashed"]),
			Salt:     str(x["salt"]),
			Identity: str(x["identity"]),
		}
		if id.Salt == "" {
			id.Salt = topSalt
		}
		// The type is a property IRI: "email", "schema:email" or the full IRI.
		if i := strings.LastIndexAny(id.Type, ":/#"); i >= 0 && !strings.HasPrefix(id.Type, "mailto") {
			id.Type = id.Type[i+1:]
		}
		if id.Type == "" {
			id.Type = "email"
		}
		return id
	case []any:
		if len(x) > 0 {
			return parseIdentity(x[0], topSalt)
		}
	}
	return IdentityObject{}
}

// looksHashed reports whether s has the IdentityHash shape alg$hex.
func looksHashed(s string) bool {
	alg, h, ok := strings.Cut(s, "$")
	if !ok || h == "" {
		return false
	}
	switch strings.ToLower(alg) {
	case "sha256", "md5":
	default:
		return false
	}
	for _, c := range h {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func parseVerification(v any) VerificationObject {
	m, ok := v.(map[string]any)
	if !ok {
		if arr, isArr := v.([]any); isArr && len(arr) > 0 {
			return parseVerification(arr[0])
		}
		return VerificationObject{}
	}
	vo := VerificationObject{
		URL:                  idOf(m["url"]),
		Creator:              idOf(m["creator"]),
		VerificationProperty: idOf(m["verificationProperty"]),
		StartsWith:           strs(m["startsWith"]),
		AllowedOrigins:       strs(m["allowedOrigins"]),
	}
	for _, t := range types(get(m, "type", "@type")) {
		switch strings.ToLower(t) {
		case "hosted", "hostedbadge":
			vo.Type = HostedBadge
		case "signed", "signedbadge":
			vo.Type = SignedBadge
		default:
			if vo.Type == "" {
				vo.Type = t
			}
		}
	}
	return vo
}

func parseImage(v any) Image {
	switch x := v.(type) {
	case map[string]any:
		return Image{ID: idOf(get(x, "id", "@id")), Caption: str(x["caption"])}
	case []any:
		if len(x) > 0 {
			return parseImage(x[0])
		}
	}
	return Image{ID: str(v)}
}

func parseEvidence(v any) (Evidence, bool) {
	switch x := v.(type) {
	case string:
		return Evidence{ID: strings.TrimSpace(x)}, x != ""
	case map[string]any:
		e := Evidence{
			ID:          idOf(get(x, "id", "@id")),
			Name:        str(x["name"]),
			Description: str(x["description"]),
			Narrative:   str(x["narrative"]),
			Genre:       str(x["genre"]),
			Audience:    str(x["audience"]),
		}
		return e, e != Evidence{}
	}
	return Evidence{}, false
}

// parseBadgeValue reads the assertion's badge: an IRI or an embedded class.
func parseBadgeValue(v any) BadgeClass {
	switch x := v.(type) {
	case map[string]any:
		return parseBadgeClass(x, nil)
	case []any:
		if len(x) > 0 {
			return parseBadgeValue(x[0])
		}
	}
	return BadgeClass{ID: str(v)}
}

func parseBadgeClass(m map[string]any, raw []byte) BadgeClass {
	b := BadgeClass{
		Embedded:    true,
		ID:          idOf(get(m, "id", "@id")),
		Type:        types(get(m, "type", "@type")),
		Name:        str(m["name"]),
		Description: str(m["description"]),
		Image:       parseImage(m["image"]),
		Tags:        strs(m["tags"]),
		Raw:         raw,
	}
	switch c := m["criteria"].(type) {
	case map[string]any:
		b.Criteria = Criteria{ID: idOf(get(c, "id", "@id")), Narrative: str(c["narrative"])}
	default:
		b.Criteria = Criteria{ID: str(c)}
	}
	switch is := m["issuer"].(type) {
	case map[string]any:
		b.Issuer = parseProfile(is, nil)
	default:
		b.Issuer = Profile{ID: idOf(is)}
	}
	for _, e := range list(m["alignment"]) {
		if am, ok := e.(map[string]any); ok {
			b.Alignment = append(b.Alignment, Alignment{
				TargetName:        str(get(am, "targetName", "name")),
				TargetURL:         idOf(get(am, "targetUrl", "url")),
				TargetDescription: str(get(am, "targetDescription", "description")),
				TargetFramework:   str(am["targetFramework"]),
				TargetCode:        str(am["targetCode"]),
			})
		}
	}
	return b
}

func parseProfile(m map[string]any, raw []byte) Profile {
	p := Profile{
		Embedded:       true,
		ID:             idOf(get(m, "id", "@id")),
		Type:           types(get(m, "type", "@type")),
		Name:           str(m["name"]),
		URL:            idOf(m["url"]),
		Email:          str(m["email"]),
		Telephone:      str(m["telephone"]),
		Description:    str(m["description"]),
		Image:          parseImage(m["image"]),
		RevocationList: idOf(m["revocationList"]),
		Raw:            raw,
	}
	if p.URL == "" {
		// 0.5 issuers named their site "origin".
		p.URL = str(m["origin"])
	}
	for _, k := range list(m["publicKey"]) {
		switch x := k.(type) {
		case string:
			if s := strings.TrimSpace(x); s != "" {
				p.PublicKeys = append(p.PublicKeys, CryptographicKey{ID: s})
			}
		case map[string]any:
			p.PublicKeys = append(p.PublicKeys, parseKey(x))
		}
	}
	if v, ok := m["verification"].(map[string]any); ok {
		vo := parseVerification(v)
		p.Verification = &vo
	}
	return p
}

func parseKey(m map[string]any) CryptographicKey {
	return CryptographicKey{
		ID:           idOf(get(m, "id", "@id")),
		Owner:        idOf(m["owner"]),
		PublicKeyPEM: str(m["publicKeyPem"]),
	}
}

// ParseBadgeClass reads a BadgeClass document.
func ParseBadgeClass(data []byte) (*BadgeClass, error) {
	m, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("badge class: %w", err)
	}
	b := parseBadgeClass(m, bytes.Clone(data))
	if b.Name == "" && b.Issuer.ID == "" && !b.Issuer.Embedded {
		return nil, fmt.Errorf("badge class: %w: neither name nor issuer", ErrMalformed)
	}
	return &b, nil
}

// ParseProfile reads an issuer Profile (or a 1.0 IssuerOrganization).
func ParseProfile(data []byte) (*Profile, error) {
	m, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("issuer profile: %w", err)
	}
	p := parseProfile(m, bytes.Clone(data))
	if p.ID == "" && p.Name == "" && p.URL == "" {
		return nil, fmt.Errorf("issuer profile: %w: neither id, name nor url", ErrMalformed)
	}
	return &p, nil
}

// ParseCryptographicKey reads a CryptographicKey document.
func ParseCryptographicKey(data []byte) (*CryptographicKey, error) {
	m, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("cryptographic key: %w", err)
	}
	k := parseKey(m)
	if k.PublicKeyPEM == "" {
		return nil, fmt.Errorf("cryptographic key: %w: no publicKeyPem", ErrMalformed)
	}
	return &k, nil
}

// ParseRevocationList reads a RevocationList document.
func ParseRevocationList(data []byte) (*RevocationList, error) {
	m, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("revocation list: %w", err)
	}
	raw, ok := m["revokedAssertions"]
	if !ok {
		return nil, fmt.Errorf("revocation list: %w: no revokedAssertions", ErrMalformed)
	}
	l := &RevocationList{ID: idOf(get(m, "id", "@id")), Issuer: idOf(m["issuer"])}
	for _, e := range list(raw) {
		switch x := e.(type) {
		case string:
			l.Revoked = append(l.Revoked, RevokedAssertion{ID: strings.TrimSpace(x)})
		case map[string]any:
			l.Revoked = append(l.Revoked, RevokedAssertion{
				ID: idOf(get(x, "id", "@id")), UID: str(x["uid"]), Reason: str(x["revocationReason"]),
			})
		}
	}
	return l, nil
}
