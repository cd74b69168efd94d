package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// statusOf returns the credentialStatus member(s) of a credential file.
func statusOf(t testing.TB, name string) []json.RawMessage {
	t.Helper()
	var c struct {
		CredentialStatus json.RawMessage `json:"credentialStatus"`
	}
	if err := json.Unmarshal(read(t, name), &c); err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(bytes.TrimSpace(c.CredentialStatus), []byte("[")) {
		var many []json.RawMessage
		if err := json.Unmarshal(c.CredentialStatus, &many); err != nil {
			t.Fatal(err)
		}
		return many
	}
	return []json.RawMessage{c.CredentialStatus}
}

func parseEntry(t testing.TB, raw []byte) *Entry {
	t.Helper()
	e, err := ParseEntry(raw)
	if err != nil {
		t.Fatalf("ParseEntry: %v", err)
	}
	return e
}

var ignoreList = cmpopts.IgnoreFields(Result{}, "List")

// TestW3CExamples runs the Bitstring Status List specification's examples.
func TestW3CExamples(t *testing.T) {
	st := statusOf(t, "w3c-example1-credential.json")
	revocation, suspension := parseEntry(t, st[0]), parseEntry(t, st[1])
	want := &Entry{
		ID: "https://example.com/credentials/status/3#94567", Type: TypeBitstringEntry,
		StatusPurpose: PurposeRevocation, StatusListIndex: 94567,
		StatusListCredential: "https://example.com/credentials/status/3", StatusSize: 1,
	}
	if diff := cmp.Diff(want, revocation); diff != "" {
		t.Errorf("entry (-want +got):\n%s", diff)
	}

	list := read(t, "w3c-example3-list.json")
	got, err := CheckBitstring(list, revocation)
	if err != nil {
		t.Fatal(err)
	}
	wantRes := &Result{Purpose: PurposeRevocation, Value: 0, Valid: true, Message: "unset"}
	if diff := cmp.Diff(wantRes, got, ignoreList); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if got.List.ID != revocation.StatusListCredential {
		t.Errorf("list id %q", got.List.ID)
	}
	if _, err := CheckBitstring(list, suspension); !errors.Is(err, ErrPurposeMismatch) {
		t.Errorf("suspension entry against a revocation list: %v, want ErrPurposeMismatch", err)
	}

	msg := parseEntry(t, read(t, "w3c-example2-entry.json"))
	wantMsg := &Entry{
		ID: "https://example.com/credentials/status/8#492847", Type: TypeBitstringEntry,
		StatusPurpose: PurposeMessage, StatusListIndex: 492847,
		StatusListCredential: "https://example.com/credentials/status/8", StatusSize: 2,
		StatusMessages:  []StatusMessage{{0, "pending_review"}, {1, "accepted"}, {2, "rejected"}, {3, "undefined"}},
		StatusReference: []string{"https://example.org/status-dictionary/"},
	}
	if diff := cmp.Diff(wantMsg, msg); diff != "" {
		t.Errorf("message entry (-want +got):\n%s", diff)
	}
}

// TestOneEdTechBitstringVectors runs 1EdTech validator fixtures: the
// credentials point at index 23 of "testlist", where the bit is set.
func TestOneEdTechBitstringVectors(t *testing.T) {
	list := read(t, "1edtech-bsl-testlist.json")
	for _, name := range []string{"1edtech-bsl-credential-status-revoked.json", "1edtech-bsl-credential-status-revoked-blank-nodes.json"} {
		t.Run(name, func(t *testing.T) {
			e := parseEntry(t, statusOf(t, name)[0])
			if e.StatusListIndex != 23 || !e.IndexNotString {
				t.Errorf("index %d (not string %v), want numeric 23", e.StatusListIndex, e.IndexNotString)
			}
			got, err := CheckBitstring(list, e)
			if err != nil {
				t.Fatal(err)
			}
			want := &Result{Purpose: PurposeRevocation, Value: 1, Revoked: true, Message: "set"}
			if diff := cmp.Diff(want, got, ignoreList); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			// The list's id differs from the entry's URL; the caller sees both.
			if got.List.ID == e.StatusListCredential {
				t.Error("expected the fixture's list id to differ from statusListCredential")
			}
		})
	}
	for _, idx := range []int{0, 22, 24, 131071} {
		e := parseEntry(t, statusOf(t, "1edtech-bsl-credential-status-revoked.json")[0])
		e.StatusListIndex = idx
		got, err := CheckBitstring(list, e)
		if err != nil || got.Revoked {
			t.Errorf("index %d: %+v, %v; want not revoked", idx, got, err)
		}
	}
}

