package ob3

import (
	"errors"
	"time"
)

// DateTime is an xsd:dateTime as written in the credential. It is kept as
// a string so that a round trip never reformats a signed value.
type DateTime string

// NewDateTime formats t as RFC 3339 to the second, with "Z" when t is UTC
// (as in the spec's examples). The zero time gives "".
func NewDateTime(t time.Time) DateTime {
	if t.IsZero() {
		return ""
	}
	return DateTime(t.Truncate(time.Second).Format(time.RFC3339))
}

// ErrNoTimezone is returned (with the time read as UTC) by DateTime.Time
// for a dateTime without a time zone offset: valid xsd:dateTime, but VC 2.0
// asks for an xsd:dateTimeStamp.
var ErrNoTimezone = errors.New("dateTime has no time zone")

// Time parses the value: RFC 3339 (any fraction, "Z" or an offset), or an
// xsd:dateTime without time zone, read as UTC and returned together with
// ErrNoTimezone.
func (d DateTime) Time() (time.Time, error) {
	s := string(d)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, ErrNoTimezone
	}
	return time.Time{}, errors.New("not an RFC 3339 / xsd:dateTime value")
}

// ValidFromTime returns the start of validity: validFrom, or issuanceDate
// for the VC 1.1 form. ok is false when absent or unparseable (Check
// reports the latter).
func (c *Credential) ValidFromTime() (t time.Time, ok bool) {
	return firstTime(c.ValidFrom, c.IssuanceDate)
}

// ValidUntilTime returns the end of validity: validUntil, or expirationDate
// for the VC 1.1 form. ok is false when absent or unparseable (Check
// reports the latter).
func (c *Credential) ValidUntilTime() (t time.Time, ok bool) {
	return firstTime(c.ValidUntil, c.ExpirationDate)
}

// AwardedTime returns awardedDate, falling back to the start of validity,
// which the spec says awardedDate keeps when a credential is re-issued.
func (c *Credential) AwardedTime() (t time.Time, ok bool) {
	if t, ok := firstTime(c.AwardedDate); ok {
		return t, true
	}
	return c.ValidFromTime()
}

func firstTime(ds ...DateTime) (time.Time, bool) {
	for _, d := range ds {
		if d == "" {
			continue
		}
		t, err := d.Time()
		if err != nil && !errors.Is(err, ErrNoTimezone) {
			return time.Time{}, false
		}
		return t, true
	}
	return time.Time{}, false
}
