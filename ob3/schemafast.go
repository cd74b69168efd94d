package ob3

import (
	"encoding/json"
	"fmt"
	"math/big"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The schema library builds, for every keyword it evaluates, scopes and
// error values, and tracks evaluated properties for unevaluatedProperties:
// validating a typical credential cost more than its proof. A verifier
// needs the report only when validation fails, so ValidateSchema first asks
// fastValid, a plain yes/no walk of the same compiled schemas that
// implements exactly the draft 2019-09 keywords the 1EdTech schemas use,
// with the library's own semantics (its validator.go): type, enum, const,
// $ref, allOf/anyOf/oneOf/not, properties, patternProperties,
// additionalProperties, propertyNames, required, min/maxProperties, items
// (one schema or a list), additionalItems, contains, min/maxContains,
// min/maxItems, uniqueItems, min/maxLength, pattern, and the number bounds.
// A schema that uses anything else (formats as assertions, if/then/else,
// dependencies, unevaluated*, $recursiveRef, content*, extensions, another
// draft) is not converted and its kind always goes to the library. "Valid"
// from the fast walk is final; "invalid" or "unsure" (an unknown value
// type, runaway recursion) goes to the library, which builds the report.
// TestFastSchemaMatchesLibrary holds the two to the same answers.

// fnode is one compiled schema, converted for the fast walk.
type fnode struct {
	always, never bool  // boolean schemas true and false
	types         uint8 // allowed JSON types (tNull…); 0: no type keyword
	enum          []any
	konst         *any
	ref, not      *fnode
	allOf, anyOf  []*fnode
	oneOf         []*fnode

	// objects
	minProps, maxProps int // -1: absent
	required           []string
	props              map[string]*fnode
	patternProps       []patternProp
	addlProps          *fnode // nil: absent (false schemas are never)
	propNames          *fnode

	// arrays
	minItems, maxItems       int // -1: absent
	uniqueItems              bool
	items                    *fnode   // items as one schema
	itemList                 []*fnode // items as a list
	itemsIsList              bool
	addlItems                *fnode
	contains                 *fnode
	minContains, maxContains int // -1: absent

	// strings
	minLen, maxLen int // -1: absent
	pattern        jsonschema.Regexp

	// numbers
	minimum, maximum, exMinimum, exMaximum, multipleOf *big.Rat
}

type patternProp struct {
	re jsonschema.Regexp
	n  *fnode
}

const (
	tNull uint8 = 1 << iota
	tBoolean
	tNumber
	tInteger
	tString
	tArray
	tObject
)

var fastTypeBits = map[string]uint8{
	"null": tNull, "boolean": tBoolean, "number": tNumber, "integer": tInteger,
	"string": tString, "array": tArray, "object": tObject,
}

// fastSchemas are the fast forms of schemas, nil for a kind that uses a
// keyword fastValid does not implement.
var fastSchemas [len(schemaFiles)]*fnode

// compileFast converts each schema of set; a kind whose schema (or any
// schema it reaches) is not convertible gets nil.
func compileFast(set *[len(schemaFiles)]*jsonschema.Schema) (out [len(schemaFiles)]*fnode) {
	for k, s := range set {
		c := fastCompiler{memo: map[*jsonschema.Schema]*fnode{}}
		n := c.node(s)
		if c.unsupported == "" {
			out[k] = n
		}
	}
	return out
}

type fastCompiler struct {
	memo        map[*jsonschema.Schema]*fnode
	unsupported string // the first keyword met that fastValid lacks
}

func (c *fastCompiler) fail(what string, s *jsonschema.Schema) {
	if c.unsupported == "" {
		c.unsupported = what + " at " + s.Location
	}
}

func (c *fastCompiler) node(s *jsonschema.Schema) *fnode {
	if s == nil {
		return nil
	}
	if n, ok := c.memo[s]; ok {
		return n
	}
	n := &fnode{minProps: -1, maxProps: -1, minItems: -1, maxItems: -1, minContains: -1, maxContains: -1, minLen: -1, maxLen: -1}
	c.memo[s] = n // before the children: schemas refer to each other in cycles
	if s.Bool != nil {
		n.always, n.never = *s.Bool, !*s.Bool
		return n
	}
	if s.DraftVersion != 2019 {
		c.fail(fmt.Sprintf("draft %d", s.DraftVersion), s)
		return n
	}
	switch {
	case s.RecursiveRef != nil, s.RecursiveAnchor:
		c.fail("$recursiveRef", s)
	case s.DynamicRef != nil:
		c.fail("$dynamicRef", s)
	case s.If != nil, s.Then != nil, s.Else != nil:
		c.fail("if/then/else", s)
	case s.Format != nil:
		c.fail("format assertion", s)
	case len(s.Dependencies) > 0, len(s.DependentRequired) > 0, len(s.DependentSchemas) > 0:
		c.fail("dependencies", s)
	case s.UnevaluatedProperties != nil, s.UnevaluatedItems != nil:
		c.fail("unevaluated*", s)
	case len(s.PrefixItems) > 0, s.Items2020 != nil:
		c.fail("prefixItems", s)
	case s.ContentEncoding != nil, s.ContentMediaType != nil, s.ContentSchema != nil:
		c.fail("content*", s)
	case len(s.Extensions) > 0:
		c.fail("extension", s)
	}
	if s.Types != nil && !s.Types.IsEmpty() {
		for _, name := range s.Types.ToStrings() {
			b, ok := fastTypeBits[name]
			if !ok {
				c.fail("type "+name, s)
			}
			n.types |= b
		}
	}
	if s.Enum != nil {
		n.enum = s.Enum.Values
		if n.enum == nil {
			n.enum = []any{} // matches nothing, as in the library
		}
	}
	n.konst = s.Const
	n.ref = c.node(s.Ref)
	n.not = c.node(s.Not)
	n.allOf = c.nodes(s.AllOf)
	n.anyOf = c.nodes(s.AnyOf)
	n.oneOf = c.nodes(s.OneOf)

	n.minProps, n.maxProps = intOr(s.MinProperties), intOr(s.MaxProperties)
	n.required = s.Required
	if len(s.Properties) > 0 {
		n.props = make(map[string]*fnode, len(s.Properties))
		for k, p := range s.Properties {
			n.props[k] = c.node(p)
		}
	}
	for re, p := range s.PatternProperties {
		n.patternProps = append(n.patternProps, patternProp{re, c.node(p)})
	}
	n.addlProps = c.additional(s.AdditionalProperties, s)
	n.propNames = c.node(s.PropertyNames)

	n.minItems, n.maxItems = intOr(s.MinItems), intOr(s.MaxItems)
	n.uniqueItems = s.UniqueItems
	switch items := s.Items.(type) {
	case nil:
	case *jsonschema.Schema:
		n.items = c.node(items)
	case []*jsonschema.Schema:
		n.itemList, n.itemsIsList = c.nodes(items), true
	default:
		c.fail(fmt.Sprintf("items of type %T", items), s)
	}
	n.addlItems = c.additional(s.AdditionalItems, s)
	n.contains = c.node(s.Contains)
	n.minContains, n.maxContains = intOr(s.MinContains), intOr(s.MaxContains)

	n.minLen, n.maxLen = intOr(s.MinLength), intOr(s.MaxLength)
	n.pattern = s.Pattern

	n.minimum, n.maximum = s.Minimum, s.Maximum
	n.exMinimum, n.exMaximum = s.ExclusiveMinimum, s.ExclusiveMaximum
	n.multipleOf = s.MultipleOf
	return n
}

func (c *fastCompiler) nodes(l []*jsonschema.Schema) []*fnode {
	if len(l) == 0 {
		return nil
	}
	out := make([]*fnode, len(l))
	for i, s := range l {
		out[i] = c.node(s)
	}
	return out
}

// additional converts additionalProperties or additionalItems: nil, a
// boolean or a schema.
func (c *fastCompiler) additional(x any, s *jsonschema.Schema) *fnode {
	switch x := x.(type) {
	case nil:
		return nil
	case bool:
		return &fnode{always: x, never: !x}
	case *jsonschema.Schema:
		return c.node(x)
	}
	c.fail(fmt.Sprintf("additional keyword of type %T", x), s)
	return nil
}

func intOr(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

// maxFastDepth bounds the walk's recursion (schema and instance together);
// past it the answer is left to the library.
const maxFastDepth = 512

// fastWalk is one fast validation; unsure is set when the walk met
// something it cannot judge, and then its answer is not used.
type fastWalk struct {
	unsure bool
	depth  int
}

// fastValid reports whether inst certainly conforms to n: false means
// "invalid or unsure: ask the library".
func fastValid(n *fnode, inst any) bool {
	if n == nil {
		return false
	}
	w := fastWalk{}
	ok := w.valid(n, inst)
	return ok && !w.unsure
}

func typeBit(v any) uint8 {
	switch v.(type) {
	case nil:
		return tNull
	case bool:
		return tBoolean
	case string:
		return tString
	case json.Number, float64:
		return tNumber
	case []any:
		return tArray
	case map[string]any:
		return tObject
	}
	return 0
}

func (w *fastWalk) valid(n *fnode, v any) bool {
	if n.always {
		return true
	}
	if n.never {
		return false
	}
	if w.depth >= maxFastDepth {
		w.unsure = true
		return false
	}
	// Not a defer: this function has too many returns for an open-coded
	// one, and the deferred call was a third of the walk.
	w.depth++
	ok := w.check(n, v)
	w.depth--
	return ok
}

// check is valid below the depth guard.
func (w *fastWalk) check(n *fnode, v any) bool {
	t := typeBit(v)
	if t == 0 {
		// float32, int… or not JSON at all: the library decides.
		w.unsure = true
		return false
	}
	if f, ok := v.(float64); ok && (f != f || f-f != 0) {
		w.unsure = true // NaN or ±Inf: invalid to the library
		return false
	}
	if n.types != 0 && n.types&t == 0 && !(n.types&tInteger != 0 && t == tNumber && isIntegerNumber(v)) {
		return false
	}
	if n.konst != nil && !w.equal(v, *n.konst) {
		return false
	}
	if n.enum != nil {
		found := false
		for _, e := range n.enum {
			if w.equal(v, e) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if n.ref != nil && !w.valid(n.ref, v) {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		if !w.object(n, x) {
			return false
		}
	case []any:
		if !w.array(n, x) {
			return false
		}
	case string:
		if !w.str(n, x) {
			return false
		}
	case json.Number, float64:
		if !w.number(n, x) {
			return false
		}
	}
	if n.not != nil && w.valid(n.not, v) {
		return false
	}
	for _, s := range n.allOf {
		if !w.valid(s, v) {
			return false
		}
	}
	if len(n.anyOf) > 0 {
		matched := false
		for _, s := range n.anyOf {
			if w.valid(s, v) {
				matched = true
				break
			}
		}
		if !matched {
			return false
		}
	}
	if len(n.oneOf) > 0 {
		matched := 0
		for _, s := range n.oneOf {
			if w.valid(s, v) {
				if matched++; matched > 1 {
					return false
				}
			}
		}
		if matched != 1 {
			return false
		}
	}
	return true
}

func (w *fastWalk) object(n *fnode, obj map[string]any) bool {
	if n.minProps >= 0 && len(obj) < n.minProps || n.maxProps >= 0 && len(obj) > n.maxProps {
		return false
	}
	for _, r := range n.required {
		if _, ok := obj[r]; !ok {
			return false
		}
	}
	if n.props == nil && n.patternProps == nil && n.addlProps == nil && n.propNames == nil {
		return true
	}
	for k, pv := range obj {
		evaluated := false
		if s, ok := n.props[k]; ok {
			evaluated = true
			if !w.valid(s, pv) {
				return false
			}
		}
		for _, pp := range n.patternProps {
			if pp.re.MatchString(k) {
				evaluated = true
				if !w.valid(pp.n, pv) {
					return false
				}
			}
		}
		if !evaluated && n.addlProps != nil && !w.valid(n.addlProps, pv) {
			return false
		}
		if n.propNames != nil && !w.valid(n.propNames, k) {
			return false
		}
	}
	return true
}

func (w *fastWalk) array(n *fnode, arr []any) bool {
	if n.minItems >= 0 && len(arr) < n.minItems || n.maxItems >= 0 && len(arr) > n.maxItems {
		return false
	}
	if n.uniqueItems {
		if len(arr) > 64 {
			w.unsure = true // the pairwise check is quadratic: the library sorts
			return false
		}
		for i := 1; i < len(arr); i++ {
			for j := 0; j < i; j++ {
				if w.equal(arr[i], arr[j]) {
					return false
				}
			}
		}
	}
	evaluated := 0
	switch {
	case n.itemsIsList:
		evaluated = min(len(arr), len(n.itemList))
		for i := range evaluated {
			if !w.valid(n.itemList[i], arr[i]) {
				return false
			}
		}
	case n.items != nil:
		for _, it := range arr {
			if !w.valid(n.items, it) {
				return false
			}
		}
		evaluated = len(arr)
	}
	if n.addlItems != nil {
		// As the library: with no items at all, additionalItems applies
		// to every item.
		for _, it := range arr[evaluated:] {
			if !w.valid(n.addlItems, it) {
				return false
			}
		}
	}
	if n.contains != nil {
		matched := 0
		for _, it := range arr {
			if w.valid(n.contains, it) {
				matched++
			}
		}
		if n.minContains >= 0 {
			if matched < n.minContains {
				return false
			}
		} else if matched == 0 {
			return false
		}
		if n.maxContains >= 0 && matched > n.maxContains {
			return false
		}
	}
	return true
}

func (w *fastWalk) str(n *fnode, s string) bool {
	if n.minLen >= 0 || n.maxLen >= 0 {
		l := utf8.RuneCountInString(s)
		if n.minLen >= 0 && l < n.minLen || n.maxLen >= 0 && l > n.maxLen {
			return false
		}
	}
	return n.pattern == nil || n.pattern.MatchString(s)
}

func (w *fastWalk) number(n *fnode, v any) bool {
	if n.minimum == nil && n.maximum == nil && n.exMinimum == nil && n.exMaximum == nil && n.multipleOf == nil {
		return true
	}
	num, ok := ratOf(v)
	if !ok {
		w.unsure = true
		return false
	}
	switch {
	case n.minimum != nil && num.Cmp(n.minimum) < 0,
		n.maximum != nil && num.Cmp(n.maximum) > 0,
		n.exMinimum != nil && num.Cmp(n.exMinimum) <= 0,
		n.exMaximum != nil && num.Cmp(n.exMaximum) >= 0:
		return false
	}
	if n.multipleOf != nil {
		if n.multipleOf.Sign() == 0 {
			w.unsure = true
			return false
		}
		if !new(big.Rat).Quo(num, n.multipleOf).IsInt() {
			return false
		}
	}
	return true
}

// ratOf is the library's reading of a number: big.Rat of its %v form.
func ratOf(v any) (*big.Rat, bool) {
	return new(big.Rat).SetString(fmt.Sprintf("%v", v))
}

func isIntegerNumber(v any) bool {
	r, ok := ratOf(v)
	return ok && r.IsInt()
}

// equal is the library's JSON equality (numbers compared as exact
// rationals); an unknown value type makes the walk unsure.
func (w *fastWalk) equal(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok || !w.equal(av, bv) {
				return false
			}
		}
		return true
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false
		}
		for i := range a {
			if !w.equal(a[i], bl[i]) {
				return false
			}
		}
		return true
	case nil:
		return b == nil
	case bool:
		bb, ok := b.(bool)
		return ok && a == bb
	case string:
		bs, ok := b.(string)
		return ok && a == bs
	case json.Number, float64:
		if typeBit(b) != tNumber {
			if !isLibraryNumber(b) {
				return false
			}
		}
		x, ok1 := ratOf(a)
		y, ok2 := ratOf(b)
		return ok1 && ok2 && x.Cmp(y) == 0
	}
	w.unsure = true
	return false
}

// isLibraryNumber: the other numeric Go types the library (and its own
// decoding of the schemas) may hold in enum and const values.
func isLibraryNumber(v any) bool {
	switch v.(type) {
	case float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return true
	}
	return false
}
