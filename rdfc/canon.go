package rdfc

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// ErrTooComplex is returned when canonicalizing a dataset needs more work
// than Options.MaxWork allows. Datasets whose blank nodes are hard to tell
// apart (cliques, large symmetric structures) make RDFC-1.0 explore a number
// of paths that grows factorially; such "poison" datasets are refused rather
// than allowed to hold a core for minutes (RDFC-1.0 §"Dataset Poisoning").
var ErrTooComplex = errors.New("rdfc: dataset too complex to canonicalize (work limit reached)")

// ErrInvalidQuad is returned (wrapped) when a quad is not valid RDF, such as
// a literal subject or a blank node predicate.
var ErrInvalidQuad = errors.New("rdfc: invalid quad")

// errTooLarge guards the 32-bit offsets of the serialization buffer.
var errTooLarge = errors.New("rdfc: dataset too large (canonical form over 2 GiB)")

// DefaultMaxWork is the work bound used when Options.MaxWork is 0, plus
// DefaultWorkPerBlankNode for each blank node of the dataset. Datasets whose
// blank nodes differ in their direct statements (credentials, in practice)
// need no work at all; the hardest approved W3C test (test044, 12 blank nodes
// in two entangled circles) needs about 47,000 units, while the 10-node
// clique of test074 would need billions and is refused after about 10 ms.
const (
	DefaultMaxWork          = 200_000
	DefaultWorkPerBlankNode = 256
)

// Options tune Canonicalize. The zero value (or nil) is RDFC-1.0 with SHA-256.
type Options struct {
	// Hash is the hash algorithm: "SHA256" (default) or "SHA384".
	Hash string
	// MaxWork bounds the work spent in Hash N-Degree Quads, where the
	// cost of RDFC-1.0 can explode: one unit per call, per quad it examines
	// (more for IRIs over 64 bytes), per permutation it tries and per
	// identifier it copies or scans while doing so. When the bound is hit,
	// Canonicalize returns ErrTooComplex. Zero means DefaultMaxWork plus
	// DefaultWorkPerBlankNode per blank node.
	MaxWork int
}

// Result is a canonicalized dataset.
type Result struct {
	// NQuads is the canonical N-Quads serialization: sorted lines, each
	// ending in "\n". This is what Data Integrity proofs hash.
	NQuads []byte
	// Quads are the quads in the order of NQuads, with canonical blank node
	// labels.
	Quads []Quad
	// Issued maps each input blank node label to its canonical label
	// ("c14n0", "c14n1", ...).
	Issued map[string]string
}

// Canonicalize applies RDFC-1.0 to a dataset. The input is read as a set:
// duplicate quads count once. The input slice is not modified. When only the
// canonical bytes are needed (signing, verifying), AppendCanonical does the
// same work for about half the time, as it builds no Quads nor Issued.
func Canonicalize(quads []Quad, opts *Options) (*Result, error) {
	c, err := start(quads, opts)
	if err != nil {
		return nil, err
	}
	defer c.release()
	if err := c.run(); err != nil {
		return nil, err
	}
	return c.result(), nil
}

// AppendCanonical appends the canonical N-Quads form of the dataset to dst
// and returns the extended slice. It is Canonicalize without the extras
// (quads, identifier map): with a reused dst it allocates nothing in the
// common case, which is what a signing pipeline wants.
func AppendCanonical(dst []byte, quads []Quad, opts *Options) ([]byte, error) {
	c, err := start(quads, opts)
	if err != nil {
		return dst, err
	}
	defer c.release()
	if err := c.run(); err != nil {
		return dst, err
	}
	return c.appendSorted(dst), nil
}

// start validates the input and takes a canonicalizer from the pool.
func start(quads []Quad, opts *Options) (*canonicalizer, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	alg, err := hashAlgorithm(o.Hash)
	if err != nil {
		return nil, err
	}
	for i := range quads {
		if err := validQuad(&quads[i]); err != nil {
			return nil, fmt.Errorf("%w: quad %d: %s", ErrInvalidQuad, i, err)
		}
	}
	c := pool.Get().(*canonicalizer)
	c.reset(quads, o, alg)
	return c, nil
}

