package window

import (
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// What a distinctAcc computes over its set.
const (
	fnCount = iota
	fnSum
	fnAvg
)

// bigSet is the size above which a freed group's set is dropped rather than
// cleared for reuse, so that one huge group does not pin memory forever.
const bigSet = 1024

// distinctAcc is COUNT, SUM or AVG over DISTINCT values: a set per group
// (per pane, for HOP), merged by union. Fixed-width values are kept as
// int64 (floats as normalised bits), strings as strings.
type distinctAcc struct {
	fn      int
	float   bool // values are float bits
	str     bool // values are strings
	ints    []map[int64]struct{}
	strs    []map[string]struct{}
	scratch []int64
}

func newDistinctAcc(fn int, id arrow.Type) (*distinctAcc, error) {
	return &distinctAcc{fn: fn, float: id == arrow.FLOAT64, str: id == arrow.STRING}, nil
}

func (a *distinctAcc) grow(n int) {
	if a.str {
		a.strs = growTo(a.strs, n)
	} else {
		a.ints = growTo(a.ints, n)
	}
}

func (a *distinctAcc) reset(g int32) {
	if a.str {
		if len(a.strs[g]) > bigSet {
			a.strs[g] = nil
		}
		clear(a.strs[g])
		return
	}
	if len(a.ints[g]) > bigSet {
		a.ints[g] = nil
	}
	clear(a.ints[g])
}

func (a *distinctAcc) addInt(g int32, v int64) {
	m := a.ints[g]
	if m == nil {
		m = make(map[int64]struct{})
		a.ints[g] = m
	}
	m[v] = struct{}{}
}

func (a *distinctAcc) addStr(g int32, v string) {
	m := a.strs[g]
	if m == nil {
		m = make(map[string]struct{})
		a.strs[g] = m
	}
	if _, ok := m[v]; !ok {
		m[strings.Clone(v)] = struct{}{}
	}
}

func (a *distinctAcc) update(gids []int32, arr arrow.Array) {
	nulls := arr.NullN() > 0
	if a.str {
		s := arr.(*array.String)
		for i, g := range gids {
			if g >= 0 && (!nulls || s.IsValid(i)) {
				a.addStr(g, s.Value(i))
			}
		}
		return
	}
	vals := int64View(arr, &a.scratch)
	for i, g := range gids {
		if g >= 0 && (!nulls || arr.IsValid(i)) {
			a.addInt(g, vals[i])
		}
	}
}

func (a *distinctAcc) merge(d, s int32) {
	if a.str {
		for v := range a.strs[s] {
			a.addStr(d, v)
		}
		return
	}
	for v := range a.ints[s] {
		a.addInt(d, v)
	}
}

func (a *distinctAcc) appendTo(b array.Builder, g int32) {
	if a.str {
		appendInt(b, int64(len(a.strs[g])))
		return
	}
	set := a.ints[g]
	if a.fn == fnCount {
		appendInt(b, int64(len(set)))
		return
	}
	if len(set) == 0 {
		b.AppendNull()
		return
	}
	// Sum in value order, so that a float sum does not depend on the
	// order the map happens to iterate in.
	vals := a.scratch[:0]
	for v := range set {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	a.scratch = vals
	var isum int64
	var fsum float64
	for _, v := range vals {
		if a.float {
			fsum += math.Float64frombits(uint64(v))
		} else {
			isum += v
		}
	}
	switch {
	case a.fn == fnAvg && a.float:
		appendFloat(b, fsum/float64(len(set)))
	case a.fn == fnAvg:
		appendFloat(b, float64(isum)/float64(len(set)))
	case a.float:
		appendFloat(b, fsum)
	default:
		appendInt(b, isum)
	}
}

func (a *distinctAcc) encode(e *encoder, g int32) {
	if a.str {
		e.count(len(a.strs[g]))
		for v := range a.strs[g] {
			e.str(v)
		}
		return
	}
	e.count(len(a.ints[g]))
	for v := range a.ints[g] {
		e.varint(v)
	}
}

func (a *distinctAcc) decode(d *decoder, g int32) error {
	n := d.count()
	for range n {
		if a.str {
			a.addStr(g, d.str())
		} else {
			a.addInt(g, d.varint())
		}
	}
	return d.err
}
