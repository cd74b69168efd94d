package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// Connections of a portfolio to other Open Badges 3.0 hosts (table
// connections): the client this server registered on the other host, the
// tokens the recipient granted it, and what the last pull found. The
// OAuth and import rules live in internal/web/connections.go.

// Connection is one account's link to another OB 3.0 host.
type Connection struct {
	ID      string
	UserID  string
	BaseURL string // the other host, as discovered (scheme, host, optional path)
	Name    string // what the list shows: the host name
	// The other host's OAuth endpoints, from its discovery document.
	AuthorizeURL string
	TokenURL     string
	RevokeURL    string // "" when unknown
	// The client this server registered there (RFC 7591).
	ClientID     string
	ClientSecret string
	AuthMethod   string // client_secret_basic or client_secret_post
	// The grant; "" until the recipient has approved.
	AccessToken     string
	AccessExpiresAt *time.Time
	RefreshToken    string
	Scope           string
	CreatedAt       time.Time
	LastPullAt      *time.Time
	PulledCount     int    // badges imported through this connection, all pulls
	LastError       string // what went wrong at the last pull, "" if nothing
}

// Authorized reports whether the recipient granted access (a token is held).
func (c *Connection) Authorized() bool { return c.AccessToken != "" || c.RefreshToken != "" }

// Sealer encrypts secrets at rest (keys.MasterKey is one): the additional
// data binds a sealed value to its row and column.
type Sealer interface {
	Seal(plaintext, additionalData []byte) ([]byte, error)
	Open(sealed, additionalData []byte) ([]byte, error)
}

// SetSealer makes the store keep connections' client secrets and tokens
// sealed. Without one (tests) they are kept as given.
func (s *DB) SetSealer(sl Sealer) { s.sealer = sl }

const sealedPrefix = "sealed:"

