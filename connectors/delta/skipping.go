package delta

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// File skipping for merges: a file's key bounds (from its stats, and from
// its partition values for partition key columns) against the epoch's keys.

// keyBounds returns (and caches) what a file's stats and partition values
// say about each key column.
func (s *Sink) keyBounds(fe *fileEntry) []colBounds {
	if fe.keyBounds != nil {
		return fe.keyBounds
	}
	sc := s.snap.schema
	parts := s.snap.metadata.PartitionColumns
	out := make([]colBounds, len(s.spec.PrimaryKey))
	var dataFields []arrow.Field
	var dataAt []int
	for i, k := range s.spec.PrimaryKey {
		f := sc.Field(k)
		p := partitionColumn(parts, f.Name)
		if p == "" {
			dataFields = append(dataFields, f)
			dataAt = append(dataAt, i)
			continue
		}
		// A partition column holds one value in the whole file.
		out[i] = colBounds{hasNulls: true, rows: 1, nulls: 1}
		c, err := constantColumn(f.Type, fe.add.PartitionValues[p], 1, s.mem)
		if err != nil {
			out[i] = colBounds{} // unknown: open bounds
			continue
		}
		if v := valueAt(c, 0); !v.null {
			out[i] = colBounds{lo: v, hi: v, hasLo: true, hasHi: true, hasNulls: true, rows: 1}
		}
		c.Release()
	}
	if len(dataFields) > 0 {
		if b, err := parseBounds(fe.add.Stats, dataFields); err == nil {
			for j, i := range dataAt {
				out[i] = b[j]
			}
		}
	}
	fe.keyBounds = out
	return out
}

// keyProbe answers "may a file with these key bounds hold one of the
// epoch's keys?".
type keyProbe struct {
	kinds   []valueKind
	lo, hi  []value // per key column: range of the epoch's non-null values
	hasVal  []bool  // per key column: some non-null value
	hasNull []bool  // per key column: some null value
	keys    [][]value
}

func newKeyProbe(sc *arrow.Schema, keyCols []int, recs []arrow.Record) *keyProbe {
	n := len(keyCols)
	p := &keyProbe{kinds: make([]valueKind, n), lo: make([]value, n), hi: make([]value, n), hasVal: make([]bool, n), hasNull: make([]bool, n)}
	for i, c := range keyCols {
		p.kinds[i] = kindOf(sc.Field(c).Type)
	}
	for _, r := range recs {
		for row := range int(r.NumRows()) {
			k := make([]value, n)
			for i, c := range keyCols {
				v := valueAt(r.Column(c), row)
				k[i] = v
				switch {
				case v.null:
					p.hasNull[i] = true
				case !p.hasVal[i]:
					p.lo[i], p.hi[i], p.hasVal[i] = v, v, true
				default:
					if compare(p.kinds[i], v, p.lo[i]) < 0 {
						p.lo[i] = v
					}
					if compare(p.kinds[i], v, p.hi[i]) > 0 {
						p.hi[i] = v
					}
				}
			}
			p.keys = append(p.keys, k)
		}
	}
	return p
}

func (p *keyProbe) mayMatch(b []colBounds) bool {
	// Quick test on the range of each key column.
	for i, cb := range b {
		if p.kinds[i] == kindOther {
			continue
		}
		inRange := p.hasVal[i] &&
			(!cb.hasHi || compare(p.kinds[i], p.lo[i], cb.hi) <= 0) &&
			(!cb.hasLo || compare(p.kinds[i], p.hi[i], cb.lo) >= 0)
		if !inRange && !(p.hasNull[i] && cb.mayHold(p.kinds[i], value{null: true})) {
			return false
		}
	}
	// Then key by key.
	for _, k := range p.keys {
		ok := true
		for i, cb := range b {
			if p.kinds[i] != kindOther && !cb.mayHold(p.kinds[i], k[i]) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
