package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/verify"
)

// TestBulkAwardKilled kills `sceau award --csv` with SIGKILL in the middle of
// a bulk award and checks that nothing is half done: every award stored is
// complete (signed credential, JWT, status index) and verifies, and no
// status index is used twice.
func TestBulkAwardKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a process")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "sceau")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	srv := []string{"--data-dir", dir, "--dev", "--base-url", "http://localhost:8080"}
	mustRun := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(bin, append(args, srv...)...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	mustRun("issuer", "create", "--slug", "reseau", "--name", "Réseau de formation")
	mustRun("badge", "create", "--issuer", "reseau", "--slug", "atelier", "--name", "Atelier",
		"--description", "Participation à un atelier.", "--criteria", "Être présent.")

	const rows = 20000
	var csv strings.Builder
	csv.WriteString("email,name\n")
	for i := range rows {
		fmt.Fprintf(&csv, "enseignant%d@exemple.qc.ca,Enseignant %d\n", i, i)
	}
	csvPath := filepath.Join(dir, "many.csv")
	if err := os.WriteFile(csvPath, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "sceau.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	cmd := exec.Command(bin, append([]string{"award", "--issuer", "reseau", "--badge", "atelier", "--csv", csvPath}, srv...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		n, err := db.CountAwards(ctx, store.AwardFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the award finished before it could be killed (%v): make the CSV longer", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no award stored within a minute")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited

	n, err := db.CountAwards(ctx, store.AwardFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || n >= rows {
		t.Fatalf("%d awards stored: the kill did not land mid-way", n)
	}
	t.Logf("killed after %d of %d awards", n, rows)
	seen := map[int]bool{}
	for offset := 0; offset < n; offset += store.MaxAwardLimit {
		page, err := db.ListAwards(ctx, store.AwardFilter{Limit: store.MaxAwardLimit, Offset: offset})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page {
			if seen[a.StatusIndex] {
				t.Fatalf("status index %d used twice", a.StatusIndex)
			}
			seen[a.StatusIndex] = true
			full, err := db.GetAward(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(full.Credential) == 0 || full.CredentialJWT == "" {
				t.Fatalf("award %s stored without its signed credential", a.ID)
			}
			if !strings.Contains(string(full.Credential), fmt.Sprintf(`"statusListIndex":"%d"`, a.StatusIndex)) &&
				!strings.Contains(string(full.Credential), fmt.Sprintf(`"statusListIndex": "%d"`, a.StatusIndex)) {
				t.Fatalf("award %s: credential does not carry its status index %d", a.ID, a.StatusIndex)
			}
		}
	}
	if len(seen) != n {
		t.Fatalf("listed %d awards, counted %d", len(seen), n)
	}
	// One stored award, checked end to end: its proof holds.
	page, _ := db.ListAwards(ctx, store.AwardFilter{Limit: 1})
	full, _ := db.GetAward(ctx, page[0].ID)
	r := verify.Verify(ctx, full.Credential, verify.Options{})
	if c := r.Check(verify.CodeJSON); c == nil || c.Outcome != verify.Pass {
		t.Fatalf("stored credential: %+v", r.Checks)
	}
}