// CanonicalizeNQuads parses an N-Quads document and canonicalizes it.
func CanonicalizeNQuads(data []byte, opts *Options) (*Result, error) {
	quads, err := ParseNQuads(data)
	if err != nil {
		return nil, err
	}
	return Canonicalize(quads, opts)
}

// Isomorphic reports whether two datasets are the same up to blank node
// labels (and duplicates), by comparing their canonical forms.
func Isomorphic(a, b []Quad) (bool, error) {
	ca, err := Canonicalize(a, nil)
	if err != nil {
		return false, err
	}
	cb, err := Canonicalize(b, nil)
	if err != nil {
		return false, err
	}
	return bytes.Equal(ca.NQuads, cb.NQuads), nil
}

type hashAlg uint8

const (
	algSHA256 hashAlg = iota + 1
	algSHA384
)

func hashAlgorithm(name string) (hashAlg, error) {
	switch name {
	case "", "SHA256", "sha256", "SHA-256":
		return algSHA256, nil
	case "SHA384", "sha384", "SHA-384":
		return algSHA384, nil
	}
	return 0, fmt.Errorf("rdfc: unsupported hash algorithm %q (want SHA256 or SHA384)", name)
}

func validQuad(q *Quad) error {
	if q.Subject.Kind != IRI && q.Subject.Kind != BlankNode {
		return errors.New("subject must be an IRI or a blank node")
	}
	if q.Predicate.Kind != IRI {
		return errors.New("predicate must be an IRI")
	}
	if q.Object.Kind == DefaultGraph || q.Object.Kind > Literal {
		return errors.New("object must be an IRI, a blank node or a literal")
	}
	if q.Graph.Kind != DefaultGraph && q.Graph.Kind != IRI && q.Graph.Kind != BlankNode {
		return errors.New("graph must be the default graph, an IRI or a blank node")
	}
	return nil
}

// Component positions of a quad that can hold a blank node.
const (
	posSubject = iota
	posObject
	posGraph
)

// noNode marks a quad component that is not a blank node.
const noNode = -1

// span locates one serialized quad (line) in a buffer; key is sortSpans's.
// (At most four fields, so that comparison functions get two spans in
// registers: a fifth made sorting three times slower.)
type span struct {
	key              uint64
	start, end, quad int32
}

// canonicalizer holds the state of one run; pooled so that buffers are
// reused from one credential to the next.
type canonicalizer struct {
	quads []Quad
	alg   hashAlg
	h     hash.Hash
	size  int // digest size in bytes
	sum   [sha512.Size]byte

	// Blank nodes are numbered in order of first appearance.
	index  map[string]int32
	labels []string
	// nodes[q] holds the blank node numbers of quad q's subject, object and
	// graph (noNode where there is none); hasNode[q] says any is set.
	nodes   [][3]int32
	hasNode []bool
	dup     []bool // quad q repeats an earlier quad
	// mentions of blank node b: mention[mStart[b]:mEnd[b]] (quad numbers).
	mention      []int32
	mStart, mEnd []int32
	first        []byte  // first-degree digests, size bytes per node
	canon        []int32 // canonical number per node, noNode if none yet
	nextCanon    int32

	work, maxWork int

	buf    []byte
	spans  []span
	groups []lineGroup // sortSpans's stack
	order  []int32
	rbuf   []byte
}

var pool = sync.Pool{New: func() any {
	return &canonicalizer{index: make(map[string]int32)}
}}

func (c *canonicalizer) reset(quads []Quad, o Options, alg hashAlg) {
	c.quads = quads
	if c.alg != alg {
		c.alg = alg
		if alg == algSHA384 {
			c.h = sha512.New384()
		} else {
			c.h = sha256.New()
		}
		c.size = c.h.Size()
	}
	c.maxWork = o.MaxWork
	c.work = 0
	c.nextCanon = 0
}

