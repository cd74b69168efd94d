package issuing

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/sceau/sceau/internal/badge"
)

// Limits on a recipients CSV file, which comes from users.
const (
	MaxCSVSize = 32 << 20 // bytes
	MaxCSVRows = 100_000  // recipients per file
	// maxCSVErrors stops listing errors in a file that is wrong throughout.
	maxCSVErrors = 1000
)

// RowError is a problem with one row of a recipients CSV file. Row counts
// the lines of the file from 1, the header being row 1, as spreadsheets
// number them; Row 0 concerns the whole file.
type RowError struct {
	Row     int
	Field   string // the column at fault, "" for the row as a whole
	Code    string // stable identifier for translation, "" for file-level problems
	Message string
}

func (e RowError) Error() string {
	if e.Row == 0 {
		return e.Message
	}
	if e.Field != "" {
		return fmt.Sprintf("row %d, %s: %s", e.Row, e.Field, e.Message)
	}
	return fmt.Sprintf("row %d: %s", e.Row, e.Message)
}

// CSVOptions tune ParseCSVWith.
type CSVOptions struct {
	// SkipInvalid returns the valid rows even when others are invalid
	// (the errors are reported all the same).
	SkipInvalid bool
}

// ParseCSV reads a recipients file: UTF-8 with or without a byte order
// mark, comma- or semicolon-separated (as French spreadsheets write it),
// with a header naming the columns email (or courriel), name (or nom),
// narrative, evidence_url. Every row is checked; when any is invalid no
// input is returned, only the errors. BadgeID is left for the caller.
func ParseCSV(r io.Reader) ([]AwardInput, []RowError) {
	return ParseCSVWith(r, CSVOptions{})
}

// columns a recipients file may have, with their accepted header names.
var csvColumns = map[string]string{
	"email": "email", "e-mail": "email", "courriel": "email", "adresse courriel": "email",
	"name": "name", "nom": "name",
	"narrative": "narrative", "recit": "narrative", "récit": "narrative",
	"evidence_url": "evidence_url", "evidence": "evidence_url", "preuve": "evidence_url",
}

// ParseCSVWith is ParseCSV with options.
func ParseCSVWith(r io.Reader, opts CSVOptions) ([]AwardInput, []RowError) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCSVSize+1))
	if err != nil {
		return nil, []RowError{{Message: fmt.Sprintf("read file: %v", err)}}
	}
	if len(data) > MaxCSVSize {
		return nil, []RowError{{Message: fmt.Sprintf("file larger than %d MiB", MaxCSVSize>>20)}}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		return nil, []RowError{{Message: "file is not UTF-8 text: save it as \"CSV UTF-8\""}}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffSeparator(data)
	cr.FieldsPerRecord = -1 // a short or long row is reported as such, below
	cr.ReuseRecord = false

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, []RowError{{Message: "file is empty"}}
	}
	if err != nil {
		return nil, []RowError{{Row: 1, Message: csvMessage(err)}}
	}
	col := map[string]int{}
	var errs []RowError
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		key, ok := csvColumns[name]
		if !ok {
			errs = append(errs, RowError{Row: 1, Field: h, Message: "unknown column (expected email, name, narrative, evidence_url)"})
			continue
		}
		if _, dup := col[key]; dup {
			errs = append(errs, RowError{Row: 1, Field: h, Message: "column given twice"})
			continue
		}
		col[key] = i
	}
	if _, ok := col["email"]; !ok {
		errs = append(errs, RowError{Row: 1, Field: "email", Message: "no email column"})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	field := func(rec []string, key string) string {
		if i, ok := col[key]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []AwardInput
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			row := 0
			if errors.As(err, &pe) {
				row = pe.StartLine
			}
			errs = append(errs, RowError{Row: row, Message: csvMessage(err)})
			break // the reader cannot resynchronise after a quoting error
		}
		row, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if rows++; rows > MaxCSVRows {
			errs = append(errs, RowError{Row: row, Message: fmt.Sprintf("more than %d recipients in one file", MaxCSVRows)})
			break
		}
		if len(rec) != len(header) {
			errs = append(errs, RowError{Row: row, Message: fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		in := AwardInput{Row: row, Email: field(rec, "email"), Name: field(rec, "name"), Narrative: field(rec, "narrative")}
		if u := field(rec, "evidence_url"); u != "" {
			in.Evidence = []badge.Evidence{{URL: u}}
		}
		if e := checkRow(in); e != nil {
			e.Row = row
			errs = append(errs, *e)
			if len(errs) >= maxCSVErrors {
				break
			}
			continue
		}
		out = append(out, in)
	}
	if rows == 0 && len(errs) == 0 {
		return nil, []RowError{{Message: "no recipients in the file"}}
	}
	if len(errs) > 0 && !opts.SkipInvalid {
		return nil, errs
	}
	return out, errs
}

// checkRow applies the award rules that do not need the badge, so that
// errors come with their row number.
func checkRow(in AwardInput) *RowError {
	if in.Email == "" {
		return &RowError{Field: "email", Code: "csv.email_missing", Message: "e-mail address missing"}
	}
	a := badge.Award{BadgeID: "x", IssuerID: "x", Narrative: in.Narrative, Evidence: in.Evidence,
		Recipient: badge.Recipient{Email: in.Email, Name: in.Name}}
	if err := a.Validate(); err != nil {
		var be *badge.Error
		if errors.As(err, &be) {
			return &RowError{Field: csvField(be.Field), Code: be.Code, Message: be.Message}
		}
		return &RowError{Message: err.Error()}
	}
	return nil
}

func csvField(f string) string {
	switch f {
	case "recipient", "recipient_email":
		return "email"
	case "recipient_name":
		return "name"
	case "evidence":
		return "evidence_url"
	}
	return f
}

// sniffSeparator picks ';' when the header line has more semicolons than
// commas (spreadsheets in French locales write those), else ','.
func sniffSeparator(data []byte) rune {
	line, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	if bytes.Count(line, []byte(";")) > bytes.Count(line, []byte(",")) {
		return ';'
	}
	return ','
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
