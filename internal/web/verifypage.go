package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/httpx"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/verify"
)

// The public verification page (/verify): an appraiser drops a baked
// image or a credential file, or pastes its text or its URL, optionally
// with the address the badge should belong to, and reads a verdict in
// plain words first, then what the badge says, then every check.

// maxVerifyInput bounds what the page verifies: baked images of badges
// are a few hundred KiB at most.
const maxVerifyInput = 2 << 20

// errNoFetcher says that this server fetches nothing from other sites.
var errNoFetcher = errors.New("fetching other sites is disabled on this server")

// verifyFetcher answers the verifier: this server's own documents
// in-process (selfFetcher), anything else through the SSRF-safe client,
// when the server has one.
type verifyFetcher struct{ s *server }

func (f verifyFetcher) Fetch(ctx context.Context, u string) ([]byte, error) {
	doc, err := selfFetcher{f.s}.Fetch(ctx, u)
	if !errors.Is(err, errForeignURL) {
		return doc, err
	}
	if f.s.fetcher == nil {
		return nil, fmt.Errorf("fetch %.200q: %w", u, errNoFetcher)
	}
	return f.s.fetcher.Fetch(ctx, u)
}

// ownAwardID returns the award ID of a URL of this server that stands for
// an award: its permanent address and the explicit forms under it, or a
// public portfolio page. ok is false for anything else.
func (s *server) ownAwardID(ctx context.Context, raw string) (string, bool) {
	rest, ok := strings.CutPrefix(raw, s.baseURL+"/")
	if !ok || strings.ContainsAny(rest, "?#") {
		return "", false
	}
	parts := strings.Split(rest, "/")
	switch {
	case parts[0] == "awards" && len(parts) >= 2 && badge.ValidID(parts[1]):
		if len(parts) == 2 || len(parts) == 3 && (parts[2] == "credential.json" || parts[2] == "credential.jwt" ||
			parts[2] == "badge.png" || parts[2] == "badge.svg" || parts[2] == "verify") {
			return parts[1], true
		}
	case strings.HasPrefix(parts[0], "@") && len(parts) == 3 && parts[1] == "badges":
		owner, err := s.publicOwner(ctx, parts[0])
		if err != nil {
			return "", false
		}
		e, err := s.db.GetPortfolioEntryBySlug(ctx, owner.ID, parts[2])
		if err != nil || !e.Item.Public || e.Item.AwardID == "" {
			return "", false
		}
		return e.Item.AwardID, true
	}
	return "", false
}

// verifyInput is what the form gave, read and checked.
type verifyInput struct {
	data  []byte
	field string // the field it came from, where a refusal is shown
	email string
}

// readVerifyInput reads the form: a file first, else pasted text, else a
// URL. Refusals are recorded on f, by their field.
func (s *server) readVerifyInput(w http.ResponseWriter, r *http.Request, lang string) (*verifyInput, *form, error) {
	v, f, files, err := s.multipartForm(w, r, maxVerifyInput+64<<10)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		f = newForm(nil)
		f.Errors["file"] = locale.T(lang, "verifypage.too_large", maxVerifyInput>>20)
		return nil, f, nil
	}
	if err != nil {
		return nil, nil, err
	}
	in := &verifyInput{email: strings.TrimSpace(v.Get("email"))}
	if in.email != "" {
		if err := badge.CheckEmail("email", in.email); err != nil {
			f.fail(lang, err)
		}
	}
	data, ok, err := files.read("file", maxVerifyInput)
	switch {
	case err != nil:
		if badge.ErrorKind(err) == badge.Internal {
			return nil, nil, err
		}
		f.Errors["file"] = locale.T(lang, "verifypage.too_large", maxVerifyInput>>20)
	case ok:
		in.data, in.field = data, "file"
	case strings.TrimSpace(v.Get("text")) != "":
		if len(v.Get("text")) > maxVerifyInput {
			f.Errors["text"] = locale.T(lang, "verifypage.too_large", maxVerifyInput>>20)
		}
		in.data, in.field = []byte(v.Get("text")), "text"
	case strings.TrimSpace(v.Get("url")) != "":
		in.field = "url"
		in.data, err = s.fetchBadge(r.Context(), strings.TrimSpace(v.Get("url")))
		if err != nil {
			f.Errors["url"] = locale.T(lang, "verifypage.url_failed")
			if errors.Is(err, errNoFetcher) {
				f.Errors["url"] = locale.T(lang, "verifypage.url_disabled")
			} else if errors.Is(err, errBadURL) {
				f.Errors["url"] = locale.T(lang, "verifypage.url_invalid")
			}
			s.log.Info("verification page: fetch failed", "err", err)
		}
	default:
		f.Errors["file"] = locale.T(lang, "verifypage.empty")
	}
	// The file is not sent back; text and URL are, to be corrected.
	return in, f, nil
}

