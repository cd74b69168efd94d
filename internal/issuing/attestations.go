package issuing

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
)

// Attestations of development activities. A teacher asks a mentor or a
// pedagogical counsellor, by e-mail, to attest an activity; the attester
// has no account here, so the e-mailed one-time link is their only
// credential. On confirmation the server signs an Open Badges 3.0
// credential about the activity and puts it in the teacher's portfolio.
//
// Who signs: the attester has no key, and a key made up for them would
// prove nothing about them. So the credential is issued by one issuer of
// this server chosen by the operator (the attestation issuer, under its
// did:key so it verifies offline anywhere), and says what that issuer
// actually knows: that NAME, reached at an address whose salted hash it
// gives, confirmed the activity from the link sent to that address on
// that day. A verifier trusts the platform's issuer, not the attester.

// AttestationTTL is how long an attestation link stays valid.
const AttestationTTL = 30 * 24 * time.Hour

// AttestationAchievementType marks an attestation's achievement (an
// extension value, as OB 3.0 allows for achievementType).
const AttestationAchievementType = "ext:Attestation"

// RequestAttestation records a request to attest one of the user's
// activities and returns it with the secret for the link (/attest/{secret}),
// which is stored only hashed.
func (s *Service) RequestAttestation(ctx context.Context, userID, activityID, name, email string) (*store.Attestation, string, error) {
	name, email = strings.TrimSpace(name), badge.NormalizeEmail(email)
	if name == "" || len([]rune(name)) > badge.MaxNameLen {
		return nil, "", badge.Invalidf("attester_name", "attestation.name_invalid", "the attester's name is required (at most %d characters)", badge.MaxNameLen)
	}
	if badge.CheckEmail("attester_email", email) != nil {
		return nil, "", badge.Invalidf("attester_email", "attestation.email_invalid", "the attester's e-mail address is not valid")
	}
	secret, err := badge.NewSecret(nil)
	if err != nil {
		return nil, "", badge.Internalf(err, "attestation secret")
	}
	a := &store.Attestation{ActivityID: activityID, UserID: userID, AttesterName: name, AttesterEmail: email,
		TokenHash: badge.HashSecret(secret), ExpiresAt: s.now().Add(AttestationTTL)}
	if err := s.db.CreateAttestation(ctx, a); err != nil {
		return nil, "", err
	}
	return a, secret, nil
}

// PendingAttestation returns the request a link's secret opens and its
// activity; a used, expired or unknown link is NotFound.
func (s *Service) PendingAttestation(ctx context.Context, secret string) (*store.Attestation, *store.Activity, error) {
	a, err := s.db.PendingAttestation(ctx, badge.HashSecret(secret))
	if err != nil {
		return nil, nil, err
	}
	act, err := s.db.GetActivity(ctx, a.UserID, a.ActivityID)
	if err != nil {
		return nil, nil, err
	}
	return a, act, nil
}

// DeclineAttestation records the attester's refusal; the link is used.
func (s *Service) DeclineAttestation(ctx context.Context, secret string) (*store.Attestation, error) {
	return s.db.DeclineAttestation(ctx, badge.HashSecret(secret))
}

// ConfirmAttestation signs the attestation as the issuer with slug
// issuerSlug and puts it in the teacher's portfolio, as an imported
// credential, which it shows and verifies like others.
//
// Signing writes nothing, so it comes first; then one store transaction
// uses the link (only if still pending and unexpired), stores the
// credential and records it on the request. A double click, a replay or
// two confirmations racing give one credential (the others NotFound), and
// a failure or a crash at any point leaves either the link pending and no
// credential, or both done: never a used link without its credential.
func (s *Service) ConfirmAttestation(ctx context.Context, secret, issuerSlug string) (*store.PortfolioItem, error) {
	if issuerSlug == "" {
		return nil, badge.Conflictf("", "attestation.unavailable", "attestations are not enabled on this server")
	}
	a, act, err := s.PendingAttestation(ctx, secret)
	if err != nil {
		return nil, err
	}
	signed, cred, err := s.signAttestation(ctx, a, act, issuerSlug)
	if err != nil {
		return nil, err
	}
	issued := s.now().UTC()
	it := &store.PortfolioItem{UserID: a.UserID, Credential: signed, Source: "attestation", Name: truncate(act.Title, badge.MaxNameLen),
		Import: &store.ImportInfo{Key: cred.ID, Format: "json", State: ImportValid, IssuerName: cred.Issuer.Name,
			IssuerURL: cred.Issuer.URL, Description: cred.CredentialSubject.Achievement.Description, IssuedAt: &issued, CheckedAt: issued}}
	if _, err := s.db.ConfirmAttestation(ctx, a.TokenHash, it); err != nil {
		return nil, err
	}
	return it, nil
}

