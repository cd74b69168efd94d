package config

import (
	"fmt"
	"io"
	"log/slog"
)

// Secret holds a value that must never be printed or logged (the master
// key, a URL with a password). Its printed form is a redacted description.
// The value sits behind a function: fmt prints a func as an address, so even
// a struct holding a Secret in an unexported field (where fmt cannot call
// String) does not print it.
type Secret struct {
	get   func() string
	shown string
}

// NewSecret wraps value; shown is what printing shows instead (""
// means "REDACTED" when value is set).
func NewSecret(value, shown string) Secret {
	if value == "" {
		return Secret{}
	}
	if shown == "" {
		shown = "REDACTED"
	}
	return Secret{get: func() string { return value }, shown: shown}
}

// Value returns the secret itself, for the one place that uses it.
func (s Secret) Value() string {
	if s.get == nil {
		return ""
	}
	return s.get()
}

// IsSet reports whether a value was given.
func (s Secret) IsSet() bool { return s.get != nil }

// String returns the redacted form ("" when unset).
func (s Secret) String() string { return s.shown }

// GoString redacts (%#v).
func (s Secret) GoString() string { return fmt.Sprintf("config.Secret(%q)", s.shown) }

// Format redacts for every verb.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, s.GoString())
		return
	}
	io.WriteString(f, s.shown)
}

// LogValue redacts in log/slog records.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.shown) }

// MarshalText redacts in JSON and other encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.shown), nil }
