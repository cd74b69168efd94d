// Package accounts holds people's accounts: sign-up with address
// confirmation, sign-in (argon2id, rate-limited), password reset, several
// addresses per account, and the members of organisations with their
// roles and invitations. Messages go out through a Notifier, which the
// server wires to the durable mail queue.
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/sceau/sceau/internal/ratelimit"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
)

// Token lifetimes: a confirmation link may wait in an inbox for days; a
// reset link is a key to the account and lives one hour.
const (
	ConfirmTTL    = 7 * 24 * time.Hour
	ResetTTL      = time.Hour
	InvitationTTL = 14 * 24 * time.Hour
)

// Sign-in limits: per address and per client address, in a sliding
// window. Ten guesses per quarter hour per account is plenty for a person
// who mistypes and useless to a guesser.
const (
	maxFailuresPerEmail = 10
	maxFailuresPerIP    = 50
	failureWindow       = 15 * time.Minute
	maxLimiterKeys      = 100_000
)

// Notifier sends the messages accounts need. Links are absolute URLs
// carrying a one-time token; implementations must never log them.
type Notifier interface {
	ConfirmEmail(ctx context.Context, to, lang, name, link string) error
	ResetPassword(ctx context.Context, to, lang, name, link string) error
	Invitation(ctx context.Context, to, lang, orgName, inviterName string, role badge.Role, link string) error
}

// Service is the accounts service.
type Service struct {
	db      *store.DB
	notify  Notifier
	baseURL string
	now     func() time.Time
	rand    io.Reader
	byEmail *ratelimit.Window
	byIP    *ratelimit.Window
	// dummyHash is checked against when an address is unknown, so that
	// sign-in takes as long whether or not the account exists.
	dummyHash string
}

// Config is what New needs; DB, Notifier and BaseURL are required.
type Config struct {
	DB       *store.DB
	Notifier Notifier
	BaseURL  string
	Now      func() time.Time
	Rand     io.Reader
}

// New returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Notifier == nil || cfg.BaseURL == "" {
		return nil, errors.New("accounts: DB, Notifier and BaseURL are required")
	}
	s := &Service{db: cfg.DB, notify: cfg.Notifier, baseURL: strings.TrimRight(cfg.BaseURL, "/"), now: cfg.Now, rand: cfg.Rand,
		byEmail: ratelimit.New(maxFailuresPerEmail, failureWindow, maxLimiterKeys),
		byIP:    ratelimit.New(maxFailuresPerIP, failureWindow, maxLimiterKeys)}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	h, err := HashPassword("not a password of anyone")
	if err != nil {
		return nil, err
	}
	s.dummyHash = h
	return s, nil
}

// SignUp is what the sign-up form holds.
type SignUp struct {
	Name, Email, Password, Language string
}

// SignUp creates an account with an unverified address and e-mails a
// confirmation link. The handle is made from the name, with a number
// added when taken.
func (s *Service) SignUp(ctx context.Context, in SignUp) (*badge.User, error) {
	if err := badge.CheckEmail("email", in.Email); err != nil {
		return nil, err
	}
	if err := badge.CheckPassword("password", in.Password); err != nil {
		return nil, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return nil, badge.Internalf(err, "hash password")
	}
	u := &badge.User{Name: strings.TrimSpace(in.Name), Language: in.Language, PasswordHash: hash}
	if u.Handle, err = s.freeHandle(ctx, u.Name); err != nil {
		return nil, err
	}
	if err := s.db.CreateUser(ctx, u, in.Email); err != nil {
		return nil, err
	}
	if err := s.SendConfirmation(ctx, u, in.Email); err != nil {
		return nil, err
	}
	return u, nil
}

// freeHandle finds an unused handle for a name: the name's slug, then the
// slug with -2, -3…
func (s *Service) freeHandle(ctx context.Context, name string) (string, error) {
	base := badge.Slugify(name)
	if len(base) < badge.MinHandleLen {
		base = "membre"
	}
	for n := 1; n < 1000; n++ {
		h := base
		if n > 1 {
			h = base + "-" + strconv.Itoa(n)
		}
		taken, err := s.db.HandleTaken(ctx, h)
		if err != nil {
			return "", err
		}
		if !taken {
			return h, nil
		}
	}
	return "", badge.Conflictf("name", "user.handle_exhausted", "no free handle for this name")
}

// newToken stores a token of the kind and returns its secret, which only
// the e-mail carries.
func (s *Service) newToken(ctx context.Context, kind badge.TokenKind, userID, email string, data any, ttl time.Duration) (string, error) {
	secret, err := badge.NewSecret(s.rand)
	if err != nil {
		return "", badge.Internalf(err, "new token")
	}
	t := &badge.Token{Hash: badge.HashSecret(secret), Kind: kind, UserID: userID, Email: email, ExpiresAt: s.now().Add(ttl)}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return "", badge.Internalf(err, "encode token data")
		}
		t.Data = string(b)
	}
	if err := s.db.CreateToken(ctx, t); err != nil {
		return "", err
	}
	return secret, nil
}

