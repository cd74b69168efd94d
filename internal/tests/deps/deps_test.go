// Package deps holds the project's dependency allow-list (DESIGN.md,
// convention 14): adding a module to go.mod is a decision, taken here with a
// reason, not a side effect of `go get`.
package deps

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// allowed maps each module the project may require to why it is there.
// Indirect requirements are listed too: they ship in the binary all the same.
var allowed = map[string]string{
	"github.com/go-jose/go-jose/v4":            "JOSE/JWT for VC-JWT: maintained, strict about algorithms",
	"github.com/mr-tron/base58":                "base58btc for multibase keys and proof values",
	"github.com/santhosh-tekuri/jsonschema/v6": "validates credentials against the 1EdTech JSON Schemas",
	"github.com/google/go-cmp":                 "test comparisons",
	"golang.org/x/text":                        "language negotiation; required by jsonschema",
	"golang.org/x/crypto":                      "argon2id passwords; required by pgx (SCRAM)",
	"golang.org/x/sync":                        "required by pgx",
	"golang.org/x/sys":                         "required by modernc.org/sqlite",
	"modernc.org/sqlite":                       "SQLite in pure Go: one static binary",
	"modernc.org/libc":                         "required by modernc.org/sqlite",
	"modernc.org/mathutil":                     "required by modernc.org/sqlite",
	"modernc.org/memory":                       "required by modernc.org/sqlite",
	"github.com/dustin/go-humanize":            "required by modernc.org/sqlite",
	"github.com/google/uuid":                   "required by modernc.org/sqlite",
	"github.com/mattn/go-isatty":               "required by modernc.org/sqlite",
	"github.com/ncruces/go-strftime":           "required by modernc.org/sqlite",
	"github.com/remyoudompheng/bigfft":         "required by modernc.org/sqlite",
	"github.com/jackc/pgx/v5":                  "PostgreSQL driver (database/sql adapter)",
	"github.com/jackc/pgpassfile":              "required by pgx",
	"github.com/jackc/pgservicefile":           "required by pgx",
	"github.com/jackc/puddle/v2":               "required by pgx",
	"github.com/yuin/goldmark":                 "Markdown criteria narratives, raw HTML left out",
	"github.com/alexedwards/scs/v2":            "sessions, stored in our database",
	"github.com/wneessen/go-mail":              "SMTP with TLS, auth and MIME done right",
	"codeberg.org/go-pdf/fpdf":                 "the one-page PDF proof of a badge, UTF-8 fonts embedded",
	"github.com/skip2/go-qrcode":               "QR codes of verification links on PDFs and pages",
	"github.com/minio/minio-go/v7":             "S3-compatible file storage behind the blob interface",
	"github.com/johannesboyne/gofakes3":        "an in-process S3 server for the S3 store's tests (tests only)",
	"github.com/cespare/xxhash/v2":             "required by minio-go",
	"github.com/klauspost/compress":            "required by minio-go",
	"github.com/klauspost/cpuid/v2":            "required by minio-go",
	"github.com/klauspost/crc32":               "required by minio-go",
	"github.com/minio/crc64nvme":               "required by minio-go",
	"github.com/minio/md5-simd":                "required by minio-go",
	"github.com/philhofer/fwd":                 "required by minio-go",
	"github.com/rs/xid":                        "required by minio-go",
	"github.com/tinylib/msgp":                  "required by minio-go",
	"go.yaml.in/yaml/v3":                       "required by minio-go",
	"golang.org/x/net":                         "required by minio-go",
	"gopkg.in/ini.v1":                          "required by minio-go",
	"github.com/ryszard/goskiplist":            "required by gofakes3 (tests only)",
	"github.com/zeebo/xxh3":                    "required by gofakes3 (tests only)",
	"go.shabbyrobe.org/gocovmerge":             "required by gofakes3 (tests only)",
	"golang.org/x/tools":                       "required by gofakes3 (tests only)",
	"github.com/chromedp/chromedp":             "end-to-end tests drive Debian's headless Chromium (tests only)",
	"github.com/chromedp/cdproto":              "required by chromedp (tests only)",
	"github.com/go-json-experiment/json":       "required by chromedp (tests only)",
	"github.com/chromedp/sysutil":              "required by chromedp (tests only)",
	"github.com/gobwas/httphead":               "required by chromedp (tests only)",
	"github.com/gobwas/pool":                   "required by chromedp (tests only)",
	"github.com/gobwas/ws":                     "required by chromedp (tests only)",
}

func TestGoModRequiresOnlyAllowedModules(t *testing.T) {
	mods, err := requiredModules(filepath.Join("..", "..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if len(mods) == 0 {
		t.Fatal("go.mod lists no requirements: the parser is out of step with go.mod")
	}
	for _, m := range mods {
		if _, ok := allowed[m]; !ok {
			t.Errorf("go.mod requires %s, which is not on the allow-list in %s; add it there with a reason if the team agrees", m, "internal/tests/deps")
		}
	}
}

// requiredModules returns the module paths of go.mod's require directives,
// in both the single-line and the block form.
func requiredModules(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var mods []string
	inBlock := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "":
		case inBlock && line == ")":
			inBlock = false
		case inBlock:
			mods = append(mods, strings.Fields(line)[0])
		case line == "require (":
			inBlock = true
		case strings.HasPrefix(line, "require "):
			mods = append(mods, strings.Fields(line)[1])
		}
	}
	return mods, sc.Err()
}
