package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
	"github.com/sceau/sceau/status"
)

// status checks every credentialStatus entry. A list that cannot be fetched
// or trusted is a warning: the badge is not known to be revoked, and an
// unreachable server must not revoke badges.
func (v *verifier) status(ctx context.Context, r *Report, c *ob3.Credential) {
	if len(c.CredentialStatus) == 0 {
		r.add(CodeStatus, Skip, "")
		return
	}
	var warnings []string
	for i := range c.CredentialStatus {
		raw, err := ob3.Marshal(&c.CredentialStatus[i])
		if err != nil {
			warnings = append(warnings, err.Error())
			continue
		}
		entry, err := status.ParseEntry(raw)
		if err != nil {
			warnings = append(warnings, err.Error())
			continue
		}
		verdict, reason, err := v.statusEntry(ctx, c, entry)
		if err != nil {
			warnings = append(warnings, err.Error())
			continue
		}
		if verdict != "" {
			r.statusVerdict = verdict
			r.StatusReason = reason
			r.add(CodeStatus, Fail, strings.TrimSpace(string(verdict)+" "+reason))
			return
		}
	}
	if len(warnings) > 0 {
		r.add(CodeStatus, Warn, strings.Join(warnings, "; "))
		return
	}
	r.add(CodeStatus, Pass, "")
}

// statusEntry returns Revoked or Suspended (with the issuer's reason) or
// "" when the entry says the badge stands.
func (v *verifier) statusEntry(ctx context.Context, c *ob3.Credential, e *status.Entry) (Verdict, string, error) {
	if v.opts.Fetcher == nil {
		return "", "", errors.New("status list not fetched: verification is offline")
	}
	switch e.Type {
	case status.Type1EdTechRevocationList:
		data, err := v.opts.Fetcher.Fetch(ctx, e.ID)
		if err != nil {
			return "", "", fmt.Errorf("revocation list %s: %w", e.ID, err)
		}
		list, err := status.ParseRevocationList(data)
		if err != nil {
			return "", "", fmt.Errorf("revocation list %s: %w", e.ID, err)
		}
		if list.Issuer != "" && list.Issuer != issuerID(c) {
			return "", "", fmt.Errorf("revocation list %s is published by %s, not by the issuer", e.ID, list.Issuer)
		}
		if revoked, reason := list.Lookup(c.ID); revoked {
			return Revoked, reason, nil
		}
		return "", "", nil
	default:
		data, err := v.opts.Fetcher.Fetch(ctx, e.StatusListCredential)
		if err != nil {
			return "", "", fmt.Errorf("status list %s: %w", e.StatusListCredential, err)
		}
		if err := v.trustList(ctx, c, data); err != nil {
			return "", "", fmt.Errorf("status list %s: %w", e.StatusListCredential, err)
		}
		res, err := status.CheckBitstring(data, e)
		if err != nil {
			return "", "", fmt.Errorf("status list %s: %w", e.StatusListCredential, err)
		}
		// Without statusMessage, res.Message is "set": not a reason the
		// issuer gave, so the report shows none.
		reason := ""
		if e.StatusMessages != nil {
			reason = res.Message
		}
		switch {
		case res.Revoked:
			return Revoked, reason, nil
		case res.Suspended:
			return Suspended, reason, nil
		}
		return "", "", nil
	}
}

// statusClockSkew is how far ahead of the verifier's clock a status list
// may be dated (validFrom, proof created) and still count.
const statusClockSkew = 5 * time.Minute

// trustList checks that a status list credential is signed by the badge's
// issuer and in effect: anyone can publish a list saying a badge is
// revoked, only the issuer's counts.
func (v *verifier) trustList(ctx context.Context, c *ob3.Credential, data []byte) error {
	list, err := status.ParseListCredential(data)
	if err != nil {
		return err
	}
	if list.Issuer != issuerID(c) {
		return fmt.Errorf("published by %s, not by the issuer %s", list.Issuer, issuerID(c))
	}
	// The list is a credential with its own validity period (Bitstring
	// Status List, validate algorithm): a stale or future list says nothing
	// about the badge today.
	if t, ok := parseTime(list.ValidUntil); ok && !v.now.Before(t) {
		return fmt.Errorf("the list expired on %s", t.UTC().Format(time.RFC3339))
	}
	// A list is often signed on demand, after the verification began
	// (v.now) and in the next second, or by a clock slightly ahead: the
	// same tolerance as for the credential's own proof.
	if t, ok := parseTime(list.ValidFrom); ok && v.now.Add(statusClockSkew).Before(t) {
		return fmt.Errorf("the list is valid only from %s", t.UTC().Format(time.RFC3339))
	}
	res, err := proof.Verify(ctx, data, proof.VerifyOptions{Resolver: v.resolver, Loader: v.opts.Loader, Now: v.now, ClockSkew: statusClockSkew})
	if err != nil {
		return err
	}
	if err := res.Err(); err != nil {
		return err
	}
	for _, p := range res.Proofs {
		if p.Controller != list.Issuer {
			return fmt.Errorf("signed by %s, not by the issuer", p.Controller)
		}
	}
	return nil
}

// endorsements verifies the endorsements embedded in the credential, its
// issuer and its achievement. An endorsement that fails does not make the
// badge invalid (the badge's own signature covers it as data); the report
// says which failed.
func (v *verifier) endorsements(ctx context.Context, r *Report, c *ob3.Credential, depth int) {
	var embedded [][]byte
	collect := func(list []ob3.Credential, jwts []string) {
		for i := range list {
			if raw, err := ob3.Marshal(&list[i]); err == nil {
				embedded = append(embedded, raw)
			}
		}
		for _, t := range jwts {
			embedded = append(embedded, []byte(t))
		}
	}
	collect(c.Endorsement, c.EndorsementJwt)
	if c.Issuer != nil {
		collect(c.Issuer.Endorsement, c.Issuer.EndorsementJwt)
	}
	if s := c.CredentialSubject; s != nil && s.Achievement != nil {
		collect(s.Achievement.Endorsement, s.Achievement.EndorsementJwt)
	}
	if len(embedded) == 0 {
		r.add(CodeEndorsements, Skip, "")
		return
	}
	if depth >= maxEndorsementDepth {
		r.add(CodeEndorsements, Warn, "endorsements nested too deep: not checked")
		return
	}
	var failed []string
	for _, raw := range embedded {
		er := &Report{Format: "json"}
		if looksLikeJWT(raw) {
			er.Format = "jwt"
		}
		v.credential(ctx, er, raw, depth+1)
		er.conclude()
		r.Endorsements = append(r.Endorsements, er)
		if er.Verdict != Valid {
			name := "endorsement"
			if er.Issuer != nil {
				name += " by " + er.Issuer.ID
			}
			failed = append(failed, name+": "+string(er.Verdict))
		}
	}
	if len(failed) > 0 {
		r.add(CodeEndorsements, Warn, strings.Join(failed, "; "))
		return
	}
	r.add(CodeEndorsements, Pass, fmt.Sprintf("%d endorsement(s)", len(embedded)))
}

// parseTime reads an XML Schema dateTime as status lists write it.
func parseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}