func (c *canonicalizer) release() {
	c.quads = nil
	clear(c.index)
	clear(c.labels)
	c.labels = c.labels[:0]
	// Drop buffers grown by an unusually large dataset rather than pin them.
	if cap(c.buf) > 16<<20 || cap(c.nodes) > 1<<17 {
		*c = canonicalizer{index: make(map[string]int32), h: c.h, alg: c.alg, size: c.size}
	}
	pool.Put(c)
}

// grow returns s resized to n elements, reusing its array when it can.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func (c *canonicalizer) run() error {
	n := len(c.quads)
	c.nodes = grow(c.nodes, n)
	c.hasNode = grow(c.hasNode, n)
	c.dup = grow(c.dup, n)
	clear(c.dup)

	// Step 2: number the blank nodes and count their mentions.
	counts := c.mEnd[:0]
	for qi := range c.quads {
		q := &c.quads[qi]
		ns := [3]int32{noNode, noNode, noNode}
		any := false
		for pos, t := range [3]*Term{&q.Subject, &q.Object, &q.Graph} {
			if t.Kind != BlankNode {
				continue
			}
			b, ok := c.index[t.Value]
			if !ok {
				b = int32(len(c.labels))
				c.index[t.Value] = b
				c.labels = append(c.labels, t.Value)
				counts = append(counts, 0)
			}
			ns[pos] = b
			// A quad is mentioned once per distinct blank node in it.
			if (pos < 1 || ns[0] != b) && (pos < 2 || ns[1] != b) {
				counts[b]++
			}
			any = true
		}
		c.nodes[qi] = ns
		c.hasNode[qi] = any
	}
	nb := len(c.labels)
	if c.maxWork <= 0 {
		c.maxWork = DefaultMaxWork + DefaultWorkPerBlankNode*nb
	}
	switch {
	case nb == 1:
		// A lone blank node has a unique first-degree hash, so step 4
		// labels it c14n0 whatever the hash is: nothing to hash (a proof
		// configuration is such a dataset). Repeated quads need no marking
		// either: they give equal lines, which the output drops.
		c.canon = append(c.canon[:0], 0)
		c.nextCanon = 1
	case nb > 1:
		c.buildMentions(counts)
		c.dedupe()
		if err := c.label(); err != nil {
			return err
		}
	}
	return c.serialize()
}

// buildMentions fills the blank node to quads map, in quad order.
func (c *canonicalizer) buildMentions(counts []int32) {
	nb := len(c.labels)
	c.mEnd = counts[:nb]
	c.mStart = grow(c.mStart, nb)
	total := int32(0)
	for b, k := range c.mEnd {
		c.mStart[b] = total
		c.mEnd[b] = total
		total += k
	}
	c.mention = grow(c.mention, int(total))
	for qi, ns := range c.nodes[:len(c.quads)] {
		if !c.hasNode[qi] {
			continue
		}
		for pos, b := range ns {
			if b == noNode || (pos >= 1 && ns[0] == b) || (pos == 2 && ns[1] == b) {
				continue
			}
			c.mention[c.mEnd[b]] = int32(qi)
			c.mEnd[b]++
		}
	}
}

// dedupe marks repeated quads that hold blank nodes and drops them from the
// mention lists, so that the hashes see a set. (Repeated quads without blank
// nodes only matter to the output, which drops repeated lines.) Two equal
// quads share every blank node, so comparing within each mention list finds
// every repetition.
func (c *canonicalizer) dedupe() {
	found := false
	for b := range c.labels {
		list := c.mention[c.mStart[b]:c.mEnd[b]]
		if len(list) <= 16 {
			for i := 1; i < len(list); i++ {
				for j := 0; j < i; j++ {
					if !c.dup[list[j]] && quadEqual(&c.quads[list[i]], &c.quads[list[j]]) {
						c.dup[list[i]] = true
						found = true
						break
					}
				}
			}
			continue
		}
		sorted := slices.Clone(list)
		slices.SortFunc(sorted, func(x, y int32) int {
			if r := compareQuad(&c.quads[x], &c.quads[y]); r != 0 {
				return r
			}
			return int(x - y)
		})
		for i := 1; i < len(sorted); i++ {
			if quadEqual(&c.quads[sorted[i]], &c.quads[sorted[i-1]]) {
				c.dup[sorted[i]] = true
				found = true
			}
		}
	}
	if !found {
		return
	}
	for b := range c.labels {
		w := c.mStart[b]
		for _, qi := range c.mention[c.mStart[b]:c.mEnd[b]] {
			if !c.dup[qi] {
				c.mention[w] = qi
				w++
			}
		}
		c.mEnd[b] = w
	}
}

