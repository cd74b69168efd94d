package jsonld

import (
	"maps"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sceau/sceau/rdfc"
)

// Container mapping bits.
const (
	cList uint8 = 1 << iota
	cSet
	cIndex
	cLanguage
	cID
	cType
	cGraph
)

var containerBits = map[string]uint8{
	"@list": cList, "@set": cSet, "@index": cIndex, "@language": cLanguage,
	"@id": cID, "@type": cType, "@graph": cGraph,
}

// termDef is a term definition. It is immutable once its context is
// complete; its address is part of the key of derived-context caches.
type termDef struct {
	id        string // IRI mapping (an IRI, blank node id or keyword)
	nullID    bool   // "@id": null: the term expands to nothing
	reverse   bool
	typ       string // type mapping, "" if none
	lang      string
	hasLang   bool // a language mapping is set (lang "" means null)
	dir       string
	hasDir    bool // a direction mapping is set (dir "" means null)
	container uint8
	hasCtx    bool // a scoped (local) context is set
	ctx       any
	ctxBase   string // base URL the scoped context resolves against
	index     string
	nest      string
	prefix    bool
	protected bool

	// Precomputed for the hot path: typSlice is []string{typ}, shared by
	// every value object the term types (never appended to); idWF and
	// typWF say whether id and typ are well-formed IRIs, so toRdf need not
	// scan them again.
	typSlice []string
	idWF     bool
	typWF    bool
}

// sameAs compares definitions except for the protected flag, as the
// protected term redefinition check requires.
func (d *termDef) sameAs(o *termDef) bool {
	return d.id == o.id && d.nullID == o.nullID && d.reverse == o.reverse &&
		d.typ == o.typ && d.lang == o.lang && d.hasLang == o.hasLang &&
		d.dir == o.dir && d.hasDir == o.hasDir && d.container == o.container &&
		d.hasCtx == o.hasCtx && d.index == o.index && d.nest == o.nest &&
		d.prefix == o.prefix && (!d.hasCtx || jsonEqual(d.ctx, o.ctx))
}

// Context is a processed (active) context. Once built it is never modified,
// so it can be shared between goroutines and cached.
type Context struct {
	terms        map[string]*termDef
	base         string // base IRI, "" if none
	origBase     string
	vocab        string
	hasVocab     bool
	lang         string
	hasLang      bool
	dir          string
	previous     *Context // context to revert to (non-propagated contexts)
	anyProtected bool
	// warn records the first thing processing dropped (a reserved term, a
	// relative @vocab). Safe mode refuses to use such a context; recording
	// instead of failing keeps cached contexts independent of Options.Safe.
	warn string

	// Caches of the contexts derived from this one: by a remote context
	// (url string -> *Context) and by a term's scoped context (*termDef ->
	// *scopedChildren). sync.Map hashes keys through their interface, and a
	// pointer or string key hashes several times faster than a struct: a
	// credential derives a scoped context for most of its nodes.
	remote    sync.Map
	scoped    sync.Map
	nChildren atomic.Int32 // entries in both

	// aliases lists the terms defined as @id, @type or @value, computed on
	// first use (the context is complete by then): expansion asks of every
	// key of every object whether it means @type, and a scan of these few
	// is cheaper than a lookup in terms.
	aliases atomic.Pointer[[]kwAlias] // nil entries: more than maxAliases
}

type kwAlias struct{ term, kw string }

func (c *Context) kwAliases() []kwAlias {
	if a := c.aliases.Load(); a != nil {
		return *a
	}
	a := []kwAlias{} // non-nil: nil means too many
	for t, td := range c.terms {
		if td != nil {
			switch td.id {
			case "@id", "@type", "@value":
				a = append(a, kwAlias{t, td.id})
			}
		}
	}
	if len(a) > maxAliases {
		a = nil // a context made to be slow: keyIs looks terms up instead
	}
	c.aliases.Store(&a)
	return a
}

// maxAliases bounds the scan of kwAliases.
const maxAliases = 16

// maxChildren bounds each context's derived-context cache.
const maxChildren = 1024

