package badge

import "time"

// Issuer is an organisation that defines and awards badges. Its public
// identity (a did:web under the server's URL) is derived from Slug.
type Issuer struct {
	ID          string
	Slug        string
	Name        string
	Description string
	URL         string
	Email       string
	ImageKey    string // blob key of the logo, "" for none
	Language    string // "fr" or "en": the default for its badges
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate checks the fields a user provides.
func (i *Issuer) Validate() error {
	if err := checkSlug("slug", "issuer.slug", i.Slug); err != nil {
		return err
	}
	if err := requireText("name", "issuer.name", i.Name, MaxNameLen); err != nil {
		return err
	}
	if err := optionalText("description", "issuer.description", i.Description, MaxDescriptionLen); err != nil {
		return err
	}
	if i.URL == "" {
		return Invalidf("url", "issuer.url_required", "url is required")
	}
	if err := optionalURL("url", "issuer.url", i.URL); err != nil {
		return err
	}
	if i.Email != "" && !ValidEmail(i.Email) {
		return Invalidf("email", "issuer.email_invalid", "email is not a valid e-mail address")
	}
	if !validLanguage(i.Language) {
		return Invalidf("language", "issuer.language_invalid", "language must be fr or en")
	}
	return nil
}

// IssuerKey is one Ed25519 key pair of an issuer. Keys are retired, never
// deleted, so credentials signed with an old key still verify.
type IssuerKey struct {
	ID                  string
	IssuerID            string
	KeyID               string // fragment in the DID document, e.g. "key-1"
	PublicKeyMultibase  string
	EncryptedPrivateKey []byte // sealed by internal/keys with the master key
	CreatedAt           time.Time
	RetiredAt           *time.Time
}

// Active reports whether the key may still sign.
func (k *IssuerKey) Active() bool { return k.RetiredAt == nil }

// Validate checks the key's identifying fields.
func (k *IssuerKey) Validate() error {
	if k.IssuerID == "" {
		return Invalidf("issuer_id", "key.issuer_required", "issuer_id is required")
	}
	if k.KeyID == "" || len(k.KeyID) > MaxSlugLen || !ValidSlug(k.KeyID) {
		return Invalidf("key_id", "key.key_id_invalid", "key_id must be a short slug such as key-1")
	}
	if k.PublicKeyMultibase == "" || len(k.PublicKeyMultibase) > 200 || k.PublicKeyMultibase[0] != 'z' {
		return Invalidf("public_key_multibase", "key.public_key_invalid", "public key must be a base58btc multibase string")
	}
	if len(k.EncryptedPrivateKey) == 0 {
		return Invalidf("encrypted_private_key", "key.private_key_required", "encrypted private key is required")
	}
	return nil
}
