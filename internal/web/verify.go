package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/httpx"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/status"
	"github.com/sceau/sceau/verify"
)

// errForeignURL is what the self fetcher answers for any URL that is not
// one of this server's issuer documents: the badge page verifies only what
// this server can vouch for, and never makes a request on a visitor's
// behalf (no SSRF through a credential's URLs).
var errForeignURL = errors.New("not a document of this server")

// selfFetcher answers the verifier's fetches of this server's own public
// documents (DID documents, status lists, revocation lists) by calling the
// service directly, so that verifying an award costs no HTTP round trip to
// ourselves. The paths are those of routes.go.
type selfFetcher struct{ s *server }

func (f selfFetcher) Fetch(ctx context.Context, u string) ([]byte, error) {
	rest, ok := strings.CutPrefix(u, f.s.baseURL+"/issuers/")
	if !ok {
		// did:web always resolves over https: in development on an http
		// base URL, the issuers' DIDs name https://host/… for this host.
		if host, isHTTP := strings.CutPrefix(f.s.baseURL, "http://"); isHTTP {
			rest, ok = strings.CutPrefix(u, "https://"+host+"/issuers/")
		}
	}
	if !ok {
		return nil, fmt.Errorf("fetch %.200q: %w", u, errForeignURL)
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 2 || len(parts) > 3 || !badge.ValidSlug(parts[0]) {
		return nil, fmt.Errorf("fetch %.200q: %w", u, errForeignURL)
	}
	slug := parts[0]
	var (
		doc []byte
		err error
	)
	switch {
	case len(parts) == 2 && parts[1] == "did.json":
		doc, err = f.s.svc.DIDDocument(ctx, slug)
	case len(parts) == 2 && parts[1] == "revocations":
		doc, err = f.s.svc.RevocationList(ctx, slug)
	case len(parts) == 3 && parts[1] == "status" &&
		(parts[2] == status.PurposeRevocation || parts[2] == status.PurposeSuspension):
		doc, err = f.s.svc.StatusList(ctx, slug, parts[2])
	default:
		return nil, fmt.Errorf("fetch %.200q: %w", u, errForeignURL)
	}
	if badge.IsNotFound(err) {
		// Reports tell "does not exist" from "could not be fetched".
		return nil, fmt.Errorf("fetch %s: %w (%v)", u, did.ErrNotFound, err)
	}
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	return doc, nil
}

// verifyView is what an award's verification page shows: the report as
// the /verify page shows any badge's (buildReportView), with the award's
// own links around it.
type verifyView struct {
	Lang, OtherLang string
	ID              string
	BadgeName       string
	ContentLang     string
	*reportView
}

type checkView struct {
	Code, Outcome, Message string
}

// verifyAward verifies the award's stored credential now, with this
// server's documents, and shows the report as a page or, when Accept
// prefers it or format=json is asked for, as JSON (the Report).
func (s *server) verifyAward(w http.ResponseWriter, r *http.Request) error {
	a, err := s.getAward(r)
	if err != nil {
		return err
	}
	now := s.now()
	rep := verify.Verify(r.Context(), a.Credential, verify.Options{Fetcher: selfFetcher{s}, Now: now})
	s.applyRecordedSuspension(rep, a)

	h := w.Header()
	h.Add("Vary", "Accept, Accept-Language, Cookie")
	// The answer is true at one instant: a revocation must show at once.
	h.Set("Cache-Control", "no-store")
	if httpx.PreferJSON(r) || r.URL.Query().Get("format") == "json" {
		body, err := json.Marshal(rep)
		if err != nil {
			return badge.Internalf(err, "encode report of award %s", a.ID)
		}
		h.Set("Content-Type", "application/json; charset=utf-8")
		_, err = w.Write(body)
		return err
	}

	b, err := s.defs.badges.get(r.Context(), a.BadgeID, s.db.GetBadge)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	v := verifyView{Lang: lang, OtherLang: "en", ID: a.ID, BadgeName: b.Name, ContentLang: b.Language,
		reportView: buildReportView(lang, rep, now)}
	if lang == "en" {
		v.OtherLang = "fr"
	}
	var buf bytes.Buffer
	if err := s.pages["verify"].Execute(&buf, v); err != nil {
		return badge.Internalf(err, "render verify page")
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	_, err = buf.WriteTo(w)
	return err
}

// applyRecordedSuspension makes the server's own answer say "suspended"
// for an award suspended here whose credential carries no suspension
// entry (the default: see config.Config.SuspensionStatus). A credential
// that verifies otherwise is still genuine; this server, its issuer's
// host, knows more than the credential can say. Any worse verdict wins.
func (s *server) applyRecordedSuspension(rep *verify.Report, a *badge.Award) {
	if a.Status != badge.StatusSuspended || rep.Verdict != verify.Valid {
		return
	}
	rep.Verdict = verify.Suspended
	rep.Reason = verify.Text{FR: locale.T("fr", "verify.verdict.suspended"), EN: locale.T("en", "verify.verdict.suspended")}
	rep.StatusReason = a.StatusReason
}

// now is the server's clock.
func (s *server) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}
