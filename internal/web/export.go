package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
)

// Exporting the portfolio: any badge as its original file
// (/portfolio/items/{id}/download), the whole portfolio as a ZIP of those
// files with an index (/portfolio/export.zip). An imported badge's file
// is the bytes imported, unchanged; an award made here is its baked PNG.

// badgeFile is one badge's file: its name in downloads and the archive,
// its media type and bytes.
type badgeFile struct {
	Name        string
	ContentType string
	Data        []byte
}

// importedTypes are the media types and extensions of imported formats.
// OB 3.0 credentials have their own media types; an OB 2.0 assertion is
// plain JSON, its signed form a JWS.
func importedType(format, standard string) (ctype, ext string) {
	switch format {
	case "png":
		return "image/png", ".png"
	case "svg":
		return "image/svg+xml", ".svg"
	case "jwt":
		if standard != "" {
			return "application/jose", ".jwt"
		}
		return "application/vc+jwt", ".jwt"
	}
	if standard != "" {
		return "application/json", ".json"
	}
	return "application/vc+ld+json", ".json"
}

// fileOf reads the file of one of the account's items (e is complete:
// GetPortfolioEntry).
func (s *server) fileOf(ctx context.Context, e *store.PortfolioEntry) (*badgeFile, error) {
	if e.Item.AwardID != "" {
		data, err := s.svc.Baked(ctx, e.Item.AwardID, "png", nil)
		if err != nil {
			return nil, err
		}
		return &badgeFile{Name: e.Item.Slug + ".png", ContentType: "image/png", Data: data}, nil
	}
	format, standard := "", ""
	if in := e.Item.Import; in != nil {
		format, standard = in.Format, in.Standard
	}
	ctype, ext := importedType(format, standard)
	return &badgeFile{Name: e.Item.Slug + ext, ContentType: ctype, Data: e.Item.Credential}, nil
}

