package ob3

import (
	"slices"
	"testing"
	"time"
)

func TestCheckRules(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Credential)
		want []string // "severity CODE path"
	}{
		{"valid", func(c *Credential) {}, nil},
		{"no context", func(c *Credential) { c.Context = nil }, []string{"error CONTEXT_MISSING @context"}},
		{"OB context only", func(c *Credential) { c.Context = Contexts(ContextOB) },
			[]string{"error CONTEXT_FIRST @context"}},
		{"no OB context", func(c *Credential) { c.Context = Contexts(ContextVC2) },
			[]string{"error CONTEXT_OB_MISSING @context"}},
		{"VC 1.1 with OB 3.0.3 context", func(c *Credential) {
			c.Context = Contexts(ContextVC1, ContextOB)
			c.IssuanceDate, c.ValidFrom, c.ValidUntil = c.ValidFrom, "", ""
		}, []string{"warning CONTEXT_MISMATCH @context", "warning VC1_FORM @context"}},
		{"type without VerifiableCredential", func(c *Credential) { c.Type = []string{"OpenBadgeCredential"} },
			[]string{"error TYPE_VC_MISSING type"}},
		{"AchievementCredential alias", func(c *Credential) { c.Type[1] = TypeAchievementCredential }, nil},
		{"id not a URI", func(c *Credential) { c.ID = "3527" }, []string{"error NOT_URI id"}},
		{"no id", func(c *Credential) { c.ID = "" }, []string{"error ID_MISSING id"}},
		{"issuer id not a URI", func(c *Credential) { c.Issuer.ID = "Cégep Exemple" }, []string{"error NOT_URI issuer.id"}},
		{"issuer without id", func(c *Credential) { c.Issuer.ID = "" }, []string{"error REQUIRED issuer.id"}},
		{"subject unidentified", func(c *Credential) { c.CredentialSubject.Identifier = nil },
			[]string{"error SUBJECT_UNIDENTIFIED credentialSubject"}},
		{"subject with id only", func(c *Credential) {
			c.CredentialSubject.Identifier = nil
			c.CredentialSubject.ID = "did:key:z6Mk"
		}, nil},
		{"no subject", func(c *Credential) { c.CredentialSubject = nil }, []string{"error SUBJECT_MISSING credentialSubject"}},
		{"achievement without criteria and name", func(c *Credential) {
			c.CredentialSubject.Achievement.Criteria = nil
			c.CredentialSubject.Achievement.Name = ""
		}, []string{"error REQUIRED credentialSubject.achievement.name", "error REQUIRED credentialSubject.achievement.criteria"}},
		{"bad hash", func(c *Credential) { c.CredentialSubject.Identifier[0].IdentityHash = "sha256$abc" },
			[]string{"error IDENTITY_HASH_FORMAT credentialSubject.identifier[0].identityHash"}},
		{"image without type", func(c *Credential) { c.Issuer.Image.Type = "" }, []string{"error WRONG_TYPE issuer.image.type"}},
		{"alignment without URL", func(c *Credential) { c.CredentialSubject.Achievement.Alignment[0].TargetURL = "" },
			[]string{"error REQUIRED credentialSubject.achievement.alignment[0].targetUrl"}},
		{"no validFrom", func(c *Credential) { c.ValidFrom = "" }, []string{"error DATE_MISSING validFrom"}},
		{"bad date", func(c *Credential) { c.AwardedDate = "14 mars 2025" }, []string{"error DATE_INVALID awardedDate"}},
		{"date without zone", func(c *Credential) { c.ValidFrom = "2025-03-14T15:00:00" }, []string{"warning DATE_NO_TIMEZONE validFrom"}},
		{"expires before valid", func(c *Credential) { c.ValidUntil = "2020-01-01T00:00:00Z" }, []string{"error VALIDITY_RANGE "}},
		{"status without list", func(c *Credential) { c.CredentialStatus[0].StatusListCredential = "" },
			[]string{"error REQUIRED credentialStatus.statusListCredential"}},
		{"status index not digits", func(c *Credential) { c.CredentialStatus[0].StatusListIndex = "x1" },
			[]string{"warning STATUS_INDEX_FORMAT credentialStatus.statusListIndex"}},
		{"endorsement checked with its path", func(c *Credential) {
			c.Endorsement = []Credential{{Context: Contexts(ContextVC2, ContextOB), ID: "urn:uuid:1",
				Type: []string{TypeVerifiableCredential, TypeEndorsementCredential}, ValidFrom: c.ValidFrom,
				Issuer:            &Profile{ID: "https://a.example", Type: []string{"Profile"}},
				CredentialSubject: &AchievementSubject{Type: []string{"EndorsementSubject"}}}}
		}, []string{"error SUBJECT_UNIDENTIFIED endorsement[0].credentialSubject.id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := typicalCredential()
			tt.edit(c)
			var got []string
			for _, p := range c.Check() {
				got = append(got, p.Severity.String()+" "+p.Code+" "+p.Path)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if HasErrors(c.Check()) != slices.ContainsFunc(tt.want, func(s string) bool { return s[:5] == "error" }) {
				t.Error("HasErrors disagrees")
			}
		})
	}
}

