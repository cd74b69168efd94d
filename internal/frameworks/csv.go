package frameworks

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// csvColumns are the columns of a CSV framework, in their default order
// (a header row may order them otherwise; code and name are required).
var csvColumns = []string{"code", "name", "parent_code", "description", "url"}

// ParseCSV reads a framework from CSV: UTF-8 with or without a byte
// order mark, fields separated by commas or semicolons (whichever the
// first line has more of), an optional header row naming the columns.
// Every problem is reported with its line; no framework is returned
// when there is any.
func ParseCSV(data []byte) (*Framework, error) {
	if len(data) > MaxBytes {
		return nil, ErrTooLarge
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var ps problems
	// Bad encoding is reported by line before anything else: a Latin-1
	// file exported by a spreadsheet would otherwise import mangled.
	if !utf8.Valid(data) {
		for i, line := range bytes.Split(data, []byte("\n")) {
			if !utf8.Valid(line) {
				ps.add(Problem{Line: i + 1, Reason: ReasonEncoding})
			}
		}
		return nil, ps.err()
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	index := map[string]int{}
	for i, c := range csvColumns {
		index[c] = i
	}
	var items []located
	header := true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				ps.add(Problem{Line: pe.Line, Reason: ReasonSyntax, Detail: pe.Err.Error()})
				// The reader cannot resynchronise reliably after a
				// quoting error: stop here.
				return nil, ps.err()
			}
			ps.add(Problem{Reason: ReasonSyntax, Detail: err.Error()})
			return nil, ps.err()
		}
		line, _ := r.FieldPos(0)
		if header {
			header = false
			if strings.EqualFold(strings.TrimSpace(rec[0]), "code") {
				index = map[string]int{}
				for i, c := range rec {
					index[strings.ToLower(strings.TrimSpace(c))] = i
				}
				for _, need := range []string{"code", "name"} {
					if _, ok := index[need]; !ok {
						ps.add(Problem{Line: line, Reason: ReasonHeader, Detail: need})
					}
				}
				if len(ps.list) > 0 {
					return nil, ps.err()
				}
				continue
			}
		}
		if blank(rec) {
			continue
		}
		if len(items) >= MaxItems {
			ps.add(Problem{Line: line, Reason: ReasonTooMany})
			break
		}
		get := func(col string) string {
			i, ok := index[col]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		it := &Item{Code: get("code"), Name: get("name"), ParentCode: get("parent_code"), Description: get("description"), URL: get("url")}
		checkFields(it, func(r Reason, d string) Problem { return Problem{Line: line, Reason: r, Detail: d} }, &ps)
		items = append(items, located{item: it, line: line})
	}
	f := build(items, &ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return f, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
