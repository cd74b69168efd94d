package ob3

import "github.com/santhosh-tekuri/jsonschema/v6"

// The 1EdTech schemas allow nearly every property in two or more forms with
// oneOf: a string or a language map, an object or an array of them. The
// schema library evaluates every alternative of a oneOf (to be sure no two
// match), so each string in a credential was also checked, and failed, as
// a language map. Where the alternatives admit pairwise disjoint JSON types,
// at most one of them can match, so "exactly one" is "at least one": such a
// oneOf is turned into an anyOf, which the library stops at the first
// alternative that matches. Validity is unchanged; so is the report on
// failure (when no alternative matches both keywords keep every
// alternative's errors, and collectLeaves treats them alike).

// allTypes stands for "any JSON type" in the type sets below.
const allTypes = ^uint8(0)

var typeBits = map[string]uint8{
	"null": 1 << 0, "boolean": 1 << 1, "object": 1 << 2, "array": 1 << 3,
	"number": 1 << 4, "string": 1 << 5,
	"integer": 1 << 4, // an integer is a number: the two overlap
}

// admits returns a superset of the JSON types of the instances s can
// accept: what its own `type`, its `$ref` and its allOf allow.
func admits(s *jsonschema.Schema, depth int) uint8 {
	if s == nil || depth > 16 {
		return allTypes
	}
	if s.Bool != nil {
		if *s.Bool {
			return allTypes
		}
		return 0
	}
	set := allTypes
	if s.Types != nil && !s.Types.IsEmpty() {
		var t uint8
		for _, name := range s.Types.ToStrings() {
			b, ok := typeBits[name]
			if !ok {
				return allTypes // unknown type name: assume the worst
			}
			t |= b
		}
		set &= t
	}
	if s.Ref != nil {
		set &= admits(s.Ref, depth+1)
	}
	for _, a := range s.AllOf {
		set &= admits(a, depth+1)
	}
	return set
}

// disjoint reports whether no instance can match two of alts.
func disjoint(alts []*jsonschema.Schema) bool {
	var seen uint8
	for _, a := range alts {
		t := admits(a, 0)
		if t&seen != 0 {
			return false
		}
		seen |= t
	}
	return true
}

// relaxOneOfs rewrites, in place, every oneOf reachable from s whose
// alternatives are type-disjoint into the equivalent anyOf.
func relaxOneOfs(s *jsonschema.Schema, seen map[*jsonschema.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if len(s.OneOf) > 0 && len(s.AnyOf) == 0 && disjoint(s.OneOf) {
		s.AnyOf, s.OneOf = s.OneOf, nil
	}
	visit := func(x any) {
		switch x := x.(type) {
		case *jsonschema.Schema:
			relaxOneOfs(x, seen)
		case []*jsonschema.Schema:
			for _, y := range x {
				relaxOneOfs(y, seen)
			}
		}
	}
	for _, x := range []*jsonschema.Schema{s.Ref, s.RecursiveRef, s.Not, s.If, s.Then, s.Else,
		s.PropertyNames, s.UnevaluatedProperties, s.Contains, s.Items2020, s.UnevaluatedItems, s.ContentSchema} {
		relaxOneOfs(x, seen)
	}
	if s.DynamicRef != nil {
		relaxOneOfs(s.DynamicRef.Ref, seen)
	}
	for _, l := range [][]*jsonschema.Schema{s.AllOf, s.AnyOf, s.OneOf, s.PrefixItems} {
		visit(l)
	}
	for _, y := range s.Properties {
		relaxOneOfs(y, seen)
	}
	for _, y := range s.PatternProperties {
		relaxOneOfs(y, seen)
	}
	for _, y := range s.DependentSchemas {
		relaxOneOfs(y, seen)
	}
	for _, y := range s.Dependencies {
		visit(y)
	}
	visit(s.AdditionalProperties)
	visit(s.Items)
	visit(s.AdditionalItems)
}
