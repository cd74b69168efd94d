// Package bake embeds Open Badges into PNG and SVG images ("baking") and
// extracts them again ("unbaking"), without ever decoding pixels.
//
// Forms handled:
//
//   - Open Badges 3.0: PNG iTXt chunk with keyword "openbadgecredential";
//     SVG <openbadges:credential> in namespace https://purl.imsglobal.org/ob/v3p0,
//     the credential JSON in CDATA or a VC-JWT in the verify attribute.
//   - Open Badges 2.0: PNG iTXt chunk with keyword "openbadges"; SVG
//     <openbadges:assertion verify="…"> in namespace http://openbadges.org.
//   - Open Badges 1.0 (read, and bake for tests): PNG tEXt chunk "openbadges"
//     holding the hosted assertion URL.
//
// Everything read from an image is untrusted: input size, chunk count, XML
// depth and token count and decompressed sizes are bounded, and no length
// read from the input is used to allocate before it has been checked against
// what remains of the input.
package bake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Limits on untrusted input. A badge image is a few kilobytes to a few
// megabytes; a credential a few kilobytes.
const (
	// MaxImageSize is the largest image Bake and Unbake accept.
	MaxImageSize = 16 << 20
	// MaxPayloadSize is the largest badge payload baked or unbaked
	// (after decompression, for a compressed iTXt chunk).
	MaxPayloadSize = 8 << 20
	// MaxPNGChunks bounds the number of chunks in a PNG.
	MaxPNGChunks = 1 << 16
	// MaxSVGTokens bounds the number of XML tokens read from an SVG.
	MaxSVGTokens = 1 << 20
	// MaxSVGDepth bounds the nesting depth of SVG elements.
	MaxSVGDepth = 256
)

// Media types reported in Baked.ImageType.
const (
	ImagePNG = "image/png"
	ImageSVG = "image/svg+xml"
)

// Format says which Open Badges baking convention a payload follows.
type Format int

// The zero Format is invalid, so a forgotten argument is caught.
const (
	FormatOB3 Format = iota + 1 // Open Badges 3.0: credential JSON or VC-JWT
	FormatOB2                   // Open Badges 2.0: assertion JSON, JWS or URL
	FormatOB1                   // Open Badges 1.0: PNG tEXt with the assertion URL
)

