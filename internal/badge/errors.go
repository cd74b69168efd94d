// Package badge holds Sceau's domain nouns (issuers, their keys, badge
// definitions, awards) with their invariants, and the small closed set of
// error kinds every layer uses to say what went wrong (DESIGN.md,
// convention 4). It knows nothing of SQL, HTTP or the credential formats.
package badge

import (
	"errors"
	"fmt"
)

// Kind classifies an error for callers that must branch on it: the web layer
// maps each kind to one HTTP status in a single table.
type Kind int

// The kinds. The zero value is Internal so that an error nobody classified is
// never shown to users as their fault.
const (
	Internal     Kind = iota // a bug or an unavailable dependency; details go to the log only
	NotFound                 // the thing asked for does not exist
	Invalid                  // the input breaks a rule; Field and Code say which
	Conflict                 // the input clashes with stored state (a taken slug, a revoked award)
	Unauthorized             // the caller is not signed in
	Forbidden                // the caller is signed in but may not do this
	Limited                  // too many attempts: the caller must wait (sign-in guessing)
)

var kindNames = [...]string{
	Internal:     "internal",
	NotFound:     "not_found",
	Invalid:      "invalid",
	Conflict:     "conflict",
	Unauthorized: "unauthorized",
	Forbidden:    "forbidden",
	Limited:      "limited",
}

// String returns the kind's stable lower-case name, as used in logs and JSON.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is a classified error. Message is safe to show users (English; the
// web layer translates by Code); Err is the cause, for operators' logs.
type Error struct {
	Kind    Kind
	Code    string // stable identifier, e.g. "badge.name_required"
	Field   string // the input field at fault, when there is one
	Message string
	Err     error
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Kind.String()
	}
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorKind returns the kind of the first *Error in err's chain; nil has no
// kind and reports Internal, as does any error nobody classified.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ErrorCode returns the Code of the first *Error in err's chain, or "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsNotFound reports whether err is classified NotFound.
func IsNotFound(err error) bool { return err != nil && ErrorKind(err) == NotFound }

// NotFoundf returns a NotFound error with the given code and message.
func NotFoundf(code, format string, args ...any) *Error {
	return &Error{Kind: NotFound, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns an Invalid error about field.
func Invalidf(field, code, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Conflictf returns a Conflict error, optionally about field.
func Conflictf(field, code, format string, args ...any) *Error {
	return &Error{Kind: Conflict, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Unauthorizedf returns an Unauthorized error.
func Unauthorizedf(code, format string, args ...any) *Error {
	return &Error{Kind: Unauthorized, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Forbiddenf returns a Forbidden error.
func Forbiddenf(code, format string, args ...any) *Error {
	return &Error{Kind: Forbidden, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Limitedf returns a Limited error.
func Limitedf(code, format string, args ...any) *Error {
	return &Error{Kind: Limited, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internalf wraps cause as an Internal error. The message users see is
// generic; what was being done goes into the wrapped cause for the log.
func Internalf(cause error, format string, args ...any) *Error {
	return &Error{Kind: Internal, Code: "internal", Message: "internal error", Err: fmt.Errorf(format+": %w", append(args, cause)...)}
}