// downloadItem serves one of the account's badges as its original file.
func (s *server) downloadItem(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	e, err := s.db.GetPortfolioEntry(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	f, err := s.fileOf(r.Context(), e)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	// Slugs are [a-z0-9-]: the name needs no quoting rules.
	h.Set("Content-Disposition", `attachment; filename="`+f.Name+`"`)
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("Cache-Control", "no-store")
	_, err = w.Write(f.Data)
	return err
}

// exportEntry is one badge of the archive's index.
type exportEntry struct {
	File       string     `json:"file,omitempty"`
	Name       string     `json:"name"`
	Issuer     string     `json:"issuer"`
	Issued     *time.Time `json:"issued,omitempty"`
	ValidUntil *time.Time `json:"validUntil,omitempty"`
	// State: active, expired, revoked, suspended or invalid.
	State     string `json:"state"`
	Theme     string `json:"theme,omitempty"`
	Public    bool   `json:"public"`
	Origin    string `json:"origin"` // "awarded" here or "imported"
	Source    string `json:"source,omitempty"`
	Format    string `json:"format,omitempty"`
	Standard  string `json:"standard,omitempty"`
	URL       string `json:"url,omitempty"` // the award's permanent address
	MediaType string `json:"mediaType,omitempty"`
	Error     string `json:"error,omitempty"` // why the file is missing
}

// exportIndex is index.json.
type exportIndex struct {
	Owner    string        `json:"owner"`
	Handle   string        `json:"handle"`
	Exported time.Time     `json:"exported"`
	Badges   []exportEntry `json:"badges"`
}

// maxExportBytes bounds an archive: past it, files are listed in the
// index without their content (a portfolio holds at most
// store.MaxPortfolioItems badges; their files are small).
const maxExportBytes = 1 << 30

// exportZip streams the account's portfolio as a ZIP archive: every
// badge's file under badges/, then index.json and index.html listing each
// file with its name, issuer, dates, state and theme. One badge is read
// at a time; once streaming has begun an error can only cut the archive,
// so a file that cannot be read is listed with the error instead.
func (s *server) exportZip(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	entries, err := s.db.ListPortfolio(ctx, u.ID, false)
	if err != nil {
		return err
	}
	if err := s.completeEntries(ctx, entries); err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	now := s.now()
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="portfolio-`+u.Handle+`.zip"`)
	h.Set("Cache-Control", "no-store")
	zw := zip.NewWriter(w)
	index := exportIndex{Owner: u.Name, Handle: u.Handle, Exported: now.UTC(), Badges: []exportEntry{}}
	var total int64
	for _, listed := range entries {
		if err := ctx.Err(); err != nil {
			return nil // the client left
		}
		it := entryItem(lang, u.Handle, listed, now)
		x := exportEntry{Name: listed.BadgeName, Issuer: listed.IssuerName, State: it.State, Theme: listed.CollectionName,
			Public: listed.Item.Public, Origin: "awarded", ValidUntil: listed.ValidUntil}
		if !listed.AwardedAt.IsZero() {
			t := listed.AwardedAt
			x.Issued = &t
		}
		if listed.Item.AwardID != "" {
			x.URL = s.baseURL + "/awards/" + listed.Item.AwardID
		}
		if in := listed.Item.Import; in != nil {
			x.Origin, x.Source, x.Format, x.Standard = "imported", listed.Item.Source, in.Format, in.Standard
		}
		f, err := s.exportFile(ctx, u.ID, listed)
		switch {
		case err != nil:
			s.log.Error("export: read badge file", "item", listed.Item.ID, "err", err)
			x.Error = "unavailable"
		case total+int64(len(f.Data)) > maxExportBytes:
			x.Error = "archive too large"
		default:
			total += int64(len(f.Data))
			x.File, x.MediaType = "badges/"+f.Name, f.ContentType
			if err := writeZipFile(zw, x.File, f.Data, listed.Item.UpdatedAt); err != nil {
				return nil // the connection broke: nothing more can be sent
			}
		}
		index.Badges = append(index.Badges, x)
	}
	js, err := json.MarshalIndent(index, "", "  ")
	if err != nil {
		return nil
	}
	if err := writeZipFile(zw, "index.json", js, now); err != nil {
		return nil
	}
	var page bytes.Buffer
	if err := exportHTML.Execute(&page, map[string]any{"Lang": lang, "Index": index, "T": func(key string, args ...any) string {
		return locale.T(lang, key, args...)
	}}); err != nil {
		s.log.Error("export: index.html", "err", err)
	} else if err := writeZipFile(zw, "index.html", page.Bytes(), now); err != nil {
		return nil
	}
	if err := zw.Close(); err != nil {
		s.log.Info("export: close archive", "err", err)
	}
	return nil
}

// exportFile reads one listed item's file (listings leave out imported
// bytes: the item is read again, alone).
func (s *server) exportFile(ctx context.Context, userID string, listed *store.PortfolioEntry) (*badgeFile, error) {
	e := listed
	if listed.Item.AwardID == "" {
		full, err := s.db.GetPortfolioEntry(ctx, userID, listed.Item.ID)
		if err != nil {
			return nil, err
		}
		e = full
	}
	if len(e.Item.Credential) == 0 && e.Item.AwardID == "" {
		return nil, badge.NotFoundf("portfolio.item_not_found", "item %s has no file", e.Item.ID)
	}
	return s.fileOf(ctx, e)
}

// writeZipFile adds one file; images are stored (PNG is compressed
// already), text is deflated.
func writeZipFile(zw *zip.Writer, name string, data []byte, modified time.Time) error {
	method := zip.Deflate
	if bytes.HasPrefix(data, []byte("\x89PNG")) {
		method = zip.Store
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: modified.UTC()})
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// exportHTML is index.html: a page that lists the archive's badges and
// links each file, readable offline in any browser.
var exportHTML = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{call .T "export.title" .Index.Owner}}</title>
<style>body{font-family:sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ccc}</style>
</head><body>
<h1>{{call .T "export.title" .Index.Owner}}</h1>
<p>@{{.Index.Handle}} · {{call .T "export.exported" (.Index.Exported.Format "2006-01-02 15:04 UTC")}}</p>
<table id="badges"><thead><tr><th>{{call .T "export.col_name"}}</th><th>{{call .T "export.col_issuer"}}</th><th>{{call .T "export.col_issued"}}</th><th>{{call .T "export.col_valid_until"}}</th><th>{{call .T "export.col_state"}}</th><th>{{call .T "export.col_theme"}}</th><th>{{call .T "export.col_file"}}</th></tr></thead>
<tbody>{{range .Index.Badges}}<tr data-state="{{.State}}"><td>{{.Name}}</td><td>{{.Issuer}}</td><td>{{with .Issued}}{{.Format "2006-01-02"}}{{end}}</td><td>{{with .ValidUntil}}{{.Format "2006-01-02"}}{{end}}</td><td>{{call $.T (print "portfolio.state." .State)}}</td><td>{{.Theme}}</td><td>{{if .File}}<a href="{{.File}}">{{.File}}</a>{{else}}{{.Error}}{{end}}{{if .Source}}<br><small>{{call $.T "export.imported_from" .Source}}</small>{{end}}</td></tr>
{{end}}</tbody></table>
</body></html>
`))