// label runs steps 3 to 5 of the canonicalization algorithm: it gives every
// blank node its canonical number.
func (c *canonicalizer) label() error {
	nb := len(c.labels)
	c.canon = grow(c.canon, nb)
	for i := range c.canon {
		c.canon[i] = noNode
	}
	// Step 3: first-degree hashes.
	c.first = grow(c.first, nb*c.size)
	for b := range nb {
		c.hashFirstDegree(int32(b))
	}
	// Step 4: nodes with a unique first-degree hash get canonical labels in
	// hash order. Ties keep the order of first appearance (stable sort).
	c.order = grow(c.order, nb)
	for i := range c.order {
		c.order[i] = int32(i)
	}
	slices.SortStableFunc(c.order, func(x, y int32) int {
		return bytes.Compare(c.firstHash(x), c.firstHash(y))
	})
	shared := false
	for i := 0; i < nb; {
		j := i + 1
		for j < nb && bytes.Equal(c.firstHash(c.order[i]), c.firstHash(c.order[j])) {
			j++
		}
		if j-i == 1 {
			c.canon[c.order[i]] = c.nextCanon
			c.nextCanon++
		} else {
			shared = true
		}
		i = j
	}
	if !shared {
		return nil
	}
	// Step 5: nodes sharing a first-degree hash, by N-degree hashes.
	type result struct {
		hash []byte
		iss  *issuer
	}
	var results []result
	for i := 0; i < nb; {
		j := i + 1
		for j < nb && bytes.Equal(c.firstHash(c.order[i]), c.firstHash(c.order[j])) {
			j++
		}
		if j-i == 1 {
			i = j
			continue
		}
		results = results[:0]
		for _, b := range c.order[i:j] {
			if c.canon[b] != noNode {
				continue
			}
			iss := &issuer{ids: []int32{b}}
			h, iss, err := c.hashNDegree(b, iss)
			if err != nil {
				return err
			}
			results = append(results, result{h, iss})
		}
		slices.SortStableFunc(results, func(x, y result) int { return bytes.Compare(x.hash, y.hash) })
		for _, r := range results {
			for _, b := range r.iss.ids {
				if c.canon[b] == noNode {
					c.canon[b] = c.nextCanon
					c.nextCanon++
				}
			}
		}
		i = j
	}
	return nil
}

func (c *canonicalizer) firstHash(b int32) []byte {
	return c.first[int(b)*c.size : int(b+1)*c.size]
}

// hashFirstDegree implements Hash First Degree Quads: the sorted quads
// mentioning b, b written _:a and other blank nodes _:z, hashed.
func (c *canonicalizer) hashFirstDegree(b int32) {
	c.buf = c.buf[:0]
	c.spans = c.spans[:0]
	for _, qi := range c.mention[c.mStart[b]:c.mEnd[b]] {
		start := len(c.buf)
		c.buf = c.appendQuad(c.buf, int(qi), b)
		c.spans = append(c.spans, span{start: int32(start), end: int32(len(c.buf)), quad: qi})
	}
	c.sortSpans()
	c.h.Reset()
	for _, s := range c.spans {
		c.h.Write(c.buf[s.start:s.end])
	}
	copy(c.firstHash(b), c.h.Sum(c.sum[:0]))
}

// Pseudo reference nodes for appendQuad.
const canonicalLabels = -2

