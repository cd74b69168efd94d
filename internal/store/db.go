// Package store keeps Sceau's data in SQLite (the default: one file, pure Go)
// or PostgreSQL, through database/sql. SQL is written as SQL next to the
// method that runs it, one file per table (DESIGN.md, convention 6); the same
// text serves both databases wherever it can ($1 placeholders work on both
// drivers), with dialect branches only where the databases differ.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sceau/sceau/internal/badge"
)

// Dialect names the database behind a DB.
type Dialect string

// The two supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the store. It is safe for concurrent use.
type DB struct {
	db      *sql.DB
	dialect Dialect
	now     func() time.Time
	rand    io.Reader
	events  AwardEvents
	sealer  Sealer
}

// Open connects to the database named by dsn, without migrating it (the
// command runs Migrate at start-up and in `sceau migrate`):
//   - "postgres://…" or "postgresql://…": PostgreSQL through pgx;
//   - "sqlite:PATH", "file:PATH" or a plain PATH: a SQLite file;
//   - "": sceau.db in the current directory.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var (
		s   *DB
		err error
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s, err = openPostgres(dsn)
	default:
		s, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open %s database: %w", s.dialect, err)
	}
	return s, nil
}

func openPostgres(dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres database: %w", err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return newDB(db, Postgres), nil
}

// sqlitePragmas are set on every connection: WAL lets readers run beside the
// one writer; busy_timeout makes writers queue instead of failing; NORMAL
// synchronous is durable across process crashes in WAL mode (only a power
// loss may drop the last transactions); foreign keys are off by default in
// SQLite. _txlock=immediate takes the write lock at BEGIN, so a transaction
// that reads then writes never fails with SQLITE_BUSY half-way; the store
// uses transactions only for writes. Times are written in SQLite's own
// format, in UTC, which sorts as text.
const sqliteParams = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_txlock=immediate&_time_format=sqlite"

func openSQLite(dsn string) (*DB, error) {
	path := dsn
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		if strings.HasPrefix(path, p) {
			path = strings.TrimPrefix(path, p)
			break
		}
	}
	if path == "" {
		path = "sceau.db"
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite database %q: parameters are set by sceau, give a plain path", path)
	}
	// Escape the path as a URI path so names with spaces or percent signs work.
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath(), RawQuery: sqliteParams}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("open sqlite database %s: %w", path, err)
	}
	// Readers run in parallel in WAL mode; writers wait on the file lock.
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	return newDB(db, SQLite), nil
}

func newDB(db *sql.DB, d Dialect) *DB {
	return &DB{db: db, dialect: d, now: time.Now}
}

// Dialect tells which database is behind the store.
func (s *DB) Dialect() Dialect { return s.dialect }

// SQL returns the underlying pool, for health checks and backups.
func (s *DB) SQL() *sql.DB { return s.db }

// Close closes the pool.
func (s *DB) Close() error { return s.db.Close() }

// SetClock replaces the clock used for created/updated times (tests).
func (s *DB) SetClock(now func() time.Time) { s.now = now }

// SetRand replaces the source of new IDs (tests); nil means crypto/rand.
func (s *DB) SetRand(r io.Reader) { s.rand = r }

// timestamp returns the current time as stored: UTC, to the microsecond,
// which is PostgreSQL's precision, so what is written reads back equal.
func (s *DB) timestamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// storedTime normalises a caller's time the same way.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func storedTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := storedTime(*t)
	return &v
}

func (s *DB) newID() (string, error) { return badge.NewID(s.rand) }

// inTx runs fn in a transaction, committing when fn returns nil.
func (s *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// constraint tells which integrity rule a database error broke, if any.
type constraint int

const (
	noConstraint constraint = iota
	uniqueViolation
	foreignKeyViolation
)

func constraintOf(err error) constraint {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return uniqueViolation
		case "23503":
			return foreignKeyViolation
		}
		return noConstraint
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return uniqueViolation
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return foreignKeyViolation
		}
	}
	return noConstraint
}

// notFound turns sql.ErrNoRows into a NotFound error and anything else into
// an Internal one.
func notFound(err error, code, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return badge.NotFoundf(code, "%s not found", what)
	}
	return badge.Internalf(err, "read %s", what)
}

// nullString maps "" to NULL, for optional references.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// nullTime maps nil to NULL.
func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: *t, Valid: true}
}

func timePtr(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

// likePattern builds a case-insensitive substring pattern for LIKE … ESCAPE '\'.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}
