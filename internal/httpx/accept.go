package httpx

import (
	"strconv"
	"strings"
)

// maxAccept bounds the Accept header we parse; real ones are a few
// hundred bytes at most.
const maxAccept = 2048

// maxAcceptRanges bounds the media ranges considered.
const maxAcceptRanges = 32

// mediaRange is one entry of an Accept header.
type mediaRange struct {
	typ, sub string
	q        float64
}

// parseAccept parses an Accept header value (RFC 9110, 12.5.1), ignoring
// malformed entries and parameters other than q.
func parseAccept(header string) []mediaRange {
	if len(header) > maxAccept {
		header = header[:maxAccept]
	}
	var out []mediaRange
	for part := range strings.SplitSeq(header, ",") {
		if len(out) == maxAcceptRanges {
			break
		}
		params := strings.Split(part, ";")
		mt := strings.ToLower(strings.TrimSpace(params[0]))
		typ, sub, ok := strings.Cut(mt, "/")
		if !ok || typ == "" || sub == "" || (typ == "*" && sub != "*") {
			continue
		}
		q := 1.0
		for _, p := range params[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		out = append(out, mediaRange{typ: typ, sub: sub, q: q})
	}
	return out
}

// Negotiate returns the offer the Accept header prefers, or offers[0]
// when the header is empty or matches none of them (we answer with our
// default rather than 406: browsers and crawlers send odd headers). Among
// equal q values the more specific range wins, then the earlier offer.
func Negotiate(accept string, offers ...string) string {
	if len(offers) == 0 {
		return ""
	}
	ranges := parseAccept(accept)
	best, bestQ, bestSpec := offers[0], -1.0, -1
	for _, offer := range offers {
		typ, sub, _ := strings.Cut(offer, "/")
		q, spec := -1.0, -1
		for _, m := range ranges {
			var s int
			switch {
			case m.typ == typ && m.sub == sub:
				s = 2
			case m.typ == typ && m.sub == "*":
				s = 1
			case m.typ == "*":
				s = 0
			default:
				continue
			}
			if s > spec {
				q, spec = m.q, s
			}
		}
		if q <= 0 {
			continue
		}
		if q > bestQ || (q == bestQ && spec > bestSpec) {
			best, bestQ, bestSpec = offer, q, spec
		}
	}
	return best
}
