package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// Bitstring is an uncompressed status list. Index 0 is the left-most (most
// significant) bit of the first byte; a multi-bit entry is read with its
// first bit as the most significant bit of the value.
type Bitstring struct {
	bits []byte
}

// New returns a bitstring of n bits, rounded up to whole bytes, all zero.
// Issuers should use at least MinEntries*statusSize bits.
func New(n int) (*Bitstring, error) {
	if n < 1 || n > MaxListBytes*8 {
		return nil, fmt.Errorf("%w: %d bits (1 to %d)", ErrMalformedList, n, MaxListBytes*8)
	}
	return &Bitstring{bits: make([]byte, (n+7)/8)}, nil
}

// Len is the length in bits.
func (b *Bitstring) Len() int { return len(b.bits) * 8 }

// span checks an entry and returns its first bit position.
func (b *Bitstring) span(index, size int) (int, error) {
	if size < 1 || size > 64 {
		return 0, fmt.Errorf("%w: statusSize %d", ErrUnsupportedSize, size)
	}
	// int64: index and size are bounded, so the product cannot overflow
	// even where int has 32 bits.
	if index < 0 || int64(index)*int64(size)+int64(size) > int64(b.Len()) {
		return 0, fmt.Errorf("%w: index %d × size %d in a list of %d bits", ErrIndexOutOfRange, index, size, b.Len())
	}
	return index * size, nil
}

// Get reads the size-bit entry at index.
func (b *Bitstring) Get(index, size int) (uint64, error) {
	pos, err := b.span(index, size)
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := pos; i < pos+size; i++ {
		v = v<<1 | uint64(b.bits[i/8]>>(7-i%8)&1)
	}
	return v, nil
}

// Set writes value into the size-bit entry at index.
func (b *Bitstring) Set(index, size int, value uint64) error {
	pos, err := b.span(index, size)
	if err != nil {
		return err
	}
	if size < 64 && value>>size != 0 {
		return fmt.Errorf("%w: value %d does not fit in %d bits", ErrIndexOutOfRange, value, size)
	}
	for i := pos + size - 1; i >= pos; i-- {
		mask := byte(1) << (7 - i%8)
		if value&1 == 1 {
			b.bits[i/8] |= mask
		} else {
			b.bits[i/8] &^= mask
		}
		value >>= 1
	}
	return nil
}

// Encode returns the encodedList form: 'u' (multibase base64url, no
// padding) followed by the GZIP-compressed bits.
func (b *Bitstring) Encode() (string, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(b.bits); err != nil {
		return "", fmt.Errorf("compress status list: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("compress status list: %w", err)
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// DecodeList expands an encodedList: multibase base64url ('u' prefix,
// Bitstring Status List v1.0) or, for StatusList2021, base64url without the
// prefix. The decompressed size is capped at MaxListBytes, whatever the
// GZIP stream claims.
func DecodeList(encoded string) (*Bitstring, error) {
	if len(encoded) > MaxEncodedListLength {
		return nil, fmt.Errorf("%w: encodedList of %d characters", ErrTooLarge, len(encoded))
	}
	if encoded == "" {
		return nil, fmt.Errorf("%w: empty encodedList", ErrMalformedList)
	}
	var body string
	switch {
	case encoded[0] == 'u':
		body = encoded[1:]
	case strings.HasPrefix(encoded, "H4sI"):
		// StatusList2021: plain base64url of a GZIP stream, which always
		// starts with 1f 8b 08 ("H4sI"); 'u' cannot start such a string.
		body = encoded
	default:
		return nil, fmt.Errorf("%w: encodedList starts with %q, want multibase 'u' (base64url)", ErrMalformedList, encoded[:1])
	}
	// Padding is not allowed by the specification but harmless to strip.
	body = strings.TrimRight(body, "=")
	z, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList is not base64url: %v", ErrMalformedList, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList is not GZIP: %v", ErrMalformedList, err)
	}
	zr.Multistream(false)
	bits, err := io.ReadAll(io.LimitReader(zr, MaxListBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: decompress encodedList: %v", ErrMalformedList, err)
	}
	if len(bits) > MaxListBytes {
		return nil, fmt.Errorf("%w: status list expands beyond %d bytes", ErrTooLarge, MaxListBytes)
	}
	if len(bits) == 0 {
		return nil, fmt.Errorf("%w: empty bitstring", ErrMalformedList)
	}
	return &Bitstring{bits: bits}, nil
}
