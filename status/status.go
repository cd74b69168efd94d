// Package status reads (and, for issuers, writes) credential status
// information: the W3C Bitstring Status List v1.0 (and its predecessor
// StatusList2021) and the 1EdTech Revocation List used by Open Badges 3.0.
//
// The package parses JSON only. Fetching a status list and verifying the
// status list credential's proof are the verifier's job (packages fetch,
// proof, vcjwt): callers pass the JSON of a credential they have already
// verified.
package status

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// credentialStatus types.
const (
	TypeBitstringEntry        = "BitstringStatusListEntry"
	TypeStatusList2021Entry   = "StatusList2021Entry"
	Type1EdTechRevocationList = "1EdTechRevocationList"
)

// Status purposes defined by the Bitstring Status List specification.
const (
	PurposeRevocation = "revocation"
	PurposeSuspension = "suspension"
	PurposeRefresh    = "refresh"
	PurposeMessage    = "message"
)

// Limits on untrusted input.
const (
	// MaxListBytes caps a decompressed bitstring (16 MiB, 134,217,728
	// entries of one bit); the specification's minimum is 16 KiB.
	MaxListBytes = 16 << 20
	// MaxEncodedListLength caps the encodedList string.
	MaxEncodedListLength = 16 << 20
	// MaxDocumentSize caps the JSON documents parsed here.
	MaxDocumentSize = 32 << 20
	// MaxStatusSize is the largest statusSize accepted: its statusMessage
	// array has 2^statusSize elements.
	MaxStatusSize = 8
	// MinEntries is the Bitstring Status List minimum number of entries
	// (16 KiB of one-bit entries), for herd privacy.
	MinEntries = 131072
)

// Errors; test with errors.Is. The comments name the Bitstring Status List
// error each one corresponds to.
var (
	ErrMalformedEntry       = errors.New("status: malformed credentialStatus entry") // MALFORMED_VALUE_ERROR
	ErrUnsupportedType      = errors.New("status: unsupported credentialStatus type")
	ErrMalformedList        = errors.New("status: malformed status list") // MALFORMED_VALUE_ERROR
	ErrTooLarge             = errors.New("status: input exceeds size limit")
	ErrIndexOutOfRange      = errors.New("status: status index outside the status list")  // RANGE_ERROR
	ErrPurposeMismatch      = errors.New("status: status purpose not in the status list") // STATUS_VERIFICATION_ERROR
	ErrListTooShort         = errors.New("status: status list shorter than the minimum")  // STATUS_LIST_LENGTH_ERROR
	ErrUnsupportedSize      = errors.New("status: unsupported statusSize")
	ErrMalformedRevocations = errors.New("status: malformed 1EdTech revocation list")
)

// Entry is one credentialStatus object.
type Entry struct {
	ID   string
	Type string // TypeBitstringEntry, TypeStatusList2021Entry or Type1EdTechRevocationList

	// Bitstring Status List and StatusList2021 fields.
	StatusPurpose        string
	StatusListIndex      int
	StatusListCredential string
	StatusSize           int             // 1 when absent
	StatusMessages       []StatusMessage // nil when absent
	StatusReference      []string
	// IndexNotString is set when statusListIndex was a JSON number rather
	// than the string the specification requires (seen in the wild and in
	// 1EdTech's validator fixtures); callers may warn.
	IndexNotString bool
}

// StatusMessage is one element of statusMessage.
type StatusMessage struct {
	Status  uint64 // from the "0x…" hexadecimal string
	Message string
}

