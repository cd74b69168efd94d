// Package webhooks tells organisations' own systems what happened to
// their awards (award.created, award.claimed, award.revoked): an Emitter
// queues one durable job per subscribed endpoint, in the transaction of
// the change when there is one, and a Deliverer posts the event, signed
// with the endpoint's secret, through the SSRF-safe client; the job
// runner retries failures with backoff.
//
// # Signature
//
// Every delivery carries
//
//	Sceau-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// A receiver recomputes the HMAC over the timestamp, a full stop and the
// raw body bytes with its secret, compares it in constant time with each
// v1 value, and refuses timestamps too far from its clock (replays).
// Verify does exactly that. Sceau-Event-Id identifies the event: a
// receiver that sees an id twice (a retry after a lost answer) ignores the
// second delivery.
package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Headers of a delivery.
const (
	HeaderSignature = "Sceau-Signature"
	HeaderEvent     = "Sceau-Event"
	HeaderEventID   = "Sceau-Event-Id"
)

// DefaultTolerance is how far from the receiver's clock a signature's
// timestamp may be in Verify.
const DefaultTolerance = 5 * time.Minute

// maxSignatureHeader bounds the header Verify parses.
const maxSignatureHeader = 1024

// Errors of Verify.
var (
	ErrSignatureHeader = errors.New("malformed Sceau-Signature header")
	ErrSignatureStale  = errors.New("signature timestamp outside the tolerance")
	ErrSignatureBad    = errors.New("no signature matches")
)

// Sign returns the Sceau-Signature header value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Signature is a parsed Sceau-Signature header.
type Signature struct {
	Timestamp int64
	V1        []string // hex HMACs; several while a secret is being changed
}

// ParseSignature reads a Sceau-Signature header value: comma-separated
// key=value pairs, exactly one t, at least one v1; other keys are ignored
// (future schemes).
func ParseSignature(header string) (Signature, error) {
	var s Signature
	if len(header) > maxSignatureHeader {
		return s, fmt.Errorf("%w: longer than %d bytes", ErrSignatureHeader, maxSignatureHeader)
	}
	seenT := false
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Signature{}, fmt.Errorf("%w: %q is not key=value", ErrSignatureHeader, part)
		}
		switch k {
		case "t":
			if seenT {
				return Signature{}, fmt.Errorf("%w: two timestamps", ErrSignatureHeader)
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return Signature{}, fmt.Errorf("%w: timestamp %q", ErrSignatureHeader, v)
			}
			s.Timestamp, seenT = n, true
		case "v1":
			if len(v) != sha256.Size*2 {
				return Signature{}, fmt.Errorf("%w: v1 is not a hex SHA-256 HMAC", ErrSignatureHeader)
			}
			if _, err := hex.DecodeString(v); err != nil {
				return Signature{}, fmt.Errorf("%w: v1 is not a hex SHA-256 HMAC", ErrSignatureHeader)
			}
			s.V1 = append(s.V1, strings.ToLower(v))
		}
	}
	if !seenT || len(s.V1) == 0 {
		return Signature{}, fmt.Errorf("%w: t and v1 are required", ErrSignatureHeader)
	}
	return s, nil
}

// Verify checks a delivery: the header parses, its timestamp is within
// tolerance of now, and one v1 is the HMAC of body with secret.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	s, err := ParseSignature(header)
	if err != nil {
		return err
	}
	t := time.Unix(s.Timestamp, 0)
	if d := now.Sub(t); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed at %s, now %s", ErrSignatureStale, t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	want := []byte(mac(secret, strconv.FormatInt(s.Timestamp, 10), body))
	for _, v := range s.V1 {
		if hmac.Equal([]byte(v), want) {
			return nil
		}
	}
	return ErrSignatureBad
}
