package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestOB2Routes(t *testing.T) {
	f := newFixture(t)
	assertionURL := testBase + "/ob2/assertions/" + f.award.ID
	sum := sha256.Sum256([]byte(f.email + f.award.Recipient.Salt))
	wantHash := "sha256$" + hex.EncodeToString(sum[:])

	tests := []struct {
		name     string
		path     string
		accept   string
		wantCode int
		wantCT   string
		want     map[string]any // top-level members that must match
	}{
		{"assertion", "/ob2/assertions/" + f.award.ID, "", http.StatusOK, "application/ld+json", map[string]any{
			"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": assertionURL,
			"badge": testBase + "/ob2/badges/cssdm/secourisme", "issuedOn": "2026-03-01T10:00:00Z",
		}},
		{"assertion as JSON", "/ob2/assertions/" + f.award.ID, "application/json", http.StatusOK, "application/json",
			map[string]any{"id": assertionURL}},
		{"badge class", "/ob2/badges/cssdm/secourisme", "application/ld+json", http.StatusOK, "application/ld+json", map[string]any{
			"type": "BadgeClass", "id": testBase + "/ob2/badges/cssdm/secourisme", "name": "Secourisme",
			"issuer": testBase + "/ob2/issuers/cssdm", "image": testBase + "/issuers/cssdm/badges/secourisme/image",
		}},
		{"issuer", "/ob2/issuers/cssdm", "", http.StatusOK, "application/ld+json", map[string]any{
			"type": "Issuer", "id": testBase + "/ob2/issuers/cssdm", "name": "Centre de services scolaire",
			"url": "https://cssdm.example.org",
		}},
		{"unknown assertion", "/ob2/assertions/0b7e7c4e-4f5a-4c8e-9d2b-1a2b3c4d5e6f", "application/json", http.StatusNotFound, "application/json", nil},
		{"assertion id not a UUID", "/ob2/assertions/nope", "application/json", http.StatusNotFound, "application/json", nil},
		{"unknown badge", "/ob2/badges/cssdm/nothing", "application/json", http.StatusNotFound, "application/json", nil},
		{"unknown issuer of badge", "/ob2/badges/nobody/secourisme", "application/json", http.StatusNotFound, "application/json", nil},
		{"unknown issuer", "/ob2/issuers/nobody", "", http.StatusNotFound, "text/html", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var headers []string
			if tt.accept != "" {
				headers = []string{"Accept", tt.accept}
			}
			resp, body := f.get(t, tt.path, headers...)
			if resp.StatusCode != tt.wantCode {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantCT) {
				t.Errorf("Content-Type %q, want %q", ct, tt.wantCT)
			}
			if strings.Contains(string(body), f.email) {
				t.Errorf("the recipient's address appears in %s", body)
			}
			if tt.want == nil {
				return
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("decode %s: %v", body, err)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}

	t.Run("assertion recipient", func(t *testing.T) {
		_, body := f.get(t, "/ob2/assertions/"+f.award.ID)
		var got struct {
			Recipient struct {
				Type     string `json:"type"`
				Hashed   bool   `json:"hashed"`
				Salt     string `json:"salt"`
				Identity string `json:"identity"`
			} `json:"recipient"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		r := got.Recipient
		if r.Type != "email" || !r.Hashed || r.Salt == "" || r.Identity != wantHash {
			t.Errorf("recipient %+v, want hashed email %s", r, wantHash)
		}
	})
}

func TestOB2RevokedIsGone(t *testing.T) {
	f := newFixture(t)
	const reason = "Attestation falsifiée"
	if err := f.svc.Revoke(context.Background(), f.award.ID, reason); err != nil {
		t.Fatal(err)
	}
	resp, body := f.get(t, "/ob2/assertions/"+f.award.ID)
	if resp.StatusCode != http.StatusGone {
		t.Fatalf("status %d, want 410: %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/ld+json" {
		t.Errorf("Content-Type %q", ct)
	}
	var got struct {
		ID               string `json:"id"`
		Revoked          bool   `json:"revoked"`
		RevocationReason string `json:"revocationReason"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	if !got.Revoked || got.RevocationReason != reason || got.ID != testBase+"/ob2/assertions/"+f.award.ID {
		t.Errorf("body %+v, want revoked with reason %q", got, reason)
	}
	if strings.Contains(string(body), f.email) {
		t.Errorf("the recipient's address appears in %s", body)
	}
}
