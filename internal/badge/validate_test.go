package badge

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	issuer := func(f func(*Issuer)) *Issuer {
		i := &Issuer{Slug: "acme", Name: "Acmé", URL: "https://acme.example", Email: "a@acme.example", Language: "fr"}
		f(i)
		return i
	}
	bdg := func(f func(*Badge)) *Badge {
		b := &Badge{IssuerID: "i", Slug: "go", Name: "Go", Description: "d", CriteriaNarrative: "c", Language: "en"}
		f(b)
		return b
	}
	award := func(f func(*Award)) *Award {
		a := &Award{BadgeID: "b", IssuerID: "i", Recipient: Recipient{Email: "r@example.org"}}
		f(a)
		return a
	}
	cases := []struct {
		name string
		v    interface{ Validate() error }
		code string // "" = valid
	}{
		{"issuer ok", issuer(func(*Issuer) {}), ""},
		{"issuer slug upper", issuer(func(i *Issuer) { i.Slug = "Acme" }), "issuer.slug_invalid"},
		{"issuer slug double hyphen", issuer(func(i *Issuer) { i.Slug = "a--b" }), "issuer.slug_invalid"},
		{"issuer name missing", issuer(func(i *Issuer) { i.Name = " " }), "issuer.name_required"},
		{"issuer name 200 runes ok", issuer(func(i *Issuer) { i.Name = strings.Repeat("é", 200) }), ""},
		{"issuer name too long", issuer(func(i *Issuer) { i.Name = strings.Repeat("é", 201) }), "issuer.name_too_long"},
		{"issuer url relative", issuer(func(i *Issuer) { i.URL = "/x" }), "issuer.url_invalid"},
		{"issuer url ftp", issuer(func(i *Issuer) { i.URL = "ftp://x.example" }), "issuer.url_invalid"},
		{"issuer email display name", issuer(func(i *Issuer) { i.Email = "A <a@b.example>" }), "issuer.email_invalid"},
		{"issuer language", issuer(func(i *Issuer) { i.Language = "de" }), "issuer.language_invalid"},
		{"badge ok", bdg(func(*Badge) {}), ""},
		{"badge no criteria", bdg(func(b *Badge) { b.CriteriaNarrative = "" }), "badge.criteria_required"},
		{"badge criteria url only", bdg(func(b *Badge) { b.CriteriaNarrative, b.CriteriaURL = "", "https://c.example" }), ""},
		{"badge too many tags", bdg(func(b *Badge) {
			for k := 0; k <= MaxTags; k++ {
				b.Tags = append(b.Tags, fmt.Sprint("t", k))
			}
		}), "badge.tags_too_many"},
		{"badge duplicate tag", bdg(func(b *Badge) { b.Tags = []string{"a", "a"} }), "badge.tag_duplicate"},
		{"badge long tag", bdg(func(b *Badge) { b.Tags = []string{strings.Repeat("x", MaxTagLen+1)} }), "badge.tag_too_long"},
		{"badge bad image type", bdg(func(b *Badge) { b.ImageKey, b.ImageType = "k", "image/gif" }), "badge.image_type_invalid"},
		{"badge achievement ext", bdg(func(b *Badge) { b.AchievementType = "ext:Stage" }), ""},
		{"badge achievement unknown", bdg(func(b *Badge) { b.AchievementType = "Medal" }), "badge.achievement_type_invalid"},
		{"badge alignment without url", bdg(func(b *Badge) { b.Alignments = []Alignment{{Name: "n"}} }), "badge.alignment_url_required"},
		{"badge result type", bdg(func(b *Badge) { b.ResultDescriptions = []ResultDescription{{Name: "n", ResultType: "Nope"}} }), "badge.result_type_invalid"},
		{"badge negative validity", bdg(func(b *Badge) { b.ValidityDays = -1 }), "badge.validity_days_invalid"},
		{"award ok", award(func(*Award) {}), ""},
		{"award did ok", award(func(a *Award) { a.Recipient = Recipient{DID: "did:key:z6Mk"} }), ""},
		{"award no recipient", award(func(a *Award) { a.Recipient = Recipient{} }), "award.recipient_required"},
		{"award both", award(func(a *Award) { a.Recipient.DID = "did:web:x" }), "award.recipient_ambiguous"},
		{"award bad did", award(func(a *Award) { a.Recipient = Recipient{DID: "did:Web"} }), "award.recipient_did_invalid"},
		{"award bad id", award(func(a *Award) { a.ID = "123" }), "award.id_invalid"},
		{"award empty evidence", award(func(a *Award) { a.Evidence = []Evidence{{Name: "x"}} }), "award.evidence_empty"},
		{"award bad status", award(func(a *Award) { a.Status = "gone" }), "award.status_invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.v.Validate()
			if c.code == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != Invalid || e.Code != c.code {
				t.Fatalf("got %v (code %q), want Invalid %s", err, ErrorCode(err), c.code)
			}
		})
	}
}

func TestErrorKind(t *testing.T) {
	wrapped := fmt.Errorf("award 3: %w", NotFoundf("award.not_found", "award not found"))
	if ErrorKind(wrapped) != NotFound || !IsNotFound(wrapped) {
		t.Errorf("kind through wrapping lost")
	}
	if ErrorKind(errors.New("x")) != Internal || ErrorKind(nil) != Internal {
		t.Errorf("unclassified errors must be Internal")
	}
	cause := errors.New("disk full")
	if e := Internalf(cause, "store award %s", "a"); !errors.Is(e, cause) || e.Message != "internal error" {
		t.Errorf("Internalf: %v", e)
	}
}

func TestNewID(t *testing.T) {
	id, err := NewID(strings.NewReader(strings.Repeat("\xff", 16)))
	if err != nil || id != "ffffffff-ffff-4fff-bfff-ffffffffffff" || !ValidID(id) {
		t.Fatalf("NewID = %q, %v", id, err)
	}
}