// signAttestation builds and signs the attestation credential.
func (s *Service) signAttestation(ctx context.Context, a *store.Attestation, act *store.Activity, issuerSlug string) ([]byte, *ob3.Credential, error) {
	signer, err := s.VCSigner(ctx, issuerSlug, VCDIDKey, "")
	if badge.IsNotFound(err) {
		// The server's setting names no organisation: not the link's fault,
		// which must not read as used or unknown.
		return nil, nil, badge.Conflictf("", "attestation.unavailable", "attestations are not enabled on this server: no issuer %q", issuerSlug)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("attestation signer: %w", err)
	}
	iss, err := s.db.GetIssuerBySlug(ctx, issuerSlug)
	if err != nil {
		return nil, nil, err
	}
	user, err := s.db.GetUser(ctx, a.UserID)
	if err != nil {
		return nil, nil, err
	}
	emails, err := s.db.VerifiedEmails(ctx, a.UserID)
	if err != nil {
		return nil, nil, err
	}
	if len(emails) == 0 {
		return nil, nil, badge.Conflictf("", "attestation.no_address", "the teacher has no confirmed address to name in the credential")
	}
	salt, err := ob3.NewSalt(s.rand)
	if err != nil {
		return nil, nil, badge.Internalf(err, "salt")
	}
	attesterSalt, err := ob3.NewSalt(s.rand)
	if err != nil {
		return nil, nil, badge.Internalf(err, "salt")
	}
	lang := "en"
	if user.Language == "fr" {
		lang = "fr"
	}
	tx := attestationText[lang]
	day, _ := time.Parse(store.ActivityDateLayout, act.Date)
	now := s.now().UTC()
	hours := hoursText(act.HoursCenti)
	attesterHash := ob3.IdentityHash(a.AttesterEmail, attesterSalt)
	cred := &ob3.Credential{
		Context:   ob3.Contexts(ob3.ContextVC2, ob3.ContextOB),
		ID:        "urn:uuid:" + a.ID,
		Type:      []string{ob3.TypeVerifiableCredential, ob3.TypeOpenBadgeCredential},
		Name:      act.Title,
		Issuer:    &ob3.Profile{ID: signer.DID, Type: []string{"Profile"}, Name: iss.Name, URL: iss.URL},
		ValidFrom: ob3.NewDateTime(now),
		CredentialSubject: &ob3.AchievementSubject{
			Type:              []string{"AchievementSubject"},
			Identifier:        []ob3.IdentityObject{ob3.NewEmailIdentity(emails[0], salt)},
			ActivityStartDate: ob3.NewDateTime(day),
			Achievement: &ob3.Achievement{
				ID:              "urn:uuid:" + act.ID,
				Type:            []string{"Achievement"},
				AchievementType: AttestationAchievementType,
				Name:            act.Title,
				Description:     fmt.Sprintf(tx.description, tx.kinds[act.Kind], act.Date, hours),
				Criteria: &ob3.Criteria{Narrative: fmt.Sprintf(tx.criteria, a.AttesterName, attesterHash, attesterSalt,
					now.Format(store.ActivityDateLayout))},
				InLanguage: lang,
			},
		},
	}
	ev := ob3.Evidence{Type: []string{"Evidence"}, Name: act.Title, Narrative: act.Reflection,
		Description: fmt.Sprintf(tx.evidence, a.AttesterName)}
	cred.Evidence = append(cred.Evidence, ev)
	for _, l := range act.Links {
		cred.Evidence = append(cred.Evidence, ob3.Evidence{ID: l, Type: []string{"Evidence"}, Name: l})
	}
	// The files stay private to the teacher: the credential names them.
	for _, f := range act.Files {
		cred.Evidence = append(cred.Evidence, ob3.Evidence{Type: []string{"Evidence"}, Name: f.Name, Genre: f.ContentType})
	}
	unsigned, err := ob3.Marshal(cred)
	if err != nil {
		return nil, nil, badge.Internalf(err, "encode attestation")
	}
	signed, err := signer.Sign(unsigned, proof.SignOptions{})
	if err != nil {
		return nil, nil, badge.Internalf(err, "sign attestation")
	}
	return signed, cred, nil
}

// hoursText writes hundredths of an hour as a decimal ("2.5").
func hoursText(centi int) string {
	return strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(float64(centi)/100, 'f', 2, 64), "0"), ".")
}

// attestationText is the credential's wording, in the teacher's language
// (a signed credential holds one language).
var attestationText = map[string]struct {
	description, criteria, evidence string
	kinds                           map[string]string
}{
	"fr": {
		description: "Activité de développement professionnel (%s) du %s, %s h.",
		criteria: "Attestée par %s (adresse : %s, sel %s), qui l'a confirmée le %s " +
			"par le lien à usage unique envoyé à cette adresse.",
		evidence: "L'activité et la réflexion de l'enseignant·e, attestées par %s.",
		kinds: map[string]string{"reading": "lecture professionnelle", "podcast": "balado", "community": "communauté d'apprentissage",
			"mentoring": "mentorat", "conference": "conférence", "training": "formation locale", "other": "autre"},
	},
	"en": {
		description: "Professional development activity (%s) on %s, %s h.",
		criteria: "Attested by %s (address: %s, salt %s), who confirmed it on %s " +
			"through the one-time link sent to that address.",
		evidence: "The teacher's activity and reflection, attested by %s.",
		kinds: map[string]string{"reading": "professional reading", "podcast": "podcast", "community": "learning community",
			"mentoring": "mentoring", "conference": "conference", "training": "local training", "other": "other"},
	},
}
