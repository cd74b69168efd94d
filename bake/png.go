package bake

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"unicode/utf8"
)

// PNG keywords of badge text chunks.
const (
	keywordOB3 = "openbadgecredential" // iTXt, Open Badges 3.0
	keywordOB2 = "openbadges"          // iTXt (OB 2.0) or tEXt (OB 1.0)
)

var pngSignature = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}

// pngChunk is one chunk of a parsed PNG, as slices of the input.
type pngChunk struct {
	typ  string
	data []byte
	raw  []byte // length, type, data and CRC: the bytes copied on re-baking
}

// parsePNG checks the signature and the chunk structure (IHDR first, IEND
// last, lengths within the input, CRCs) and returns the chunks up to and
// including IEND. Bytes after IEND are ignored.
func parsePNG(img []byte) ([]pngChunk, error) {
	if len(img) > MaxImageSize {
		return nil, fmt.Errorf("%w: image of %d bytes (limit %d)", ErrTooLarge, len(img), MaxImageSize)
	}
	if !bytes.HasPrefix(img, pngSignature) {
		return nil, ErrNotPNG
	}
	var chunks []pngChunk
	off := len(pngSignature)
	for {
		if len(chunks) >= MaxPNGChunks {
			return nil, fmt.Errorf("%w: more than %d chunks", ErrTooLarge, MaxPNGChunks)
		}
		rest := len(img) - off
		if rest < 12 {
			return nil, fmt.Errorf("%w: truncated at byte %d (missing IEND)", ErrMalformedPNG, off)
		}
		n := binary.BigEndian.Uint32(img[off:])
		// Compare the declared length with what remains before using it:
		// a forged length must never drive a slice or an allocation.
		if n > 1<<31-1 {
			return nil, fmt.Errorf("%w: chunk at byte %d declares length %d above 2^31-1", ErrMalformedPNG, off, n)
		}
		if uint64(n) > uint64(rest-12) {
			return nil, fmt.Errorf("%w: chunk at byte %d declares %d data bytes, only %d remain", ErrMalformedPNG, off, n, rest-12)
		}
		end := off + 12 + int(n)
		typ := img[off+4 : off+8]
		for _, c := range typ {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
				return nil, fmt.Errorf("%w: chunk at byte %d has invalid type %q", ErrMalformedPNG, off, typ)
			}
		}
		data := img[off+8 : end-4]
		want := binary.BigEndian.Uint32(img[end-4:])
		if got := crc32.ChecksumIEEE(img[off+4 : end-4]); got != want {
			return nil, fmt.Errorf("%w: chunk %s at byte %d: CRC %08x, computed %08x", ErrMalformedPNG, typ, off, want, got)
		}
		c := pngChunk{typ: string(typ), data: data, raw: img[off:end]}
		if len(chunks) == 0 && (c.typ != "IHDR" || n != 13) {
			return nil, fmt.Errorf("%w: first chunk is %s, not a 13-byte IHDR", ErrMalformedPNG, c.typ)
		}
		chunks = append(chunks, c)
		off = end
		if c.typ == "IEND" {
			if n != 0 {
				return nil, fmt.Errorf("%w: IEND with %d data bytes", ErrMalformedPNG, n)
			}
			return chunks, nil
		}
	}
}

// textKeyword returns the keyword of a tEXt, zTXt or iTXt chunk (the bytes
// before the first NUL), or "" for other chunks or a malformed one.
func textKeyword(c pngChunk) string {
	switch c.typ {
	case "tEXt", "zTXt", "iTXt":
	default:
		return ""
	}
	i := bytes.IndexByte(c.data, 0)
	if i < 1 || i > 79 {
		return ""
	}
	return string(c.data[:i])
}

// badgeFormat says which badge form a chunk carries, or 0.
func badgeFormat(c pngChunk) Format {
	switch kw := textKeyword(c); {
	case c.typ == "iTXt" && kw == keywordOB3:
		return FormatOB3
	case c.typ == "iTXt" && kw == keywordOB2:
		return FormatOB2
	case c.typ == "tEXt" && kw == keywordOB2:
		return FormatOB1
	}
	return 0
}

// isBadgeChunk reports whether baking must remove c: any text chunk under a
// badge keyword, including forms we do not read (zTXt), so that an image
// never carries two badges.
func isBadgeChunk(c pngChunk) bool {
	kw := textKeyword(c)
	return kw == keywordOB3 || kw == keywordOB2
}

// UnbakePNG extracts the badge of a PNG. When several forms are present,
// OB 3.0 wins over OB 2.0, which wins over OB 1.0; two chunks of the same
// form are an error (the specifications allow one).
func UnbakePNG(img []byte) (*Baked, error) {
	chunks, err := parsePNG(img)
	if err != nil {
		return nil, err
	}
	found := map[Format]int{}
	count := map[Format]int{}
	for i, c := range chunks {
		if f := badgeFormat(c); f != 0 {
			if count[f] == 0 {
				found[f] = i
			}
			count[f]++
		}
	}
	for _, f := range []Format{FormatOB3, FormatOB2, FormatOB1} {
		if count[f] == 0 {
			continue
		}
		if count[f] > 1 {
			return nil, fmt.Errorf("%w: %d %s chunks", ErrMultipleBadges, count[f], f)
		}
		c := chunks[found[f]]
		var text []byte
		if c.typ == "iTXt" {
			text, err = parseITXt(c.data)
		} else {
			text, err = parseTEXt(c.data)
		}
		if err != nil {
			return nil, err
		}
		return &Baked{Format: f, Payload: text, ImageType: ImagePNG}, nil
	}
	return nil, ErrNoBadge
}

