package web

import (
	"encoding/json"
	"net/http"
	"sort"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/httpx"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
)

// Bulk awards: upload a recipients file, see every row with its errors,
// start, follow the progress. The awarding is a durable job: it goes on
// when the page is closed, and after a restart.

// previewLimit bounds the valid rows a preview page lists (all refused
// rows are always listed); a 100,000-row file is summed up, not printed.
const previewLimit = 1000

// uploadBatch checks an uploaded recipients file and shows its preview.
func (s *server) uploadBatch(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleAwarder)
	if err != nil {
		return err
	}
	b, err := s.orgBadge(r, o)
	if err != nil {
		return err
	}
	_, f, files, err := s.multipartForm(w, r, issuing.MaxCSVSize+64<<10)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	data, ok, err := files.read("file", issuing.MaxCSVSize)
	if err == nil && !ok {
		err = badge.Invalidf("file", "csv.no_file", "choose a CSV file")
	}
	var batch *store.Batch
	if err == nil {
		batch, err = s.svc.PrepareBatch(r.Context(), b, o.User.ID, files.name("file"), bytesReader(data))
	}
	if err != nil {
		if err := f.fail(lang, err); err != nil {
			return err
		}
		f.Values.Set("language", b.Language)
		return s.render(w, r, formStatus(f), "award_form", s.newPage(r, f, awardFormView{Org: o, Badge: b}))
	}
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/batches/"+batch.ID)
}

// previewRow is one line of the preview: a valid row or a refused one.
type previewRow struct {
	Row         int
	Email, Name string
	Error       string
}

type batchView struct {
	Org       *orgContext
	Batch     *store.Batch
	Badge     *badge.Badge
	Rows      []previewRow
	Hidden    int // valid rows not listed
	ErrorRows int
	Percent   int
}

// orgBatch reads {id}, a batch of the organisation.
func (s *server) orgBatch(r *http.Request, o *orgContext, withRows bool) (*store.Batch, error) {
	id := r.PathValue("id")
	if !badge.ValidID(id) {
		return nil, badge.NotFoundf("batch.not_found", "no batch %q", id)
	}
	b, err := s.db.GetBatch(r.Context(), id, withRows)
	if err != nil {
		return nil, err
	}
	if b.IssuerID != o.Issuer.ID {
		return nil, badge.NotFoundf("batch.not_found", "no batch %q", id)
	}
	return b, nil
}

// batchPage shows a batch: its preview before it starts, its progress
// after (as JSON for the progress bar's polling, with ?format=json).
func (s *server) batchPage(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleAwarder)
	if err != nil {
		return err
	}
	asJSON := r.URL.Query().Get("format") == "json" || httpx.PreferJSON(r)
	batch, err := s.orgBatch(r, o, !asJSON)
	if err != nil {
		return err
	}
	percent := 100
	if batch.Total > 0 {
		percent = batch.Done * 100 / batch.Total
	}
	if asJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		return json.NewEncoder(w).Encode(map[string]any{"state": batch.State, "total": batch.Total, "done": batch.Done,
			"percent": percent, "error": batch.LastError})
	}
	b, err := s.db.GetBadge(r.Context(), batch.BadgeID)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	v := batchView{Org: o, Batch: batch, Badge: b, ErrorRows: len(batch.Errors), Percent: percent}
	for i, row := range batch.Rows {
		if i >= previewLimit {
			v.Hidden = len(batch.Rows) - previewLimit
			break
		}
		v.Rows = append(v.Rows, previewRow{Row: row.Row, Email: row.Email, Name: row.Name})
	}
	for _, e := range batch.Errors {
		msg := e.Message
		if e.Code != "" {
			if m, ok := locale.Lookup(lang, "error."+e.Code); ok {
				msg = m
			}
		}
		field := e.Field
		if field != "" {
			field = locale.T(lang, "csv.column."+field)
		}
		v.Rows = append(v.Rows, previewRow{Row: e.Row, Error: joinNonEmpty(lang, field, msg)})
	}
	sort.SliceStable(v.Rows, func(i, j int) bool { return v.Rows[i].Row < v.Rows[j].Row })
	return s.render(w, r, http.StatusOK, "batch", s.newPage(r, nil, v))
}

// joinNonEmpty puts a column name before its message, with the colon
// each language writes (French puts a space before it).
func joinNonEmpty(lang, a, b string) string {
	if a == "" {
		return b
	}
	if lang == "fr" {
		return a + "\u00a0: " + b
	}
	return a + ": " + b
}

// startBatch starts a previewed batch: the valid rows are awarded by a
// job; refused rows are skipped (or fixed in a new upload).
func (s *server) startBatch(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleAwarder)
	if err != nil {
		return err
	}
	batch, err := s.orgBatch(r, o, false)
	if err != nil {
		return err
	}
	if batch.Total == 0 {
		return badge.Conflictf("", "batch.empty", "no valid row to award")
	}
	if err := s.svc.StartBatch(r.Context(), batch.ID); err != nil {
		return err
	}
	if s.notify != nil {
		s.notify()
	}
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/batches/"+batch.ID)
}
