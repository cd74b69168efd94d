package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
)

// Delegated issuing: a credential whose achievement's creator is not its
// issuer was issued on the creator's behalf. The creator publishes a list
// of the issuers it authorises, signed with its own key (a credential of
// type IssuingAuthorisationList whose subject's "authorisation" entries
// name the delegate's id, the achievement, and the dates the authorisation
// held, "from" and "until"). Its address is given by the creator profile's otherIdentifier
// of identifierType "ext:IssuingAuthorisations", or, for a did:web creator
// that gives none, is the creator's web address with /authorisations
// instead of /did.json.

// AuthorisationsIdentifierType marks the creator's otherIdentifier entry
// that gives the address of its signed authorisations.
const AuthorisationsIdentifierType = "ext:IssuingAuthorisations"

// maxAuthorisations bounds the entries read from one list.
const maxAuthorisations = 10000

// Delegation is what the verifier found about a credential issued on
// another's behalf.
type Delegation struct {
	Issuer  Party   `json:"issuer"`
	Creator Party   `json:"creator"`
	Outcome Outcome `json:"outcome"`
	// Source is the address of the authorisations consulted.
	Source  string `json:"source,omitempty"`
	Detail  string `json:"detail,omitempty"`
	Message Text   `json:"message"`
}

// CheckDelegation checks the authorisation behind a credential (JSON, as
// in Report.Credential) whose achievement was created by another
// organisation than its issuer. It returns nil when the credential is not
// issued on another's behalf. Pass: the creator's signed list authorises
// the issuer for this achievement at the credential's date ("issued by B
// on behalf of A, authorised by A"); Fail: the list is not the creator's,
// or does not authorise it then; Warn: the list could not be fetched.
func CheckDelegation(ctx context.Context, credential []byte, opts Options) *Delegation {
	c, err := ob3.Parse(credential)
	if err != nil {
		return nil
	}
	return checkDelegation(ctx, c, opts)
}

