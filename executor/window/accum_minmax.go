package window

import (
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// intBest is the running MIN or MAX of one group.
type intBest struct {
	v   int64
	has bool
}

// minMaxIntAcc is MIN/MAX over Int64, Timestamp, Date32 and Boolean, all
// compared as int64.
type minMaxIntAcc struct {
	isMax   bool
	s       []intBest
	scratch []int64
}

func (a *minMaxIntAcc) grow(n int)    { a.s = growTo(a.s, n) }
func (a *minMaxIntAcc) reset(g int32) { a.s[g] = intBest{} }

func (a *minMaxIntAcc) add(g int32, v int64) {
	st := &a.s[g]
	if !st.has || (a.isMax && v > st.v) || (!a.isMax && v < st.v) {
		st.v, st.has = v, true
	}
}

func (a *minMaxIntAcc) update(gids []int32, arr arrow.Array) {
	vals := int64View(arr, &a.scratch)
	nulls := arr.NullN() > 0
	for i, g := range gids {
		if g >= 0 && (!nulls || arr.IsValid(i)) {
			a.add(g, vals[i])
		}
	}
}

func (a *minMaxIntAcc) merge(d, s int32) {
	if a.s[s].has {
		a.add(d, a.s[s].v)
	}
}

func (a *minMaxIntAcc) appendTo(b array.Builder, g int32) {
	if !a.s[g].has {
		b.AppendNull()
		return
	}
	appendFixed(b, a.s[g].v)
}

func (a *minMaxIntAcc) encode(e *encoder, g int32) { e.boolean(a.s[g].has); e.varint(a.s[g].v) }
func (a *minMaxIntAcc) decode(d *decoder, g int32) error {
	a.s[g].has = d.boolean()
	a.s[g].v = d.varint()
	return d.err
}

// floatBest is the running MIN or MAX of one group over floats.
type floatBest struct {
	v   float64
	has bool
}

// minMaxFloatAcc is MIN/MAX over Float64. NaN sorts above every number, as
// in PostgreSQL.
type minMaxFloatAcc struct {
	isMax bool
	s     []floatBest
}

func (a *minMaxFloatAcc) grow(n int)    { a.s = growTo(a.s, n) }
func (a *minMaxFloatAcc) reset(g int32) { a.s[g] = floatBest{} }

// floatLess orders floats with NaN last.
func floatLess(x, y float64) bool {
	if math.IsNaN(x) {
		return false
	}
	return math.IsNaN(y) || x < y
}

func (a *minMaxFloatAcc) add(g int32, v float64) {
	st := &a.s[g]
	if !st.has || (a.isMax && floatLess(st.v, v)) || (!a.isMax && floatLess(v, st.v)) {
		st.v, st.has = v, true
	}
}

func (a *minMaxFloatAcc) update(gids []int32, arr arrow.Array) {
	vals := arr.(*array.Float64).Float64Values()
	nulls := arr.NullN() > 0
	for i, g := range gids {
		if g >= 0 && (!nulls || arr.IsValid(i)) {
			a.add(g, vals[i])
		}
	}
}

func (a *minMaxFloatAcc) merge(d, s int32) {
	if a.s[s].has {
		a.add(d, a.s[s].v)
	}
}

func (a *minMaxFloatAcc) appendTo(b array.Builder, g int32) {
	if !a.s[g].has {
		b.AppendNull()
		return
	}
	appendFloat(b, a.s[g].v)
}

func (a *minMaxFloatAcc) encode(e *encoder, g int32) { e.boolean(a.s[g].has); e.f64(a.s[g].v) }
func (a *minMaxFloatAcc) decode(d *decoder, g int32) error {
	a.s[g].has = d.boolean()
	a.s[g].v = d.f64()
	return d.err
}

// minMaxStringAcc is MIN/MAX over VARCHAR, in byte order. A group's value
// is copied out of the batch only when it changes.
type minMaxStringAcc struct {
	isMax bool
	v     []string
	has   []bool
}

func (a *minMaxStringAcc) grow(n int) {
	a.v = growTo(a.v, n)
	a.has = growTo(a.has, n)
}

func (a *minMaxStringAcc) reset(g int32) { a.v[g], a.has[g] = "", false }

func (a *minMaxStringAcc) better(v, cur string) bool {
	if a.isMax {
		return v > cur
	}
	return v < cur
}

func (a *minMaxStringAcc) update(gids []int32, arr arrow.Array) {
	s := arr.(*array.String)
	nulls := arr.NullN() > 0
	for i, g := range gids {
		if g < 0 || (nulls && s.IsNull(i)) {
			continue
		}
		if v := s.Value(i); !a.has[g] || a.better(v, a.v[g]) {
			a.v[g], a.has[g] = strings.Clone(v), true
		}
	}
}

func (a *minMaxStringAcc) merge(d, s int32) {
	if a.has[s] && (!a.has[d] || a.better(a.v[s], a.v[d])) {
		a.v[d], a.has[d] = a.v[s], true
	}
}

func (a *minMaxStringAcc) appendTo(b array.Builder, g int32) {
	sb, ok := b.(*array.StringBuilder)
	if !ok || !a.has[g] {
		b.AppendNull()
		return
	}
	sb.Append(a.v[g])
}

func (a *minMaxStringAcc) encode(e *encoder, g int32) { e.boolean(a.has[g]); e.str(a.v[g]) }
func (a *minMaxStringAcc) decode(d *decoder, g int32) error {
	a.has[g] = d.boolean()
	a.v[g] = d.str()
	return d.err
}
