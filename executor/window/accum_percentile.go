package window

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// percentileAcc is APPROX_PERCENTILE(x, q) over Int64, Float64 or Timestamp
// (µs), with one sketch per group. Sketches are kept across reset and
// reused by the next group with the same id.
type percentileAcc struct {
	q  float64
	sk []*sketch
}

func (a *percentileAcc) grow(n int) { a.sk = growTo(a.sk, n) }

func (a *percentileAcc) reset(g int32) {
	if s := a.sk[g]; s != nil {
		s.reset()
	}
}

func (a *percentileAcc) get(g int32) *sketch {
	s := a.sk[g]
	if s == nil {
		s = &sketch{}
		a.sk[g] = s
	}
	return s
}

func (a *percentileAcc) update(gids []int32, arr arrow.Array) {
	nulls := arr.NullN() > 0
	switch c := arr.(type) {
	case *array.Float64:
		for i, g := range gids {
			if g >= 0 && (!nulls || c.IsValid(i)) {
				a.get(g).add(c.Value(i))
			}
		}
	case *array.Int64:
		for i, g := range gids {
			if g >= 0 && (!nulls || c.IsValid(i)) {
				a.get(g).add(float64(c.Value(i)))
			}
		}
	case *array.Timestamp:
		for i, g := range gids {
			if g >= 0 && (!nulls || c.IsValid(i)) {
				a.get(g).add(float64(c.Value(i)))
			}
		}
	}
}

func (a *percentileAcc) merge(d, s int32) {
	if src := a.sk[s]; src != nil && src.n > 0 {
		a.get(d).merge(src)
	}
}

func (a *percentileAcc) appendTo(b array.Builder, g int32) {
	s := a.sk[g]
	if s == nil || s.n == 0 {
		b.AppendNull()
		return
	}
	if v := s.quantile(a.q); !math.IsNaN(v) {
		appendFloat(b, v)
		return
	}
	b.AppendNull()
}

func (a *percentileAcc) encode(e *encoder, g int32) {
	if s := a.sk[g]; s != nil {
		s.encode(e)
		return
	}
	e.uvarint(0)
}

func (a *percentileAcc) decode(d *decoder, g int32) error {
	return a.get(g).decode(d)
}
