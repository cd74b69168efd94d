package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
)

// A 1EdTech Comprehensive Learner Record 2.0 (ClrCredential) carries a learner's
// credentials in credentialSubject.verifiableCredential. It is checked in one piece: its
// own proof, which covers every credential it carries, and then each credential as if it
// had been given alone (Report.Included), since the CLR's issuer vouches for the record,
// not for the badges, which keep their own issuers' proofs and statuses.

// StandardCLR is Report.Standard for a CLR.
const StandardCLR = "CLR 2.0"

// clrContextPrefix starts every CLR 2.0 context URL (context.json, context-2.0.1.json).
const clrContextPrefix = "https://purl.imsglobal.org/spec/clr/v2p0/"

// maxIncluded bounds the credentials of one CLR that are verified: each costs a proof
// verification and perhaps status fetches.
const maxIncluded = 2000

// isCLR reports whether payload is a JSON credential whose type names ClrCredential.
func isCLR(payload []byte) bool {
	if len(payload) == 0 || payload[0] != '{' || !bytes.Contains(payload, []byte("ClrCredential")) {
		return false
	}
	var head struct {
		Type json.RawMessage `json:"type"`
	}
	if json.Unmarshal(payload, &head) != nil {
		return false
	}
	return slices.Contains(stringOrList(head.Type), "ClrCredential")
}

// stringOrList reads a JSON-LD value that may be one string or an array of strings.
func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []string
	_ = json.Unmarshal(raw, &list)
	return list
}

// clrDocument is what the CLR checks read beyond what ob3.Credential holds.
type clrDocument struct {
	Context []json.RawMessage `json:"@context"`
	Type    json.RawMessage   `json:"type"`
	Name    string            `json:"name"`
	Subject struct {
		ID                   string            `json:"id"`
		Type                 json.RawMessage   `json:"type"`
		VerifiableCredential []json.RawMessage `json:"verifiableCredential"`
	} `json:"credentialSubject"`
}

// clr verifies a ClrCredential given as JSON.
func (v *verifier) clr(ctx context.Context, r *Report, payload []byte) {
	r.Standard = StandardCLR
	var doc clrDocument
	if err := json.Unmarshal(payload, &doc); err != nil {
		r.add(CodeJSON, Fail, "CLR: "+err.Error())
		return
	}
	c, err := ob3.Parse(payload)
	if err != nil {
		r.add(CodeJSON, Fail, err.Error())
		return
	}
	r.Credential = json.RawMessage(payload)
	r.add(CodeJSON, Pass, "")
	r.describe(c)
	r.Achievement = &Party{ID: c.ID, Name: doc.Name}
	r.Recipient = nil
	if doc.Subject.ID != "" {
		r.Recipient = &Party{ID: doc.Subject.ID}
	}
	r.addAll(CodeCLR, clrProblems(&doc))

	generic, docErr := proof.DecodeDocument(payload)
	v.dataIntegrity(ctx, r, c, generic, docErr)
	v.validity(r, c)
	if pc := r.Check(CodeProof); pc != nil && pc.Outcome == Pass {
		v.status(ctx, r, c)
	} else {
		r.add(CodeStatus, Warn, "not checked: the signature was not verified")
	}
	v.included(ctx, r, doc.Subject.VerifiableCredential)
}

// clrProblems lists what makes doc not a CLR 2.0 document.
func clrProblems(doc *clrDocument) []string {
	var problems []string
	contexts := make([]string, 0, len(doc.Context))
	for _, raw := range doc.Context {
		var u string
		if json.Unmarshal(raw, &u) == nil {
			contexts = append(contexts, u)
		}
	}
	if len(contexts) == 0 || (contexts[0] != "https://www.w3.org/ns/credentials/v2" && contexts[0] != "https://www.w3.org/2018/credentials/v1") {
		problems = append(problems, "@context: the Verifiable Credentials context must come first")
	}
	if !slices.ContainsFunc(contexts, func(u string) bool { return strings.HasPrefix(u, clrContextPrefix) }) {
		problems = append(problems, "@context: no CLR 2.0 context ("+clrContextPrefix+"…)")
	}
	types := stringOrList(doc.Type)
	if !slices.Contains(types, "VerifiableCredential") {
		problems = append(problems, "type: VerifiableCredential missing")
	}
	if !slices.Contains(stringOrList(doc.Subject.Type), "ClrSubject") {
		problems = append(problems, "credentialSubject.type: ClrSubject missing")
	}
	switch n := len(doc.Subject.VerifiableCredential); {
	case n == 0:
		problems = append(problems, "credentialSubject.verifiableCredential: a CLR carries at least one credential")
	case n > maxIncluded:
		problems = append(problems, fmt.Sprintf("credentialSubject.verifiableCredential: %d credentials, this verifier checks at most %d", n, maxIncluded))
	}
	return problems
}

// included verifies each credential the CLR carries, each in a report of its own.
func (v *verifier) included(ctx context.Context, r *Report, creds []json.RawMessage) {
	if len(creds) == 0 || len(creds) > maxIncluded {
		r.add(CodeIncluded, Skip, "")
		return
	}
	var failed, lapsed []string
	for i, raw := range creds {
		// A CLR may carry a VC-JWT as a JSON string.
		payload := []byte(raw)
		format := "json"
		var token string
		if json.Unmarshal(raw, &token) == nil {
			payload, format = []byte(token), "jwt"
		}
		er := &Report{Format: format}
		v.credential(ctx, er, payload, 0)
		er.conclude()
		r.Included = append(r.Included, er)
		name := fmt.Sprintf("#%d", i+1)
		if er.Achievement != nil && er.Achievement.Name != "" {
			name += " " + er.Achievement.Name
		}
		switch er.Verdict {
		case Valid:
		case Invalid:
			failed = append(failed, name+": "+er.Reason.EN)
		default:
			lapsed = append(lapsed, name+": "+string(er.Verdict))
		}
	}
	switch {
	case len(failed) > 0:
		r.add(CodeIncluded, Fail, strings.Join(failed, "; "))
	case len(lapsed) > 0:
		r.add(CodeIncluded, Warn, strings.Join(lapsed, "; "))
	default:
		r.add(CodeIncluded, Pass, fmt.Sprintf("%d credentials", len(creds)))
	}
}
