package jsonld

import (
	"sync"

	"github.com/sceau/sceau/rdfc"
)

// slab hands out zeroed values, or short slices of them, carved from
// chunks that are kept and reused across calls. Expanding a credential
// creates a hundred objects, value slices, property lists and type lists
// that all die together when the call returns; taking them from a slab
// that goes back to a pool turns most of the allocations of a call, and
// the garbage collection they caused, into clearing memory already owned.
//
// A carved slice has its capacity set to its length, so appending to it
// reallocates instead of running into its neighbour.
type slab[T any] struct {
	chunks [][]T
	i      int // current chunk
	n      int // values used in chunks[i]
	size   int // values per chunk
}

func (s *slab[T]) take(k int) []T {
	if k > s.size {
		return make([]T, k)
	}
	if s.i < len(s.chunks) && s.n+k > len(s.chunks[s.i]) {
		s.i++
		s.n = 0
	}
	if s.i == len(s.chunks) {
		s.chunks = append(s.chunks, make([]T, s.size))
	}
	c := s.chunks[s.i][s.n : s.n+k : s.n+k]
	s.n += k
	return c
}

func (s *slab[T]) one() *T { return &s.take(1)[0] }

// reset clears what was handed out (so that a pooled slab keeps no document
// alive and hands out zero values again) and keeps at most keep chunks.
func (s *slab[T]) reset(keep int) {
	for j := 0; j < s.i && j < len(s.chunks); j++ {
		clear(s.chunks[j])
	}
	if s.i < len(s.chunks) {
		clear(s.chunks[s.i][:s.n])
	}
	if len(s.chunks) > keep {
		clear(s.chunks[keep:])
		s.chunks = s.chunks[:keep]
	}
	s.i, s.n = 0, 0
}

// Chunk sizes, and how many chunks a pooled proc keeps: enough for a
// credential several times the typical one; larger documents allocate the
// extra chunks and let them go.
const (
	objChunk  = 64
	ptrChunk  = 128
	propChunk = 128
	strChunk  = 64
	keepChunk = 8
	// keepQuads bounds the quad buffer a pooled proc keeps.
	keepQuads = 4096
)

var procPool = sync.Pool{New: func() any {
	return &proc{
		objs:  slab[object]{size: objChunk},
		ptrs:  slab[*object]{size: ptrChunk},
		props: slab[prop]{size: propChunk},
		strs:  slab[string]{size: strChunk},
	}
}}

// getProc returns a proc from the pool, set up for opts; release gives it
// back once nothing refers to the objects it made.
func getProc(opts *Options) *proc {
	p := procPool.Get().(*proc)
	p.loader, p.safe, p.mode10 = opts.Loader, opts.Safe, false
	if p.loader == nil {
		p.loader = DefaultLoader()
	}
	p.work, p.depth = 0, 0
	return p
}

func (p *proc) release() {
	p.objs.reset(keepChunk)
	p.ptrs.reset(keepChunk)
	p.props.reset(keepChunk)
	p.strs.reset(keepChunk)
	if cap(p.quads) > keepQuads {
		p.quads = nil
	} else {
		clear(p.quads) // dedup cleared what it dropped beyond len
		p.quads = p.quads[:0]
	}
	clear(p.labels)
	clear(p.subjects)
	p.loader = nil
	procPool.Put(p)
}

// quadScratch returns the proc's reusable quad buffer, empty.
func (p *proc) quadScratch() []rdfc.Quad {
	if p.quads == nil {
		p.quads = make([]rdfc.Quad, 0, 128)
	}
	return p.quads[:0]
}
