package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/webhooks"
)

// API tokens and webhooks of an organisation, for its owners: a token or
// a webhook secret is shown once, in the answer to the form that created
// it, and never again (only a token's first characters are listed).

// tokenRow is one token in the list.
type tokenRow struct {
	ID, Name, Prefix string
	Scopes           []string
	Created          string
	LastUsed         string // "" when never used
	Revoked          string // "" when active
}

// apiTokensView is the API tokens page.
type apiTokensView struct {
	Org      *orgContext
	Tokens   []tokenRow
	Scopes   []string
	NewToken string // the token just created, shown once
	Checked  map[string]bool
}

// checked lists the boxes of a form field that are ticked.
func checked(f *form, field string) map[string]bool {
	m := map[string]bool{}
	for _, v := range f.Values[field] {
		m[v] = true
	}
	return m
}

func shortTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func (s *server) apiTokens(w http.ResponseWriter, r *http.Request) error {
	return s.apiTokensPage(w, r, newForm(url.Values{"scopes": store.Scopes}), "")
}

func (s *server) apiTokensPage(w http.ResponseWriter, r *http.Request, f *form, newToken string) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	list, err := s.db.ListAPITokens(r.Context(), o.Issuer.ID)
	if err != nil {
		return err
	}
	v := apiTokensView{Org: o, Scopes: store.Scopes, NewToken: newToken, Checked: checked(f, "scopes")}
	for _, t := range list {
		row := tokenRow{ID: t.ID, Name: t.Name, Prefix: t.Prefix + "…", Scopes: t.Scopes, Created: shortTime(t.CreatedAt)}
		if t.LastUsedAt != nil {
			row.LastUsed = shortTime(*t.LastUsedAt)
		}
		if t.RevokedAt != nil {
			row.Revoked = shortTime(*t.RevokedAt)
		}
		v.Tokens = append(v.Tokens, row)
	}
	return s.render(w, r, formStatus(f), "api_tokens", s.newPage(r, f, v))
}

// createAPIToken makes a token and shows it, once.
func (s *server) createAPIToken(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	token, prefix, err := store.NewAPITokenSecret(nil)
	if err != nil {
		return badge.Internalf(err, "new API token")
	}
	t := &store.APIToken{IssuerID: o.Issuer.ID, Name: v.Get("name"), Prefix: prefix, Hash: badge.HashSecret(token),
		Scopes: v["scopes"], CreatedBy: o.User.ID}
	if err := s.db.CreateAPIToken(r.Context(), t); err != nil {
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
		return s.apiTokensPage(w, r, f, "")
	}
	// A fresh form: the name typed is not kept for the next token.
	return s.apiTokensPage(w, r, newForm(url.Values{"scopes": store.Scopes}), token)
}

func (s *server) revokeAPIToken(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !badge.ValidID(id) {
		return badge.NotFoundf("api_token.not_found", "API token not found")
	}
	if err := s.db.RevokeAPIToken(r.Context(), o.Issuer.ID, id); err != nil {
		return err
	}
	s.flash(r, "flash.token_revoked")
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/api-tokens")
}

// webhookRow is one webhook in the list.
type webhookRow struct {
	ID, URL      string
	Events       []string
	Created      string
	LastDelivery string // "" before the first
	LastStatus   int
	LastError    string
}

// webhooksView is the webhooks page.
type webhooksView struct {
	Org       *orgContext
	Hooks     []webhookRow
	Events    []string
	NewSecret string // the secret of the webhook just added, shown once
	NewURL    string
	Checked   map[string]bool
}

func (s *server) webhooks(w http.ResponseWriter, r *http.Request) error {
	return s.webhooksPage(w, r, newForm(url.Values{"events": store.WebhookEvents}), nil)
}

func (s *server) webhooksPage(w http.ResponseWriter, r *http.Request, f *form, created *store.Webhook) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	list, err := s.db.ListWebhooks(r.Context(), o.Issuer.ID)
	if err != nil {
		return err
	}
	v := webhooksView{Org: o, Events: store.WebhookEvents, Checked: checked(f, "events")}
	if created != nil {
		v.NewSecret, v.NewURL = created.Secret, created.URL
	}
	for _, h := range list {
		row := webhookRow{ID: h.ID, URL: h.URL, Events: h.Events, Created: shortTime(h.CreatedAt), LastStatus: h.LastStatus, LastError: h.LastError}
		if h.LastDeliveryAt != nil {
			row.LastDelivery = shortTime(*h.LastDeliveryAt)
			if h.LastStatus != 0 && row.LastError == "" {
				row.LastError = "HTTP " + strconv.Itoa(h.LastStatus)
			}
		}
		v.Hooks = append(v.Hooks, row)
	}
	return s.render(w, r, formStatus(f), "webhooks", s.newPage(r, f, v))
}

// createWebhook registers an endpoint and shows its secret, once. Only
// https endpoints on public addresses are accepted here: the server's
// fetch allow-list is not known to the web layer (see webhooks.CheckURL).
func (s *server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	lang := locale.Negotiate(r)
	if err := webhooks.CheckURL(v.Get("url"), nil); err != nil {
		if err := f.fail(lang, err); err != nil {
			return err
		}
		return s.webhooksPage(w, r, f, nil)
	}
	secret, err := webhooks.NewSecret(nil)
	if err != nil {
		return badge.Internalf(err, "new webhook secret")
	}
	h := &store.Webhook{IssuerID: o.Issuer.ID, URL: v.Get("url"), Secret: secret, Events: v["events"], CreatedBy: o.User.ID}
	if err := s.db.CreateWebhook(r.Context(), h); err != nil {
		if err := f.fail(lang, err); err != nil {
			return err
		}
		return s.webhooksPage(w, r, f, nil)
	}
	return s.webhooksPage(w, r, newForm(url.Values{"events": store.WebhookEvents}), h)
}

func (s *server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !badge.ValidID(id) {
		return badge.NotFoundf("webhook.not_found", "webhook not found")
	}
	if err := s.db.DeleteWebhook(r.Context(), o.Issuer.ID, id); err != nil {
		return err
	}
	s.flash(r, "flash.webhook_deleted")
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/webhooks")
}
