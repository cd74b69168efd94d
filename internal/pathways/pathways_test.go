package pathways

import (
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/badge"
)

const (
	idA = "11111111-1111-4111-8111-111111111111"
	idB = "22222222-2222-4222-8222-222222222222"
	idC = "33333333-3333-4333-8333-333333333333"
	ext = "https://example.org/badges/1"
	urn = "urn:uuid:44444444-4444-4444-8444-444444444444"
)

func readTree(t testing.TB) *Node {
	t.Helper()
	data, err := os.ReadFile("testdata/tree.json")
	if err != nil {
		t.Fatal(err)
	}
	n, err := ParseTree(data)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func held(keys ...string) map[string]*Held {
	m := map[string]*Held{}
	for _, k := range keys {
		m[k] = &Held{Kind: "award", ID: k, URL: "https://x.example/" + k}
	}
	return m
}

// The tree: all of { A, any 2 of { B, ext, all of { C, urn } } }.
func TestEvaluateNestedGroups(t *testing.T) {
	root := readTree(t)
	cases := []struct {
		name       string
		held       []string
		done       bool
		doneLeaves int
		basis      []string
	}{
		{"nothing", nil, false, 0, nil},
		{"A alone", []string{BadgeKey(idA)}, false, 1, nil},
		{"A and one option", []string{BadgeKey(idA), BadgeKey(idB)}, false, 2, nil},
		{"A and two options", []string{BadgeKey(idA), BadgeKey(idB), ExternalKey(ext)}, true, 3,
			[]string{BadgeKey(idA), BadgeKey(idB), ExternalKey(ext)}},
		{"the nested group half done does not count", []string{BadgeKey(idA), BadgeKey(idB), BadgeKey(idC)}, false, 3, nil},
		{"the nested group done counts as one option", []string{BadgeKey(idA), BadgeKey(idC), ExternalKey(urn), ExternalKey(ext)}, true, 4,
			[]string{BadgeKey(idA), ExternalKey(ext), BadgeKey(idC), ExternalKey(urn)}},
		{"every option: the basis keeps the first two", []string{BadgeKey(idA), BadgeKey(idB), ExternalKey(ext), BadgeKey(idC), ExternalKey(urn)}, true, 5,
			[]string{BadgeKey(idA), BadgeKey(idB), ExternalKey(ext)}},
		{"options without A", []string{BadgeKey(idB), ExternalKey(ext)}, false, 2, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Evaluate(root, held(c.held...))
			if r.Done != c.done || r.DoneLeaves != c.doneLeaves || r.Leaves != 5 {
				t.Fatalf("done %v leaves %d/%d, want %v %d/5", r.Done, r.DoneLeaves, r.Leaves, c.done, c.doneLeaves)
			}
			var basis []string
			for _, h := range r.Basis() {
				basis = append(basis, h.ID)
			}
			if strings.Join(basis, " ") != strings.Join(c.basis, " ") {
				t.Fatalf("basis %v, want %v", basis, c.basis)
			}
			if r.Touches() != (c.doneLeaves > 0) {
				t.Fatal("Touches disagrees with the leaves done")
			}
		})
	}
}