func (f Format) String() string {
	switch f {
	case FormatOB3:
		return "OB3"
	case FormatOB2:
		return "OB2"
	case FormatOB1:
		return "OB1"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Errors. They are wrapped with details; test with errors.Is.
var (
	ErrNotPNG           = errors.New("bake: not a PNG image")
	ErrNotSVG           = errors.New("bake: not an SVG image")
	ErrUnknownImage     = errors.New("bake: image is neither PNG nor SVG")
	ErrNoBadge          = errors.New("bake: image holds no Open Badge")
	ErrTooLarge         = errors.New("bake: input exceeds size limit")
	ErrMalformedPNG     = errors.New("bake: malformed PNG")
	ErrMalformedSVG     = errors.New("bake: malformed SVG")
	ErrDTD              = errors.New("bake: SVG with a DTD or other directive refused")
	ErrMultipleBadges   = errors.New("bake: image holds more than one badge of the same form")
	ErrInvalidPayload   = errors.New("bake: invalid badge payload")
	ErrUnsupportedForm  = errors.New("bake: unsupported badge format for this image type")
	ErrUnsupportedImage = errors.New("bake: unsupported image feature")
)

// Baked is what Unbake found in an image.
type Baked struct {
	// Format is the baking convention found (OB3, OB2 or OB1).
	Format Format
	// Payload is the baked text: credential or assertion JSON, a compact
	// JWS/JWT, or (OB 1.0, OB 2.0 hosted) the assertion URL.
	Payload []byte
	// ImageType is ImagePNG or ImageSVG.
	ImageType string
	// VerifyURL is the verify attribute of an OB 2.0 SVG assertion when it
	// holds an http(s) URL: the hosted assertion's location. Empty otherwise.
	VerifyURL string
}

// PayloadKind classifies a payload by its syntax.
type PayloadKind int

// Payload kinds.
const (
	KindUnknown PayloadKind = iota
	KindJSON                // a JSON object
	KindJWS                 // a compact JWS (VC-JWT or OB 2.0 signed assertion)
	KindURL                 // an http(s) URL (hosted assertion)
)

func (k PayloadKind) String() string {
	switch k {
	case KindJSON:
		return "JSON"
	case KindJWS:
		return "JWS"
	case KindURL:
		return "URL"
	}
	return "unknown"
}

// Kind classifies the payload's syntax; it does not validate content.
func (b *Baked) Kind() PayloadKind { return classify(b.Payload) }

// Bake embeds payload into img (PNG or SVG, sniffed from its first bytes),
// replacing any badge already there.
func Bake(img, payload []byte, f Format) ([]byte, error) {
	switch sniff(img) {
	case ImagePNG:
		return BakePNG(img, payload, f)
	case ImageSVG:
		return BakeSVG(img, payload, f)
	}
	return nil, ErrUnknownImage
}

// Unbake extracts the badge from img (PNG or SVG, sniffed from its first bytes).
func Unbake(img []byte) (*Baked, error) {
	switch sniff(img) {
	case ImagePNG:
		return UnbakePNG(img)
	case ImageSVG:
		return UnbakeSVG(img)
	}
	return nil, ErrUnknownImage
}

// sniff names the image type from the first bytes: the PNG signature, or
// markup (optionally after a BOM and white space), which the SVG reader
// then checks for an <svg> root.
func sniff(img []byte) string {
	if bytes.HasPrefix(img, pngSignature) {
		return ImagePNG
	}
	rest := bytes.TrimPrefix(img, utf8BOM)
	rest = bytes.TrimLeft(rest, " \t\r\n")
	if len(rest) > 0 && rest[0] == '<' {
		return ImageSVG
	}
	return ""
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// classify recognises the three payload syntaxes.
func classify(p []byte) PayloadKind {
	t := bytes.TrimSpace(p)
	if len(t) == 0 {
		return KindUnknown
	}
	if t[0] == '{' {
		if json.Valid(t) {
			return KindJSON
		}
		return KindUnknown
	}
	if isCompactJWS(t) {
		return KindJWS
	}
	if isHTTPURL(string(t)) {
		return KindURL
	}
	return KindUnknown
}

// isCompactJWS checks the shape header.payload.signature, each part
// base64url without padding; header and payload non-empty (an unsecured
// "alg":"none" token keeps an empty signature and is still a JWS shape;
// rejecting it is the verifier's job).
func isCompactJWS(t []byte) bool {
	parts := bytes.Split(t, []byte{'.'})
	if len(parts) != 3 || len(parts[0]) == 0 || len(parts[1]) == 0 {
		return false
	}
	for _, p := range parts {
		for _, c := range p {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func isHTTPURL(s string) bool {
	if strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// checkPayload validates a payload before baking: size, UTF-8, no NUL, and a
// syntax the format allows.
func checkPayload(payload []byte, f Format) (PayloadKind, error) {
	if len(payload) == 0 {
		return 0, fmt.Errorf("%w: empty", ErrInvalidPayload)
	}
	if len(payload) > MaxPayloadSize {
		return 0, fmt.Errorf("%w: payload of %d bytes (limit %d)", ErrTooLarge, len(payload), MaxPayloadSize)
	}
	if !utf8.Valid(payload) {
		return 0, fmt.Errorf("%w: not valid UTF-8", ErrInvalidPayload)
	}
	if bytes.IndexByte(payload, 0) >= 0 {
		return 0, fmt.Errorf("%w: contains a NUL byte", ErrInvalidPayload)
	}
	k := classify(payload)
	switch f {
	case FormatOB3:
		if k != KindJSON && k != KindJWS {
			return 0, fmt.Errorf("%w: OB 3.0 payload must be credential JSON or a compact JWS", ErrInvalidPayload)
		}
	case FormatOB2:
		if k == KindUnknown {
			return 0, fmt.Errorf("%w: OB 2.0 payload must be assertion JSON, a compact JWS or an http(s) URL", ErrInvalidPayload)
		}
	case FormatOB1:
		if k != KindURL {
			return 0, fmt.Errorf("%w: OB 1.0 payload must be the hosted assertion's http(s) URL", ErrInvalidPayload)
		}
		for _, c := range payload {
			if c < 0x20 || c > 0x7E {
				return 0, fmt.Errorf("%w: OB 1.0 URL must be printable ASCII", ErrInvalidPayload)
			}
		}
	default:
		return 0, fmt.Errorf("%w: unknown format %v", ErrUnsupportedForm, f)
	}
	return k, nil
}
