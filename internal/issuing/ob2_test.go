package issuing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

func decodeOB2(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return m
}

func TestOB2Documents(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		const email = "marie.tremblay@exemple.ca"
		until := f.now.AddDate(1, 0, 0)
		a, err := f.svc.Award(ctx, AwardInput{BadgeID: f.badge.ID, Email: " Marie.Tremblay@Exemple.ca ",
			Narrative: "A suivi la formation.", ValidUntil: &until,
			Evidence: []badge.Evidence{{URL: "https://exemple.ca/attestation.pdf", Name: "Attestation"}}})
		if err != nil {
			t.Fatal(err)
		}
		byDID, err := f.svc.Award(ctx, AwardInput{BadgeID: f.badge.ID, DID: "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"})
		if err != nil {
			t.Fatal(err)
		}

		assertion, revoked, err := f.svc.OB2Assertion(ctx, a.ID)
		if err != nil || revoked {
			t.Fatalf("OB2Assertion: revoked %v, err %v", revoked, err)
		}
		didAssertion, _, err := f.svc.OB2Assertion(ctx, byDID.ID)
		if err != nil {
			t.Fatal(err)
		}
		class, err := f.svc.OB2BadgeClass(ctx, "cssdm", "secourisme")
		if err != nil {
			t.Fatal(err)
		}
		issuer, err := f.svc.OB2Issuer(ctx, "cssdm")
		if err != nil {
			t.Fatal(err)
		}

		salt := decodeOB2(t, assertion)["recipient"].(map[string]any)["salt"].(string)
		sum := sha256.Sum256([]byte(email + salt))
		wantHash := "sha256$" + hex.EncodeToString(sum[:])
		if salt == "" || salt != a.Recipient.Salt {
			t.Fatalf("salt %q, award's %q", salt, a.Recipient.Salt)
		}

		tests := []struct {
			name string
			body []byte
			want map[string]any
		}{
			{"assertion", assertion, map[string]any{
				"@context": OB2Context, "type": "Assertion", "id": testBase + "/ob2/assertions/" + a.ID,
				"recipient":    map[string]any{"type": "email", "hashed": true, "salt": salt, "identity": wantHash},
				"badge":        testBase + "/ob2/badges/cssdm/secourisme",
				"verification": map[string]any{"type": "hosted"},
				"issuedOn":     "2026-03-01T10:00:00Z", "expires": "2027-03-01T10:00:00Z",
				"narrative": "A suivi la formation.",
				"evidence": []any{map[string]any{"type": "Evidence", "id": "https://exemple.ca/attestation.pdf",
					"name": "Attestation"}},
			}},
			{"assertion to a DID", didAssertion, map[string]any{
				"@context": OB2Context, "type": "Assertion", "id": testBase + "/ob2/assertions/" + byDID.ID,
				"recipient": map[string]any{"type": "url", "hashed": false,
					"identity": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"},
				"badge":        testBase + "/ob2/badges/cssdm/secourisme",
				"verification": map[string]any{"type": "hosted"},
				"issuedOn":     "2026-03-01T10:00:00Z",
			}},
			{"badge class", class, map[string]any{
				"@context": OB2Context, "type": "BadgeClass", "id": testBase + "/ob2/badges/cssdm/secourisme",
				"name": "Secourisme", "description": "Premiers soins en milieu scolaire.",
				"image": testBase + "/issuers/cssdm/badges/secourisme/image",
				"criteria": map[string]any{"id": "https://cssdm.example.org/secourisme",
					"narrative": "Réussir la formation de **16 heures**."},
				"issuer": testBase + "/ob2/issuers/cssdm",
				"tags":   []any{"santé", "sécurité"},
				"alignment": []any{map[string]any{"targetName": "Premiers soins",
					"targetUrl": "https://example.org/competences/ps", "targetCode": "PS-1", "targetFramework": "Référentiel"}},
			}},
			{"issuer", issuer, map[string]any{
				"@context": OB2Context, "type": "Issuer", "id": testBase + "/ob2/issuers/cssdm",
				"name": "Centre de services scolaire", "url": "https://cssdm.example.org",
				"email": "badges@cssdm.example.org",
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if diff := cmp.Diff(tt.want, decodeOB2(t, tt.body)); diff != "" {
					t.Errorf("document (-want +got):\n%s", diff)
				}
				if strings.Contains(strings.ToLower(string(tt.body)), "marie") {
					t.Errorf("the recipient's address appears in %s", tt.body)
				}
			})
		}
	})
}

func TestOB2AssertionStatus(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tests := []struct {
			name    string
			change  func(id string) error
			revoked bool
			reason  string
		}{
			{"active", func(string) error { return nil }, false, ""},
			{"revoked", func(id string) error { return f.svc.Revoke(ctx, id, "Fraude à l'examen") }, true, "Fraude à l'examen"},
			{"suspended", func(id string) error { return f.svc.Suspend(ctx, id, "Vérification en cours") }, true, "Vérification en cours"},
			{"reinstated", func(id string) error {
				if err := f.svc.Suspend(ctx, id, "Vérification en cours"); err != nil {
					return err
				}
				f.now = f.now.Add(time.Minute)
				return f.svc.Reinstate(ctx, id, "Vérifié")
			}, false, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a, err := f.svc.Award(ctx, AwardInput{BadgeID: f.badge.ID, Email: "paul@exemple.ca"})
				if err != nil {
					t.Fatal(err)
				}
				if err := tt.change(a.ID); err != nil {
					t.Fatal(err)
				}
				body, revoked, err := f.svc.OB2Assertion(ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				if revoked != tt.revoked {
					t.Errorf("revoked = %v, want %v", revoked, tt.revoked)
				}
				m := decodeOB2(t, body)
				gotRevoked, _ := m["revoked"].(bool)
				gotReason, _ := m["revocationReason"].(string)
				if gotRevoked != tt.revoked || gotReason != tt.reason {
					t.Errorf("body revoked %v reason %q, want %v %q", gotRevoked, gotReason, tt.revoked, tt.reason)
				}
			})
		}
	})
}

func TestOB2NotFound(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tests := []struct {
			name string
			call func() error
		}{
			{"assertion, not a UUID", func() error { _, _, err := f.svc.OB2Assertion(ctx, "nope"); return err }},
			{"assertion, unknown UUID", func() error {
				_, _, err := f.svc.OB2Assertion(ctx, "0b7e7c4e-4f5a-4c8e-9d2b-1a2b3c4d5e6f")
				return err
			}},
			{"badge class, unknown issuer", func() error { _, err := f.svc.OB2BadgeClass(ctx, "nobody", "secourisme"); return err }},
			{"badge class, unknown badge", func() error { _, err := f.svc.OB2BadgeClass(ctx, "cssdm", "nothing"); return err }},
			{"issuer, unknown", func() error { _, err := f.svc.OB2Issuer(ctx, "nobody"); return err }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.call(); badge.ErrorKind(err) != badge.NotFound {
					t.Errorf("err %v (kind %v), want not found", err, badge.ErrorKind(err))
				}
			})
		}
	})
}
