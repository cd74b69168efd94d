// Package storetest opens migrated stores for other packages' tests, on
// SQLite always and on PostgreSQL when SCEAU_TEST_POSTGRES holds a DSN
// (DESIGN.md, convention 8). Package store's own tests keep a copy of these
// few functions: they cannot import this package without an import cycle.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/sceau/sceau/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL DSN for tests.
const EnvPostgres = "SCEAU_TEST_POSTGRES"

// ForEach runs fn as a subtest on SQLite, then on PostgreSQL (skipped, with
// a message saying so, when EnvPostgres is unset).
func ForEach(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a migrated store in a file of the test's own.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "db"))
}

// Postgres opens a migrated store in a schema of its own, dropped when the
// test ends, so that runs sharing one database stay independent.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		t.Skip("PostgreSQL run skipped: " + EnvPostgres + " not set")
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "test_" + hex.EncodeToString(b[:])
	admin := func(stmt string) error {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.SQL().ExecContext(context.Background(), stmt)
		return err
	}
	if err := admin(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := admin(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
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
	return open(t, u.String())
}

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