// ParseEntry parses one credentialStatus object. For a
// 1EdTechRevocationList entry only ID (the list URL) and Type are set.
func ParseEntry(data []byte) (*Entry, error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: entry of %d bytes", ErrTooLarge, len(data))
	}
	var raw struct {
		ID                   *string         `json:"id"`
		Type                 json.RawMessage `json:"type"`
		StatusPurpose        *string         `json:"statusPurpose"`
		StatusListIndex      json.RawMessage `json:"statusListIndex"`
		StatusListCredential *string         `json:"statusListCredential"`
		StatusSize           json.RawMessage `json:"statusSize"`
		StatusMessage        json.RawMessage `json:"statusMessage"`
		StatusReference      json.RawMessage `json:"statusReference"`
	}
	if err := decodeObject(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedEntry, err)
	}
	types, err := stringOrStrings(raw.Type)
	if err != nil || len(types) != 1 {
		return nil, fmt.Errorf("%w: type must be one string", ErrMalformedEntry)
	}
	e := &Entry{Type: types[0], StatusSize: 1}
	if raw.ID != nil {
		e.ID = *raw.ID
	}
	switch e.Type {
	case Type1EdTechRevocationList:
		if e.ID == "" {
			return nil, fmt.Errorf("%w: %s without id", ErrMalformedEntry, e.Type)
		}
		return e, nil
	case TypeBitstringEntry, TypeStatusList2021Entry:
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedType, e.Type)
	}
	if raw.StatusPurpose == nil || *raw.StatusPurpose == "" {
		return nil, fmt.Errorf("%w: statusPurpose missing", ErrMalformedEntry)
	}
	e.StatusPurpose = *raw.StatusPurpose
	if raw.StatusListCredential == nil || *raw.StatusListCredential == "" {
		return nil, fmt.Errorf("%w: statusListCredential missing", ErrMalformedEntry)
	}
	e.StatusListCredential = *raw.StatusListCredential
	if e.StatusListIndex, e.IndexNotString, err = parseIndex(raw.StatusListIndex); err != nil {
		return nil, err
	}
	if len(raw.StatusSize) > 0 {
		n, err := strconv.Atoi(string(raw.StatusSize))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%w: statusSize %s is not an integer above zero", ErrMalformedEntry, raw.StatusSize)
		}
		if n > MaxStatusSize {
			return nil, fmt.Errorf("%w: statusSize %d (largest supported %d)", ErrUnsupportedSize, n, MaxStatusSize)
		}
		e.StatusSize = n
	}
	if len(raw.StatusMessage) > 0 {
		if e.StatusMessages, err = parseMessages(raw.StatusMessage, e.StatusSize); err != nil {
			return nil, err
		}
	} else if e.StatusSize > 1 {
		return nil, fmt.Errorf("%w: statusSize %d without statusMessage", ErrMalformedEntry, e.StatusSize)
	}
	if len(raw.StatusReference) > 0 {
		if e.StatusReference, err = stringOrStrings(raw.StatusReference); err != nil {
			return nil, fmt.Errorf("%w: statusReference: %v", ErrMalformedEntry, err)
		}
	}
	return e, nil
}

// parseIndex reads statusListIndex: a base-10 string of digits (a JSON
// number is accepted and reported). Indexes beyond the largest list this
// package decodes are out of range whatever the list.
func parseIndex(raw json.RawMessage) (int, bool, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false, fmt.Errorf("%w: statusListIndex missing", ErrMalformedEntry)
	}
	s, notString := "", false
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false, fmt.Errorf("%w: statusListIndex: %v", ErrMalformedEntry, err)
		}
	} else {
		s, notString = string(raw), true
	}
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false, fmt.Errorf("%w: statusListIndex %q is not a non-negative base-10 integer", ErrMalformedEntry, s)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n >= MaxListBytes*8 {
		return 0, false, fmt.Errorf("%w: statusListIndex %s is beyond any supported list (%d entries)", ErrIndexOutOfRange, s, MaxListBytes*8)
	}
	return int(n), notString, nil
}