// validSecret bounds what we hash: secrets are 43 URL-safe characters.
func validSecret(secret string) bool {
	if len(secret) < 20 || len(secret) > 100 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(secret)
	return err == nil
}

var errLinkInvalid = badge.NotFoundf("token.invalid", "this link is invalid, was already used or has expired")

// SendConfirmation e-mails a confirmation link for one of the user's
// addresses.
func (s *Service) SendConfirmation(ctx context.Context, u *badge.User, email string) error {
	email = badge.NormalizeEmail(email)
	secret, err := s.newToken(ctx, badge.TokenConfirmEmail, u.ID, email, nil, ConfirmTTL)
	if err != nil {
		return err
	}
	link := s.baseURL + "/confirm?token=" + url.QueryEscape(secret)
	return s.notify.ConfirmEmail(ctx, email, u.Language, u.Name, link)
}

// Confirm verifies the address the token was sent to and returns its
// account.
func (s *Service) Confirm(ctx context.Context, secret string) (*badge.User, string, error) {
	if !validSecret(secret) {
		return nil, "", errLinkInvalid
	}
	t, err := s.db.UseToken(ctx, badge.TokenConfirmEmail, badge.HashSecret(secret))
	if badge.IsNotFound(err) {
		return nil, "", errLinkInvalid
	}
	if err != nil {
		return nil, "", err
	}
	if err := s.db.VerifyEmail(ctx, t.UserID, t.Email); err != nil {
		return nil, "", err
	}
	u, err := s.db.GetUser(ctx, t.UserID)
	return u, t.Email, err
}

// SignIn checks an address and password. Wrong ones get one message
// whatever was wrong, so that the form does not tell which addresses have
// accounts; too many failures get a Limited error.
func (s *Service) SignIn(ctx context.Context, email, password, clientIP string) (*badge.User, error) {
	email = badge.NormalizeEmail(email)
	now := s.now()
	if s.byEmail.Blocked(email, now) || s.byIP.Blocked(clientIP, now) {
		return nil, badge.Limitedf("signin.limited", "too many failed sign-ins; wait a quarter of an hour")
	}
	wrong := badge.Invalidf("password", "signin.wrong", "wrong e-mail address or password")
	if len(password) > badge.MaxPasswordLen*4 || email == "" {
		return nil, wrong
	}
	u, err := s.db.GetUserByEmail(ctx, email)
	hash := s.dummyHash
	if err == nil {
		hash = u.PasswordHash
	} else if !badge.IsNotFound(err) {
		return nil, err
	}
	ok, cerr := CheckPassword(hash, password)
	if cerr != nil {
		return nil, badge.Internalf(cerr, "check password")
	}
	if err != nil || !ok {
		s.byEmail.Hit(email, now)
		s.byIP.Hit(clientIP, now)
		return nil, wrong
	}
	s.byEmail.Reset(email)
	return u, nil
}

// RequestReset e-mails a reset link when the address belongs to an
// account, and says nothing either way (no account enumeration).
func (s *Service) RequestReset(ctx context.Context, email string) error {
	if err := badge.CheckEmail("email", email); err != nil {
		return err
	}
	email = badge.NormalizeEmail(email)
	u, err := s.db.GetUserByEmail(ctx, email)
	if badge.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	secret, err := s.newToken(ctx, badge.TokenResetPassword, u.ID, email, nil, ResetTTL)
	if err != nil {
		return err
	}
	return s.notify.ResetPassword(ctx, email, u.Language, u.Name, s.baseURL+"/reset/"+url.PathEscape(secret))
}

// CheckResetToken reports whether a reset link is still valid, so the
// form is shown only for one that is.
func (s *Service) CheckResetToken(ctx context.Context, secret string) error {
	if !validSecret(secret) {
		return errLinkInvalid
	}
	if _, err := s.db.PeekToken(ctx, badge.TokenResetPassword, badge.HashSecret(secret)); err != nil {
		return errLinkInvalid
	}
	return nil
}

