package issuing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
)

// A portfolio, or one theme of it, as a 1EdTech Comprehensive Learner Record 2.0
// ClrCredential: the recipient's Open Badges 3.0 credentials carried whole in
// credentialSubject.verifiableCredential, so that a verifier receives them in one document
// and checks each credential's own proof.
//
// Service.SignCLR signs the document with eddsa-rdfc-2022 as the platform issuer's
// did:key, so that a verifier checks it in one piece: the CLR's proof covers every
// embedded credential, and each embedded credential keeps its own issuer's proof.

// CLRContext is the CLR 2.0 JSON-LD context the document names.
const CLRContext = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"

// Bounds on one CLR: far above a real portfolio, they cap the memory a request can use.
const (
	MaxCLRCredentials    = 2000
	MaxCLRCredentialSize = 1 << 20
	MaxCLRSize           = 64 << 20
)

// ErrCLR is returned (wrapped) when a CLR cannot be built from its input.
var ErrCLR = errors.New("invalid CLR input")

// CLR is what BuildCLR puts in the ClrCredential.
type CLR struct {
	// ID is the credential's id; empty gives a urn:uuid derived from the content, so the
	// same portfolio exported twice at the same instant gives the same document.
	ID          string
	IssuerID    string // the platform issuer's profile URL or DID
	IssuerName  string
	IssuerURL   string // the issuer's web page, when IssuerID is a DID
	Name        string // e.g. "Portfolio of Camille Tremblay"
	Description string
	// SubjectID identifies the learner (a URL or DID); optional.
	SubjectID string
	ValidFrom time.Time
	// Partial marks a subset of the portfolio (one theme). It changes the id, not the
	// document: CLR 2.0's `partial` term is missing from some published copies of the
	// context, and a verifier holding one of those would refuse the document.
	Partial bool
	// Credentials are the OB 3.0 credentials, each a JSON object, embedded byte for byte.
	Credentials [][]byte
}

type clrIssuer struct {
	ID   string   `json:"id"`
	Type []string `json:"type"`
	Name string   `json:"name,omitempty"`
	URL  string   `json:"url,omitempty"`
}

// clrDoc is the credential without its subject, which is spliced in by hand: encoding/json
// would re-encode embedded json.RawMessage values, and the credentials must stay the bytes
// their issuers signed.
type clrDoc struct {
	Context           []string  `json:"@context"`
	ID                string    `json:"id"`
	Type              []string  `json:"type"`
	CredentialSubject string    `json:"credentialSubject"` // placeholder, see subjectMark
	Issuer            clrIssuer `json:"issuer"`
	ValidFrom         string    `json:"validFrom"`
	Name              string    `json:"name"`
	Description       string    `json:"description,omitempty"`
}

// subjectMark stands for the subject while the rest is encoded. It is the first string
// value after @context, id and type, none of which holds user text that could repeat it.
const subjectMark = "\x00clr-subject\x00"