// parseMessages reads statusMessage: 2^statusSize objects with a distinct
// "0x…" status each and a message string.
func parseMessages(raw json.RawMessage, size int) ([]StatusMessage, error) {
	var items []struct {
		Status  *string `json:"status"`
		Message *string `json:"message"`
	}
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("%w: statusMessage: %v", ErrMalformedEntry, err)
	}
	if len(items) != 1<<size {
		return nil, fmt.Errorf("%w: statusMessage has %d elements, statusSize %d needs %d", ErrMalformedEntry, len(items), size, 1<<size)
	}
	out := make([]StatusMessage, 0, len(items))
	seen := map[uint64]bool{}
	for i, it := range items {
		if it.Status == nil || it.Message == nil {
			return nil, fmt.Errorf("%w: statusMessage[%d] needs status and message", ErrMalformedEntry, i)
		}
		h, ok := strings.CutPrefix(*it.Status, "0x")
		v, err := strconv.ParseUint(h, 16, 64)
		if !ok || err != nil || h == "" {
			return nil, fmt.Errorf("%w: statusMessage[%d].status %q is not 0x-prefixed hexadecimal", ErrMalformedEntry, i, *it.Status)
		}
		if v >= 1<<size || seen[v] {
			return nil, fmt.Errorf("%w: statusMessage[%d].status %s out of range or repeated", ErrMalformedEntry, i, *it.Status)
		}
		seen[v] = true
		out = append(out, StatusMessage{Status: v, Message: *it.Message})
	}
	return out, nil
}

// ListCredential is the part of a BitstringStatusListCredential (or
// StatusList2021Credential) needed to check a status.
type ListCredential struct {
	ID          string
	Types       []string
	Issuer      string // issuer id
	ValidFrom   string // as written; validFrom or issuanceDate
	ValidUntil  string // validUntil or expirationDate
	SubjectID   string
	SubjectType string
	Purposes    []string
	EncodedList string
	TTL         int64 // milliseconds; 0 when absent
}

// ParseListCredential parses a status list credential's JSON. It checks the
// types and the subject's shape, not the proof.
func ParseListCredential(data []byte) (*ListCredential, error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: status list credential of %d bytes", ErrTooLarge, len(data))
	}
	var raw struct {
		ID                *string         `json:"id"`
		Type              json.RawMessage `json:"type"`
		Issuer            json.RawMessage `json:"issuer"`
		ValidFrom         string          `json:"validFrom"`
		ValidUntil        string          `json:"validUntil"`
		IssuanceDate      string          `json:"issuanceDate"`
		ExpirationDate    string          `json:"expirationDate"`
		CredentialSubject json.RawMessage `json:"credentialSubject"`
	}
	if err := decodeObject(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedList, err)
	}
	lc := &ListCredential{ValidFrom: raw.ValidFrom, ValidUntil: raw.ValidUntil}
	if lc.ValidFrom == "" {
		lc.ValidFrom = raw.IssuanceDate
	}
	if lc.ValidUntil == "" {
		lc.ValidUntil = raw.ExpirationDate
	}
	if raw.ID != nil {
		lc.ID = *raw.ID
	}
	var err error
	if lc.Types, err = stringOrStrings(raw.Type); err != nil {
		return nil, fmt.Errorf("%w: type: %v", ErrMalformedList, err)
	}
	if !contains(lc.Types, "BitstringStatusListCredential") && !contains(lc.Types, "StatusList2021Credential") {
		return nil, fmt.Errorf("%w: type %q has neither BitstringStatusListCredential nor StatusList2021Credential", ErrMalformedList, lc.Types)
	}
	lc.Issuer = idOf(raw.Issuer)

	var subj struct {
		ID            string          `json:"id"`
		Type          json.RawMessage `json:"type"`
		StatusPurpose json.RawMessage `json:"statusPurpose"`
		EncodedList   *string         `json:"encodedList"`
		TTL           *int64          `json:"ttl"`
	}
	if err := decodeObject(raw.CredentialSubject, &subj); err != nil {
		return nil, fmt.Errorf("%w: credentialSubject: %v", ErrMalformedList, err)
	}
	st, err := stringOrStrings(subj.Type)
	if err != nil || len(st) != 1 || (st[0] != "BitstringStatusList" && st[0] != "StatusList2021") {
		return nil, fmt.Errorf("%w: credentialSubject.type must be BitstringStatusList", ErrMalformedList)
	}
	lc.SubjectID, lc.SubjectType = subj.ID, st[0]
	if lc.Purposes, err = stringOrStrings(subj.StatusPurpose); err != nil || len(lc.Purposes) == 0 {
		return nil, fmt.Errorf("%w: credentialSubject.statusPurpose missing", ErrMalformedList)
	}
	if subj.EncodedList == nil || *subj.EncodedList == "" {
		return nil, fmt.Errorf("%w: credentialSubject.encodedList missing", ErrMalformedList)
	}
	lc.EncodedList = *subj.EncodedList
	if subj.TTL != nil {
		lc.TTL = *subj.TTL
	}
	return lc, nil
}