func TestOneEdTechRevocationList(t *testing.T) {
	e := parseEntry(t, statusOf(t, "1edtech-credential-status-revoked.json")[0])
	wantEntry := &Entry{ID: "https://dc.1edtech.org/wellspring2022/wellspring-portal/api/revocations/da1e96e9-afcc-4eed-b9a2-2ddf7353214c", Type: Type1EdTechRevocationList, StatusSize: 1}
	if diff := cmp.Diff(wantEntry, e); diff != "" {
		t.Errorf("entry (-want +got):\n%s", diff)
	}
	l, err := ParseRevocationList(read(t, "revocation-list.json"))
	if err != nil {
		t.Fatal(err)
	}
	if l.ID != e.ID {
		t.Errorf("list id %q, want %q", l.ID, e.ID)
	}
	tests := []struct {
		name, id    string
		wantRevoked bool
		wantReason  string
	}{
		{"the fixture credential, with reason", "https://dc.1edtech.org/wellspring2022/wellspring-portal/credential/54418d3f-ec01-4652-800a-861c890a51a1", true, "Awarded in error"},
		{"revoked false", "urn:uuid:6b0c1c36-0c77-4f63-9f7e-0b6f6f2f1a10", false, ""},
		{"revoked true, no reason", "urn:uuid:1f3a5e2c-9d4b-4c1e-8a77-3e2d1c0b9a88", true, ""},
		{"absent", "urn:uuid:00000000-0000-0000-0000-000000000000", false, ""},
		{"empty id", "", false, ""},
		{"ids compare exactly", "HTTPS://dc.1edtech.org/wellspring2022/wellspring-portal/credential/54418d3f-ec01-4652-800a-861c890a51a1", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			revoked, reason := l.Lookup(tc.id)
			if revoked != tc.wantRevoked || reason != tc.wantReason {
				t.Errorf("Lookup = %v, %q; want %v, %q", revoked, reason, tc.wantRevoked, tc.wantReason)
			}
		})
	}
}

func TestRevocationListCases(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		id      string
		revoked bool
		wantErr error
	}{
		{"empty list", `{"id":"https://ex.org/r"}`, "a", false, nil},
		{"null list", `{"revokedCredentials":null}`, "a", false, nil},
		{"repeat cannot un-revoke", `{"revokedCredentials":[{"id":"a"},{"id":"a","revoked":false}]}`, "a", true, nil},
		{"later revocation wins", `{"revokedCredentials":[{"id":"a","revoked":false},{"id":"a"}]}`, "a", true, nil},
		{"issuer object", `{"issuer":{"id":"did:ex:1"},"revokedCredentials":[{"id":"a"}]}`, "a", true, nil},
		{"entry without id", `{"revokedCredentials":[{"revoked":true}]}`, "", false, ErrMalformedRevocations},
		{"revoked not boolean", `{"revokedCredentials":[{"id":"a","revoked":"yes"}]}`, "", false, ErrMalformedRevocations},
		{"list not an array", `{"revokedCredentials":{"id":"a"}}`, "", false, ErrMalformedRevocations},
		{"not an object", `["a"]`, "", false, ErrMalformedRevocations},
		{"not JSON", `{`, "", false, ErrMalformedRevocations},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseRevocationList([]byte(tc.doc))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if revoked, _ := l.Lookup(tc.id); revoked != tc.revoked {
				t.Errorf("Lookup(%q) = %v, want %v", tc.id, revoked, tc.revoked)
			}
		})
	}
}