// parseITXt returns the text of an iTXt chunk: keyword, NUL, compression
// flag, compression method, language tag, NUL, translated keyword, NUL, text.
// A compressed text (flag 1) is inflated up to MaxPayloadSize.
func parseITXt(data []byte) ([]byte, error) {
	i := bytes.IndexByte(data, 0)
	kw := string(data[:i])
	rest := data[i+1:]
	if len(rest) < 2 {
		return nil, fmt.Errorf("%w: iTXt %s truncated", ErrMalformedPNG, kw)
	}
	flag, method := rest[0], rest[1]
	rest = rest[2:]
	for range 2 { // language tag, translated keyword
		j := bytes.IndexByte(rest, 0)
		if j < 0 {
			return nil, fmt.Errorf("%w: iTXt %s truncated", ErrMalformedPNG, kw)
		}
		rest = rest[j+1:]
	}
	var text []byte
	switch {
	case flag == 0:
		text = rest
	case flag == 1 && method == 0:
		var err error
		text, err = inflate(rest)
		if err != nil {
			return nil, fmt.Errorf("iTXt %s: %w", kw, err)
		}
	default:
		return nil, fmt.Errorf("%w: iTXt %s with compression flag %d method %d", ErrMalformedPNG, kw, flag, method)
	}
	if len(text) == 0 {
		return nil, fmt.Errorf("%w: iTXt %s is empty", ErrMalformedPNG, kw)
	}
	if len(text) > MaxPayloadSize {
		return nil, fmt.Errorf("%w: iTXt %s payload of %d bytes (limit %d)", ErrTooLarge, kw, len(text), MaxPayloadSize)
	}
	if !utf8.Valid(text) {
		return nil, fmt.Errorf("%w: iTXt %s text is not UTF-8", ErrMalformedPNG, kw)
	}
	return bytes.Clone(text), nil
}

// inflate decompresses a zlib stream, refusing output above MaxPayloadSize
// (a compression bomb stops there, whatever the stream claims).
func inflate(z []byte) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("%w: compressed text: %v", ErrMalformedPNG, err)
	}
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, MaxPayloadSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: compressed text: %v", ErrMalformedPNG, err)
	}
	if len(out) > MaxPayloadSize {
		return nil, fmt.Errorf("%w: compressed text inflates beyond %d bytes", ErrTooLarge, MaxPayloadSize)
	}
	return out, nil
}

// parseTEXt returns the text of a tEXt chunk converted from Latin-1 to UTF-8.
func parseTEXt(data []byte) ([]byte, error) {
	i := bytes.IndexByte(data, 0)
	text := data[i+1:]
	if len(text) == 0 {
		return nil, fmt.Errorf("%w: tEXt %s is empty", ErrMalformedPNG, data[:i])
	}
	var b strings.Builder
	for _, c := range text {
		if c == 0 {
			return nil, fmt.Errorf("%w: tEXt %s contains NUL", ErrMalformedPNG, data[:i])
		}
		b.WriteRune(rune(c))
	}
	return []byte(b.String()), nil
}

// BakePNG embeds payload into a PNG as one text chunk placed right after
// IHDR, after removing every existing badge chunk. Placing it first lets
// extractors that stop at the first matching chunk (as the specifications
// allow) read little of the file. Bytes after IEND are dropped.
func BakePNG(img, payload []byte, f Format) ([]byte, error) {
	if _, err := checkPayload(payload, f); err != nil {
		return nil, err
	}
	chunks, err := parsePNG(img)
	if err != nil {
		return nil, err
	}
	var data []byte
	switch f {
	case FormatOB3, FormatOB2:
		kw := keywordOB3
		if f == FormatOB2 {
			kw = keywordOB2
		}
		// keyword NUL, compression flag 0 and method 0 (the specifications
		// forbid compression), empty language tag NUL, empty translated
		// keyword NUL, text.
		data = make([]byte, 0, len(kw)+5+len(payload))
		data = append(data, kw...)
		data = append(data, 0, 0, 0, 0, 0)
		data = append(data, payload...)
	case FormatOB1:
		data = append(append([]byte(keywordOB2), 0), payload...)
	}
	typ := "iTXt"
	if f == FormatOB1 {
		typ = "tEXt"
	}
	out := make([]byte, 0, len(img)+len(data)+12)
	out = append(out, pngSignature...)
	for i, c := range chunks {
		if isBadgeChunk(c) {
			continue
		}
		out = append(out, c.raw...)
		if i == 0 {
			out = appendChunk(out, typ, data)
		}
	}
	return out, nil
}

// appendChunk appends a chunk with its length and CRC.
func appendChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	start := len(out)
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}