var errBadURL = errors.New("not an http(s) URL")

// fetchBadge gets what a pasted URL points at: this server's awards from
// the database, anything else through the fetcher.
func (s *server) fetchBadge(ctx context.Context, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(raw) > badge.MaxURLLen {
		return nil, fmt.Errorf("fetch %.200q: %w", raw, errBadURL)
	}
	if id, ok := s.ownAwardID(ctx, raw); ok {
		a, err := s.db.GetAward(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", raw, err)
		}
		return a.Credential, nil
	}
	return verifyFetcher{s}.Fetch(ctx, raw)
}

// verifyForm shows the empty form.
func (s *server) verifyForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "verify_page", s.newPage(r, newForm(nil), nil))
}

// verifySubmit verifies what the form gave.
func (s *server) verifySubmit(w http.ResponseWriter, r *http.Request) error {
	lang := locale.Negotiate(r)
	wantJSON := httpx.PreferJSON(r) || r.URL.Query().Get("format") == "json"
	in, f, err := s.readVerifyInput(w, r, lang)
	if err != nil {
		return err
	}
	var rep *verify.Report
	if !f.HasErrors() {
		rep = s.verifyBytes(r.Context(), in.data, in.email)
		if notABadge(rep) {
			f.Errors[in.field] = locale.T(lang, "verifypage.not_a_badge")
		}
	}
	if f.HasErrors() {
		if wantJSON {
			// The error adapter answers in JSON when asked by Accept;
			// format=json asks the same.
			r.Header.Set("Accept", "application/json")
			for field, msg := range f.Errors {
				return badge.Invalidf(field, "verifypage.input", "%s", msg)
			}
		}
		f.Values.Del("file")
		status := http.StatusUnprocessableEntity
		if f.Errors["file"] == locale.T(lang, "verifypage.too_large", maxVerifyInput>>20) {
			status = http.StatusRequestEntityTooLarge
		}
		return s.render(w, r, status, "verify_page", s.newPage(r, f, nil))
	}
	w.Header().Add("Vary", "Accept")
	if wantJSON {
		body, err := json.Marshal(rep)
		if err != nil {
			return badge.Internalf(err, "encode report")
		}
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		_, err = w.Write(body)
		return err
	}
	return s.render(w, r, http.StatusOK, "verify_result", s.newPage(r, nil, buildReportView(lang, rep, s.now())))
}

// verifyBytes runs the verifier with this server's documents in-process
// and others' through the fetcher. For an award of this server, what the
// server recorded (a suspension the credential cannot carry) counts too.
func (s *server) verifyBytes(ctx context.Context, data []byte, email string) *verify.Report {
	rep := verify.Verify(ctx, data, verify.Options{Email: email, Fetcher: verifyFetcher{s}, Now: s.now()})
	var head struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(rep.Credential, &head) == nil {
		if id, ok := strings.CutPrefix(head.ID, s.baseURL+"/awards/"); ok && badge.ValidID(id) {
			if a, err := s.db.GetAward(ctx, id); err == nil {
				s.applyRecordedSuspension(rep, a)
			}
		}
	}
	return rep
}

// notABadge reports whether the input held no credential at all (as
// opposed to a credential that does not verify).
func notABadge(rep *verify.Report) bool {
	return rep.Failed(verify.CodeFormat) || rep.Failed(verify.CodeBaked)
}

// reportView is a verification report as a page shows it, in one
// language: the verdict, what the badge says, then the checks. It is
// built from the Report alone, so any page verifying a badge can use it.
type reportView struct {
	Verdict      string
	Reason       string
	StatusReason string
	Delegation   string // "issued by B on behalf of A, authorised by A", or why not
	CheckedAt    string
	Format       string
	Standard     string

	BadgeName        string
	BadgeDescription string
	Criteria         template.HTML
	CriteriaURL      string
	ImageURL         template.URL // data: URIs only: other images would be fetched from elsewhere
	IssuerName       string
	IssuerURL        string
	IssuerID         string
	Recipient        string // an identifier the credential names (a DID), never a hash
	RecipientCheck   string // pass or fail when an address was given
	AwardedOn        string
	ValidFrom        string
	ValidUntil       string
	Narrative        string
	Evidence         []evidenceView
	Endorsements     []endorsementView
	// Included lists, for a CLR, each credential it carries with its own verdict.
	Included []includedView
	Checks   []checkView
}

type includedView struct {
	Name, IssuerName, Verdict, Reason string
}

type endorsementView struct {
	Name, Comment, Verdict string
}

// buildReportView turns a Report into what the page shows, in lang.
// delegationText is the report's sentence about a badge issued on
// another organisation's behalf, "" for others.
func delegationText(lang string, rep *verify.Report) string {
	if rep.Delegation == nil {
		return ""
	}
	return rep.Delegation.Message.In(lang)
}