func TestValidateTree(t *testing.T) {
	leaf := func() *Node { return &Node{Kind: KindBadge, BadgeID: idA} }
	deep := &Node{Kind: KindAll, Children: []*Node{leaf()}}
	for i := 0; i < MaxDepth; i++ {
		deep = &Node{Kind: KindAll, Children: []*Node{deep}}
	}
	wide := &Node{Kind: KindAll}
	for i := 0; i < MaxNodes; i++ {
		wide.Children = append(wide.Children, leaf())
	}
	cases := []struct {
		name string
		root *Node
		code string
	}{
		{"valid", &Node{Kind: KindAny, N: 1, Children: []*Node{leaf(), {Kind: KindExternal, Ref: ext}}}, ""},
		{"root is a badge", leaf(), "pathway.root_not_group"},
		{"empty group", &Node{Kind: KindAll}, "pathway.group_empty"},
		{"any 0", &Node{Kind: KindAny, N: 0, Children: []*Node{leaf()}}, "pathway.any_count"},
		{"any more than its children", &Node{Kind: KindAny, N: 2, Children: []*Node{leaf()}}, "pathway.any_count"},
		{"all with a number", &Node{Kind: KindAll, N: 1, Children: []*Node{leaf()}}, "pathway.all_count"},
		{"badge without id", &Node{Kind: KindAll, Children: []*Node{{Kind: KindBadge}}}, "pathway.badge_invalid"},
		{"external not a URI", &Node{Kind: KindAll, Children: []*Node{{Kind: KindExternal, Ref: "pas une uri"}}}, "pathway.ref_invalid"},
		{"external with a bad earn URL", &Node{Kind: KindAll, Children: []*Node{{Kind: KindExternal, Ref: ext, EarnURL: "javascript:x"}}}, "pathway.earn_url_invalid"},
		{"leaf with children", &Node{Kind: KindAll, Children: []*Node{{Kind: KindBadge, BadgeID: idA, Children: []*Node{leaf()}}}}, "pathway.leaf_with_children"},
		{"unknown kind", &Node{Kind: KindAll, Children: []*Node{{Kind: "some"}}}, "pathway.kind_invalid"},
		{"too deep", deep, "pathway.too_deep"},
		{"too many", wide, "pathway.too_many_nodes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateTree(c.root)
			if got := badge.ErrorCode(err); got != c.code {
				t.Fatalf("code %q (%v), want %q", got, err, c.code)
			}
		})
	}
}

func TestTextRoundTrip(t *testing.T) {
	text, err := os.ReadFile("testdata/tree.txt")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{"cssdm/secourisme": idA, "udem/robotique": idB, "cssdm/numerique": idC}
	resolve := func(i, b string) (string, error) {
		if id, ok := ids[i+"/"+b]; ok {
			return id, nil
		}
		return "", errors.New("not found")
	}
	root, err := ParseText(string(text), resolve)
	if err != nil {
		t.Fatal(err)
	}
	want := readTree(t)
	want.Children[1].Children[1].EarnURL = "https://example.org/inscription"
	a, _ := MarshalTree(root)
	b, _ := MarshalTree(want)
	if string(a) != string(b) {
		t.Fatalf("parsed\n%s\nwant\n%s", a, b)
	}
	names := map[string]string{}
	for k, v := range ids {
		names[v] = k
	}
	out := FormatText(root, func(id string) (string, bool) { n, ok := names[id]; return n, ok })
	if out != string(text) {
		t.Fatalf("formatted\n%s\nwant\n%s", out, text)
	}

	refusals := []struct{ name, text string }{
		{"two roots", "all\n  badge cssdm/secourisme\nall\n  badge cssdm/secourisme"},
		{"unknown badge", "all\n  badge cssdm/inconnu"},
		{"child of a badge", "all\n  badge cssdm/secourisme\n    badge udem/robotique"},
		{"any without a number", "any Options\n  badge cssdm/secourisme"},
		{"unknown word", "all\n  diplôme x"},
		{"empty", "\n# rien\n"},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			if _, err := ParseText(r.text, resolve); badge.ErrorKind(err) != badge.Invalid {
				t.Fatalf("accepted: %v", err)
			}
		})
	}
	// Errors name the line.
	_, err = ParseText("all\n  badge cssdm/secourisme\n  badge cssdm/inconnu", resolve)
	if !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("error does not name the line: %v", err)
	}
}

