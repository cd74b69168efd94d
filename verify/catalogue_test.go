package verify

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// emitted reads the package's source and returns every (code, outcome)
// pair a call to Report.add or Report.addAll can produce. An outcome that is
// not one of the four constants written at the call site is an error: the
// catalogue must be checkable by reading the code.
func emitted(t *testing.T) map[textKey]bool {
	t.Helper()
	outcomes := map[string]Outcome{"Pass": Pass, "Fail": Fail, "Warn": Warn, "Skip": Skip}
	codes := map[string]Code{
		"CodeFormat": CodeFormat, "CodeBaked": CodeBaked, "CodeJSON": CodeJSON, "CodeContext": CodeContext,
		"CodeType": CodeType, "CodeSchema": CodeSchema, "CodeStructure": CodeStructure, "CodeProof": CodeProof,
		"CodeIssuerKey": CodeIssuerKey, "CodeValidFrom": CodeValidFrom, "CodeValidUntil": CodeValidUntil,
		"CodeStatus": CodeStatus, "CodeEndorsements": CodeEndorsements, "CodeRecipient": CodeRecipient,
		"CodeAssertion": CodeAssertion, "CodeBadgeClass": CodeBadgeClass, "CodeHosted": CodeHosted,
		"CodeHostScope": CodeHostScope, "CodeLegacy": CodeLegacy, "CodeCLR": CodeCLR, "CodeIncluded": CodeIncluded,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := map[textKey]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if fd, ok := n.(*ast.FuncDecl); ok && fd.Recv != nil && (fd.Name.Name == "addAll" || fd.Name.Name == "add" || fd.Name.Name == "addStep") {
				return false // the helpers themselves pass codes through
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "add" && sel.Sel.Name != "addAll" && sel.Sel.Name != "addStep") || len(call.Args) < 2 {
				return true
			}
			codeID, ok := call.Args[0].(*ast.Ident)
			if !ok {
				t.Errorf("%s: code of %s is not a constant", fset.Position(call.Pos()), sel.Sel.Name)
				return true
			}
			code, ok := codes[codeID.Name]
			if !ok {
				t.Errorf("%s: unknown code %s (add it to the test's table)", fset.Position(call.Pos()), codeID.Name)
				return true
			}
			if sel.Sel.Name == "addStep" {
				// addStep(code, step, outcomes...): the outcomes it may produce.
				if len(call.Args) < 3 {
					t.Errorf("%s: addStep lists no outcome", fset.Position(call.Pos()))
				}
				for _, arg := range call.Args[2:] {
					id, ok := arg.(*ast.Ident)
					if !ok || outcomes[id.Name] == "" {
						t.Errorf("%s: outcome of addStep is not one of Pass, Fail, Warn, Skip", fset.Position(call.Pos()))
						continue
					}
					found[textKey{code, outcomes[id.Name]}] = true
				}
				return true
			}
			if sel.Sel.Name == "addAll" {
				found[textKey{code, Pass}] = true
				found[textKey{code, Fail}] = true
				return true
			}
			outID, ok := call.Args[1].(*ast.Ident)
			if !ok || outcomes[outID.Name] == "" {
				t.Errorf("%s: outcome of add is not one of Pass, Fail, Warn, Skip", fset.Position(call.Pos()))
				return true
			}
			found[textKey{code, outcomes[outID.Name]}] = true
			return true
		})
	}
	return found
}

func TestCatalogue(t *testing.T) {
	found := emitted(t)
	if len(found) < 30 {
		t.Fatalf("only %d (code, outcome) pairs found in the source: the scan is broken", len(found))
	}
	for k := range found {
		m, ok := messages[k]
		switch {
		case !ok:
			t.Errorf("%s/%s is emitted but has no message", k.code, k.outcome)
		case m.EN == "" || m.FR == "":
			t.Errorf("%s/%s: empty message %+v", k.code, k.outcome, m)
		case m.EN == m.FR:
			t.Errorf("%s/%s: French message is the English one", k.code, k.outcome)
		}
	}
	for k := range messages {
		if !found[k] {
			t.Logf("message %s/%s is never emitted", k.code, k.outcome)
		}
	}
	for _, v := range []Verdict{Valid, Revoked, Suspended, Expired, NotYetValid, Invalid} {
		r := verdictReasons[v]
		if r.EN == "" || r.FR == "" || r.EN == r.FR {
			t.Errorf("verdict %s: reason %+v", v, r)
		}
	}
	if len(verdictReasons) != 6 {
		t.Errorf("%d verdict reasons, want 6", len(verdictReasons))
	}
}
