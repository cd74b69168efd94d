package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/locale"
)

// The application pages (sign-in, workspace, catalogue…) share one layout
// (templates/layout.html) and a session. Public badge documents do not
// load the session: they are the same for everyone and cached.

// parseAppPages parses every template under templates/app/ with the
// layout, named by its file name without .html. A page a handler renders
// but that does not exist fails that handler's tests (render returns an
// Internal error); a template that does not parse fails start-up.
func (s *server) parseAppPages() error {
	names, err := fs.Glob(templateFS, "templates/app/*.html")
	if err != nil {
		return fmt.Errorf("web: list templates: %w", err)
	}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".html")
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", file)
		if err != nil {
			return fmt.Errorf("web: parse template app/%s: %w", name, err)
		}
		s.app[name] = t
	}
	return nil
}

// newSessions configures the session cookie: HttpOnly, SameSite=Lax
// (a link from an e-mail must arrive signed in), Secure when the server
// is reached over HTTPS.
func newSessions(st scs.Store, baseURL string) *scs.SessionManager {
	sm := scs.New()
	sm.Store = st
	sm.Lifetime = 30 * 24 * time.Hour
	sm.IdleTimeout = 7 * 24 * time.Hour
	sm.Cookie.Name = "sceau_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = strings.HasPrefix(baseURL, "https://")
	sm.Cookie.Path = "/"
	return sm
}

const sessionUserKey = "user_id"

type ctxKey int

const userKey ctxKey = 0

// withUser loads the signed-in user, if any, into the request context.
func (s *server) withUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.sessions.GetString(r.Context(), sessionUserKey)
		if id != "" {
			u, err := s.db.GetUser(r.Context(), id)
			if err == nil {
				r = r.WithContext(context.WithValue(r.Context(), userKey, u))
			} else if badge.IsNotFound(err) {
				s.sessions.Remove(r.Context(), sessionUserKey)
			} else {
				s.log.Error("load session user", "err", err)
			}
		}
		// A ?lang= choice is remembered for the next pages.
		if l := r.URL.Query().Get("lang"); locale.Supported(l) {
			http.SetCookie(w, &http.Cookie{Name: locale.CookieName, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				SameSite: http.SameSiteLaxMode, HttpOnly: true, Secure: strings.HasPrefix(s.baseURL, "https://")})
		}
		next.ServeHTTP(w, r)
	})
}

// userOf returns the signed-in user, or nil.
func userOf(r *http.Request) *badge.User {
	u, _ := r.Context().Value(userKey).(*badge.User)
	return u
}

// signedIn returns the user or an Unauthorized error, which the app's
// error adapter turns into a redirect to the sign-in page.
func signedIn(r *http.Request) (*badge.User, error) {
	if u := userOf(r); u != nil {
		return u, nil
	}
	return nil, badge.Unauthorizedf("signin.required", "sign in first")
}

// signIn starts a session for u with a fresh token (no session fixation).
func (s *server) signIn(ctx context.Context, u *badge.User) error {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return badge.Internalf(err, "renew session")
	}
	s.sessions.Put(ctx, sessionUserKey, u.ID)
	return nil
}

// page is what every application template gets.
type page struct {
	Lang, OtherLang string
	User            *badge.User
	// SwitchURL is the current page in the other language.
	SwitchURL string
	// Path is the current page's path (a "next" after signing in).
	Path  string
	Flash string
	Form  *form
	Data  any
}

// form carries what the user typed and the errors found, field by field,
// so a refused form comes back filled in with each message by its field.
type form struct {
	Values url.Values
	Errors map[string]string
	// Error is a message about the whole form.
	Error string
}

func newForm(v url.Values) *form {
	if v == nil {
		v = url.Values{}
	}
	return &form{Values: v, Errors: map[string]string{}}
}

// Get returns a field's value.
func (f *form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Err returns a field's error message.
func (f *form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// HasErrors reports whether anything was refused.
func (f *form) HasErrors() bool { return f != nil && (len(f.Errors) > 0 || f.Error != "") }

// fail records err on the form in lang: by its field when it names one,
// else as the form's message. Errors that are not the user's (internal)
// are returned for the adapter to render.
func (f *form) fail(lang string, err error) error {
	var be *badge.Error
	if !errors.As(err, &be) || be.Kind == badge.Internal {
		return err
	}
	msg := errorText(lang, be)
	if be.Field != "" {
		f.Errors[be.Field] = msg
	} else {
		f.Error = msg
	}
	return nil
}

// errorText is the translated message of a user error: the catalogue's
// "error.<code>" when it has one, else the domain's (English) message.
func errorText(lang string, be *badge.Error) string {
	if be.Code != "" {
		if msg, ok := locale.Lookup(lang, "error."+be.Code); ok {
			return msg
		}
	}
	if be.Message != "" {
		return be.Message
	}
	return locale.T(lang, "error."+be.Kind.String())
}

// newPage fills the common part of a page.
func (s *server) newPage(r *http.Request, f *form, data any) *page {
	lang := locale.Negotiate(r)
	p := &page{Lang: lang, OtherLang: "en", User: userOf(r), Form: f, Data: data, Path: r.URL.Path}
	if lang == "en" {
		p.OtherLang = "fr"
	}
	q := r.URL.Query()
	q.Set("lang", p.OtherLang)
	p.SwitchURL = r.URL.Path + "?" + q.Encode()
	if s.sessions != nil {
		p.Flash = s.sessions.PopString(r.Context(), "flash")
	}
	return p
}

// render writes an application page with the status. The page is built
// in a buffer first, so a template error is a clean error page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) error {
	body, err := s.renderBody(name, p)
	if err != nil {
		return err
	}
	return writePage(w, status, p.Lang, body)
}

// renderBody executes an application page into bytes.
func (s *server) renderBody(name string, p *page) ([]byte, error) {
	t, ok := s.app[name]
	if !ok {
		return nil, badge.Internalf(errors.New("no such template"), "render %s", name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		return nil, badge.Internalf(err, "render %s", name)
	}
	return buf.Bytes(), nil
}

// writePage writes a rendered application page.
func writePage(w http.ResponseWriter, status int, lang string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	// Pages with a user or a form are private to one browser.
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// formStatus is the status of a page showing a refused form.
func formStatus(f *form) int {
	if f.HasErrors() {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// flash leaves a message for the next page the user sees.
func (s *server) flash(r *http.Request, key string, args ...any) {
	s.sessions.Put(r.Context(), "flash", locale.T(locale.Negotiate(r), key, args...))
}

// redirect answers a form post with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// localPath accepts only a path on this site as a redirect target (the
// "next" of the sign-in form), so the form cannot send users elsewhere.
func localPath(s string) string {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") || strings.ContainsAny(s, "\r\n") {
		return ""
	}
	return s
}
