package webhooks

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

type signatureVector struct {
	Name      string `json:"name"`
	Secret    string `json:"secret"`
	Timestamp int64  `json:"timestamp"`
	Body      string `json:"body"`
	Header    string `json:"header"`
}

func loadVectors(t testing.TB) []signatureVector {
	b, err := os.ReadFile("testdata/signatures.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []signatureVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestSignVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			at := time.Unix(v.Timestamp, 0)
			if got := Sign(v.Secret, at, []byte(v.Body)); got != v.Header {
				t.Errorf("Sign = %s, want %s", got, v.Header)
			}
			if err := Verify(v.Secret, v.Header, []byte(v.Body), at.Add(time.Minute), DefaultTolerance); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	const secret = "whsec_0123456789abcdefghijklmnop"
	body := []byte(`{"id":"evt_1","type":"award.claimed"}`)
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	good := Sign(secret, at, body)
	other := Sign("whsec_another_secret_altogether", at, body)
	v1 := func(h string) string { _, v, _ := strings.Cut(h, "v1="); return v }
	for _, tc := range []struct {
		name   string
		secret string
		header string
		body   string
		now    time.Time
		want   error
	}{
		{"good", secret, good, string(body), at, nil},
		{"within tolerance late", secret, good, string(body), at.Add(4 * time.Minute), nil},
		{"within tolerance early", secret, good, string(body), at.Add(-4 * time.Minute), nil},
		{"spaces and unknown keys", secret, " t=" + "1772359200" + " , v0=zz, v1=" + v1(good), string(body), at, nil},
		{"rotation: second v1 matches", secret, other + ",v1=" + v1(good), string(body), at, nil},
		{"upper-case hex", secret, "t=1772359200,v1=" + strings.ToUpper(v1(good)), string(body), at, nil},
		{"body changed", secret, good, string(body) + " ", at, ErrSignatureBad},
		{"wrong secret", "whsec_wrong_wrong_wrong_wrong", good, string(body), at, ErrSignatureBad},
		{"replayed later", secret, good, string(body), at.Add(6 * time.Minute), ErrSignatureStale},
		{"from the future", secret, good, string(body), at.Add(-6 * time.Minute), ErrSignatureStale},
		{"timestamp changed", secret, "t=1772359201,v1=" + v1(good), string(body), at, ErrSignatureBad},
		{"empty", secret, "", string(body), at, ErrSignatureHeader},
		{"no v1", secret, "t=1772359200", string(body), at, ErrSignatureHeader},
		{"no t", secret, "v1=" + v1(good), string(body), at, ErrSignatureHeader},
		{"two t", secret, "t=1,t=2,v1=" + v1(good), string(body), at, ErrSignatureHeader},
		{"negative t", secret, "t=-5,v1=" + v1(good), string(body), at, ErrSignatureHeader},
		{"short v1", secret, "t=1772359200,v1=abcd", string(body), at, ErrSignatureHeader},
		{"not hex", secret, "t=1772359200,v1=" + strings.Repeat("g", 64), string(body), at, ErrSignatureHeader},
		{"no equals", secret, "t=1772359200,v1", string(body), at, ErrSignatureHeader},
		{"huge", secret, good + strings.Repeat(",x=y", 400), string(body), at, ErrSignatureHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secret, tc.header, []byte(tc.body), tc.now, DefaultTolerance)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzParseSignature(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.Header)
	}
	f.Add("t=1,v1=" + strings.Repeat("0", 64) + ",v1=" + strings.Repeat("a", 64))
	f.Add("t=,v1=")
	f.Add(",,,=")
	f.Fuzz(func(t *testing.T, header string) {
		s, err := ParseSignature(header)
		if err != nil {
			return
		}
		if s.Timestamp <= 0 || len(s.V1) == 0 || len(header) > maxSignatureHeader {
			t.Fatalf("accepted %q as %+v", header, s)
		}
		for _, v := range s.V1 {
			if len(v) != 64 || strings.ToLower(v) != v {
				t.Fatalf("v1 %q from %q", v, header)
			}
		}
	})
}
