package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migrations are numbered .sql files, embedded, append-only, one directory
// per database (DESIGN.md, convention 7). Once released, a file is never
// edited: a change is a new file.
//
//go:embed migrations
var migrationFiles embed.FS

// Migration is one schema change.
type Migration struct {
	Version int
	Name    string // file name, e.g. "0001_init.sql"
	SQL     string
}

// Migrations returns the dialect's migrations in order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read %s migrations: %w", d, err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || len(num) != 4 {
			return nil, fmt.Errorf("migration %s/%s: name must be NNNN_name.sql", dir, name)
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("%s migrations: expected version %d, found %s (numbers must run 1, 2, 3… without gaps)", d, i+1, m.Name)
		}
	}
	return ms, nil
}

// migrationLockKey is the PostgreSQL advisory lock taken while migrating, so
// that several web nodes starting at once apply each migration once. The
// value is arbitrary but fixed ("sceau" in ASCII).
const migrationLockKey = 0x736365617

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)`

// Migrate applies the migrations the database lacks, each in its own
// transaction together with its row in schema_migrations. It refuses to run
// on a database whose schema is newer than this binary or whose history
// differs from the embedded files.
func (s *DB) Migrate(ctx context.Context) error {
	ms, err := Migrations(s.dialect)
	if err != nil {
		return err
	}
	// One connection for the whole run: PostgreSQL's session advisory lock
	// belongs to a connection.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if s.dialect == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
			return fmt.Errorf("migrate: take lock: %w", err)
		}
		// Unlock with a fresh context: ctx may be what was cancelled.
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLockKey)
	}
	// In SQLite, CREATE TABLE runs in an immediate transaction, which
	// serialises concurrent processes on the file lock.
	if err := connTx(ctx, conn, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, createMigrationsTable)
		return err
	}); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		err := connTx(ctx, conn, func(tx *sql.Tx) error {
			applied, err := appliedMigrations(ctx, tx)
			if err != nil {
				return err
			}
			if err := checkHistory(ms, applied); err != nil {
				return err
			}
			if _, ok := applied[m.Version]; ok {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, s.timestamp().Format("2006-01-02T15:04:05.000000Z"))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s %s: %w", s.dialect, m.Name, err)
		}
	}
	return nil
}

func connTx(ctx context.Context, conn *sql.Conn, fn func(*sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func appliedMigrations(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[int]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT version, name FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int]string{}
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[v] = name
	}
	return applied, rows.Err()
}

func checkHistory(ms []Migration, applied map[int]string) error {
	for v, name := range applied {
		if v > len(ms) {
			return fmt.Errorf("the database schema is at version %d (%s), newer than this program knows (%d): run a newer sceau", v, name, len(ms))
		}
		if ms[v-1].Name != name {
			return fmt.Errorf("migration %d was applied as %s but this program names it %s: the migration history has been edited", v, name, ms[v-1].Name)
		}
	}
	return nil
}

// AppliedMigrations lists the versions recorded in schema_migrations, in
// order; an unmigrated database has none.
func (s *DB) AppliedMigrations(ctx context.Context) ([]Migration, error) {
	var exists bool
	var q string
	if s.dialect == Postgres {
		q = `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations')`
	} else {
		q = `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')`
	}
	if err := s.db.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	if !exists {
		return nil, nil
	}
	applied, err := appliedMigrations(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make([]Migration, 0, len(applied))
	for v, n := range applied {
		out = append(out, Migration{Version: v, Name: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}