// sealFor seals a secret of a row (table, id) and column.
func (s *DB) sealFor(table, value, id, column string) (string, error) {
	if s.sealer == nil || value == "" {
		return value, nil
	}
	b, err := s.sealer.Seal([]byte(value), []byte(table+" "+id+" "+column))
	if err != nil {
		return "", badge.Internalf(err, "seal %s of %s %s", column, table, id)
	}
	return sealedPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// openFor reverses sealFor; a value stored before a sealer was set is
// read as it is.
func (s *DB) openFor(table, value, id, column string) (string, error) {
	rest, ok := strings.CutPrefix(value, sealedPrefix)
	if !ok {
		return value, nil
	}
	if s.sealer == nil {
		return "", badge.Internalf(errors.New("no sealer configured"), "open %s of %s %s", column, table, id)
	}
	b, err := base64.StdEncoding.DecodeString(rest)
	if err == nil {
		b, err = s.sealer.Open(b, []byte(table+" "+id+" "+column))
	}
	if err != nil {
		return "", badge.Internalf(err, "open %s of %s %s", column, table, id)
	}
	return string(b), nil
}

// openConnection opens a scanned connection's secrets.
func (s *DB) openConnection(c *Connection) (*Connection, error) {
	var err error
	for _, f := range []struct {
		p      *string
		column string
	}{{&c.ClientSecret, "client_secret"}, {&c.AccessToken, "access_token"}, {&c.RefreshToken, "refresh_token"}} {
		if *f.p, err = s.openFor("connection", *f.p, c.ID, f.column); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// MaxConnections bounds an account's connections.
const MaxConnections = 50

const connectionColumns = `id, user_id, base_url, name, authorize_url, token_url, revoke_url, client_id, client_secret,
	auth_method, access_token, access_expires_at, refresh_token, scope, created_at, last_pull_at, pulled_count, last_error`

func scanConnection(row interface{ Scan(...any) error }) (*Connection, error) {
	var c Connection
	var expires, pulled sql.NullTime
	err := row.Scan(&c.ID, &c.UserID, &c.BaseURL, &c.Name, &c.AuthorizeURL, &c.TokenURL, &c.RevokeURL, &c.ClientID,
		&c.ClientSecret, &c.AuthMethod, &c.AccessToken, &expires, &c.RefreshToken, &c.Scope, &c.CreatedAt, &pulled,
		&c.PulledCount, &c.LastError)
	if err != nil {
		return nil, err
	}
	c.AccessExpiresAt, c.LastPullAt = timePtr(expires), timePtr(pulled)
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

// CreateConnection stores a new connection (no grant yet). A second
// connection of the account to the same BaseURL is a Conflict.
func (s *DB) CreateConnection(ctx context.Context, c *Connection) error {
	switch {
	case c.UserID == "" || c.BaseURL == "" || c.AuthorizeURL == "" || c.TokenURL == "" || c.ClientID == "":
		return badge.Invalidf("", "connection.incomplete", "a connection needs its account, host, endpoints and client")
	case len(c.BaseURL) > badge.MaxURLLen || len(c.AuthorizeURL) > badge.MaxURLLen || len(c.TokenURL) > badge.MaxURLLen ||
		len(c.RevokeURL) > badge.MaxURLLen || len(c.ClientID) > 500 || len(c.ClientSecret) > 2000 || len([]rune(c.Name)) > 200:
		return badge.Invalidf("", "connection.too_long", "a connection's URLs or client credentials are too long")
	}
	id, err := s.newID()
	if err != nil {
		return badge.Internalf(err, "connection id")
	}
	c.ID, c.CreatedAt = id, s.timestamp()
	c.AccessToken, c.AccessExpiresAt, c.RefreshToken, c.Scope = "", nil, "", ""
	c.LastPullAt, c.PulledCount, c.LastError = nil, 0, ""
	secret, err := s.sealFor("connection", c.ClientSecret, c.ID, "client_secret")
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM connections WHERE user_id = $1`, c.UserID).Scan(&n); err != nil {
			return badge.Internalf(err, "count connections")
		}
		if n >= MaxConnections {
			return badge.Invalidf("url", "connection.too_many", "an account has at most %d connections", MaxConnections)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO connections (id, user_id, base_url, name, authorize_url, token_url,
			revoke_url, client_id, client_secret, auth_method, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			c.ID, c.UserID, c.BaseURL, c.Name, c.AuthorizeURL, c.TokenURL, c.RevokeURL, c.ClientID, secret,
			c.AuthMethod, c.CreatedAt)
		if constraintOf(err) == uniqueViolation {
			return badge.Conflictf("url", "connection.exists", "this host is already connected")
		}
		if err != nil {
			return badge.Internalf(err, "insert connection")
		}
		return nil
	})
}

// GetConnection reads one of the account's connections.
func (s *DB) GetConnection(ctx context.Context, userID, id string) (*Connection, error) {
	c, err := scanConnection(s.db.QueryRowContext(ctx, `SELECT `+connectionColumns+` FROM connections
		WHERE id = $1 AND user_id = $2`, id, userID))
	if err != nil {
		return nil, notFound(err, "connection.not_found", "connection")
	}
	return s.openConnection(c)
}

// GetConnectionByURL reads the account's connection to baseURL.
func (s *DB) GetConnectionByURL(ctx context.Context, userID, baseURL string) (*Connection, error) {
	c, err := scanConnection(s.db.QueryRowContext(ctx, `SELECT `+connectionColumns+` FROM connections
		WHERE user_id = $1 AND base_url = $2`, userID, baseURL))
	if err != nil {
		return nil, notFound(err, "connection.not_found", "connection")
	}
	return s.openConnection(c)
}

// ListConnections lists the account's connections, oldest first.
func (s *DB) ListConnections(ctx context.Context, userID string) ([]*Connection, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+connectionColumns+` FROM connections WHERE user_id = $1
		ORDER BY created_at, id LIMIT $2`, userID, MaxConnections)
	if err != nil {
		return nil, badge.Internalf(err, "list connections")
	}
	defer rows.Close()
	var out []*Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, badge.Internalf(err, "read connection")
		}
		if c, err = s.openConnection(c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list connections")
	}
	return out, nil
}

// SetConnectionTokens records a grant: the tokens of a code exchange or
// of a refresh. An empty refresh token keeps the one held (a host that
// does not rotate refresh tokens answers without one).
func (s *DB) SetConnectionTokens(ctx context.Context, userID, id, access string, expires *time.Time, refresh, scope string) error {
	if len(access) > 4000 || len(refresh) > 4000 || len(scope) > 4000 {
		return badge.Invalidf("", "connection.token_too_long", "the host's tokens are too long")
	}
	var err error
	if access, err = s.sealFor("connection", access, id, "access_token"); err != nil {
		return err
	}
	if refresh, err = s.sealFor("connection", refresh, id, "refresh_token"); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE connections SET access_token = $1, access_expires_at = $2,
		refresh_token = CASE WHEN $3 = '' THEN refresh_token ELSE $3 END, scope = $4 WHERE id = $5 AND user_id = $6`,
		access, nullTime(storedTimePtr(expires)), refresh, strings.TrimSpace(scope), id, userID)
	return connectionUpdated(res, err)
}

// RecordConnectionPull records a pull: when, how many badges it imported
// (added to the total) and what went wrong, if anything.
func (s *DB) RecordConnectionPull(ctx context.Context, userID, id string, imported int, lastError string) error {
	if len(lastError) > 1000 {
		lastError = string([]rune(lastError)[:200])
	}
	res, err := s.db.ExecContext(ctx, `UPDATE connections SET last_pull_at = $1, pulled_count = pulled_count + $2,
		last_error = $3 WHERE id = $4 AND user_id = $5`, s.timestamp(), imported, lastError, id, userID)
	return connectionUpdated(res, err)
}

// DeleteConnection removes a connection and the tokens it held; the
// badges it imported stay in the portfolio.
func (s *DB) DeleteConnection(ctx context.Context, userID, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM connections WHERE id = $1 AND user_id = $2`, id, userID)
	return connectionUpdated(res, err)
}

// connectionUpdated checks an update or delete of one connection.
func connectionUpdated(res sql.Result, err error) error {
	if err != nil {
		return badge.Internalf(err, "update connection")
	}
	return oneRow(res, "connection.not_found", "connection")
}

// ConnectionRef names one connection of one account.
type ConnectionRef struct{ UserID, ID string }

// DueConnections names the connections, of every account, that a
// background pull should visit: those holding a grant and not pulled since
// before (never pulled first, then the longest ago), at most limit. A
// connection whose grant was dropped (ClearConnectionGrant) is not listed
// until the recipient authorizes it again. Only names are returned: the
// caller reads each connection (and opens its secrets) on its own, so that
// one that cannot be read does not hold up the others.
func (s *DB) DueConnections(ctx context.Context, before time.Time, limit int) ([]ConnectionRef, error) {
	if limit <= 0 {
		return nil, nil
	}
	// "last_pull_at IS NOT NULL" sorts the never-pulled first on both
	// databases (they disagree on where NULL goes by default).
	rows, err := s.db.QueryContext(ctx, `SELECT user_id, id FROM connections
		WHERE (access_token <> '' OR refresh_token <> '') AND (last_pull_at IS NULL OR last_pull_at < $1)
		ORDER BY last_pull_at IS NOT NULL, last_pull_at, created_at, id LIMIT $2`, storedTime(before), limit)
	if err != nil {
		return nil, badge.Internalf(err, "list due connections")
	}
	defer rows.Close()
	var out []ConnectionRef
	for rows.Next() {
		var r ConnectionRef
		if err := rows.Scan(&r.UserID, &r.ID); err != nil {
			return nil, badge.Internalf(err, "read due connection")
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list due connections")
	}
	return out, nil
}

// ClearConnectionGrant forgets a grant the other host refused (a revoked
// or expired refresh token): the connection then waits for the recipient
// to authorize it again, and background pulls pass it by. refreshToken is
// the refresh token that was refused: should the recipient have
// authorized the connection again meanwhile, the new grant is kept. It
// reports whether the grant was cleared.
func (s *DB) ClearConnectionGrant(ctx context.Context, userID, id, refreshToken string) (bool, error) {
	var stored string
	err := s.db.QueryRowContext(ctx, `SELECT refresh_token FROM connections WHERE id = $1 AND user_id = $2`, id, userID).Scan(&stored)
	if err != nil {
		return false, notFound(err, "connection.not_found", "connection")
	}
	held, err := s.openFor("connection", stored, id, "refresh_token")
	if err != nil {
		return false, err
	}
	if held != refreshToken {
		return false, nil
	}
	// Compared with the stored (sealed) value: a grant saved between the
	// read and this update is not cleared.
	res, err := s.db.ExecContext(ctx, `UPDATE connections SET access_token = '', access_expires_at = NULL, refresh_token = '',
		scope = '' WHERE id = $1 AND user_id = $2 AND refresh_token = $3`, id, userID, stored)
	if err != nil {
		return false, badge.Internalf(err, "clear connection grant")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, badge.Internalf(err, "clear connection grant")
	}
	return n == 1, nil
}
