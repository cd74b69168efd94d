package ob3

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Every object type below embeds objMeta and has an Extra map. The codec
// (codec.go) reads and writes them by their `json` tags; the tag option
// `ob:"one"` marks a list property whose canonical form, for one item, is
// the bare item (credentialStatus). Properties not listed land in Extra.

// Credential is an OpenBadgeCredential (alias AchievementCredential) or an
// EndorsementCredential. The VC 1.1 date properties (issuanceDate,
// expirationDate) are kept as they came; use ValidFromTime / ValidUntilTime
// for the normalized view.
type Credential struct {
	Context           []Context           `json:"@context"`
	ID                string              `json:"id"`
	Type              []string            `json:"type"`
	Name              string              `json:"name"`
	Description       string              `json:"description"`
	Image             *Image              `json:"image"`
	Issuer            *Profile            `json:"issuer"`
	ValidFrom         DateTime            `json:"validFrom"`
	ValidUntil        DateTime            `json:"validUntil"`
	IssuanceDate      DateTime            `json:"issuanceDate"`   // VC 1.1 form
	ExpirationDate    DateTime            `json:"expirationDate"` // VC 1.1 form
	AwardedDate       DateTime            `json:"awardedDate"`
	CredentialSubject *AchievementSubject `json:"credentialSubject"`
	Evidence          []Evidence          `json:"evidence"`
	Endorsement       []Credential        `json:"endorsement"`
	EndorsementJwt    []string            `json:"endorsementJwt"`
	CredentialSchema  []CredentialSchema  `json:"credentialSchema"`
	CredentialStatus  []CredentialStatus  `json:"credentialStatus" ob:"one"`
	RefreshService    *RefreshService     `json:"refreshService"`
	TermsOfUse        []TermsOfUse        `json:"termsOfUse"`
	Proof             []Proof             `json:"proof"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// AchievementSubject is the credentialSubject of an OpenBadgeCredential. It
// also carries the one property of an EndorsementSubject
// (endorsementComment), so that one Credential type serves both.
type AchievementSubject struct {
	ID                 string           `json:"id"`
	Type               []string         `json:"type"`
	ActivityStartDate  DateTime         `json:"activityStartDate"`
	ActivityEndDate    DateTime         `json:"activityEndDate"`
	CreditsEarned      json.Number      `json:"creditsEarned"`
	Achievement        *Achievement     `json:"achievement"`
	Identifier         []IdentityObject `json:"identifier"`
	Image              *Image           `json:"image"`
	LicenseNumber      string           `json:"licenseNumber"`
	Narrative          string           `json:"narrative"`
	Result             []Result         `json:"result"`
	Role               string           `json:"role"`
	Source             *Profile         `json:"source"`
	Term               string           `json:"term"`
	EndorsementComment string           `json:"endorsementComment"` // EndorsementSubject only

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// Achievement is what the recipient accomplished: the badge class.
type Achievement struct {
	ID                string              `json:"id"`
	Type              []string            `json:"type"`
	AchievementType   string              `json:"achievementType"`
	Name              string              `json:"name"`
	Description       string              `json:"description"`
	Criteria          *Criteria           `json:"criteria"`
	Image             *Image              `json:"image"`
	Creator           *Profile            `json:"creator"`
	CreditsAvailable  json.Number         `json:"creditsAvailable"`
	FieldOfStudy      string              `json:"fieldOfStudy"`
	HumanCode         string              `json:"humanCode"`
	InLanguage        string              `json:"inLanguage"` // BCP 47 language of the text
	Specialization    string              `json:"specialization"`
	Version           string              `json:"version"`
	Tag               []string            `json:"tag"`
	Alignment         []Alignment         `json:"alignment"`
	OtherIdentifier   []IdentifierEntry   `json:"otherIdentifier"`
	Related           []Related           `json:"related"`
	ResultDescription []ResultDescription `json:"resultDescription"`
	Endorsement       []Credential        `json:"endorsement"`
	EndorsementJwt    []string            `json:"endorsementJwt"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// Profile describes a person or organization: the issuer, an achievement
// creator, a subject's source, a parent organization, an endorser. In
// input it may be a bare IRI string; it is then read into ID and written
// back as a string while nothing else is set.
type Profile struct {
	ID               string            `json:"id"`
	Type             []string          `json:"type"`
	Name             string            `json:"name"`
	URL              string            `json:"url"`
	Phone            string            `json:"phone"`
	Description      string            `json:"description"`
	Email            string            `json:"email"`
	Image            *Image            `json:"image"`
	Address          *Address          `json:"address"`
	Official         string            `json:"official"`
	ParentOrg        *Profile          `json:"parentOrg"`
	FamilyName       string            `json:"familyName"`
	GivenName        string            `json:"givenName"`
	AdditionalName   string            `json:"additionalName"`
	PatronymicName   string            `json:"patronymicName"`
	HonorificPrefix  string            `json:"honorificPrefix"`
	HonorificSuffix  string            `json:"honorificSuffix"`
	FamilyNamePrefix string            `json:"familyNamePrefix"`
	DateOfBirth      string            `json:"dateOfBirth"` // xsd:date
	OtherIdentifier  []IdentifierEntry `json:"otherIdentifier"`
	Endorsement      []Credential      `json:"endorsement"`
	EndorsementJwt   []string          `json:"endorsementJwt"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

func (*Profile) acceptsIRI() {}

// Image is an image with an optional caption. A bare IRI string in input is
// read into ID and written back as a string while nothing else is set.
type Image struct {
	ID      string `json:"id"`
	Type    string `json:"type"` // "Image"
	Caption string `json:"caption"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

func (*Image) acceptsIRI() {}

// IdentityObject identifies the recipient without an id: an e-mail address
// (usually hashed, see IdentityHash) or another identifier.
type IdentityObject struct {
	Type         string `json:"type"` // "IdentityObject"
	Hashed       bool   `json:"hashed"`
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"` // e.g. "emailAddress"
	Salt         string `json:"salt"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// Evidence describes the work that led to the award.
type Evidence struct {
	ID          string   `json:"id"`
	Type        []string `json:"type"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Narrative   string   `json:"narrative"`
	Genre       string   `json:"genre"`
	Audience    string   `json:"audience"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// Alignment links an achievement or a result to a framework item.
type Alignment struct {
	Type              []string `json:"type"`
	TargetName        string   `json:"targetName"`
	TargetURL         string   `json:"targetUrl"`
	TargetDescription string   `json:"targetDescription"`
	TargetCode        string   `json:"targetCode"`
	TargetFramework   string   `json:"targetFramework"`
	TargetType        string   `json:"targetType"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// Criteria says how the achievement is earned: a Markdown narrative and/or
// the URL of a page.
type Criteria struct {
	ID        string `json:"id"`
	Narrative string `json:"narrative"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// Result is a result the recipient obtained (a grade, a level, a status).
type Result struct {
	Type              []string    `json:"type"`
	AchievedLevel     string      `json:"achievedLevel"`
	Alignment         []Alignment `json:"alignment"`
	ResultDescription string      `json:"resultDescription"` // IRI of a ResultDescription
	Status            string      `json:"status"`
	Value             string      `json:"value"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// ResultDescription describes a possible result of an achievement.
type ResultDescription struct {
	ID                   string                 `json:"id"`
	Type                 []string               `json:"type"`
	Name                 string                 `json:"name"`
	ResultType           string                 `json:"resultType"`
	Alignment            []Alignment            `json:"alignment"`
	AllowedValue         []string               `json:"allowedValue"`
	RequiredLevel        string                 `json:"requiredLevel"`
	RequiredValue        string                 `json:"requiredValue"`
	RubricCriterionLevel []RubricCriterionLevel `json:"rubricCriterionLevel"`
	ValueMax             string                 `json:"valueMax"`
	ValueMin             string                 `json:"valueMin"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// RubricCriterionLevel is one level of a rubric criterion.
type RubricCriterionLevel struct {
	ID          string      `json:"id"`
	Type        []string    `json:"type"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Level       string      `json:"level"`
	Points      string      `json:"points"`
	Alignment   []Alignment `json:"alignment"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// Related points to another version of the same achievement (for
// instance in another language).
type Related struct {
	ID         string   `json:"id"`
	Type       []string `json:"type"`
	InLanguage string   `json:"inLanguage"`
	Version    string   `json:"version"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// IdentifierEntry is another identifier of a profile or an achievement
// (the spec's otherIdentifier property).
type IdentifierEntry struct {
	Type           string `json:"type"` // "IdentifierEntry"
	Identifier     string `json:"identifier"`
	IdentifierType string `json:"identifierType"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// Address is a postal address.
type Address struct {
	Type                []string        `json:"type"`
	AddressCountry      string          `json:"addressCountry"`
	AddressCountryCode  string          `json:"addressCountryCode"`
	AddressRegion       string          `json:"addressRegion"`
	AddressLocality     string          `json:"addressLocality"`
	StreetAddress       string          `json:"streetAddress"`
	PostOfficeBoxNumber string          `json:"postOfficeBoxNumber"`
	PostalCode          string          `json:"postalCode"`
	Geo                 *GeoCoordinates `json:"geo"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// GeoCoordinates is a point on Earth. Numbers are kept as written.
type GeoCoordinates struct {
	Type      string      `json:"type"` // "GeoCoordinates"
	Latitude  json.Number `json:"latitude"`
	Longitude json.Number `json:"longitude"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// CredentialStatus says where to look up revocation or suspension:
// BitstringStatusListEntry (its fields are typed here) or
// 1EdTechRevocationList (id only).
type CredentialStatus struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex" ob:"lenient"` // a JSON number stays in Extra
	StatusListCredential string `json:"statusListCredential"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// CredentialSchema names a schema the credential conforms to, usually
// type "1EdTechJsonSchemaValidator2019".
type CredentialSchema struct {
	ID   string `json:"id"`
	Type string `json:"type"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// RefreshService says where a newer version of the credential can be had.
type RefreshService struct {
	ID   string `json:"id"`
	Type string `json:"type"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// TermsOfUse are policies under which the credential was issued.
type TermsOfUse struct {
	ID   string `json:"id"`
	Type string `json:"type"`

	Extra map[string]json.RawMessage `json:"-"`
	objMeta
}

// Index returns statusListIndex as a number. The Bitstring Status List
// spec asks for a string of decimal digits; some issuers write a JSON
// number, which Parse keeps in Extra and Index reads too.
func (s *CredentialStatus) Index() (uint64, error) {
	v := s.StatusListIndex
	if v == "" {
		raw, ok := s.Extra["statusListIndex"]
		if !ok {
			return 0, errors.New("statusListIndex missing")
		}
		v = string(bytes.TrimSpace(raw))
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("statusListIndex %q: not a decimal integer", v)
	}
	return n, nil
}
