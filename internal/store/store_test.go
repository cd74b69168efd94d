package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sceau/sceau/internal/badge"
)

// forEachDB runs fn on a fresh, migrated SQLite database, and on a fresh
// PostgreSQL schema when SCEAU_TEST_POSTGRES holds a DSN (DESIGN.md,
// convention 8).
func forEachDB(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, openTestSQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, openTestPostgres(t))
	})
}

func openTestSQLite(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "sceau.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// openTestPostgres opens a store in a schema of its own, dropped afterwards,
// so tests are independent and may run in parallel.
func openTestPostgres(t testing.TB) *DB {
	t.Helper()
	dsn := os.Getenv("SCEAU_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("PostgreSQL run skipped: SCEAU_TEST_POSTGRES not set")
	}
	ctx := context.Background()
	admin, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	if _, err := admin.SQL().ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin, err := Open(context.Background(), dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.SQL().ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestMain(m *testing.M) {
	if os.Getenv("SCEAU_TEST_POSTGRES") == "" {
		// Said once, loudly, besides each skipped subtest.
		os.Stderr.WriteString("store: PostgreSQL run skipped: SCEAU_TEST_POSTGRES not set (see .ci/postgres.sh)\n")
	}
	os.Exit(m.Run())
}

// Fixtures.

func newIssuer(t testing.TB, db *DB, slug string) *badge.Issuer {
	t.Helper()
	i := &badge.Issuer{Slug: slug, Name: "Issuer " + slug, URL: "https://example.org/" + slug, Email: "contact@example.org", Language: "fr"}
	if err := db.CreateIssuer(context.Background(), i); err != nil {
		t.Fatal(err)
	}
	return i
}

func newBadge(t testing.TB, db *DB, issuerID, slug string) *badge.Badge {
	t.Helper()
	b := &badge.Badge{IssuerID: issuerID, Slug: slug, Name: "Badge " + slug, Description: "Awarded for " + slug,
		CriteriaNarrative: "Do **it**.", Language: "en"}
	if err := db.CreateBadge(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	return b
}

func newAward(b *badge.Badge, email string) *badge.Award {
	return &badge.Award{BadgeID: b.ID, IssuerID: b.IssuerID, Recipient: badge.Recipient{Email: email, Name: "Name of " + email,
		Salt: "salt", IdentityHash: "sha256$" + hex.EncodeToString(make([]byte, 32))}, Language: "en"}
}

// fakeSign stands in for the credential builder: a credential that embeds
// the award's ID and status index, as the real one does.
func fakeSign(a *badge.Award) error {
	a.Credential = []byte(`{"id":"urn:uuid:` + a.ID + `","credentialStatus":{"statusListIndex":"` + itoa(a.StatusIndex) + `"}}`)
	a.CredentialJWT = "eyJ." + a.ID + ".sig"
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }

func wantKind(t *testing.T, err error, kind badge.Kind, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s (%s)", kind, code)
	}
	if k := badge.ErrorKind(err); k != kind {
		t.Fatalf("error %q: kind %s, want %s", err, k, kind)
	}
	if code != "" && badge.ErrorCode(err) != code {
		t.Fatalf("error %q: code %q, want %q", err, badge.ErrorCode(err), code)
	}
}