// Result is the outcome of checking one entry against its list.
type Result struct {
	Purpose   string
	Value     uint64 // the status value read (0 or 1 for one-bit entries)
	Valid     bool   // Value == 0, as the specification's "valid"
	Revoked   bool   // purpose revocation and Value != 0
	Suspended bool   // purpose suspension and Value != 0
	// Message is the statusMessage text for Value, or "unset"/"set" for a
	// one-bit entry without statusMessage.
	Message string
	// List is the parsed list credential; callers compare List.ID with
	// the entry's statusListCredential and check its validity period.
	List *ListCredential
}

// CheckBitstring runs the Bitstring Status List validate algorithm (steps 5
// to 14) for entry against the JSON of its status list credential, whose
// proof the caller has already verified.
func CheckBitstring(listCredentialJSON []byte, entry *Entry) (*Result, error) {
	if entry == nil || (entry.Type != TypeBitstringEntry && entry.Type != TypeStatusList2021Entry) {
		return nil, fmt.Errorf("%w: not a bitstring status entry", ErrUnsupportedType)
	}
	lc, err := ParseListCredential(listCredentialJSON)
	if err != nil {
		return nil, err
	}
	if !contains(lc.Purposes, entry.StatusPurpose) {
		return nil, fmt.Errorf("%w: entry purpose %q, list purposes %q", ErrPurposeMismatch, entry.StatusPurpose, lc.Purposes)
	}
	bs, err := DecodeList(lc.EncodedList)
	if err != nil {
		return nil, err
	}
	size := max(entry.StatusSize, 1)
	if n := bs.Len() / size; n < MinEntries {
		return nil, fmt.Errorf("%w: %d entries of %d bits, minimum %d", ErrListTooShort, n, size, MinEntries)
	}
	v, err := bs.Get(entry.StatusListIndex, size)
	if err != nil {
		return nil, err
	}
	r := &Result{Purpose: entry.StatusPurpose, Value: v, Valid: v == 0, List: lc}
	r.Revoked = entry.StatusPurpose == PurposeRevocation && v != 0
	r.Suspended = entry.StatusPurpose == PurposeSuspension && v != 0
	switch {
	case entry.StatusMessages != nil:
		for _, m := range entry.StatusMessages {
			if m.Status == v {
				r.Message = m.Message
			}
		}
	case size == 1 && v == 0:
		r.Message = "unset"
	case size == 1:
		r.Message = "set"
	}
	return r, nil
}

// decodeObject unmarshals a JSON object, refusing other JSON values.
func decodeObject(data []byte, v any) error {
	t := bytes.TrimLeft(data, " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return errors.New("not a JSON object")
	}
	return json.Unmarshal(data, v)
}

// stringOrStrings reads a JSON string or array of strings.
func stringOrStrings(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("missing")
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, errors.New("not a string or an array of strings")
	}
	return many, nil
}

// idOf returns a string value, or the "id" of an object value.
func idOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.ID
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
