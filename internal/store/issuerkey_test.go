package store

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sceau/sceau/internal/badge"
)

func TestCreateIssuerWithKey(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		issuer := func(slug string) *badge.Issuer {
			return &badge.Issuer{Slug: slug, Name: "Issuer " + slug, URL: "https://example.org/" + slug, Language: "en"}
		}
		key := func() *badge.IssuerKey {
			// IssuerID is left for the store to set from the new issuer.
			return &badge.IssuerKey{KeyID: "key-1", PublicKeyMultibase: "z6Mkabc", EncryptedPrivateKey: []byte{0, 1, 2, 255}}
		}

		t.Run("stores both", func(t *testing.T) {
			i, k := issuer("acme"), key()
			if err := db.CreateIssuerWithKey(ctx, i, k); err != nil {
				t.Fatal(err)
			}
			if k.IssuerID != i.ID || k.ID == "" || k.CreatedAt.IsZero() {
				t.Fatalf("key not filled in: %+v (issuer %s)", k, i.ID)
			}
			got, err := db.GetIssuerBySlug(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(i, got); diff != "" {
				t.Errorf("issuer (-want +got):\n%s", diff)
			}
			stored, err := db.ListIssuerKeys(ctx, i.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]*badge.IssuerKey{k}, stored); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			// The status list counter is created as by CreateIssuer.
			if e, err := db.StatusEntries(ctx, i.ID); err != nil || e.Size != 0 {
				t.Errorf("status list counter: %+v %v", e, err)
			}
		})

		t.Run("preset issuer ID is kept", func(t *testing.T) {
			id, err := badge.NewID(nil)
			if err != nil {
				t.Fatal(err)
			}
			i, k := issuer("preset"), key()
			i.ID = id
			k.IssuerID = "ignored"
			if err := db.CreateIssuerWithKey(ctx, i, k); err != nil {
				t.Fatal(err)
			}
			if i.ID != id || k.IssuerID != id {
				t.Fatalf("issuer ID %s, key issuer %s, want %s", i.ID, k.IssuerID, id)
			}
			if stored, err := db.ListIssuerKeys(ctx, id); err != nil || len(stored) != 1 {
				t.Fatalf("keys of preset issuer: %d %v", len(stored), err)
			}
		})

		for _, tc := range []struct {
			name string
			edit func(*badge.IssuerKey)
			code string
		}{
			{"empty public key", func(k *badge.IssuerKey) { k.PublicKeyMultibase = "" }, "key.public_key_invalid"},
			{"empty private key", func(k *badge.IssuerKey) { k.EncryptedPrivateKey = nil }, "key.private_key_required"},
			{"bad key id", func(k *badge.IssuerKey) { k.KeyID = "Key 1" }, "key.key_id_invalid"},
		} {
			t.Run("invalid key stores neither: "+tc.name, func(t *testing.T) {
				i, k := issuer("invalid-key"), key()
				tc.edit(k)
				wantKind(t, db.CreateIssuerWithKey(ctx, i, k), badge.Invalid, tc.code)
				_, err := db.GetIssuerBySlug(ctx, "invalid-key")
				wantKind(t, err, badge.NotFound, "issuer.not_found")
				if stored, err := db.ListIssuerKeys(ctx, i.ID); err != nil || len(stored) != 0 {
					t.Fatalf("keys after failure: %d %v", len(stored), err)
				}
			})
		}

		t.Run("invalid issuer stores neither", func(t *testing.T) {
			i, k := issuer("Bad Slug"), key()
			wantKind(t, db.CreateIssuerWithKey(ctx, i, k), badge.Invalid, "issuer.slug_invalid")
			if k.ID != "" {
				t.Errorf("key given an ID %q though nothing was stored", k.ID)
			}
		})

		t.Run("slug conflict stores no key", func(t *testing.T) {
			i, k := issuer("acme"), key()
			i.Name = "Other"
			wantKind(t, db.CreateIssuerWithKey(ctx, i, k), badge.Conflict, "issuer.slug_taken")
			if stored, err := db.ListIssuerKeys(ctx, i.ID); err != nil || len(stored) != 0 {
				t.Fatalf("keys of the rejected issuer: %d %v", len(stored), err)
			}
			got, err := db.GetIssuerBySlug(ctx, "acme")
			if err != nil || got.Name != "Issuer acme" {
				t.Fatalf("first issuer changed: %+v %v", got, err)
			}
		})

		t.Run("key insert failure rolls back the issuer", func(t *testing.T) {
			// A key ID already used by another key makes the second insert
			// fail inside the transaction, after the issuer row is written.
			first, err := db.ListIssuerKeys(ctx, mustIssuerID(t, db, "acme"))
			if err != nil || len(first) != 1 {
				t.Fatalf("keys of acme: %d %v", len(first), err)
			}
			i, k := issuer("dup-key"), key()
			k.ID = first[0].ID
			wantKind(t, db.CreateIssuerWithKey(ctx, i, k), badge.Conflict, "key.key_id_taken")
			_, err = db.GetIssuerBySlug(ctx, "dup-key")
			wantKind(t, err, badge.NotFound, "issuer.not_found")
		})
	})
}

func mustIssuerID(t *testing.T, db *DB, slug string) string {
	t.Helper()
	i, err := db.GetIssuerBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return i.ID
}
