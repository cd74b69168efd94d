package issuing

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sceau/sceau/internal/badge"
)

func TestParseCSV(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cases := []struct {
		name  string
		input string
		skip  bool
		want  []AwardInput
		errs  []RowError
	}{
		{
			name:  "comma, no BOM",
			input: "email,name\nmarie@exemple.ca,Marie\n",
			want:  []AwardInput{{Row: 2, Email: "marie@exemple.ca", Name: "Marie"}},
		},
		{
			name:  "BOM, semicolons, CRLF, French headers, quoted separator",
			input: read("recipients-fr.csv"),
			want: []AwardInput{
				{Row: 2, Email: "marie@exemple.ca", Name: "Marie Tremblay", Narrative: "A réussi; avec mention",
					Evidence: []badge.Evidence{{URL: "https://exemple.ca/p.pdf"}}},
				{Row: 3, Email: "paul@exemple.ca", Name: "Paul"},
			},
		},
		{
			name:  "header case and spaces, blank lines",
			input: " Email , NOM \n\nmarie@exemple.ca, Marie \n\n",
			want:  []AwardInput{{Row: 3, Email: "marie@exemple.ca", Name: "Marie"}},
		},
		{
			name:  "bad rows reported by number, nothing valid returned",
			input: read("recipients-bad.csv"),
			errs: []RowError{
				{Row: 3, Field: "email", Message: `"pas-une-adresse" is not a valid e-mail address`},
				{Row: 5, Field: "email", Message: "e-mail address missing"},
			},
		},
		{
			name:  "bad rows skipped on request",
			input: read("recipients-bad.csv"),
			skip:  true,
			want:  []AwardInput{{Row: 2, Email: "marie@exemple.ca", Name: "Marie"}, {Row: 4, Email: "luc@exemple.ca", Name: "Luc"}},
			errs: []RowError{
				{Row: 3, Field: "email", Message: `"pas-une-adresse" is not a valid e-mail address`},
				{Row: 5, Field: "email", Message: "e-mail address missing"},
			},
		},
		{
			name:  "bad evidence URL",
			input: "email;evidence_url\na@b.ca;javascript:alert(1)\n",
			errs:  []RowError{{Row: 2, Field: "evidence_url"}},
		},
		{
			name:  "wrong field count",
			input: "email,name\na@b.ca,A,extra\n",
			errs:  []RowError{{Row: 2, Message: "3 fields, the header has 2"}},
		},
		{
			name:  "no email column",
			input: "name\nMarie\n",
			errs:  []RowError{{Row: 1, Field: "email", Message: "no email column"}},
		},
		{
			name:  "unknown column",
			input: "email,age\na@b.ca,12\n",
			errs:  []RowError{{Row: 1, Field: "age", Message: "unknown column (expected email, name, narrative, evidence_url)"}},
		},
		{
			name:  "empty file",
			input: "",
			errs:  []RowError{{Message: "file is empty"}},
		},
		{
			name:  "header only",
			input: "\ufeffemail\n",
			errs:  []RowError{{Message: "no recipients in the file"}},
		},
		{
			name:  "not UTF-8 (Latin-1 export)",
			input: "email,name\na@b.ca,Andr\xe9\n",
			errs:  []RowError{{Message: `file is not UTF-8 text: save it as "CSV UTF-8"`}},
		},
		{
			name:  "unterminated quote",
			input: "email,name\na@b.ca,\"Marie\n",
			errs:  []RowError{{Row: 2}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := ParseCSVWith(strings.NewReader(tc.input), CSVOptions{SkipInvalid: tc.skip})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("inputs (-want +got):\n%s", diff)
			}
			if len(errs) != len(tc.errs) {
				t.Fatalf("errors %v, want %v", errs, tc.errs)
			}
			for i, e := range errs {
				w := tc.errs[i]
				// An empty expected message means only row and field matter
				// (the message comes from another package).
				if e.Row != w.Row || e.Field != w.Field || (w.Message != "" && e.Message != w.Message) {
					t.Errorf("error %d: %+v, want %+v", i, e, w)
				}
			}
		})
	}
}

func TestParseCSVDefaultIsAllOrNothing(t *testing.T) {
	in, errs := ParseCSV(strings.NewReader("email\na@b.ca\nfaux\n"))
	if in != nil || len(errs) != 1 || errs[0].Row != 3 {
		t.Fatalf("got %v, %v", in, errs)
	}
}

func TestParseCSVTooLarge(t *testing.T) {
	big := bytes.Repeat([]byte("a"), MaxCSVSize+1)
	if in, errs := ParseCSV(bytes.NewReader(big)); in != nil || len(errs) != 1 || errs[0].Row != 0 {
		t.Fatalf("got %d inputs, %v", len(in), errs)
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, name := range []string{"recipients-fr.csv", "recipients-bad.csv"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
	}
	f.Add([]byte("email,name\na@b.ca,\"x\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, skip bool) {
		in, errs := ParseCSVWith(bytes.NewReader(data), CSVOptions{SkipInvalid: skip})
		if len(errs) > 0 && !skip && in != nil {
			t.Fatal("inputs returned with errors")
		}
		for _, a := range in {
			if checkRow(a) != nil {
				t.Fatalf("invalid row returned: %+v", a)
			}
		}
		for _, e := range errs {
			if e.Message == "" {
				t.Fatalf("error without message: %+v", e)
			}
		}
	})
}