// appendQuad writes quad qi in canonical N-Quads form. Blank nodes are
// written per ref: when ref is canonicalLabels, with their canonical labels;
// otherwise as _:a for ref itself and _:z for any other.
func (c *canonicalizer) appendQuad(dst []byte, qi int, ref int32) []byte {
	q := &c.quads[qi]
	ns := &c.nodes[qi]
	dst = c.appendNode(dst, &q.Subject, ns[posSubject], ref)
	dst = append(dst, ' ', '<')
	dst = append(dst, q.Predicate.Value...)
	dst = append(dst, '>', ' ')
	dst = c.appendNode(dst, &q.Object, ns[posObject], ref)
	if q.Graph.Kind != DefaultGraph {
		dst = append(dst, ' ')
		dst = c.appendNode(dst, &q.Graph, ns[posGraph], ref)
	}
	return append(dst, " .\n"...)
}

func (c *canonicalizer) appendNode(dst []byte, t *Term, b, ref int32) []byte {
	if b == noNode {
		return appendTerm(dst, t)
	}
	switch ref {
	case canonicalLabels:
		dst = append(dst, "_:c14n"...)
		return strconv.AppendInt(dst, int64(c.canon[b]), 10)
	case b:
		return append(dst, "_:a"...)
	default:
		return append(dst, "_:z"...)
	}
}

// issuer is a temporary identifier issuer (prefix "b"): ids[k] is the blank
// node issued "b<k>". Issuers are small in any sane dataset, so lookups scan.
type issuer struct{ ids []int32 }

func (s *issuer) lookup(b int32) int {
	for i, x := range s.ids {
		if x == b {
			return i
		}
	}
	return -1
}

func (s *issuer) issue(b int32) int {
	if i := s.lookup(b); i >= 0 {
		return i
	}
	s.ids = append(s.ids, b)
	return len(s.ids) - 1
}

func (s *issuer) clone() *issuer {
	return &issuer{ids: slices.Clip(slices.Clone(s.ids))}
}

func (c *canonicalizer) spend(units int) error {
	c.work += units
	if c.work > c.maxWork {
		return ErrTooComplex
	}
	return nil
}

type related struct {
	hash []byte
	node int32
}