func buildReportView(lang string, rep *verify.Report, now time.Time) *reportView {
	v := &reportView{Verdict: string(rep.Verdict), Reason: rep.Reason.In(lang), StatusReason: rep.StatusReason, Delegation: delegationText(lang, rep),
		CheckedAt: formatDate(lang, now), Format: rep.Format, Standard: rep.Standard, Narrative: rep.Narrative}
	if p := rep.Achievement; p != nil {
		v.BadgeName, v.BadgeDescription, v.CriteriaURL = p.Name, p.Description, p.URL
		v.ImageURL = dataImage(p.Image)
	}
	if p := rep.Issuer; p != nil {
		v.IssuerName, v.IssuerURL, v.IssuerID = p.Name, p.URL, p.ID
	}
	if p := rep.Recipient; p != nil && !strings.HasPrefix(p.ID, "sha256$") && !strings.HasPrefix(p.ID, "mailto:") {
		v.Recipient = p.ID
	}
	if c := rep.Check(verify.CodeRecipient); c != nil && c.Outcome != verify.Skip {
		v.RecipientCheck = string(c.Outcome)
	}
	if rep.ValidFrom != nil {
		v.ValidFrom = formatDate(lang, *rep.ValidFrom)
	}
	if rep.ValidUntil != nil {
		v.ValidUntil = formatDate(lang, *rep.ValidUntil)
	}
	for _, e := range rep.Evidence {
		v.Evidence = append(v.Evidence, evidenceView{Name: e.Name, Narrative: firstNonEmpty(e.Narrative, e.Description), URL: httpURL(e.ID)})
	}
	// An Open Badges 3.0 credential says more than the report's summary:
	// criteria, evidence, the award's date and narrative.
	if c, err := ob3.Parse(rep.Credential); err == nil && len(rep.Credential) > 0 {
		describeCredential(v, lang, c)
	}
	for _, e := range rep.Endorsements {
		ev := endorsementView{Verdict: string(e.Verdict)}
		if e.Issuer != nil {
			ev.Name = firstNonEmpty(e.Issuer.Name, e.Issuer.ID)
		}
		if c, err := ob3.Parse(e.Credential); err == nil && c.CredentialSubject != nil {
			ev.Comment = c.CredentialSubject.EndorsementComment
		}
		v.Endorsements = append(v.Endorsements, ev)
	}
	for _, inc := range rep.Included {
		iv := includedView{Verdict: string(inc.Verdict), Reason: inc.Reason.In(lang)}
		if inc.Achievement != nil {
			iv.Name = inc.Achievement.Name
		}
		if inc.Issuer != nil {
			iv.IssuerName = firstNonEmpty(inc.Issuer.Name, inc.Issuer.ID)
		}
		v.Included = append(v.Included, iv)
	}
	for _, c := range rep.Checks {
		v.Checks = append(v.Checks, checkView{Code: string(c.Code), Outcome: string(c.Outcome), Message: c.Message.In(lang)})
	}
	return v
}

func describeCredential(v *reportView, lang string, c *ob3.Credential) {
	if s := c.CredentialSubject; s != nil {
		if a := s.Achievement; a != nil {
			v.BadgeName = firstNonEmpty(v.BadgeName, a.Name)
			v.BadgeDescription = firstNonEmpty(v.BadgeDescription, a.Description)
			if a.Criteria != nil {
				v.Criteria = renderMarkdown(a.Criteria.Narrative)
				if v.CriteriaURL == "" {
					v.CriteriaURL = httpURL(a.Criteria.ID)
				}
			}
			if a.Image != nil && v.ImageURL == "" {
				v.ImageURL = dataImage(a.Image.ID)
			}
		}
		if v.Narrative == "" {
			v.Narrative = s.Narrative
		}
	}
	if c.AwardedDate != "" {
		if t, err := c.AwardedDate.Time(); err == nil {
			v.AwardedOn = formatDate(lang, t)
		}
	}
	if len(v.Evidence) == 0 {
		for _, e := range c.Evidence {
			v.Evidence = append(v.Evidence, evidenceView{Name: e.Name, Narrative: firstNonEmpty(e.Narrative, e.Description),
				URL: httpURL(e.ID)})
		}
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// httpURL keeps a link only when it is http(s): a credential is input
// from anyone, and a javascript: link must not reach the page.
func httpURL(s string) string {
	if u, err := url.Parse(s); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		return s
	}
	return ""
}

// dataImage keeps an image only when it is embedded as a data: URI of a
// raster type (the page's policy allows no other site's images, and an
// SVG could carry script).
func dataImage(s string) template.URL {
	for _, prefix := range []string{"data:image/png;base64,", "data:image/jpeg;base64,", "data:image/gif;base64,"} {
		if strings.HasPrefix(s, prefix) && !strings.ContainsAny(s, "\"'<> ") {
			return template.URL(s)
		}
	}
	return ""
}
