package store

import (
	"context"
	"testing"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/frameworks"
)

func TestFrameworks(t *testing.T) { forEachDB(t, testFrameworks) }

func testFrameworks(t *testing.T, db *DB) {
	ctx := context.Background()
	org, other := newIssuer(t, db, "org"), newIssuer(t, db, "other")
	tree, err := frameworks.ParseCSV([]byte("D1,Dimension un,,,https://example.org/d1\nD1.1,Élément,D1,Texte,\nD2,Dimension deux,,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	tree.Name = "Cadre"
	f := &Framework{IssuerID: org.ID, Source: "csv", Tree: tree}
	if err := db.CreateFramework(ctx, f); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateFramework(ctx, &Framework{IssuerID: org.ID, Source: "csv", Tree: &frameworks.Framework{}}); badge.ErrorKind(err) != badge.Invalid {
		t.Errorf("unnamed framework: %v", err)
	}
	got, err := db.GetFramework(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tree.Name != "Cadre" || got.IssuerID != org.ID || len(got.Tree.Roots) != 2 || len(got.Tree.Roots[0].Children) != 1 ||
		got.Tree.Roots[0].URL != "https://example.org/d1" || got.Tree.Find("D1.1").Description != "Texte" {
		t.Errorf("read back %+v", got.Tree)
	}
	if _, err := db.GetFramework(ctx, "nope"); !badge.IsNotFound(err) {
		t.Errorf("unknown id: %v", err)
	}
	for issuer, n := range map[string]int{org.ID: 1, other.ID: 0, "": 1} {
		if l, err := db.ListFrameworks(ctx, issuer); err != nil || len(l) != n {
			t.Errorf("issuer %q lists %d (%v), want %d", issuer, len(l), err, n)
		}
	}
	u := &badge.User{Handle: "marie", Name: "Marie", PasswordHash: "x", Language: "fr"}
	if err := db.CreateUser(ctx, u, "marie@example.org"); err != nil {
		t.Fatal(err)
	}
	if pub, err := db.FrameworkPublic(ctx, u.ID, f.ID); err != nil || pub {
		t.Fatalf("public before choosing: %v %v", pub, err)
	}
	for _, step := range []bool{true, false, true} {
		if err := db.SetFrameworkPublic(ctx, u.ID, f.ID, step); err != nil {
			t.Fatal(err)
		}
		if pub, err := db.FrameworkPublic(ctx, u.ID, f.ID); err != nil || pub != step {
			t.Errorf("public = %v (%v), want %v", pub, err, step)
		}
	}
	if err := db.SetFrameworkPublic(ctx, u.ID, "nope", true); !badge.IsNotFound(err) {
		t.Errorf("unknown framework: %v", err)
	}
}