// BuildCLR returns the unsigned ClrCredential for c.
func BuildCLR(c CLR) ([]byte, error) {
	if c.IssuerID == "" {
		return nil, fmt.Errorf("build CLR: %w: no issuer", ErrCLR)
	}
	if c.Name == "" {
		return nil, fmt.Errorf("build CLR: %w: no name", ErrCLR)
	}
	if len(c.Credentials) == 0 {
		return nil, fmt.Errorf("build CLR: %w: no credentials (a ClrSubject needs at least one)", ErrCLR)
	}
	if len(c.Credentials) > MaxCLRCredentials {
		return nil, fmt.Errorf("build CLR: %w: %d credentials, limit %d", ErrCLR, len(c.Credentials), MaxCLRCredentials)
	}
	// Trimmed copies: the caller's slice stays as given.
	creds := make([][]byte, len(c.Credentials))
	total := 0
	for i, cr := range c.Credentials {
		cr = bytes.TrimSpace(cr)
		if len(cr) > MaxCLRCredentialSize {
			return nil, fmt.Errorf("build CLR: %w: credential %d is %d bytes, limit %d", ErrCLR, i, len(cr), MaxCLRCredentialSize)
		}
		if len(cr) == 0 || cr[0] != '{' || !json.Valid(cr) {
			return nil, fmt.Errorf("build CLR: %w: credential %d is not a JSON object", ErrCLR, i)
		}
		creds[i] = cr
		total += len(cr)
	}
	if total > MaxCLRSize {
		return nil, fmt.Errorf("build CLR: %w: credentials total %d bytes, limit %d", ErrCLR, total, MaxCLRSize)
	}
	validFrom := c.ValidFrom.UTC().Truncate(time.Second).Format(time.RFC3339)
	c.Credentials = creds
	if c.ID == "" {
		c.ID = clrID(c, validFrom)
	}

	var subj bytes.Buffer
	subj.Grow(total + 256)
	subj.WriteString(`{"type":["ClrSubject"]`)
	if c.SubjectID != "" {
		id, _ := json.Marshal(c.SubjectID)
		subj.WriteString(`,"id":`)
		subj.Write(id)
	}
	subj.WriteString(`,"verifiableCredential":[`)
	for i, cr := range c.Credentials {
		if i > 0 {
			subj.WriteByte(',')
		}
		subj.Write(cr)
	}
	subj.WriteString("]}")

	doc, err := json.Marshal(clrDoc{
		// CLR 2.0 requires these three first: the issuer's Profile and the Achievement
		// terms come from the Open Badges context.
		Context:           []string{"https://www.w3.org/ns/credentials/v2", CLRContext, ob3.ContextOB},
		ID:                c.ID,
		Type:              []string{"VerifiableCredential", "ClrCredential"},
		CredentialSubject: subjectMark,
		Issuer:            clrIssuer{ID: c.IssuerID, Type: []string{"Profile"}, Name: c.IssuerName, URL: c.IssuerURL},
		ValidFrom:         validFrom,
		Name:              c.Name,
		Description:       c.Description,
	})
	if err != nil {
		return nil, fmt.Errorf("build CLR: %w", err)
	}
	mark, _ := json.Marshal(subjectMark)
	i := bytes.Index(doc, mark)
	if i < 0 {
		return nil, fmt.Errorf("build CLR: subject placeholder lost")
	}
	out := make([]byte, 0, len(doc)+subj.Len())
	out = append(out, doc[:i]...)
	out = append(out, subj.Bytes()...)
	out = append(out, doc[i+len(mark):]...)
	return out, nil
}

// SignCLR builds c as a ClrCredential issued by the issuer with the given slug (the
// platform's issuer) and signs it with eddsa-rdfc-2022 under that issuer's did:key, which
// any verifier resolves offline. c.IssuerID is replaced by that DID. A credential that
// cannot sit in a VC 2.0 document (a VC 1.1 credential, whose context redefines the
// protected VC 2.0 terms) makes the whole CLR fail with ErrCLR: the caller leaves such
// credentials out.
func (s *Service) SignCLR(ctx context.Context, slug string, c CLR) ([]byte, error) {
	signer, err := s.VCSigner(ctx, slug, VCDIDKey, "")
	if err != nil {
		return nil, fmt.Errorf("CLR signer: %w", err)
	}
	c.IssuerID = signer.DID
	doc, err := BuildCLR(c)
	if err != nil {
		return nil, err
	}
	signed, err := signer.Sign(doc, proof.SignOptions{})
	if errors.Is(err, proof.ErrNotCanonicalizable) {
		return nil, fmt.Errorf("sign CLR: %w: %v", ErrCLR, err)
	}
	if err != nil {
		return nil, fmt.Errorf("sign CLR: %w", err)
	}
	return signed, nil
}

// CLRCarries reports whether a CLR 2.0 document can carry cred: a VC 2.0 credential in
// JSON. A VC 1.1 credential redefines VC 2.0's protected terms, so no VC 2.0 document can
// embed it.
func CLRCarries(cred []byte) bool {
	var head struct {
		Context []json.RawMessage `json:"@context"`
	}
	if json.Unmarshal(cred, &head) != nil || len(head.Context) == 0 {
		return false
	}
	var first string
	return json.Unmarshal(head.Context[0], &first) == nil && first == ob3.ContextVC2
}

// clrID derives a version-8 (custom) UUID from the content.
func clrID(c CLR, validFrom string) string {
	h := sha256.New()
	for _, s := range []string{c.IssuerID, c.SubjectID, c.Name, validFrom, strconv.FormatBool(c.Partial)} {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	for _, cr := range c.Credentials {
		h.Write([]byte(strconv.Itoa(len(cr)) + ":"))
		h.Write(cr)
	}
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x80
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
