package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/frameworks"
)

// Competency frameworks (table frameworks) and recipients' choices to
// show their coverage of one publicly (framework_shares).

// MaxFrameworks bounds what one listing returns.
const MaxFrameworks = 500

// Framework is an imported framework with its tree.
type Framework struct {
	ID       string
	IssuerID string
	// Source says where it came from: "csv" or "case".
	Source    string
	Tree      *frameworks.Framework
	CreatedAt time.Time
}

const frameworkColumns = `id, issuer_id, name, description, url, source, items, created_at`

func scanFramework(row interface{ Scan(...any) error }) (*Framework, error) {
	var (
		f                      Framework
		name, desc, uri, items string
	)
	if err := row.Scan(&f.ID, &f.IssuerID, &name, &desc, &uri, &f.Source, &items, &f.CreatedAt); err != nil {
		return nil, err
	}
	f.CreatedAt = f.CreatedAt.UTC()
	var list []*frameworks.Item
	if err := json.Unmarshal([]byte(items), &list); err != nil {
		return nil, badge.Internalf(err, "stored items of framework %s", f.ID)
	}
	tree, err := frameworks.FromItems(name, desc, uri, list)
	if err != nil {
		return nil, badge.Internalf(err, "stored items of framework %s", f.ID)
	}
	f.Tree = tree
	return &f, nil
}

// CreateFramework stores an imported framework; it sets ID and
// CreatedAt. The tree must have a name (the importer gives a CSV file
// one).
func (s *DB) CreateFramework(ctx context.Context, f *Framework) error {
	if f.Tree == nil || f.Tree.Name == "" || len(f.Tree.Name) > 4*frameworks.MaxNameLen {
		return badge.Invalidf("name", "framework.name_required", "a framework needs a name")
	}
	items, err := json.Marshal(f.Tree.Items)
	if err != nil {
		return badge.Internalf(err, "encode framework")
	}
	if f.ID, err = s.newID(); err != nil {
		return badge.Internalf(err, "create framework")
	}
	f.CreatedAt = s.timestamp()
	_, err = s.db.ExecContext(ctx, `INSERT INTO frameworks (`+frameworkColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		f.ID, f.IssuerID, f.Tree.Name, f.Tree.Description, f.Tree.URL, f.Source, string(items), f.CreatedAt)
	if err != nil {
		if constraintOf(err) == foreignKeyViolation {
			return badge.NotFoundf("issuer.not_found", "issuer not found")
		}
		return badge.Internalf(err, "create framework %q", f.Tree.Name)
	}
	return nil
}

// GetFramework reads a framework by ID.
func (s *DB) GetFramework(ctx context.Context, id string) (*Framework, error) {
	f, err := scanFramework(s.db.QueryRowContext(ctx, `SELECT `+frameworkColumns+` FROM frameworks WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "framework.not_found", "framework")
	}
	return f, nil
}

// ListFrameworks returns an issuer's frameworks ("" for every issuer's),
// oldest first.
func (s *DB) ListFrameworks(ctx context.Context, issuerID string) ([]*Framework, error) {
	q := `SELECT ` + frameworkColumns + ` FROM frameworks`
	var args []any
	if issuerID != "" {
		q += ` WHERE issuer_id = $1`
		args = append(args, issuerID)
	}
	q += ` ORDER BY created_at, id LIMIT ` + strconv.Itoa(MaxFrameworks)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, badge.Internalf(err, "list frameworks")
	}
	defer rows.Close()
	var out []*Framework
	for rows.Next() {
		f, err := scanFramework(rows)
		if err != nil {
			return nil, badge.Internalf(err, "scan framework")
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, badge.Internalf(err, "list frameworks")
	}
	return out, nil
}

// SetFrameworkPublic records whether the user shows their coverage of
// the framework on a public page.
func (s *DB) SetFrameworkPublic(ctx context.Context, userID, frameworkID string, public bool) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO framework_shares (user_id, framework_id, public) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, framework_id) DO UPDATE SET public = excluded.public`, userID, frameworkID, public)
	if err != nil {
		if constraintOf(err) == foreignKeyViolation {
			return badge.NotFoundf("framework.not_found", "framework not found")
		}
		return badge.Internalf(err, "share framework %s", frameworkID)
	}
	return nil
}

// FrameworkPublic reports whether the user shows their coverage of the
// framework publicly (false when they never chose).
func (s *DB) FrameworkPublic(ctx context.Context, userID, frameworkID string) (bool, error) {
	var public bool
	err := s.db.QueryRowContext(ctx, `SELECT public FROM framework_shares WHERE user_id = $1 AND framework_id = $2`,
		userID, frameworkID).Scan(&public)
	if err != nil {
		if badge.IsNotFound(notFound(err, "", "")) {
			return false, nil
		}
		return false, badge.Internalf(err, "read framework share")
	}
	return public, nil
}