// hashNDegree implements Hash N-Degree Quads for blank node b with the path
// issuer iss, which it does not modify. It returns the hash and the issuer
// chosen along the shortest path.
func (c *canonicalizer) hashNDegree(b int32, iss *issuer) ([]byte, *issuer, error) {
	mentions := c.mention[c.mStart[b]:c.mEnd[b]]
	// Each mention costs a hash of its predicate IRI: charge long IRIs by
	// their length so that huge IRIs cannot stretch the bound.
	cost := 1
	for _, qi := range mentions {
		cost += 1 + len(c.quads[qi].Predicate.Value)/64
	}
	if err := c.spend(cost); err != nil {
		return nil, nil, err
	}
	// Step 3: hashes of the related blank nodes.
	var rel []related
	for _, qi := range mentions {
		for pos, x := range c.nodes[qi] {
			if x == noNode || x == b {
				continue
			}
			rel = append(rel, related{c.hashRelated(x, int(qi), pos, iss), x})
		}
	}
	// Step 5: related hashes in code point order; a stable sort keeps each
	// list in the order the nodes were met.
	slices.SortStableFunc(rel, func(x, y related) int { return bytes.Compare(x.hash, y.hash) })
	var data, path, chosen []byte
	var list, recursion []int32
	var perm []int
	for i := 0; i < len(rel); {
		j := i + 1
		for j < len(rel) && bytes.Equal(rel[i].hash, rel[j].hash) {
			j++
		}
		data = hex.AppendEncode(data, rel[i].hash)
		list = list[:0]
		for _, r := range rel[i:j] {
			list = append(list, r.node)
		}
		perm = perm[:0]
		for k := range list {
			perm = append(perm, k)
		}
		chosen = chosen[:0]
		var chosenIss *issuer
		for more := true; more; more = nextPermutation(perm) {
			// Copying the issuer costs its size; each of the list's
			// lookups in it may scan it too.
			if err := c.spend(1 + (len(list)+1)*(1+len(iss.ids))); err != nil {
				return nil, nil, err
			}
			cp := iss.clone()
			path = path[:0]
			recursion = recursion[:0]
			skip := false
			for _, k := range perm {
				r := list[k]
				if c.canon[r] != noNode {
					path = append(path, "_:c14n"...)
					path = strconv.AppendInt(path, int64(c.canon[r]), 10)
				} else {
					if cp.lookup(r) < 0 {
						recursion = append(recursion, r)
					}
					path = append(path, "_:b"...)
					path = strconv.AppendInt(path, int64(cp.issue(r)), 10)
				}
				if chosenIss != nil && len(path) >= len(chosen) && bytes.Compare(path, chosen) > 0 {
					skip = true
					break
				}
			}
			if skip {
				continue
			}
			for _, r := range recursion {
				h, res, err := c.hashNDegree(r, cp)
				if err != nil {
					return nil, nil, err
				}
				path = append(path, "_:b"...)
				path = strconv.AppendInt(path, int64(cp.issue(r)), 10)
				path = append(path, '<')
				path = hex.AppendEncode(path, h)
				path = append(path, '>')
				cp = res
				if chosenIss != nil && len(path) >= len(chosen) && bytes.Compare(path, chosen) > 0 {
					skip = true
					break
				}
			}
			if skip {
				continue
			}
			if chosenIss == nil || bytes.Compare(path, chosen) < 0 {
				chosen = append(chosen[:0], path...)
				chosenIss = cp
			}
		}
		data = append(data, chosen...)
		iss = chosenIss
		i = j
	}
	c.h.Reset()
	c.h.Write(data)
	return c.h.Sum(make([]byte, 0, c.size)), iss, nil
}

// hashRelated implements Hash Related Blank Node for node x met at position
// pos of quad qi.
func (c *canonicalizer) hashRelated(x int32, qi, pos int, iss *issuer) []byte {
	in := c.rbuf[:0]
	in = append(in, "sog"[pos])
	if pos != posGraph {
		in = append(in, '<')
		in = append(in, c.quads[qi].Predicate.Value...)
		in = append(in, '>')
	}
	if c.canon[x] != noNode {
		in = append(in, "_:c14n"...)
		in = strconv.AppendInt(in, int64(c.canon[x]), 10)
	} else if k := iss.lookup(x); k >= 0 {
		in = append(in, "_:b"...)
		in = strconv.AppendInt(in, int64(k), 10)
	} else {
		in = hex.AppendEncode(in, c.firstHash(x))
	}
	c.rbuf = in
	c.h.Reset()
	c.h.Write(in)
	return c.h.Sum(make([]byte, 0, c.size))
}

// nextPermutation advances p to the next permutation in lexicographic order
// and reports false after the last one.
func nextPermutation(p []int) bool {
	i := len(p) - 2
	for i >= 0 && p[i] >= p[i+1] {
		i--
	}
	if i < 0 {
		return false
	}
	j := len(p) - 1
	for p[j] <= p[i] {
		j--
	}
	p[i], p[j] = p[j], p[i]
	slices.Reverse(p[i+1:])
	return true
}

// serialize runs the first half of step 6: every quad in canonical form
// with canonical labels, in c.buf, and c.spans sorted by line.
func (c *canonicalizer) serialize() error {
	c.buf = c.buf[:0]
	c.spans = c.spans[:0]
	for qi := range c.quads {
		if c.dup[qi] {
			continue
		}
		start := len(c.buf)
		if c.hasNode[qi] {
			c.buf = c.appendQuad(c.buf, qi, canonicalLabels)
		} else {
			c.buf = appendNQuad(c.buf, &c.quads[qi])
		}
		if len(c.buf) > math.MaxInt32 {
			return errTooLarge
		}
		c.spans = append(c.spans, span{start: int32(start), end: int32(len(c.buf)), quad: int32(qi)})
	}
	c.sortSpans()
	return nil
}