// scopedChildren holds the contexts derived by one term's scoped context,
// one per combination of the override and propagate flags.
type scopedChildren [4]atomic.Pointer[Context]

func scopedIndex(override, propagate bool) int {
	i := 0
	if override {
		i |= 1
	}
	if propagate {
		i |= 2
	}
	return i
}

func newContext(base string) *Context {
	return &Context{terms: map[string]*termDef{}, base: base, origBase: base}
}

func (c *Context) clone() *Context {
	return &Context{
		terms: maps.Clone(c.terms), base: c.base, origBase: c.origBase,
		vocab: c.vocab, hasVocab: c.hasVocab, lang: c.lang, hasLang: c.hasLang,
		dir: c.dir, previous: c.previous, anyProtected: c.anyProtected, warn: c.warn,
	}
}

func (c *Context) remoteChild(url string) *Context {
	if v, ok := c.remote.Load(url); ok {
		return v.(*Context)
	}
	return nil
}

func (c *Context) storeRemoteChild(url string, child *Context) {
	if c.nChildren.Add(1) <= maxChildren {
		c.remote.Store(url, child)
	}
}

func (c *Context) scopedChild(def *termDef, override, propagate bool) *Context {
	if v, ok := c.scoped.Load(def); ok {
		return v.(*scopedChildren)[scopedIndex(override, propagate)].Load()
	}
	return nil
}

func (c *Context) storeScopedChild(def *termDef, override, propagate bool, child *Context) {
	if c.nChildren.Add(1) <= maxChildren {
		v, _ := c.scoped.LoadOrStore(def, new(scopedChildren))
		v.(*scopedChildren)[scopedIndex(override, propagate)].Store(child)
	}
}

// Root contexts, one per (loader, base, mode): the roots of the caches.
type rootKey struct {
	loader DocumentLoader
	base   string
	mode10 bool
}

var (
	roots  sync.Map
	nRoots atomic.Int32
)

const maxRoots = 256

func rootContext(loader DocumentLoader, base string, mode10 bool) *Context {
	if !reflect.TypeOf(loader).Comparable() {
		return newContext(base)
	}
	k := rootKey{loader, base, mode10}
	if v, ok := roots.Load(k); ok {
		return v.(*Context)
	}
	c := newContext(base)
	if nRoots.Add(1) <= maxRoots {
		v, _ := roots.LoadOrStore(k, c)
		return v.(*Context)
	}
	return c
}

// proc holds the state of one Expand or ToRDF call.
type proc struct {
	loader DocumentLoader
	safe   bool
	mode10 bool
	work   int
	depth  int

	// Reused across calls through procPool (slab.go).
	objs  slab[object]
	ptrs  slab[*object]
	props slab[prop]
	strs  slab[string] // expanded @type lists
	// toRdf state.
	quads    []rdfc.Quad
	labels   map[string]string
	subjects map[string]struct{}
}

func (p *proc) spend(n int) error {
	p.work += n
	if p.work > maxWork {
		return newErr(CodeLimit, "too much work")
	}
	return nil
}

// deriveScoped applies the scoped context of def to active, through the
// cache of active.
func (p *proc) deriveScoped(active *Context, def *termDef, override, propagate bool) (*Context, error) {
	if c := active.scopedChild(def, override, propagate); c != nil {
		return c, p.checkSafe(c)
	}
	c, err := p.process(active, def.ctx, def.ctxBase, nil, override, propagate, true)
	if err != nil {
		return nil, err
	}
	active.storeScopedChild(def, override, propagate, c)
	return c, p.checkSafe(c)
}

func (p *proc) checkSafe(c *Context) error {
	if p.safe && c.warn != "" {
		return newErr(CodeSafeMode, c.warn)
	}
	return nil
}

