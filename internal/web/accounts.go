package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/sceau/sceau/internal/accounts"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/httpx"
	"github.com/sceau/sceau/internal/locale"
)

// parseForm reads a posted form (URL-encoded; bounded by LimitBody).
func parseForm(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		return nil, badge.Invalidf("", "form.unreadable", "the form could not be read")
	}
	return r.PostForm, nil
}

func (s *server) home(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "home", s.newPage(r, nil, nil))
}

func (s *server) signupForm(w http.ResponseWriter, r *http.Request) error {
	f := newForm(url.Values{"next": {localPath(r.URL.Query().Get("next"))}})
	return s.render(w, r, http.StatusOK, "signup", s.newPage(r, f, nil))
}

func (s *server) signup(w http.ResponseWriter, r *http.Request) error {
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	f := newForm(v)
	in := accounts.SignUp{Name: v.Get("name"), Email: v.Get("email"), Password: v.Get("password"), Language: lang}
	if v.Get("password") != v.Get("password2") {
		f.Errors["password2"] = locale.T(lang, "error.password.mismatch")
	}
	if !f.HasErrors() {
		u, err := s.accounts.SignUp(r.Context(), in)
		if err == nil {
			if err := s.signIn(r.Context(), u); err != nil {
				return err
			}
			return redirect(w, r, "/check-email?next="+url.QueryEscape(localPath(v.Get("next"))))
		}
		if err := f.fail(lang, err); err != nil {
			return err
		}
	}
	f.Values.Del("password")
	f.Values.Del("password2")
	return s.render(w, r, formStatus(f), "signup", s.newPage(r, f, nil))
}

func (s *server) checkEmail(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "check_email", s.newPage(r, nil, localPath(r.URL.Query().Get("next"))))
}

// confirm follows the link of a confirmation e-mail. The link works in
// any browser: confirming does not need a session; it starts one, since
// following the link proves the address.
func (s *server) confirm(w http.ResponseWriter, r *http.Request) error {
	u, email, err := s.accounts.Confirm(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		return err
	}
	if cur := userOf(r); cur == nil || cur.ID != u.ID {
		if err := s.signIn(r.Context(), u); err != nil {
			return err
		}
	}
	s.flash(r, "flash.email_confirmed", email)
	return redirect(w, r, "/workspace")
}

func (s *server) signinForm(w http.ResponseWriter, r *http.Request) error {
	f := newForm(url.Values{"next": {localPath(r.URL.Query().Get("next"))}})
	return s.render(w, r, http.StatusOK, "signin", s.newPage(r, f, nil))
}

func (s *server) signin(w http.ResponseWriter, r *http.Request) error {
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	f := newForm(v)
	u, err := s.accounts.SignIn(r.Context(), v.Get("email"), v.Get("password"), httpx.ClientIP(r))
	if err == nil {
		if err := s.signIn(r.Context(), u); err != nil {
			return err
		}
		next := localPath(v.Get("next"))
		if next == "" {
			next = "/workspace"
		}
		return redirect(w, r, next)
	}
	status := http.StatusUnprocessableEntity
	if badge.ErrorKind(err) == badge.Limited {
		status = http.StatusTooManyRequests
	}
	if err := f.fail(lang, err); err != nil {
		return err
	}
	f.Values.Del("password")
	return s.render(w, r, status, "signin", s.newPage(r, f, nil))
}

func (s *server) signout(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return badge.Internalf(err, "end session")
	}
	return redirect(w, r, "/")
}

func (s *server) resetRequestForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "reset_request", s.newPage(r, newForm(nil), nil))
}

// resetRequest says the same thing whether or not the address has an
// account.
func (s *server) resetRequest(w http.ResponseWriter, r *http.Request) error {
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	if err := s.accounts.RequestReset(r.Context(), v.Get("email")); err != nil {
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
		return s.render(w, r, formStatus(f), "reset_request", s.newPage(r, f, nil))
	}
	return s.render(w, r, http.StatusOK, "reset_request", s.newPage(r, f, "sent"))
}

func (s *server) resetForm(w http.ResponseWriter, r *http.Request) error {
	if err := s.accounts.CheckResetToken(r.Context(), r.PathValue("token")); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "reset", s.newPage(r, newForm(nil), nil))
}

func (s *server) reset(w http.ResponseWriter, r *http.Request) error {
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	f := newForm(nil)
	if v.Get("password") != v.Get("password2") {
		f.Errors["password2"] = locale.T(lang, "error.password.mismatch")
		return s.render(w, r, formStatus(f), "reset", s.newPage(r, f, nil))
	}
	u, err := s.accounts.ResetPassword(r.Context(), r.PathValue("token"), v.Get("password"))
	if err != nil {
		if badge.ErrorKind(err) == badge.NotFound {
			return err
		}
		if err := f.fail(lang, err); err != nil {
			return err
		}
		return s.render(w, r, formStatus(f), "reset", s.newPage(r, f, nil))
	}
	if err := s.signIn(r.Context(), u); err != nil {
		return err
	}
	s.flash(r, "flash.password_changed")
	return redirect(w, r, "/workspace")
}

// accountView is the account page.
type accountView struct {
	Emails []*badge.Email
}

func (s *server) account(w http.ResponseWriter, r *http.Request) error {
	return s.accountPage(w, r, newForm(nil))
}

func (s *server) accountPage(w http.ResponseWriter, r *http.Request, f *form) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	emails, err := s.db.ListEmails(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, formStatus(f), "account", s.newPage(r, f, accountView{Emails: emails}))
}

func (s *server) addEmail(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	if err := s.accounts.AddEmail(r.Context(), u, v.Get("email")); err != nil {
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
		return s.accountPage(w, r, f)
	}
	s.flash(r, "flash.email_sent", badge.NormalizeEmail(v.Get("email")))
	return redirect(w, r, "/account")
}

// resendConfirmation sends a new link for one of the user's unverified
// addresses.
func (s *server) resendConfirmation(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	email := badge.NormalizeEmail(v.Get("email"))
	emails, err := s.db.ListEmails(r.Context(), u.ID)
	if err != nil {
		return err
	}
	for _, e := range emails {
		if e.Address == email && !e.Verified() {
			if err := s.accounts.SendConfirmation(r.Context(), u, email); err != nil {
				return err
			}
			s.flash(r, "flash.email_sent", email)
			return redirect(w, r, "/account")
		}
	}
	return badge.NotFoundf("email.not_found", "no unverified address %q on this account", email)
}

// invitationPage shows an invitation; accepting it needs an account
// holding the invited address.
func (s *server) invitationPage(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.accounts.PeekInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "invitation", s.newPage(r, newForm(nil), inv))
}

func (s *server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	inv, err := s.accounts.AcceptInvitation(r.Context(), r.PathValue("token"), u)
	if err != nil {
		return err
	}
	s.flash(r, "flash.joined", inv.Issuer.Name)
	return redirect(w, r, "/workspace/"+inv.Issuer.Slug)
}

// signinRedirect is where an unauthenticated request for a page goes.
func signinRedirect(r *http.Request) string {
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	if r.Method != http.MethodGet || strings.HasPrefix(next, "/signin") {
		next = ""
	}
	return "/signin?next=" + url.QueryEscape(next)
}
