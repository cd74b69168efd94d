package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"

	"github.com/sceau/sceau/did"
)

// Errors callers branch on with errors.Is. Returned errors wrap one of them
// (or are a *StatusError or *BlockedError) with the URL for context.
var (
	// ErrBadURL: the URL does not parse, has no host, or carries credentials.
	ErrBadURL = errors.New("invalid URL")
	// ErrScheme: the scheme is not https (nor http to an allow-listed host).
	ErrScheme = errors.New("scheme not allowed")
	// ErrBlocked: the host resolves only to addresses that must not be
	// reached (private, loopback, link-local…). Returned as a *BlockedError.
	ErrBlocked = errors.New("address blocked")
	// ErrTooLarge: the response body exceeds the size limit.
	ErrTooLarge = errors.New("response too large")
	// ErrTimeout: the request did not complete within the time limit.
	ErrTimeout = errors.New("timed out")
	// ErrContentType: the response media type is not one the caller accepts.
	ErrContentType = errors.New("unexpected content type")
	// ErrRedirects: too many redirects.
	ErrRedirects = errors.New("too many redirects")
)

// StatusError is a response whose status is not 2xx. OB 2.0 verification
// reads 410 Gone as "revoked" through the HTTPStatus method, so keep it.
// For 404 and 410 it also matches did.ErrNotFound, as did.Fetcher asks.
type StatusError struct {
	URL    string // the URL that answered (after redirects)
	Status int    // the HTTP status code
	// Body is the start of a 410 Gone answer (at most maxGoneBody bytes):
	// an OB 2.0 host answers a revoked assertion with 410 and a body
	// giving the revocation reason.
	Body []byte
}

// maxGoneBody bounds what is kept of a 410 answer.
const maxGoneBody = 64 << 10

// HTTPBody returns the kept start of the answer's body, if any.
func (e *StatusError) HTTPBody() []byte { return e.Body }

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s answered HTTP %d %s", clip(e.URL), e.Status, http.StatusText(e.Status))
}

// HTTPStatus returns the HTTP status code.
func (e *StatusError) HTTPStatus() int { return e.Status }

// Is makes a 404 or 410 match did.ErrNotFound.
func (e *StatusError) Is(target error) bool {
	return target == did.ErrNotFound && (e.Status == http.StatusNotFound || e.Status == http.StatusGone)
}

// BlockedError says which address of which host was refused, and why.
// It matches ErrBlocked.
type BlockedError struct {
	Host   string     // the host name (or IP literal) of the URL
	Addr   netip.Addr // the refused address
	Reason string     // "loopback", "private", "link-local"…
}

func (e *BlockedError) Error() string {
	if e.Host == e.Addr.String() {
		return fmt.Sprintf("address %s is %s: not fetched", e.Addr, e.Reason)
	}
	return fmt.Sprintf("%s resolves to address %s, which is %s: not fetched", clip(e.Host), e.Addr, e.Reason)
}

// Is makes a *BlockedError match ErrBlocked.
func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }

// clip shortens untrusted strings (URLs, header values) put in messages.
func clip(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
