package issuing

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/blob"
)

// CreateOrganisation stores a new issuer with its first key, like
// CreateIssuer, and makes ownerID its owner, all in one transaction.
func (s *Service) CreateOrganisation(ctx context.Context, i *badge.Issuer, ownerID string) error {
	return s.createIssuer(ctx, i, ownerID)
}

// StoreImage checks an uploaded badge or issuer image (PNG or SVG, size
// and dimensions bounded, no active SVG content) and stores it once by
// content. Refusals are Invalid errors on field, with a code per reason.
func (s *Service) StoreImage(ctx context.Context, field string, data []byte) (key, contentType string, err error) {
	ct, _, _, err := blob.CheckImage(data)
	if err != nil {
		code := "image.invalid"
		switch {
		case errors.Is(err, blob.ErrImageTooLarge):
			code = "image.too_large"
		case errors.Is(err, blob.ErrNotImage):
			code = "image.not_image"
		case errors.Is(err, blob.ErrImageDimensions):
			code = "image.dimensions"
		case errors.Is(err, blob.ErrUnsafeSVG):
			code = "image.unsafe_svg"
		}
		return "", "", badge.Invalidf(field, code, "%v", err)
	}
	if s.blobs == nil {
		return "", "", badge.Internalf(errors.New("no blob store"), "store image")
	}
	info, err := s.blobs.PutAddressed(ctx, "images", bytes.NewReader(data), ct)
	if err != nil {
		return "", "", badge.Internalf(err, "store image")
	}
	return info.Key, ct, nil
}

// MaxEvidenceSize bounds an uploaded evidence file.
const MaxEvidenceSize = 20 << 20

// evidenceTypes are the files accepted as evidence, by their first bytes:
// what a training's end-of-course work is (a PDF, most often, or a
// picture). Anything else is refused rather than served from our origin.
var evidenceTypes = []struct {
	magic, contentType string
}{
	{"%PDF-", "application/pdf"},
	{"\x89PNG\r\n\x1a\n", "image/png"},
	{"\xff\xd8\xff", "image/jpeg"},
}

// StoreEvidence checks an uploaded evidence file (PDF, PNG or JPEG, at
// most MaxEvidenceSize) and stores it once by content. Refusals are
// Invalid errors on field.
func (s *Service) StoreEvidence(ctx context.Context, field, name string, data []byte) (badge.Evidence, error) {
	if len(data) > MaxEvidenceSize {
		return badge.Evidence{}, badge.Invalidf(field, "evidence.too_large", "the file is larger than %d MiB", MaxEvidenceSize>>20)
	}
	ct := ""
	for _, t := range evidenceTypes {
		if bytes.HasPrefix(data, []byte(t.magic)) {
			ct = t.contentType
		}
	}
	if ct == "" {
		return badge.Evidence{}, badge.Invalidf(field, "evidence.type", "evidence files must be PDF, PNG or JPEG")
	}
	if s.blobs == nil {
		return badge.Evidence{}, badge.Internalf(errors.New("no blob store"), "store evidence")
	}
	info, err := s.blobs.PutAddressed(ctx, "evidence", bytes.NewReader(data), ct)
	if err != nil {
		return badge.Evidence{}, badge.Internalf(err, "store evidence")
	}
	return badge.Evidence{BlobKey: info.Key, ContentType: ct, Name: cleanFileName(name)}, nil
}

// cleanFileName keeps the base name of an uploaded file, printable and
// bounded, for display.
func cleanFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return name
}

// BadgeImage returns a badge definition's image file.
func (s *Service) BadgeImage(ctx context.Context, badgeID string) ([]byte, error) {
	return s.badgeImage(ctx, badgeID)
}

// Resend queues the announcement of an award again (a new claim link;
// earlier links keep working until used or expired). Awards to a DID
// have no e-mail to announce to.
func (s *Service) Resend(ctx context.Context, awardID string) error {
	a, err := s.db.GetAward(ctx, awardID)
	if err != nil {
		return err
	}
	if a.Recipient.Email == "" {
		return badge.Conflictf("", "award.no_email", "this award was made to a DID, not an e-mail address")
	}
	if s.announce == nil {
		return badge.Internalf(errors.New("no announcer configured"), "resend award %s", awardID)
	}
	b, err := s.db.GetBadge(ctx, a.BadgeID)
	if err != nil {
		return err
	}
	iss, err := s.db.GetIssuer(ctx, a.IssuerID)
	if err != nil {
		return err
	}
	return s.announce(ctx, nil, a, b.Name, iss.Name)
}