// process is the Context Processing algorithm. It never modifies active;
// it returns active itself, a cached context or a new one.
func (p *proc) process(active *Context, local any, baseURL string, remote []string, override, propagate, validate bool) (*Context, error) {
	if m, ok := local.(map[string]any); ok {
		if v, ok := m["@propagate"]; ok {
			b, ok := v.(bool)
			if !ok {
				return nil, newErr("invalid @propagate value", "@propagate must be a boolean")
			}
			propagate = b
		}
	}
	result, owned := active, false
	if !propagate && result.previous == nil {
		result, owned = result.clone(), true
		result.previous = active
	}
	items, ok := local.([]any)
	if !ok {
		items = []any{local}
	}
	for _, item := range items {
		switch c := item.(type) {
		case nil:
			if !override && result.anyProtected {
				return nil, newErr("invalid context nullification", "a context with protected terms cannot be set to null")
			}
			prev := result
			result, owned = newContext(active.origBase), true
			if !propagate {
				result.previous = prev
			}
		case string:
			url := resolveIRI(baseURL, c)
			if !isAbsIRI(url) {
				return nil, newErr("loading remote context failed", "relative context reference "+c+" with no base")
			}
			if !validate && contains(remote, url) {
				continue
			}
			if len(remote) >= maxRemoteContexts {
				return nil, newErr("context overflow", "too many nested remote contexts at "+url)
			}
			var err error
			if len(remote) == 0 && validate {
				if cached := result.remoteChild(url); cached != nil {
					result, owned = cached, false
					continue
				}
				next, err := p.processRemote(result, url, remote, validate)
				if err != nil {
					return nil, err
				}
				result.storeRemoteChild(url, next)
				result, owned = next, false
				continue
			}
			if result, err = p.processRemote(result, url, remote, validate); err != nil {
				return nil, err
			}
			owned = false
		case map[string]any:
			if !owned {
				result, owned = result.clone(), true
			}
			if err := p.processMap(result, c, baseURL, remote, override, validate); err != nil {
				return nil, err
			}
		default:
			return nil, newErr("invalid local context", "a context must be null, a string or a map")
		}
	}
	return result, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// loadContext loads url and returns its @context value and document URL.
func (p *proc) loadContext(url string) (any, string, error) {
	doc, err := p.loader.LoadDocument(url)
	if err != nil {
		return nil, "", &Error{Code: "loading remote context failed", Msg: err.Error()}
	}
	if doc == nil {
		return nil, "", newErr("loading remote context failed", url)
	}
	m, ok := doc.Document.(map[string]any)
	if !ok {
		return nil, "", newErr("invalid remote context", url+" is not a JSON object")
	}
	ctx, ok := m["@context"]
	if !ok {
		return nil, "", newErr("invalid remote context", url+" has no @context")
	}
	docURL := doc.DocumentURL
	if docURL == "" {
		docURL = url
	}
	return ctx, docURL, nil
}

func (p *proc) processRemote(active *Context, url string, remote []string, validate bool) (*Context, error) {
	ctx, docURL, err := p.loadContext(url)
	if err != nil {
		return nil, err
	}
	r := make([]string, len(remote), len(remote)+1)
	copy(r, remote)
	return p.process(active, ctx, docURL, append(r, url), false, true, validate)
}

// termCreator carries the state of the Create Term Definition algorithm
// over one local context.
type termCreator struct {
	ctx       *Context
	local     map[string]any
	defined   map[string]bool
	baseURL   string
	protected bool
	override  bool
	remote    []string
	validate  bool
}

// processMap processes one context definition (a map) into result, which
// the caller owns.
func (p *proc) processMap(result *Context, c map[string]any, baseURL string, remote []string, override, validate bool) error {
	if v, ok := c["@version"]; ok {
		if f, ok := toFloat(v); !ok || f != 1.1 {
			return newErr("invalid @version value", "@version must be 1.1")
		}
		if p.mode10 {
			return newErr("processing mode conflict", "@version 1.1 in json-ld-1.0 mode")
		}
	}
	if v, ok := c["@import"]; ok {
		if p.mode10 {
			return newErr("invalid context entry", "@import in json-ld-1.0 mode")
		}
		s, ok := v.(string)
		if !ok {
			return newErr("invalid @import value", "@import must be a string")
		}
		url := resolveIRI(baseURL, s)
		imported, _, err := p.loadContext(url)
		if err != nil {
			return err
		}
		im, ok := imported.(map[string]any)
		if !ok {
			return newErr("invalid remote context", "imported context "+url+" is not a map")
		}
		if _, ok := im["@import"]; ok {
			return newErr("invalid context entry", "imported context "+url+" has @import")
		}
		merged := make(map[string]any, len(im)+len(c))
		maps.Copy(merged, im)
		maps.Copy(merged, c)
		c = merged
	}
	if v, ok := c["@base"]; ok && len(remote) == 0 {
		switch s, isStr := v.(string); {
		case v == nil:
			result.base = ""
		case isStr && isAbsIRI(s):
			result.base = s
		case isStr && result.base != "":
			result.base = resolveIRI(result.base, s)
		default:
			return newErr("invalid base IRI", "@base must be an IRI")
		}
	}
	if v, ok := c["@vocab"]; ok {
		switch s, isStr := v.(string); {
		case v == nil:
			result.vocab, result.hasVocab = "", false
		case isStr:
			if p.mode10 && !isAbsIRI(s) && !isBlank(s) {
				return newErr("invalid vocab mapping", "@vocab must be an absolute IRI in json-ld-1.0")
			}
			e, ok, err := p.expandIRI(result, s, true, true, nil)
			if err != nil {
				return err
			}
			if !ok {
				return newErr("invalid vocab mapping", "@vocab "+s)
			}
			if !isAbsIRI(e) && !isBlank(e) && result.warn == "" {
				result.warn = "relative @vocab " + s
			}
			result.vocab, result.hasVocab = e, true
		default:
			return newErr("invalid vocab mapping", "@vocab must be a string or null")
		}
	}
	if v, ok := c["@language"]; ok {
		switch s, isStr := v.(string); {
		case v == nil:
			result.lang, result.hasLang = "", false
		case isStr:
			result.lang, result.hasLang = s, true
		default:
			return newErr("invalid default language", "@language must be a string or null")
		}
	}
	if v, ok := c["@direction"]; ok {
		if p.mode10 {
			return newErr("invalid context entry", "@direction in json-ld-1.0 mode")
		}
		switch v {
		case nil:
			result.dir = ""
		case "ltr", "rtl":
			result.dir = v.(string)
		default:
			return newErr("invalid base direction", "@direction must be \"ltr\", \"rtl\" or null")
		}
	}
	if v, ok := c["@propagate"]; ok {
		if p.mode10 {
			return newErr("invalid context entry", "@propagate in json-ld-1.0 mode")
		}
		if _, ok := v.(bool); !ok {
			return newErr("invalid @propagate value", "@propagate must be a boolean")
		}
	}
	protected := false
	if v, ok := c["@protected"]; ok {
		b, ok := v.(bool)
		if !ok {
			return newErr("invalid @protected value", "@protected must be a boolean")
		}
		protected = b
	}
	tc := &termCreator{
		ctx: result, local: c, defined: make(map[string]bool, len(c)), baseURL: baseURL,
		protected: protected, override: override, remote: remote, validate: validate,
	}
	for key := range c {
		switch key {
		case "@base", "@direction", "@import", "@language", "@propagate", "@protected", "@version", "@vocab":
			continue
		}
		if err := p.createTerm(tc, key); err != nil {
			return err
		}
	}
	return nil
}

var termDefKeys = map[string]bool{
	"@id": true, "@reverse": true, "@container": true, "@context": true,
	"@direction": true, "@index": true, "@language": true, "@nest": true,
	"@prefix": true, "@protected": true, "@type": true,
}

// createTerm is the Create Term Definition algorithm.
func (p *proc) createTerm(tc *termCreator, term string) error {
	if d, ok := tc.defined[term]; ok {
		if d {
			return nil
		}
		return newErr("cyclic IRI mapping", "term "+term)
	}
	if term == "" {
		return newErr("invalid term definition", "empty term")
	}
	if err := p.spend(1 + len(tc.ctx.terms)/64); err != nil {
		return err
	}
	tc.defined[term] = false
	value := tc.local[term]
	ctx := tc.ctx

	if term == "@type" && !p.mode10 {
		m, ok := value.(map[string]any)
		valid := ok && len(m) > 0
		for k, v := range m {
			switch k {
			case "@container":
				valid = valid && v == "@set"
			case "@protected":
			default:
				valid = false
			}
		}
		if !valid {
			return newErr("keyword redefinition", "@type may only be given @container @set and @protected")
		}
	} else if isKeyword(term) {
		return newErr("keyword redefinition", term)
	} else if looksLikeKeyword(term) {
		if ctx.warn == "" {
			ctx.warn = "reserved term " + term + " ignored"
		}
		return nil
	}

	prev := ctx.terms[term]
	delete(ctx.terms, term)

	var m map[string]any
	simple := false
	switch v := value.(type) {
	case nil:
		m = map[string]any{"@id": nil}
	case string:
		m = map[string]any{"@id": v}
		simple = true
	case map[string]any:
		m = v
	default:
		return newErr("invalid term definition", "term "+term+" must be a string, map or null")
	}
	def := &termDef{protected: tc.protected}
	if v, ok := m["@protected"]; ok {
		if p.mode10 {
			return newErr("invalid term definition", "@protected in json-ld-1.0 mode")
		}
		b, ok := v.(bool)
		if !ok {
			return newErr("invalid @protected value", "term "+term)
		}
		def.protected = b
	}
	tv, hasType := m["@type"]
	if hasType {
		s, ok := tv.(string)
		if !ok {
			return newErr("invalid type mapping", "term "+term)
		}
		t, _, err := p.expandIRI(ctx, s, false, true, tc)
		if err != nil {
			return err
		}
		switch {
		case (t == "@json" || t == "@none") && p.mode10:
			return newErr("invalid type mapping", "term "+term+": "+t+" in json-ld-1.0 mode")
		case t == "@id" || t == "@json" || t == "@none" || t == "@vocab" || isAbsIRI(t):
		default:
			return newErr("invalid type mapping", "term "+term+": "+s)
		}
		def.typ = t
	}
	if rv, ok := m["@reverse"]; ok {
		if _, ok := m["@id"]; ok {
			return newErr("invalid reverse property", "term "+term+" has @id and @reverse")
		}
		if _, ok := m["@nest"]; ok {
			return newErr("invalid reverse property", "term "+term+" has @nest and @reverse")
		}
		s, ok := rv.(string)
		if !ok {
			return newErr("invalid IRI mapping", "@reverse of "+term)
		}
		if looksLikeKeyword(s) {
			if ctx.warn == "" {
				ctx.warn = "reserved @reverse value " + s + " of " + term
			}
			return nil
		}
		id, ok, err := p.expandIRI(ctx, s, false, true, tc)
		if err != nil {
			return err
		}
		if !ok || !(isAbsIRI(id) || isBlank(id)) {
			return newErr("invalid IRI mapping", "@reverse of "+term)
		}
		def.id = id
		if cv, ok := m["@container"]; ok {
			switch cv {
			case nil:
			case "@set":
				def.container = cSet
			case "@index":
				def.container = cIndex
			default:
				return newErr("invalid reverse property", "container of "+term)
			}
		}
		def.reverse = true
		def.idWF = wellFormedIRI(def.id)
		ctx.terms[term] = def
		if def.protected {
			ctx.anyProtected = true
		}
		tc.defined[term] = true
		return nil
	}

	idv, hasID := m["@id"]
	if idStr, isStr := idv.(string); hasID && !(isStr && idStr == term) {
		if idv == nil {
			def.nullID = true
		} else {
			if !isStr {
				return newErr("invalid IRI mapping", "@id of "+term)
			}
			if !isKeyword(idStr) && looksLikeKeyword(idStr) {
				if ctx.warn == "" {
					ctx.warn = "reserved @id value " + idStr + " of " + term
				}
				return nil
			}
			id, ok, err := p.expandIRI(ctx, idStr, false, true, tc)
			if err != nil {
				return err
			}
			if !ok || !(isKeyword(id) || isAbsIRI(id) || isBlank(id)) {
				return newErr("invalid IRI mapping", "term "+term+": "+idStr)
			}
			if id == "@context" {
				return newErr("invalid keyword alias", "term "+term)
			}
			def.id = id
			if hasInnerColon(term) || strings.IndexByte(term, '/') >= 0 {
				tc.defined[term] = true
				e, _, err := p.expandIRI(ctx, term, false, true, tc)
				if err != nil {
					return err
				}
				if e != id {
					return newErr("invalid IRI mapping", "term "+term+" would expand differently from its @id")
				}
			}
			if simple && !strings.ContainsAny(term, ":/") &&
				(isBlank(id) || strings.IndexByte(":/?#[]@", id[len(id)-1]) >= 0) {
				def.prefix = true
			}
		}
	} else if i := strings.IndexByte(term, ':'); i > 0 {
		prefix, suffix := term[:i], term[i+1:]
		if _, ok := tc.local[prefix]; ok {
			if err := p.createTerm(tc, prefix); err != nil {
				return err
			}
		}
		if pd := ctx.terms[prefix]; pd != nil && !pd.nullID {
			def.id = pd.id + suffix
		} else {
			def.id = term
		}
	} else if strings.IndexByte(term, '/') >= 0 {
		id, ok, err := p.expandIRI(ctx, term, false, true, nil)
		if err != nil {
			return err
		}
		if !ok || !isAbsIRI(id) {
			return newErr("invalid IRI mapping", "term "+term)
		}
		def.id = id
	} else if term == "@type" {
		def.id = "@type"
	} else if ctx.hasVocab {
		def.id = ctx.vocab + term
	} else {
		return newErr("invalid IRI mapping", "term "+term+" has no IRI and there is no @vocab")
	}

	if cv, ok := m["@container"]; ok {
		bits, ok := p.parseContainer(cv)
		if !ok {
			return newErr("invalid container mapping", "term "+term)
		}
		def.container = bits
		if bits&cType != 0 {
			if def.typ == "" {
				def.typ = "@id"
			} else if def.typ != "@id" && def.typ != "@vocab" {
				return newErr("invalid type mapping", "term "+term+": @type container needs @id or @vocab")
			}
		}
	}
	if v, ok := m["@index"]; ok {
		if p.mode10 || def.container&cIndex == 0 {
			return newErr("invalid term definition", "@index of "+term+" without an @index container")
		}
		s, ok := v.(string)
		if !ok {
			return newErr("invalid term definition", "@index of "+term+" must be a string")
		}
		e, _, err := p.expandIRI(ctx, s, false, true, tc)
		if err != nil {
			return err
		}
		if !isAbsIRI(e) {
			return newErr("invalid term definition", "@index of "+term+" must expand to an IRI")
		}
		def.index = s
	}
	if v, ok := m["@context"]; ok {
		if p.mode10 {
			return newErr("invalid term definition", "scoped context of "+term+" in json-ld-1.0 mode")
		}
		// Process the scoped context now only to report its errors here;
		// it is processed again, against the then active context, when used.
		if _, err := p.process(ctx, v, tc.baseURL, tc.remote, true, true, false); err != nil {
			if e, ok := err.(*Error); ok && e.Code == CodeLimit {
				return err
			}
			return newErr("invalid scoped context", "term "+term+": "+err.Error())
		}
		def.hasCtx, def.ctx, def.ctxBase = true, v, tc.baseURL
	}
	if v, ok := m["@language"]; ok && !hasType {
		switch s, isStr := v.(string); {
		case v == nil:
			def.hasLang = true
		case isStr:
			def.lang, def.hasLang = s, true
		default:
			return newErr("invalid language mapping", "term "+term)
		}
	}
	if v, ok := m["@direction"]; ok && !hasType {
		switch v {
		case nil:
			def.hasDir = true
		case "ltr", "rtl":
			def.dir, def.hasDir = v.(string), true
		default:
			return newErr("invalid base direction", "term "+term)
		}
	}
	if v, ok := m["@nest"]; ok {
		if p.mode10 {
			return newErr("invalid term definition", "@nest in json-ld-1.0 mode")
		}
		s, ok := v.(string)
		if !ok || (isKeyword(s) && s != "@nest") {
			return newErr("invalid @nest value", "term "+term)
		}
		def.nest = s
	}
	if v, ok := m["@prefix"]; ok {
		if p.mode10 || strings.ContainsAny(term, ":/") {
			return newErr("invalid term definition", "@prefix on "+term)
		}
		b, ok := v.(bool)
		if !ok {
			return newErr("invalid @prefix value", "term "+term)
		}
		def.prefix = b
		if b && isKeyword(def.id) {
			return newErr("invalid term definition", "keyword alias "+term+" cannot be a prefix")
		}
	}
	for k := range m {
		if !termDefKeys[k] {
			return newErr("invalid term definition", "term "+term+" has entry "+k)
		}
	}
	if !tc.override && prev != nil && prev.protected {
		if !prev.sameAs(def) {
			return newErr("protected term redefinition", "term "+term)
		}
		def = prev
	}
	if def != prev {
		def.idWF = wellFormedIRI(def.id)
		if def.typ != "" {
			def.typSlice = []string{def.typ}
			def.typWF = wellFormedIRI(def.typ)
		}
	}
	ctx.terms[term] = def
	if def.protected {
		ctx.anyProtected = true
	}
	tc.defined[term] = true
	return nil
}

func (p *proc) parseContainer(v any) (uint8, bool) {
	var items []any
	switch x := v.(type) {
	case string:
		items = []any{x}
	case []any:
		if p.mode10 {
			return 0, false
		}
		items = x
	default:
		return 0, false
	}
	var bits uint8
	for _, it := range items {
		s, _ := it.(string)
		b := containerBits[s]
		if b == 0 {
			return 0, false
		}
		if p.mode10 && b&(cGraph|cID|cType) != 0 {
			return 0, false
		}
		bits |= b
	}
	switch {
	case bits&cList != 0:
		return bits, bits == cList
	case bits&cGraph != 0:
		return bits, bits&^(cGraph|cID|cIndex|cSet) == 0
	default:
		n := 0
		for b := bits &^ cSet; b != 0; b &= b - 1 {
			n++
		}
		return bits, n <= 1 && bits != 0
	}
}

// expandIRI is the IRI Expansion algorithm. ok is false when the value
// expands to null. tc is non-nil while a context is being processed, to
// create the definitions the value depends on.
func (p *proc) expandIRI(ctx *Context, v string, docRel, vocab bool, tc *termCreator) (string, bool, error) {
	if isKeyword(v) {
		return v, true, nil
	}
	if looksLikeKeyword(v) {
		return "", false, nil
	}
	if tc != nil {
		if _, ok := tc.local[v]; ok && !tc.defined[v] {
			if err := p.createTerm(tc, v); err != nil {
				return "", false, err
			}
		}
	}
	if td := ctx.terms[v]; td != nil {
		if isKeyword(td.id) {
			return td.id, true, nil
		}
		if vocab {
			if td.nullID {
				return "", false, nil
			}
			return td.id, true, nil
		}
	}
	if len(v) > 1 {
		if i := strings.IndexByte(v[1:], ':'); i >= 0 {
			i++
			prefix, suffix := v[:i], v[i+1:]
			if prefix == "_" || strings.HasPrefix(suffix, "//") {
				return v, true, nil
			}
			if tc != nil {
				if _, ok := tc.local[prefix]; ok && !tc.defined[prefix] {
					if err := p.createTerm(tc, prefix); err != nil {
						return "", false, err
					}
				}
			}
			if td := ctx.terms[prefix]; td != nil && !td.nullID && td.prefix {
				return td.id + suffix, true, nil
			}
			if isAbsIRI(v) {
				return v, true, nil
			}
		}
	}
	if vocab && ctx.hasVocab {
		return ctx.vocab + v, true, nil
	}
	if docRel {
		return resolveIRI(ctx.base, v), true, nil
	}
	return v, true, nil
}

// hasInnerColon reports a colon anywhere but first or last in s.
func hasInnerColon(s string) bool {
	return len(s) > 2 && strings.IndexByte(s[1:len(s)-1], ':') >= 0
}