// ResetPassword sets a new password with a reset link. Following the link
// proves the address too, so it is marked verified.
func (s *Service) ResetPassword(ctx context.Context, secret, password string) (*badge.User, error) {
	if err := badge.CheckPassword("password", password); err != nil {
		return nil, err
	}
	if !validSecret(secret) {
		return nil, errLinkInvalid
	}
	t, err := s.db.UseToken(ctx, badge.TokenResetPassword, badge.HashSecret(secret))
	if err != nil {
		return nil, errLinkInvalid
	}
	u, err := s.db.GetUser(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if u.PasswordHash, err = HashPassword(password); err != nil {
		return nil, badge.Internalf(err, "hash password")
	}
	if err := s.db.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	if err := s.db.VerifyEmail(ctx, u.ID, t.Email); err != nil && badge.ErrorKind(err) != badge.Conflict {
		return nil, err
	}
	s.byEmail.Reset(t.Email)
	return u, nil
}

// AddEmail adds an address to the account and e-mails its confirmation.
func (s *Service) AddEmail(ctx context.Context, u *badge.User, email string) error {
	if err := s.db.AddEmail(ctx, u.ID, email); err != nil {
		return err
	}
	return s.SendConfirmation(ctx, u, email)
}

// invitation is what an invitation token carries.
type invitation struct {
	IssuerID string     `json:"issuer"`
	Role     badge.Role `json:"role"`
	By       string     `json:"by"`
}

// Invite e-mails an invitation to join the organisation with a role.
func (s *Service) Invite(ctx context.Context, iss *badge.Issuer, inviter *badge.User, email string, role badge.Role, lang string) error {
	if err := badge.CheckEmail("email", email); err != nil {
		return err
	}
	if !role.Valid() {
		return badge.Invalidf("role", "member.role_invalid", "unknown role %q", role)
	}
	email = badge.NormalizeEmail(email)
	secret, err := s.newToken(ctx, badge.TokenInvitation, "", email, invitation{IssuerID: iss.ID, Role: role, By: inviter.ID}, InvitationTTL)
	if err != nil {
		return err
	}
	return s.notify.Invitation(ctx, email, lang, iss.Name, inviter.Name, role, s.baseURL+"/invitations/"+url.PathEscape(secret))
}

// Invitation is a pending invitation as its page shows it.
type Invitation struct {
	Issuer *badge.Issuer
	Role   badge.Role
	Email  string
}

// PeekInvitation reads a valid invitation without accepting it.
func (s *Service) PeekInvitation(ctx context.Context, secret string) (*Invitation, error) {
	if !validSecret(secret) {
		return nil, errLinkInvalid
	}
	t, err := s.db.PeekToken(ctx, badge.TokenInvitation, badge.HashSecret(secret))
	if err != nil {
		return nil, errLinkInvalid
	}
	return s.invitationOf(ctx, t)
}

func (s *Service) invitationOf(ctx context.Context, t *badge.Token) (*Invitation, error) {
	var inv invitation
	if err := json.Unmarshal([]byte(t.Data), &inv); err != nil {
		return nil, badge.Internalf(err, "decode invitation")
	}
	iss, err := s.db.GetIssuer(ctx, inv.IssuerID)
	if err != nil {
		return nil, err
	}
	return &Invitation{Issuer: iss, Role: inv.Role, Email: t.Email}, nil
}

// AcceptInvitation makes the signed-in user a member with the invited
// role. The invitation is for one address: the account must hold it (an
// invitation forwarded to someone else is refused). Accepting proves the
// address, so an unverified one becomes verified.
func (s *Service) AcceptInvitation(ctx context.Context, secret string, u *badge.User) (*Invitation, error) {
	inv, err := s.PeekInvitation(ctx, secret)
	if err != nil {
		return nil, err
	}
	emails, err := s.db.ListEmails(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	holds := false
	for _, e := range emails {
		holds = holds || e.Address == inv.Email
	}
	if !holds {
		return nil, badge.Forbiddenf("invitation.other_address", "this invitation was sent to another address")
	}
	t, err := s.db.UseToken(ctx, badge.TokenInvitation, badge.HashSecret(secret))
	if err != nil {
		return nil, errLinkInvalid
	}
	if err := s.db.VerifyEmail(ctx, u.ID, t.Email); err != nil && badge.ErrorKind(err) != badge.Conflict {
		return nil, err
	}
	if err := s.db.AddMember(ctx, &badge.Membership{IssuerID: inv.Issuer.ID, UserID: u.ID, Role: inv.Role}); err != nil {
		return nil, err
	}
	return inv, nil
}

// Role returns the user's role in the organisation, or a Forbidden error
// that does not say whether the organisation exists.
func (s *Service) Role(ctx context.Context, issuerID, userID string) (badge.Role, error) {
	m, err := s.db.GetMembership(ctx, issuerID, userID)
	if badge.IsNotFound(err) {
		return "", badge.Forbiddenf("workspace.not_member", "not a member of this organisation")
	}
	if err != nil {
		return "", err
	}
	return m.Role, nil
}

// Require returns nil when the user's role in the organisation allows
// need, else a Forbidden error.
func (s *Service) Require(ctx context.Context, issuerID, userID string, need badge.Role) error {
	role, err := s.Role(ctx, issuerID, userID)
	if err != nil {
		return err
	}
	if !role.Allows(need) {
		return badge.Forbiddenf("workspace.role", "the role %s does not allow this (needs %s)", role, need)
	}
	return nil
}

// String is for logs: never the secret.
func (i *Invitation) String() string {
	return fmt.Sprintf("invitation to %s as %s", i.Issuer.Slug, i.Role)
}