// checkDelegation is CheckDelegation on the parsed credential.
func checkDelegation(ctx context.Context, c *ob3.Credential, opts Options) *Delegation {
	if c.Issuer == nil || c.CredentialSubject == nil || c.CredentialSubject.Achievement == nil {
		return nil
	}
	ach := c.CredentialSubject.Achievement
	if ach.Creator == nil || ach.Creator.ID == "" || ach.Creator.ID == c.Issuer.ID {
		return nil
	}
	d := &Delegation{
		Issuer:  Party{ID: c.Issuer.ID, Name: nameOr(c.Issuer.Name, c.Issuer.ID)},
		Creator: Party{ID: ach.Creator.ID, Name: nameOr(ach.Creator.Name, ach.Creator.ID)},
	}
	at, ok := c.AwardedTime()
	if !ok {
		at, ok = c.ValidFromTime()
	}
	if !ok {
		return d.fail("the credential has no date", delegationUnlisted)
	}
	d.Source = authorisationsURL(ach.Creator)
	if d.Source == "" {
		return d.warn("the creator publishes no issuing authorisations")
	}
	if opts.Fetcher == nil {
		return d.warn("not checked: nothing is fetched")
	}
	doc, err := opts.Fetcher.Fetch(ctx, d.Source)
	if err != nil {
		return d.warn("fetch " + d.Source + ": " + err.Error())
	}
	list, err := parseAuthorisations(doc)
	if err != nil {
		return d.fail(err.Error(), delegationUnsigned)
	}
	if list.issuer != d.Creator.ID {
		return d.fail(fmt.Sprintf("the list at %s is issued by %q, not by the creator", d.Source, list.issuer), delegationUnsigned)
	}
	resolver := opts.Resolver
	if resolver == nil {
		resolver = &did.MultiResolver{Web: opts.Fetcher}
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	res, err := proof.Verify(ctx, doc, proof.VerifyOptions{Resolver: resolver, Loader: opts.Loader, Now: now, ClockSkew: 5 * time.Minute})
	if err != nil {
		return d.fail(err.Error(), delegationUnsigned)
	}
	signed := false
	for _, p := range res.Proofs {
		if p.Err == nil && p.Controller == d.Creator.ID {
			signed = true
		}
	}
	if !signed {
		if err := res.Err(); err != nil && (keyUnreachable(err) || cannotCheck(err)) {
			return d.warn("the creator's key could not be reached: " + err.Error())
		}
		return d.fail("the list is not signed with the creator's key", delegationUnsigned)
	}
	listed := false
	for _, e := range list.entries {
		if e.Delegate != d.Issuer.ID || e.Achievement != ach.ID {
			continue
		}
		listed = true
		from, err := time.Parse(time.RFC3339, e.From)
		if err != nil || at.Before(from) {
			continue
		}
		if e.Until != "" {
			until, err := time.Parse(time.RFC3339, e.Until)
			if err != nil || !at.Before(until) {
				continue
			}
		}
		d.Outcome, d.Detail = Pass, "authorised from "+e.From
		d.Message = d.text(delegationAuthorised)
		return d
	}
	if listed {
		return d.fail("the authorisation did not hold on "+at.UTC().Format(time.RFC3339), delegationOutside)
	}
	return d.fail("the creator's list does not name this issuer for this achievement", delegationUnlisted)
}

func nameOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

// authorisationsURL finds where the creator publishes its authorisations.
func authorisationsURL(p *ob3.Profile) string {
	for _, e := range p.OtherIdentifier {
		if e.IdentifierType == AuthorisationsIdentifierType && strings.HasPrefix(e.Identifier, "https://") {
			return e.Identifier
		}
	}
	if strings.HasPrefix(p.ID, "did:web:") {
		if u, err := did.WebURL(p.ID); err == nil && strings.HasSuffix(u, "/did.json") && !strings.HasSuffix(u, "/.well-known/did.json") {
			return strings.TrimSuffix(u, "/did.json") + "/authorisations"
		}
	}
	return ""
}

type authorisationList struct {
	issuer  string
	entries []authorisationJSON
}

type authorisationJSON struct {
	Delegate    string `json:"delegate"`
	Achievement string `json:"achievement"`
	From        string `json:"from"`
	Until       string `json:"until"`
}

func parseAuthorisations(doc []byte) (*authorisationList, error) {
	var raw struct {
		Type              []string        `json:"type"`
		Issuer            json.RawMessage `json:"issuer"`
		CredentialSubject struct {
			Authorisation []authorisationJSON `json:"authorisation"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, fmt.Errorf("the authorisations are not a JSON credential: %w", err)
	}
	typed := false
	for _, t := range raw.Type {
		typed = typed || t == "IssuingAuthorisationList"
	}
	if !typed {
		return nil, fmt.Errorf("the document is not an IssuingAuthorisationList")
	}
	if len(raw.CredentialSubject.Authorisation) > maxAuthorisations {
		return nil, fmt.Errorf("the list has more than %d authorisations", maxAuthorisations)
	}
	l := &authorisationList{entries: raw.CredentialSubject.Authorisation}
	iss := bytes.TrimSpace(raw.Issuer)
	var s string
	if json.Unmarshal(iss, &s) == nil {
		l.issuer = s
	} else {
		var obj struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(iss, &obj) == nil {
			l.issuer = obj.ID
		}
	}
	return l, nil
}

type delegationCase int

const (
	delegationAuthorised delegationCase = iota
	delegationUnlisted
	delegationOutside
	delegationUnsigned
	delegationUnchecked
)

// text says, in each language, what the check found.
func (d *Delegation) text(k delegationCase) Text {
	b, a := d.Issuer.Name, d.Creator.Name
	switch k {
	case delegationAuthorised:
		return Text{EN: fmt.Sprintf("Issued by %s on behalf of %s, authorised by %s.", b, a, a),
			FR: fmt.Sprintf("Délivré par %s au nom de %s, avec l'autorisation de %s.", b, a, a)}
	case delegationUnlisted:
		return Text{EN: fmt.Sprintf("Issued by %s on behalf of %s, but %s does not list this authorisation.", b, a, a),
			FR: fmt.Sprintf("Délivré par %s au nom de %s, mais %s ne publie pas cette autorisation.", b, a, a)}
	case delegationOutside:
		return Text{EN: fmt.Sprintf("Issued by %s on behalf of %s at a date when %s did not authorise it.", b, a, a),
			FR: fmt.Sprintf("Délivré par %s au nom de %s à une date où %s ne l'y autorisait pas.", b, a, a)}
	case delegationUnsigned:
		return Text{EN: fmt.Sprintf("Issued by %s on behalf of %s, but the authorisation is not signed by %s.", b, a, a),
			FR: fmt.Sprintf("Délivré par %s au nom de %s, mais l'autorisation n'est pas signée par %s.", b, a, a)}
	}
	return Text{EN: fmt.Sprintf("Issued by %s on behalf of %s; the authorisation could not be checked.", b, a),
		FR: fmt.Sprintf("Délivré par %s au nom de %s ; l'autorisation n'a pas pu être vérifiée.", b, a)}
}

func (d *Delegation) fail(detail string, k delegationCase) *Delegation {
	d.Outcome, d.Detail, d.Message = Fail, detail, d.text(k)
	return d
}

func (d *Delegation) warn(detail string) *Delegation {
	d.Outcome, d.Detail, d.Message = Warn, detail, d.text(delegationUnchecked)
	return d
}
