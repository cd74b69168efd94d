package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/sceau/sceau/internal/oauth"
)

// The OAuth 2.0 authorization endpoint of the Open Badges 3.0 API
// (/oauth/authorize): an application (a wallet, another platform) sends
// the recipient here; once signed in, they see which application asks
// for what, in their language, and allow or deny. The answer goes back to
// the application's registered redirect URI. The other OAuth endpoints
// are JSON and live in internal/api.

// consentView is what the consent page shows.
type consentView struct {
	Error        string // a request that cannot be answered by redirect
	ClientName   string
	ClientURI    string
	LogoURI      string
	PolicyURI    string
	TOSURI       string
	Scopes       []scopeView
	RedirectHost string
	Hidden       url.Values // the request, posted back with the decision
}

type scopeView struct {
	URI string
	Key string // translation key
}

// oauthServer is the authorization server over the database; it holds no
// state, so one per request costs nothing.
func (s *server) oauthServer() *oauth.Server {
	return oauth.New(s.db, oauth.Options{Now: s.now})
}

// oauthAuthorize is GET /oauth/authorize: the request is checked first
// (a bad one never bounces through the sign-in page), then the signed-in
// user sees the consent page.
func (s *server) oauthAuthorize(w http.ResponseWriter, r *http.Request) error {
	req, err := s.oauthServer().Authorize(r.Context(), r.URL.Query())
	if err != nil {
		return s.oauthRefusal(w, r, err)
	}
	if _, err := signedIn(r); err != nil {
		return err
	}
	c := req.Client
	v := consentView{ClientName: c.Name, ClientURI: c.ClientURI, LogoURI: c.LogoURI, PolicyURI: c.PolicyURI, TOSURI: c.TOSURI,
		Hidden: req.Values()}
	if u, err := url.Parse(req.RedirectURI); err == nil {
		v.RedirectHost = u.Host
		// The decision's redirect leaves this site: the page's own policy
		// must let the form post lead there, and show the client's logo.
		csp := "default-src 'self'; img-src 'self' data:" + originOf(c.LogoURI) + "; object-src 'none'; base-uri 'none'; " +
			"frame-ancestors 'none'; form-action 'self' " + u.Scheme + "://" + u.Host
		w.Header().Set("Content-Security-Policy", csp)
	}
	for _, sc := range req.Scope {
		v.Scopes = append(v.Scopes, scopeView{URI: sc, Key: "oauth.scope." + oauth.ScopeName(sc)})
	}
	return s.render(w, r, http.StatusOK, "oauth_consent", s.newPage(r, nil, v))
}

// originOf is " scheme://host" of an absolute URL, "" otherwise.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || strings.ContainsAny(u.Host, "; '") {
		return ""
	}
	return " " + u.Scheme + "://" + u.Host
}

// oauthDecide is POST /oauth/authorize: the request comes back from the
// consent form, is checked again, and the decision sends the browser to
// the client with a code or with access_denied.
func (s *server) oauthDecide(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return s.oauthRefusal(w, r, &oauth.Error{Status: http.StatusBadRequest, Code: "invalid_request", Description: "unreadable form"})
	}
	params := url.Values{}
	for k, vs := range r.PostForm {
		if k != "decision" {
			params[k] = vs
		}
	}
	o := s.oauthServer()
	req, err := o.Authorize(r.Context(), params)
	if err != nil {
		return s.oauthRefusal(w, r, err)
	}
	if r.PostForm.Get("decision") != "approve" {
		return redirect(w, r, req.DenyURL())
	}
	to, err := o.Approve(r.Context(), req, u.ID)
	if err != nil {
		return err
	}
	return redirect(w, r, to)
}

// oauthRefusal answers a request that cannot be granted: back to the
// client when its redirect URI can be trusted, else a page saying why.
func (s *server) oauthRefusal(w http.ResponseWriter, r *http.Request, err error) error {
	var re *oauth.RedirectError
	if errors.As(err, &re) {
		http.Redirect(w, r, re.URL, http.StatusFound)
		return nil
	}
	var oe *oauth.Error
	if !errors.As(err, &oe) {
		return err
	}
	s.log.Info("OAuth authorization refused", "error", oe.Code, "description", oe.Description)
	return s.render(w, r, http.StatusBadRequest, "oauth_consent", s.newPage(r, nil, consentView{Error: oe.Description}))
}
