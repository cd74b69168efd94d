package pdfproof

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"
)

func seedCriteria(f *testing.F) {
	f.Add(sampleCriteria)
	f.Add(sampleCriteriaEN)
	files, _ := filepath.Glob(filepath.Join("testdata", "criteria", "*.md"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
}

func FuzzMarkdownBlocks(f *testing.F) {
	seedCriteria(f)
	f.Fuzz(func(t *testing.T, md string) {
		blocks := markdownBlocks(md)
		if len(blocks) > maxBlocks {
			t.Fatalf("%d blocks", len(blocks))
		}
		for _, b := range blocks {
			if !utf8.ValidString(b.text) {
				t.Fatalf("invalid UTF-8 in %q", b.text)
			}
		}
	})
}

func FuzzPrepareImage(f *testing.F) {
	f.Add(badgePNG(f, 40))
	f.Add(pngHeader(3, 3))
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := prepareImage(data)
		if err != nil {
			if !errors.Is(err, errNoImage) {
				t.Fatalf("error not errNoImage: %v", err)
			}
			return
		}
		if _, err := prepareImage(out); err != nil {
			t.Fatalf("prepared image does not decode again: %v", err)
		}
	})
}

// FuzzRender feeds untrusted text everywhere at once; rendering must succeed (or refuse with
// ErrInvalid) and never panic. fpdf's coverage varies from run to run (map iteration), which
// sends the fuzzer into endless minimisation of "new" inputs: run it with
// -fuzzminimizetime=1x, as in: go test -run X -fuzz FuzzRender -fuzztime=30s -fuzzminimizetime=1x
func FuzzRender(f *testing.F) {
	p := sampleProof(f, "fr")
	f.Add("fr", p.BadgeName, p.BadgeDescription, p.RecipientName, p.IssuerName, p.CriteriaNarrative, "Rapport", p.VerifyURL, p.CredentialID, []byte(nil))
	f.Add("en", "a\x00\u202e😀", "\xff\xfe", "", "", "- [x](javascript:1)", "", "https://v.example/\u00e9", "\u0000", pngHeader(1, 1))
	f.Fuzz(func(t *testing.T, lang, name, desc, recipient, issuer, criteria, evidence, verify, id string, img []byte) {
		q := Proof{
			Language: lang, BadgeName: name, BadgeDescription: desc, RecipientName: recipient,
			IssuerName: issuer, IssuerURL: verify, CriteriaNarrative: criteria,
			Evidence: []Evidence{{Name: evidence, Description: desc, URL: verify}},
			BadgeURL: verify + "/b", VerifyURL: verify, CredentialID: id, Status: evidence,
			AwardedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), BadgeImage: img,
		}
		if _, err := Bytes(q); err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("Render: %v", err)
		}
	})
}
