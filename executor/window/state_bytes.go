package window

import (
	"unsafe"

	"github.com/tide-sql/tide/planner"
)

// StateBytes estimates the memory the operator's live state takes: for
// each group it holds, its key values, its accumulators and bookkeeping;
// the bytes of long string keys and string MIN/MAX values; the members of
// DISTINCT sets; the buckets of percentile sketches; and the hash tables of
// the open panes. Storage kept for reuse (freed group ids, pooled panes)
// is not counted, so the estimate falls when windows close, as the state
// does. It is computed at checkpoints; its cost is one pass over the
// variable-size parts (strings, sets, sketches), none over fixed-width ones.
func (o *aggOp) StateBytes() int64 {
	s := o.g
	live := int64(s.n - len(s.free))
	perGroup := int64(8 + 8 + 1 + 4) // keyHash, slot, state, stamp
	var variable int64
	for _, k := range s.keys {
		b, v := keyBytes(k)
		perGroup += b
		variable += v
	}
	for _, a := range s.accs {
		b, v := accBytes(a, s)
		perGroup += b
		variable += v
	}
	if o.kind == planner.WindowSession {
		perGroup += 8 + 8 + 8 + 4 + 4 + int64(unsafe.Sizeof([]int32(nil)))
		for _, l := range o.sess.lists {
			variable += int64(cap(l)) * 4
		}
		variable += int64(cap(o.sess.live)) * 4
	}
	tables := int64(len(o.keyPane.tab.entries)) * 8
	for _, p := range o.panes.order {
		tables += int64(len(p.tab.entries))*8 + int64(cap(p.gids))*4
	}
	return live*perGroup + variable + tables
}

// keyBytes is a key column's bytes per group and its variable bytes.
func keyBytes(k keyCol) (perGroup, variable int64) {
	switch k := k.(type) {
	case *fixedKey:
		return int64(unsafe.Sizeof(fixedVal{})), 0
	case *stringKey:
		return int64(unsafe.Sizeof(strView{})), int64(len(k.arena) - k.garbage)
	}
	return 16, 0
}

// mapEntryBytes approximates what one member of a Go map set costs beyond
// its key: bucket slots are kept at most ~80% full, with a control byte.
const mapEntryBytes = 4

// accBytes is an accumulator's bytes per group and its variable bytes
// (over the groups in use).
func accBytes(a accumulator, s *groups) (perGroup, variable int64) {
	inUse := func(g int) bool { return g < s.n && s.state[g] != groupFree }
	switch a := a.(type) {
	case *countAcc:
		return 8, 0
	case *sumAcc[int64]:
		return int64(unsafe.Sizeof(sumState[int64]{})), 0
	case *sumAcc[float64]:
		return int64(unsafe.Sizeof(sumState[float64]{})), 0
	case *minMaxIntAcc:
		return int64(unsafe.Sizeof(intBest{})), 0
	case *minMaxFloatAcc:
		return int64(unsafe.Sizeof(floatBest{})), 0
	case *minMaxStringAcc:
		for g, v := range a.v {
			if inUse(g) {
				variable += int64(len(v))
			}
		}
		return int64(unsafe.Sizeof("")) + 1, variable
	case *distinctAcc:
		if a.str {
			for g, m := range a.strs {
				if inUse(g) {
					for v := range m {
						variable += int64(unsafe.Sizeof("")) + int64(len(v)) + mapEntryBytes
					}
				}
			}
			return 8, variable
		}
		for g, m := range a.ints {
			if inUse(g) {
				variable += int64(len(m)) * (8 + mapEntryBytes)
			}
		}
		return 8, variable
	case *percentileAcc:
		for g, sk := range a.sk {
			if sk != nil && inUse(g) {
				variable += int64(unsafe.Sizeof(sketch{})) + int64(cap(sk.pos.counts)+cap(sk.neg.counts))*8
			}
		}
		return 8, variable
	}
	return 16, 0
}