func TestCheckTime(t *testing.T) {
	c := typicalCredential() // valid 2025-03-14T15:00:00Z to 2028-03-14T15:00:00Z
	tests := []struct {
		now  time.Time
		want []string
	}{
		{time.Date(2025, 3, 14, 14, 59, 59, 0, time.UTC), []string{CodeNotYetValid}},
		{time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC), nil},
		{time.Date(2028, 3, 14, 15, 0, 0, 0, time.UTC), nil},
		{time.Date(2028, 3, 14, 15, 0, 1, 0, time.UTC), []string{CodeExpired}},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range c.CheckTime(tt.now) {
			got = append(got, p.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("CheckTime(%s) = %q, want %q", tt.now, got, tt.want)
		}
	}
	// VC 1.1 names are read the same way.
	v1 := &Credential{IssuanceDate: "2030-01-01T00:00:00+01:00", ExpirationDate: "2031-01-01T00:00:00Z"}
	from, ok := v1.ValidFromTime()
	if !ok || !from.Equal(time.Date(2029, 12, 31, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("ValidFromTime = %v, %v", from, ok)
	}
	if ps := v1.CheckTime(time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)); len(ps) != 1 || ps[0].Path != "issuanceDate" {
		t.Errorf("CheckTime VC 1.1 = %v", ps)
	}
	if _, ok := (&Credential{}).ValidUntilTime(); ok {
		t.Error("ValidUntilTime set on an empty credential")
	}
	if a, ok := (&Credential{ValidFrom: "2025-01-02T03:04:05Z"}).AwardedTime(); !ok || a.Day() != 2 {
		t.Errorf("AwardedTime fallback = %v %v", a, ok)
	}
}

func TestNewDateTime(t *testing.T) {
	loc := time.FixedZone("EST", -5*3600)
	tests := []struct {
		in   time.Time
		want DateTime
	}{
		{time.Date(2025, 3, 14, 15, 0, 0, 999, time.UTC), "2025-03-14T15:00:00Z"},
		{time.Date(2025, 3, 14, 10, 0, 0, 0, loc), "2025-03-14T10:00:00-05:00"},
		{time.Time{}, ""},
	}
	for _, tt := range tests {
		if got := NewDateTime(tt.in); got != tt.want {
			t.Errorf("NewDateTime(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsURI(t *testing.T) {
	for s, want := range map[string]bool{
		"https://exemple.qc.ca/a": true, "did:key:z6Mk": true, "urn:uuid:1": true, "xxx:y": true,
		"https://exemple.qc.ca/é": true, "z6MkrvfzkMnv": false, ":x": false, "http:": false,
		"1http://x": false, "https://a b": false, "": false, "ht tp://x": false,
	} {
		if IsURI(s) != want {
			t.Errorf("IsURI(%q) = %v", s, !want)
		}
	}
}
