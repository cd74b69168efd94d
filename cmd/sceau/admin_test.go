package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdminCommands issues from the command line, as an operator without
// the web workspace would: issuer, badge, awards (one, then a CSV with a bad
// row refused whole, then skipped), and a revocation.
func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	srv := []string{"--data-dir", dir, "--dev", "--base-url", "http://localhost:8080"}
	cmd := func(args ...string) (int, string, string) {
		t.Helper()
		return runCmd(t, append(args, srv...)...)
	}
	if code, out, errOut := cmd("issuer", "create", "--slug", "cssdm", "--name", "CSS de démonstration", "--email", "formation@sceau.example"); code != exitOK || !strings.HasSuffix(strings.TrimSpace(out), "/issuers/cssdm") {
		t.Fatalf("issuer create: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cmd("issuer", "create", "--slug", "cssdm", "--name", "Again"); code != exitInvalid || !strings.Contains(errOut, "slug") {
		t.Fatalf("duplicate issuer: %d %q", code, errOut)
	}
	notImage := filepath.Join(dir, "not-an-image.png")
	if err := os.WriteFile(notImage, []byte("%PDF-1.7 not a picture"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cmd("badge", "create", "--issuer", "cssdm", "--slug", "lecture", "--name", "Lecture professionnelle",
		"--description", "Lire un ouvrage de recherche.", "--criteria", "Remettre une réflexion.", "--image", notImage); code != exitInvalid || !strings.Contains(errOut, "--image") {
		t.Fatalf("badge create with a non-image: %d %q", code, errOut)
	}
	seal := filepath.Join(dir, "seal.png")
	if err := os.WriteFile(seal, demoImage(), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cmd("badge", "create", "--issuer", "cssdm", "--slug", "lecture", "--name", "Lecture professionnelle",
		"--description", "Lire un ouvrage de recherche.", "--criteria", "Remettre une réflexion.", "--image", seal); code != exitOK {
		t.Fatalf("badge create: %d %q", code, errOut)
	}
	code, out, errOut := cmd("award", "--issuer", "cssdm", "--badge", "lecture", "--email", "marie@exemple.qc.ca", "--name", "Marie")
	if code != exitOK || !strings.Contains(out, "/awards/") {
		t.Fatalf("award: %d %q %q", code, out, errOut)
	}
	awardID := strings.TrimSpace(out[strings.LastIndex(out, "/")+1:])

	csv := filepath.Join(dir, "recipients.csv")
	if err := os.WriteFile(csv, []byte("\ufeffemail;name\njean@exemple.qc.ca;Jean\nnot-an-address;Bad\nami@exemple.qc.ca;Amélie\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = cmd("award", "--issuer", "cssdm", "--badge", "lecture", "--csv", csv)
	if code != exitInvalid || out != "" || !strings.Contains(errOut, "row 3") {
		t.Fatalf("CSV with a bad row: %d out %q err %q", code, out, errOut)
	}
	code, out, errOut = cmd("award", "--issuer", "cssdm", "--badge", "lecture", "--csv", csv, "--skip-invalid")
	if code != exitOK || strings.Count(out, "/awards/") != 2 {
		t.Fatalf("CSV skipping the bad row: %d out %q err %q", code, out, errOut)
	}

	if code, _, errOut := cmd("revoke", "--reason", "Attribué par erreur", awardID); code != exitOK {
		t.Fatalf("revoke: %d %q", code, errOut)
	}
	if code, _, errOut := cmd("revoke", "--reason", "again", "00000000-0000-4000-8000-000000000000"); code != exitInvalid || errOut == "" {
		t.Fatalf("revoke unknown: %d %q", code, errOut)
	}
	if code, _, _ := cmd("revoke", awardID); code != exitUsage {
		t.Fatalf("revoke without reason: exit %d", code)
	}

	// The backup starts a server of its own: same awards, same keys.
	backup := filepath.Join(t.TempDir(), "copy")
	if code, _, errOut := cmd("backup", backup); code != exitOK {
		t.Fatalf("backup: %d %q", code, errOut)
	}
	if code, _, _ := cmd("backup", backup); code != exitInvalid {
		t.Fatalf("backup over an existing directory: exit %d", code)
	}
	code, out, errOut = runCmd(t, "award", "--issuer", "cssdm", "--badge", "lecture", "--email", "paul@exemple.qc.ca",
		"--data-dir", backup, "--dev", "--base-url", "http://localhost:8080")
	if code != exitOK || !strings.Contains(out, "/awards/") {
		t.Fatalf("award from the backup: %d %q %q", code, out, errOut)
	}
}