func TestBitOrder(t *testing.T) {
	b, err := New(16)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		index, size int
		value       uint64
		want        []byte
	}{
		{0, 1, 1, []byte{0x80, 0x00}},   // index 0 is the left-most bit
		{9, 1, 1, []byte{0x80, 0x40}},   // second byte, second bit
		{1, 2, 2, []byte{0xA0, 0x40}},   // bits 2-3 = "10"
		{3, 4, 0xF, []byte{0xA0, 0x4F}}, // bits 12-15
		{0, 1, 0, []byte{0x20, 0x4F}},   // clearing
		{0, 16, 0x1234, []byte{0x12, 0x34}},
	}
	for i, s := range steps {
		if err := b.Set(s.index, s.size, s.value); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if !bytes.Equal(b.bits, s.want) {
			t.Fatalf("step %d: bits %x, want %x", i, b.bits, s.want)
		}
		if v, err := b.Get(s.index, s.size); err != nil || v != s.value {
			t.Fatalf("step %d: Get = %d, %v; want %d", i, v, err, s.value)
		}
	}
	for _, tc := range []struct{ index, size int }{{16, 1}, {8, 2}, {-1, 1}, {0, 0}, {0, 65}, {1, 16}} {
		if _, err := b.Get(tc.index, tc.size); err == nil {
			t.Errorf("Get(%d, %d) accepted", tc.index, tc.size)
		}
	}
	if err := b.Set(0, 2, 4); !errors.Is(err, ErrIndexOutOfRange) {
		t.Errorf("value too wide: %v", err)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	b, err := New(MinEntries * 2)
	if err != nil {
		t.Fatal(err)
	}
	set := map[int]uint64{0: 3, 7: 1, 94567: 2, MinEntries - 1: 3}
	for i, v := range set {
		if err := b.Set(i, 2, v); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "uH4sI") {
		t.Errorf("encoding %q does not start with multibase u + GZIP", enc[:10])
	}
	got, err := DecodeList(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != MinEntries*2 {
		t.Errorf("Len = %d", got.Len())
	}
	for i := 0; i < MinEntries; i++ {
		v, err := got.Get(i, 2)
		if err != nil || v != set[i] {
			t.Fatalf("entry %d = %d, %v; want %d", i, v, err, set[i])
		}
	}
}

// listJSON wraps an encoded list in a minimal status list credential.
func listJSON(purpose, encoded string) []byte {
	return []byte(`{"id":"https://ex.org/sl/1","type":["VerifiableCredential","BitstringStatusListCredential"],"issuer":"did:ex:1",
"credentialSubject":{"type":"BitstringStatusList","statusPurpose":` + purpose + `,"encodedList":"` + encoded + `"}}`)
}

func encodeList(t *testing.T, bits int, set map[int]uint64, size int) string {
	t.Helper()
	b, err := New(bits)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range set {
		if err := b.Set(i, size, v); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func TestCheckBitstring(t *testing.T) {
	msgEntry := parseEntry(t, read(t, "w3c-example2-entry.json"))
	msgList := listJSON(`"message"`, encodeList(t, 2*500000, map[int]uint64{492847: 2}, 2))
	got, err := CheckBitstring(msgList, msgEntry)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Result{Purpose: PurposeMessage, Value: 2, Message: "rejected"}, got, ignoreList); diff != "" {
		t.Errorf("message entry (-want +got):\n%s", diff)
	}

	suspended := &Entry{Type: TypeBitstringEntry, StatusPurpose: PurposeSuspension, StatusListIndex: 5, StatusListCredential: "https://ex.org/sl/1", StatusSize: 1}
	multi := listJSON(`["revocation","suspension"]`, encodeList(t, MinEntries, map[int]uint64{5: 1}, 1))
	got, err = CheckBitstring(multi, suspended)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Result{Purpose: PurposeSuspension, Value: 1, Suspended: true, Message: "set"}, got, ignoreList); diff != "" {
		t.Errorf("suspension (-want +got):\n%s", diff)
	}

	legacy := &Entry{Type: TypeStatusList2021Entry, StatusPurpose: PurposeSuspension, StatusListIndex: 1, StatusListCredential: "https://example.com/credentials/status/2021", StatusSize: 1}
	got, err = CheckBitstring(read(t, "statuslist2021-list.json"), legacy)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Valid || got.List.Issuer != "did:example:12345" || got.List.ValidFrom != "2021-04-05T14:27:40Z" {
		t.Errorf("StatusList2021: %+v %+v", got, got.List)
	}

	revoke := func(i int) *Entry {
		return &Entry{Type: TypeBitstringEntry, StatusPurpose: PurposeRevocation, StatusListIndex: i, StatusListCredential: "https://ex.org/sl/1", StatusSize: 1}
	}
	full := encodeList(t, MinEntries, nil, 1)
	errs := []struct {
		name    string
		list    []byte
		entry   *Entry
		wantErr error
	}{
		{"list too short", listJSON(`"revocation"`, encodeList(t, 8, nil, 1)), revoke(0), ErrListTooShort},
		{"two-bit entries need twice the bits", listJSON(`"revocation"`, full), &Entry{Type: TypeBitstringEntry, StatusPurpose: PurposeRevocation, StatusSize: 2}, ErrListTooShort},
		{"index just past the end", listJSON(`"revocation"`, full), revoke(MinEntries), ErrIndexOutOfRange},
		{"purpose mismatch", listJSON(`"suspension"`, full), revoke(0), ErrPurposeMismatch},
		{"purpose case matters", listJSON(`"Revocation"`, full), revoke(0), ErrPurposeMismatch},
		{"wrong credential type", bytes.Replace(listJSON(`"revocation"`, full), []byte("BitstringStatusListCredential"), []byte("Other"), 1), revoke(0), ErrMalformedList},
		{"wrong subject type", bytes.Replace(listJSON(`"revocation"`, full), []byte(`"BitstringStatusList"`), []byte(`"Other"`), 1), revoke(0), ErrMalformedList},
		{"no encodedList", bytes.Replace(listJSON(`"revocation"`, full), []byte(`"encodedList"`), []byte(`"x"`), 1), revoke(0), ErrMalformedList},
		{"no purpose", listJSON(`null`, full), revoke(0), ErrMalformedList},
		{"bad encoding", listJSON(`"revocation"`, "zabc"), revoke(0), ErrMalformedList},
		{"not JSON", []byte(`{"type":`), revoke(0), ErrMalformedList},
		{"1EdTech entry", listJSON(`"revocation"`, full), &Entry{Type: Type1EdTechRevocationList, ID: "https://ex.org/r"}, ErrUnsupportedType},
		{"nil entry", listJSON(`"revocation"`, full), nil, ErrUnsupportedType},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := CheckBitstring(tc.list, tc.entry); !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func gz(t testing.TB, p []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(p)
	w.Close()
	return b.Bytes()
}

func TestDecodeList(t *testing.T) {
	ok := base64.RawURLEncoding.EncodeToString(gz(t, []byte{0x80, 0x01}))
	badCRC := gz(t, []byte{0x80, 0x01})
	badCRC[len(badCRC)-8] ^= 0xFF
	bomb := base64.RawURLEncoding.EncodeToString(gz(t, make([]byte, MaxListBytes+1)))
	tests := []struct {
		name    string
		enc     string
		wantLen int
		wantErr error
	}{
		{"multibase u", "u" + ok, 16, nil},
		{"padding tolerated", "u" + ok + "==", 16, nil},
		{"StatusList2021 without prefix", ok, 16, nil},
		{"W3C example", "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA", MinEntries, nil},
		{"empty", "", 0, ErrMalformedList},
		{"base58 multibase refused", "z" + ok, 0, ErrMalformedList},
		{"standard base64 alphabet refused", "u" + strings.ReplaceAll(strings.ReplaceAll(ok, "-", "+"), "_", "/") + "+/", 0, ErrMalformedList},
		{"not GZIP", "u" + base64.RawURLEncoding.EncodeToString([]byte("plain bytes")), 0, ErrMalformedList},
		{"GZIP checksum wrong", "u" + base64.RawURLEncoding.EncodeToString(badCRC), 0, ErrMalformedList},
		{"empty bitstring", "u" + base64.RawURLEncoding.EncodeToString(gz(t, nil)), 0, ErrMalformedList},
		{"decompression bomb", "u" + bomb, 0, ErrTooLarge},
		{"encoded string too long", "u" + strings.Repeat("A", MaxEncodedListLength), 0, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := DecodeList(tc.enc)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err == nil && b.Len() != tc.wantLen {
				t.Errorf("Len = %d, want %d", b.Len(), tc.wantLen)
			}
		})
	}
}

func TestParseEntryErrors(t *testing.T) {
	base := func(mod string) []byte {
		return []byte(`{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListCredential":"https://ex.org/sl",` + mod + `}`)
	}
	msgs := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, `{"status":"0x`+strings.ToUpper(string("0123456789abcdef"[i%16]))+`","message":"m"}`)
		}
		return `"statusMessage":[` + strings.Join(parts, ",") + `]`
	}
	tests := []struct {
		name    string
		doc     []byte
		wantErr error
	}{
		{"valid string index", base(`"statusListIndex":"7"`), nil},
		{"numeric index accepted", base(`"statusListIndex":7`), nil},
		{"leading zeros", base(`"statusListIndex":"007"`), nil},
		{"negative index", base(`"statusListIndex":"-1"`), ErrMalformedEntry},
		{"negative numeric index", base(`"statusListIndex":-1`), ErrMalformedEntry},
		{"fractional index", base(`"statusListIndex":1.5`), ErrMalformedEntry},
		{"index with sign", base(`"statusListIndex":"+1"`), ErrMalformedEntry},
		{"index not a number", base(`"statusListIndex":"abc"`), ErrMalformedEntry},
		{"index empty", base(`"statusListIndex":""`), ErrMalformedEntry},
		{"index missing", base(`"id":"x"`), ErrMalformedEntry},
		{"index null", base(`"statusListIndex":null`), ErrMalformedEntry},
		{"index beyond any list", base(`"statusListIndex":"99999999999999999999999"`), ErrIndexOutOfRange},
		{"statusSize zero", base(`"statusListIndex":"1","statusSize":0`), ErrMalformedEntry},
		{"statusSize string", base(`"statusListIndex":"1","statusSize":"2"`), ErrMalformedEntry},
		{"statusSize too big", base(`"statusListIndex":"1","statusSize":9`), ErrUnsupportedSize},
		{"statusSize 2 without messages", base(`"statusListIndex":"1","statusSize":2`), ErrMalformedEntry},
		{"statusSize 2 with 4 messages", base(`"statusListIndex":"1","statusSize":2,` + msgs(4)), nil},
		{"statusSize 2 with 3 messages", base(`"statusListIndex":"1","statusSize":2,` + msgs(3)), ErrMalformedEntry},
		{"messages for size 1", base(`"statusListIndex":"1",` + msgs(2)), nil},
		{"repeated status", base(`"statusListIndex":"1","statusMessage":[{"status":"0x0","message":"a"},{"status":"0x0","message":"b"}]`), ErrMalformedEntry},
		{"status without 0x", base(`"statusListIndex":"1","statusMessage":[{"status":"0","message":"a"},{"status":"0x1","message":"b"}]`), ErrMalformedEntry},
		{"status out of range", base(`"statusListIndex":"1","statusMessage":[{"status":"0x0","message":"a"},{"status":"0x2","message":"b"}]`), ErrMalformedEntry},
		{"message missing", base(`"statusListIndex":"1","statusMessage":[{"status":"0x0"},{"status":"0x1","message":"b"}]`), ErrMalformedEntry},
		{"missing purpose", []byte(`{"type":"BitstringStatusListEntry","statusListIndex":"1","statusListCredential":"https://ex.org/sl"}`), ErrMalformedEntry},
		{"missing list URL", []byte(`{"type":"BitstringStatusListEntry","statusListIndex":"1","statusPurpose":"revocation"}`), ErrMalformedEntry},
		{"unknown type", []byte(`{"type":"RevocationList2020Status"}`), ErrUnsupportedType},
		{"two types", []byte(`{"type":["BitstringStatusListEntry","X"]}`), ErrMalformedEntry},
		{"no type", []byte(`{"id":"x"}`), ErrMalformedEntry},
		{"1EdTech without id", []byte(`{"type":"1EdTechRevocationList"}`), ErrMalformedEntry},
		{"array", []byte(`[{"type":"1EdTechRevocationList","id":"x"}]`), ErrMalformedEntry},
		{"not JSON", []byte(`{`), ErrMalformedEntry},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseEntry(tc.doc); !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func BenchmarkCheckBitstring(b *testing.B) {
	list := read(b, "1edtech-bsl-testlist.json")
	e := &Entry{Type: TypeBitstringEntry, StatusPurpose: PurposeRevocation, StatusListIndex: 23, StatusListCredential: "x", StatusSize: 1}
	for b.Loop() {
		if _, err := CheckBitstring(list, e); err != nil {
			b.Fatal(err)
		}
	}
}