func TestAddAndRemove(t *testing.T) {
	root := readTree(t)
	if err := AddLeaf(root, []int{1}, &Node{Kind: KindExternal, Ref: "https://p.example/b"}); err != nil {
		t.Fatal(err)
	}
	if len(Leaves(root)) != 6 {
		t.Fatal("leaf not added")
	}
	if err := AddLeaf(root, []int{0}, &Node{Kind: KindExternal, Ref: "https://p.example/b"}); badge.ErrorCode(err) != "pathway.not_group" {
		t.Fatalf("added under a badge: %v", err)
	}
	if err := AddLeaf(root, []int{1}, &Node{Kind: KindExternal, Ref: "bad"}); err == nil || len(Leaves(root)) != 6 {
		t.Fatalf("invalid leaf kept: %v", err)
	}
	// Removing from "any 2 of" three… then four children is fine; down to
	// fewer than two is refused.
	if _, err := RemoveAt(root, []int{1, 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := RemoveAt(root, []int{1, 0}); err != nil {
		t.Fatal(err)
	}
	if _, err := RemoveAt(root, []int{1, 0}); badge.ErrorCode(err) != "pathway.any_count" {
		t.Fatalf("any 2 of 1 left: %v", err)
	}
	if _, err := RemoveAt(root, nil); err == nil {
		t.Fatal("root removed")
	}
	old := readTree(t)
	old.Children[0].AddedBy = "partner"
	CarryAddedBy(old, root, "owner")
	if root.Children[0].AddedBy != "partner" || root.Children[1].Children[0].AddedBy != "owner" {
		t.Fatalf("added-by not carried: %+v", root.Children[0])
	}
}

func TestAchievementRef(t *testing.T) {
	ob2, _ := os.ReadFile("testdata/ob2.json")
	ob3, _ := os.ReadFile("testdata/ob3.json")
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	jwt := seg(`{"alg":"EdDSA"}`) + "." + seg(`{"vc":`+string(ob3)+`}`) + ".c2ln"
	jws2 := seg(`{"alg":"RS256"}`) + "." + seg(string(ob2)) + ".c2ln"
	cases := []struct {
		name, in, want string
		err            bool
	}{
		{"Open Badges 2.0 assertion", string(ob2), "https://badges.example.org/badges/1", false},
		{"2.0 with an embedded badge class", `{"badge":{"id":"https://e.example/b"}}`, "https://e.example/b", false},
		{"Open Badges 3.0 credential", string(ob3), "https://example.org/achievements/42", false},
		{"VC-JWT", jwt, "https://example.org/achievements/42", false},
		{"signed 2.0 assertion", jws2, "https://badges.example.org/badges/1", false},
		{"a URL", "https://example.org/assertion", "", true},
		{"not JSON", "{oops", "", true},
		{"no achievement", `{"credentialSubject":{}}`, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := AchievementRef([]byte(c.in))
			if (err != nil) != c.err || got != c.want {
				t.Fatalf("got %q %v, want %q (error %v)", got, err, c.want, c.err)
			}
		})
	}
}

func FuzzParseTree(f *testing.F) {
	data, _ := os.ReadFile("testdata/tree.json")
	f.Add(data)
	f.Add([]byte(`{"kind":"any","n":1,"children":[{"kind":"external","ref":"a:b"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ParseTree(data)
		if err != nil {
			return
		}
		// What parses is valid, evaluates, and survives a round trip.
		if err := ValidateTree(n); err != nil {
			t.Fatal(err)
		}
		Evaluate(n, nil).Basis()
		out, err := MarshalTree(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseTree(out); err != nil {
			t.Fatalf("re-parse: %v", err)
		}
	})
}

func FuzzParseText(f *testing.F) {
	data, _ := os.ReadFile("testdata/tree.txt")
	f.Add(string(data))
	f.Add("any 1\n external a:b | x")
	resolve := func(i, b string) (string, error) { return idA, nil }
	f.Fuzz(func(t *testing.T, text string) {
		n, err := ParseText(text, resolve)
		if err != nil {
			return
		}
		if err := ValidateTree(n); err != nil {
			t.Fatal(err)
		}
		FormatText(n, nil)
	})
}

func FuzzAchievementRef(f *testing.F) {
	for _, name := range []string{"ob2.json", "ob3.json"} {
		data, _ := os.ReadFile("testdata/" + name)
		f.Add(data)
	}
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("a.b.c"))
	f.Fuzz(func(t *testing.T, data []byte) {
		AchievementRef(data)
	})
}
