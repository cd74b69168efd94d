package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/sceau/sceau/proof"
	"github.com/sceau/sceau/status"
)

// issueRequest is the body of POST /credentials/issue.
type issueRequest struct {
	Credential json.RawMessage `json:"credential"`
	Options    json.RawMessage `json:"options"`
}

// issueOptions are the VC API IssueCredentialOptions this server reads;
// others are ignored.
type issueOptions struct {
	// CredentialID becomes the credential's id when it has none.
	CredentialID string `json:"credentialId"`
	// Created is the proof's creation time (dateTimeStamp); "" means now.
	Created   string `json:"created"`
	Challenge string `json:"challenge"`
	Domain    string `json:"domain"`
	// CredentialStatus asks for a status entry of this type (only
	// BitstringStatusListEntry) for statusPurpose (one or a list;
	// revocation by default).
	CredentialStatus *struct {
		Type          string `json:"type"`
		StatusPurpose any    `json:"statusPurpose"`
	} `json:"credentialStatus"`
}

// issueCredential signs the credential of the request as the configured
// issuer: 201 with {verifiableCredential}, or 400 naming every rule the
// credential or the options break.
func (s *vcServer) issueCredential(w http.ResponseWriter, r *http.Request) error {
	var req issueRequest
	if err := decodeBody(w, r, &req); err != nil {
		return err
	}
	doc, err := decodeObject(req.Credential, "credential")
	if err != nil {
		return err
	}
	var opts issueOptions
	if len(req.Options) > 0 && !bytes.Equal(req.Options, []byte("null")) {
		if err := json.Unmarshal(req.Options, &opts); err != nil {
			return badRequest(problemMalformed, "Malformed options", err.Error())
		}
	}
	ctx := r.Context()
	signer, err := s.signer(ctx, "")
	if err != nil {
		return err
	}
	if _, has := doc["issuer"]; !has {
		// The issuer is the endpoint's: a client need not repeat it.
		doc["issuer"] = signer.DID
	}
	problems := checkCredential(doc, "credential", forIssue)
	signOpts := proof.SignOptions{Challenge: opts.Challenge, Domain: opts.Domain}
	if opts.Created != "" {
		t, ok := parseDateTimeStamp(opts.Created)
		if !ok {
			problems = append(problems, Problem{"options.created", "must be a dateTimeStamp with a time zone"})
		}
		signOpts.Created = t
	}
	if opts.CredentialID != "" {
		id, has := doc["id"].(string)
		switch {
		case !isURL(opts.CredentialID):
			problems = append(problems, Problem{"options.credentialId", "must be a URL"})
		case has && id != opts.CredentialID:
			problems = append(problems, Problem{"options.credentialId", "differs from credential.id"})
		default:
			doc["id"] = opts.CredentialID
		}
	}
	purposes, perr := statusPurposes(&opts)
	if perr != nil {
		problems = append(problems, *perr)
	}
	if len(problems) > 0 {
		return badRequest(problemMalformed, "Invalid credential", fmt.Sprintf("%d rule(s) broken; first: %s", len(problems), problems[0]), problems...)
	}

	setIssuer(doc, signer.DID)
	for _, purpose := range purposes {
		idx, err := s.allocate(ctx, s.slug)
		if err != nil {
			return fmt.Errorf("allocate status index: %w", err)
		}
		list := s.statusListURL(signer.KeyID, purpose)
		n := strconv.Itoa(idx)
		addStatus(doc, map[string]any{
			"id": list + "#" + n, "type": status.TypeBitstringEntry, "statusPurpose": purpose,
			"statusListIndex": n, "statusListCredential": list,
		})
	}
	unsigned, err := marshal(doc)
	if err != nil {
		return badRequest(problemMalformed, "Invalid credential", err.Error())
	}
	signed, err := signer.Sign(unsigned, signOpts)
	if err != nil {
		if errors.Is(err, proof.ErrNotCanonicalizable) || errors.Is(err, proof.ErrMalformedDocument) {
			// An undefined term, a redefined protected term, a bad
			// @context: the credential's JSON-LD is at fault.
			return badRequest(problemMalformed, "Invalid credential", err.Error(), Problem{"credential", err.Error()})
		}
		return fmt.Errorf("sign credential: %w", err)
	}
	return writeJSON(w, http.StatusCreated, map[string]json.RawMessage{"verifiableCredential": signed})
}

// statusPurposes reads the status options: nil when no status is asked.
func statusPurposes(opts *issueOptions) ([]string, *Problem) {
	cs := opts.CredentialStatus
	if cs == nil {
		return nil, nil
	}
	if cs.Type != status.TypeBitstringEntry {
		return nil, &Problem{"options.credentialStatus.type", fmt.Sprintf("only %s is supported, not %q", status.TypeBitstringEntry, cs.Type)}
	}
	var raw []any
	switch v := cs.StatusPurpose.(type) {
	case nil:
		return []string{status.PurposeRevocation}, nil
	case string:
		raw = []any{v}
	case []any:
		raw = v
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range raw {
		s, _ := p.(string)
		if s != status.PurposeRevocation && s != status.PurposeSuspension {
			return nil, &Problem{"options.credentialStatus.statusPurpose", fmt.Sprintf("must be revocation or suspension, not %s", describe(p))}
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, &Problem{"options.credentialStatus.statusPurpose", "must be revocation or suspension"}
	}
	return out, nil
}

// setIssuer makes the signer's DID the credential's issuer, keeping the
// other members of an issuer object (name, description…).
//
// The issuer of a credential is whoever signs it: a credential naming
// another issuer than the key's controller verifies nowhere, ours
// included. So a syntactically valid issuer given by the client (the W3C
// test suites send did:example:issuer) is replaced rather than refused,
// and the response shows the issuer actually used.
func setIssuer(doc map[string]any, id string) {
	if obj, ok := doc["issuer"].(map[string]any); ok {
		obj["id"] = id
		return
	}
	doc["issuer"] = id
}

// addStatus adds entry to the credential's credentialStatus, making it a
// list when one was there.
func addStatus(doc map[string]any, entry map[string]any) {
	switch v := doc["credentialStatus"].(type) {
	case nil:
		doc["credentialStatus"] = entry
	case []any:
		doc["credentialStatus"] = append(v, entry)
	default:
		doc["credentialStatus"] = []any{v, entry}
	}
}

// marshal encodes a decoded document without HTML escaping.
func marshal(doc map[string]any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
