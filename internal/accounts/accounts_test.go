package accounts

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// sent is one message the recording notifier got.
type sent struct {
	kind, to, lang, link string
}

type recorder struct {
	mu   sync.Mutex
	msgs []sent
}

func (r *recorder) add(m sent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *recorder) ConfirmEmail(_ context.Context, to, lang, _, link string) error {
	return r.add(sent{"confirm", to, lang, link})
}

func (r *recorder) ResetPassword(_ context.Context, to, lang, _, link string) error {
	return r.add(sent{"reset", to, lang, link})
}

func (r *recorder) Invitation(_ context.Context, to, lang, _, _ string, _ badge.Role, link string) error {
	return r.add(sent{"invite", to, lang, link})
}

// last returns the last message of a kind and the token in its link.
func (r *recorder) last(t *testing.T, kind string) (sent, string) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.msgs) - 1; i >= 0; i-- {
		if m := r.msgs[i]; m.kind == kind {
			u, err := url.Parse(m.link)
			if err != nil {
				t.Fatal(err)
			}
			tok := u.Query().Get("token")
			if tok == "" {
				tok = u.Path[strings.LastIndex(u.Path, "/")+1:]
			}
			return m, tok
		}
	}
	t.Fatalf("no %s message", kind)
	return sent{}, ""
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T, db *store.DB) (*Service, *recorder, *clock) {
	rec := &recorder{}
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	db.SetClock(c.now)
	s, err := New(Config{DB: db, Notifier: rec, BaseURL: "https://badges.example.org/", Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return s, rec, c
}

func wantKind(t *testing.T, err error, kind badge.Kind, code string) {
	t.Helper()
	if badge.ErrorKind(err) != kind || (code != "" && badge.ErrorCode(err) != code) {
		t.Fatalf("error %v (kind %s, code %s), want kind %s code %s", err, badge.ErrorKind(err), badge.ErrorCode(err), kind, code)
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q not in PHC argon2id form with the default parameters", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		name, hash, pw string
		ok             bool
		bad            bool
	}{
		{"right", h, "correct horse battery", true, false},
		{"wrong", h, "correct horse battery!", false, false},
		{"empty", h, "", false, false},
		{"not argon2id", strings.Replace(h, "argon2id", "argon2i", 1), "correct horse battery", false, true},
		{"huge memory", strings.Replace(h, "m=19456", "m=99999999", 1), "x", false, true},
		{"truncated", h[:20], "x", false, true},
		{"bad salt", strings.Replace(h, "$v=19$m=19456,t=2,p=1$", "$v=19$m=19456,t=2,p=1$!!", 1), "x", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := CheckPassword(tc.hash, tc.pw)
			if ok != tc.ok || (err != nil) != tc.bad {
				t.Errorf("CheckPassword = %v, %v; want %v, error %v", ok, err, tc.ok, tc.bad)
			}
		})
	}
}

func TestAccounts(t *testing.T) { storetest.ForEach(t, testAccounts) }

func testAccounts(t *testing.T, db *store.DB) {
	ctx := context.Background()
	s, rec, clk := newService(t, db)

	u, err := s.SignUp(ctx, SignUp{Name: "Hélène Côté", Email: " Helene.Cote@Example.org ", Password: "un mot de passe long", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Handle != "helene-cote" {
		t.Errorf("handle %q", u.Handle)
	}
	msg, tok := rec.last(t, "confirm")
	if msg.to != "helene.cote@example.org" || msg.lang != "fr" || !strings.HasPrefix(msg.link, "https://badges.example.org/confirm?token=") {
		t.Errorf("confirmation %+v", msg)
	}

	t.Run("sign-up errors", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			in    SignUp
			kind  badge.Kind
			field string
		}{
			{"short password", SignUp{"A B", "a@example.org", "court", "fr"}, badge.Invalid, "password"},
			{"bad address", SignUp{"A B", "pas une adresse", "un mot de passe long", "fr"}, badge.Invalid, "email"},
			{"no name", SignUp{"  ", "b@example.org", "un mot de passe long", "fr"}, badge.Invalid, "name"},
			{"bad language", SignUp{"A B", "c@example.org", "un mot de passe long", "de"}, badge.Invalid, "language"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.SignUp(ctx, tc.in)
				var be *badge.Error
				if badge.ErrorKind(err) != tc.kind || !errorsAs(err, &be) || be.Field != tc.field {
					t.Errorf("error %v, want %s on %s", err, tc.kind, tc.field)
				}
			})
		}
	})

	t.Run("second account same name gets another handle", func(t *testing.T) {
		u2, err := s.SignUp(ctx, SignUp{"Hélène Côté", "autre@example.org", "un mot de passe long", "en"})
		if err != nil {
			t.Fatal(err)
		}
		if u2.Handle != "helene-cote-2" {
			t.Errorf("handle %q", u2.Handle)
		}
	})

	t.Run("confirm", func(t *testing.T) {
		got, email, err := s.Confirm(ctx, tok)
		if err != nil || got.ID != u.ID || email != "helene.cote@example.org" {
			t.Fatalf("Confirm = %v, %q, %v", got, email, err)
		}
		// One use only.
		_, _, err = s.Confirm(ctx, tok)
		wantKind(t, err, badge.NotFound, "token.invalid")
		verified, _ := db.VerifiedEmails(ctx, u.ID)
		if len(verified) != 1 || verified[0] != "helene.cote@example.org" {
			t.Errorf("verified %v", verified)
		}
		// Now nobody else can sign up with it.
		_, err = s.SignUp(ctx, SignUp{"Other", "HELENE.cote@example.org", "un mot de passe long", "fr"})
		wantKind(t, err, badge.Conflict, "email.taken")
		_, _, err = s.Confirm(ctx, "garbage")
		wantKind(t, err, badge.NotFound, "token.invalid")
	})

	t.Run("sign in", func(t *testing.T) {
		got, err := s.SignIn(ctx, "HELENE.COTE@example.org", "un mot de passe long", "192.0.2.1")
		if err != nil || got.ID != u.ID {
			t.Fatalf("SignIn = %v, %v", got, err)
		}
		_, err = s.SignIn(ctx, "helene.cote@example.org", "mauvais mot de passe", "192.0.2.1")
		wantKind(t, err, badge.Invalid, "signin.wrong")
		_, err = s.SignIn(ctx, "nobody@example.org", "un mot de passe long", "192.0.2.1")
		wantKind(t, err, badge.Invalid, "signin.wrong")
	})

	t.Run("sign-in limit", func(t *testing.T) {
		for i := 0; i < maxFailuresPerEmail; i++ {
			s.SignIn(ctx, "autre@example.org", "wrong password", "192.0.2.9")
		}
		// Even the right password is refused while limited…
		_, err := s.SignIn(ctx, "autre@example.org", "un mot de passe long", "192.0.2.10")
		wantKind(t, err, badge.Limited, "signin.limited")
		// …and accepted once the window has passed.
		clk.t = clk.t.Add(failureWindow + time.Second)
		if _, err := s.SignIn(ctx, "autre@example.org", "un mot de passe long", "192.0.2.10"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("reset", func(t *testing.T) {
		if err := s.RequestReset(ctx, "nobody@example.org"); err != nil {
			t.Fatalf("unknown address: %v (must look the same as a known one)", err)
		}
		before := len(rec.msgs)
		if err := s.RequestReset(ctx, "Helene.Cote@example.org"); err != nil {
			t.Fatal(err)
		}
		if len(rec.msgs) != before+1 {
			t.Fatal("no reset message")
		}
		_, tok := rec.last(t, "reset")
		if err := s.CheckResetToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		_, err := s.ResetPassword(ctx, tok, "court")
		wantKind(t, err, badge.Invalid, "password.too_short")
		if _, err := s.ResetPassword(ctx, tok, "un nouveau mot de passe"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResetPassword(ctx, tok, "encore un autre mot"); badge.ErrorKind(err) != badge.NotFound {
			t.Errorf("reused reset link: %v", err)
		}
		if _, err := s.SignIn(ctx, "helene.cote@example.org", "un nouveau mot de passe", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		// Expired links are refused.
		s.RequestReset(ctx, "helene.cote@example.org")
		_, tok = rec.last(t, "reset")
		clk.t = clk.t.Add(ResetTTL + time.Minute)
		_, err = s.ResetPassword(ctx, tok, "un nouveau mot de passe")
		wantKind(t, err, badge.NotFound, "token.invalid")
	})

	t.Run("second address", func(t *testing.T) {
		if err := s.AddEmail(ctx, u, "h.cote@ecole.example"); err != nil {
			t.Fatal(err)
		}
		err := s.AddEmail(ctx, u, "h.cote@ecole.example")
		wantKind(t, err, badge.Conflict, "email.taken")
		_, tok := rec.last(t, "confirm")
		if _, _, err := s.Confirm(ctx, tok); err != nil {
			t.Fatal(err)
		}
		verified, _ := db.VerifiedEmails(ctx, u.ID)
		if len(verified) != 2 {
			t.Errorf("verified %v", verified)
		}
	})

	t.Run("invitations and roles", func(t *testing.T) {
		iss := &badge.Issuer{Slug: "cssdm", Name: "Centre de services", Language: "fr", URL: "https://cssdm.example"}
		if err := db.CreateIssuer(ctx, iss); err != nil {
			t.Fatal(err)
		}
		if err := db.AddMember(ctx, &badge.Membership{IssuerID: iss.ID, UserID: u.ID, Role: badge.RoleOwner}); err != nil {
			t.Fatal(err)
		}
		invitee, err := s.SignUp(ctx, SignUp{"Marc Roy", "marc@example.org", "un mot de passe long", "en"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Require(ctx, iss.ID, invitee.ID, badge.RoleAwarder); badge.ErrorKind(err) != badge.Forbidden {
			t.Fatalf("non-member: %v", err)
		}
		if err := s.Invite(ctx, iss, u, "Marc@Example.org", badge.RoleAwarder, "en"); err != nil {
			t.Fatal(err)
		}
		_, tok := rec.last(t, "invite")
		// Someone else cannot accept an invitation sent to Marc.
		if _, err := s.AcceptInvitation(ctx, tok, u); badge.ErrorKind(err) != badge.Forbidden {
			t.Errorf("other account accepted: %v", err)
		}
		inv, err := s.AcceptInvitation(ctx, tok, invitee)
		if err != nil || inv.Role != badge.RoleAwarder || inv.Issuer.ID != iss.ID {
			t.Fatalf("AcceptInvitation = %+v, %v", inv, err)
		}
		if err := s.Require(ctx, iss.ID, invitee.ID, badge.RoleAwarder); err != nil {
			t.Error(err)
		}
		if err := s.Require(ctx, iss.ID, invitee.ID, badge.RoleEditor); badge.ErrorKind(err) != badge.Forbidden {
			t.Errorf("awarder allowed to edit: %v", err)
		}
		if err := s.Require(ctx, iss.ID, u.ID, badge.RoleEditor); err != nil {
			t.Errorf("owner refused: %v", err)
		}
		if _, err := s.AcceptInvitation(ctx, tok, invitee); badge.ErrorKind(err) != badge.NotFound {
			t.Errorf("invitation reused: %v", err)
		}
		if err := db.RemoveMember(ctx, iss.ID, u.ID); badge.ErrorKind(err) != badge.Conflict {
			t.Errorf("last owner removed: %v", err)
		}
		if err := s.Invite(ctx, iss, u, "x@example.org", "king", "en"); badge.ErrorKind(err) != badge.Invalid {
			t.Errorf("unknown role: %v", err)
		}
	})
}

func errorsAs(err error, target **badge.Error) bool {
	be, ok := err.(*badge.Error)
	if ok {
		*target = be
	}
	return ok
}