// appendSorted appends the sorted lines to dst, dropping repeated lines
// (repeated quads without blank nodes, or written differently).
func (c *canonicalizer) appendSorted(dst []byte) []byte {
	var prev []byte
	for _, s := range c.spans {
		line := c.buf[s.start:s.end]
		if prev != nil && bytes.Equal(line, prev) {
			continue
		}
		prev = line
		dst = append(dst, line...)
	}
	return dst
}

// result builds the full Result after serialize.
func (c *canonicalizer) result() *Result {
	nb := len(c.labels)
	res := &Result{Issued: make(map[string]string, nb)}
	for b, l := range c.labels {
		res.Issued[l] = canonicalName(c.canon[b])
	}
	res.NQuads = make([]byte, 0, len(c.buf))
	res.Quads = make([]Quad, 0, len(c.spans))
	var prev []byte
	for _, s := range c.spans {
		line := c.buf[s.start:s.end]
		if prev != nil && bytes.Equal(line, prev) {
			continue
		}
		prev = line
		res.NQuads = append(res.NQuads, line...)
		q := c.quads[s.quad]
		if c.hasNode[s.quad] {
			ns := c.nodes[s.quad]
			if ns[posSubject] != noNode {
				q.Subject = Term{Kind: BlankNode, Value: canonicalName(c.canon[ns[posSubject]])}
			}
			if ns[posObject] != noNode {
				q.Object = Term{Kind: BlankNode, Value: canonicalName(c.canon[ns[posObject]])}
			}
			if ns[posGraph] != noNode {
				q.Graph = Term{Kind: BlankNode, Value: canonicalName(c.canon[ns[posGraph]])}
			}
		}
		res.Quads = append(res.Quads, q)
	}
	return res
}

// names of the first canonical labels, so that typical datasets allocate none.
var canonicalNames = func() (t [64]string) {
	for i := range t {
		t[i] = "c14n" + strconv.Itoa(i)
	}
	return t
}()

func canonicalName(k int32) string {
	if int(k) < len(canonicalNames) {
		return canonicalNames[k]
	}
	return "c14n" + strconv.Itoa(int(k))
}

// termEqual compares terms as RDF terms: a literal without datatype is an
// xsd:string, one with a language an rdf:langString.
func termEqual(a, b *Term) bool {
	if a.Kind != b.Kind || a.Value != b.Value {
		return false
	}
	if a.Kind != Literal {
		return true
	}
	return a.Language == b.Language && literalDatatype(a) == literalDatatype(b)
}

func literalDatatype(t *Term) string {
	switch {
	case t.Language != "":
		return LangString
	case t.Datatype == "":
		return XSDString
	}
	return t.Datatype
}

// quadEqual compares predicates first: the quads dedupe compares mostly
// share their subject (the blank node) and differ in predicate.
func quadEqual(a, b *Quad) bool {
	return termEqual(&a.Predicate, &b.Predicate) && termEqual(&a.Subject, &b.Subject) &&
		termEqual(&a.Object, &b.Object) && termEqual(&a.Graph, &b.Graph)
}

func compareTerm(a, b *Term) int {
	if a.Kind != b.Kind {
		return int(a.Kind) - int(b.Kind)
	}
	if r := strings.Compare(a.Value, b.Value); r != 0 || a.Kind != Literal {
		return r
	}
	if r := strings.Compare(a.Language, b.Language); r != 0 {
		return r
	}
	return strings.Compare(literalDatatype(a), literalDatatype(b))
}

func compareQuad(a, b *Quad) int {
	if r := compareTerm(&a.Subject, &b.Subject); r != 0 {
		return r
	}
	if r := compareTerm(&a.Predicate, &b.Predicate); r != 0 {
		return r
	}
	if r := compareTerm(&a.Object, &b.Object); r != 0 {
		return r
	}
	return compareTerm(&a.Graph, &b.Graph)
}
