package window

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/tide-sql/tide/planner"
)

// accumulator holds one aggregate function's state for every group id, as
// flat slices indexed by id. A group that was never updated, or was reset,
// is empty.
type accumulator interface {
	// grow makes room for group ids below n.
	grow(n int)
	// reset empties group g.
	reset(g int32)
	// update adds row i of arr to group gids[i], skipping rows with
	// gids[i] < 0. arr is nil for COUNT(*).
	update(gids []int32, arr arrow.Array)
	// merge adds group src's state to group dst (src is unchanged).
	merge(dst, src int32)
	// appendTo appends group g's result to b, a builder of the output type.
	appendTo(b array.Builder, g int32)
	encode(e *encoder, g int32)
	decode(d *decoder, g int32) error
}

// newAccumulator returns the accumulator of call over an argument of type
// arg (nil for count_star).
func newAccumulator(call planner.AggCall, arg arrow.DataType) (accumulator, error) {
	id := arrow.NULL
	if arg != nil {
		id = arg.ID()
	}
	numeric := id == arrow.INT64 || id == arrow.FLOAT64
	switch call.Func {
	case "count_star":
		return &countAcc{star: true}, nil
	case "count":
		if call.Distinct {
			return newDistinctAcc(fnCount, id)
		}
		return &countAcc{}, nil
	case "sum", "avg":
		if !numeric {
			break
		}
		avg := call.Func == "avg"
		if call.Distinct {
			fn := fnSum
			if avg {
				fn = fnAvg
			}
			return newDistinctAcc(fn, id)
		}
		if id == arrow.INT64 {
			return &sumAcc[int64]{avg: avg}, nil
		}
		return &sumAcc[float64]{avg: avg}, nil
	case "min", "max":
		isMax := call.Func == "max"
		switch id {
		case arrow.INT64, arrow.TIMESTAMP, arrow.DATE32, arrow.BOOL:
			return &minMaxIntAcc{isMax: isMax}, nil
		case arrow.FLOAT64:
			return &minMaxFloatAcc{isMax: isMax}, nil
		case arrow.STRING:
			return &minMaxStringAcc{isMax: isMax}, nil
		}
	case "approx_percentile":
		if call.Param < 0 || call.Param > 1 {
			return nil, fmt.Errorf("approx_percentile: percentile %g is not between 0 and 1", call.Param)
		}
		if numeric || id == arrow.TIMESTAMP {
			return &percentileAcc{q: call.Param}, nil
		}
	default:
		return nil, fmt.Errorf("aggregate function %s is not supported", call.Func)
	}
	return nil, fmt.Errorf("aggregate function %s does not take an argument of type %s", call.Func, arg)
}

// int64View returns the values of a fixed-width column as int64s, aliasing
// Int64 and Timestamp data and converting others into *scratch.
func int64View(arr arrow.Array, scratch *[]int64) []int64 {
	switch a := arr.(type) {
	case *array.Int64:
		return a.Int64Values()
	case *array.Timestamp:
		v := a.TimestampValues()
		return unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
	}
	n := arr.Len()
	if cap(*scratch) < n {
		*scratch = make([]int64, n)
	}
	out := (*scratch)[:n]
	switch a := arr.(type) {
	case *array.Date32:
		for i, v := range a.Date32Values() {
			out[i] = int64(v)
		}
	case *array.Boolean:
		for i := range n {
			out[i] = 0
			if a.Value(i) {
				out[i] = 1
			}
		}
	case *array.Float64:
		for i, v := range a.Float64Values() {
			out[i] = int64(floatBits(v))
		}
	}
	return out
}

// countAcc is COUNT(*) and COUNT(x).
type countAcc struct {
	star bool
	n    []int64
}

func (a *countAcc) grow(n int)       { a.n = growTo(a.n, n) }
func (a *countAcc) reset(g int32)    { a.n[g] = 0 }
func (a *countAcc) merge(d, s int32) { a.n[d] += a.n[s] }

func (a *countAcc) update(gids []int32, arr arrow.Array) {
	n := a.n
	if a.star || arr.NullN() == 0 {
		for _, g := range gids {
			if g >= 0 {
				n[g]++
			}
		}
		return
	}
	for i, g := range gids {
		if g >= 0 && arr.IsValid(i) {
			n[g]++
		}
	}
}

func (a *countAcc) appendTo(b array.Builder, g int32) { appendInt(b, a.n[g]) }
func (a *countAcc) encode(e *encoder, g int32)        { e.varint(a.n[g]) }
func (a *countAcc) decode(d *decoder, g int32) error {
	a.n[g] = d.varint()
	return d.err
}

// appendInt appends an integer result to an Int64 or Float64 builder.
func appendInt(b array.Builder, v int64) {
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(v)
	case *array.Float64Builder:
		b.Append(float64(v))
	default:
		b.AppendNull()
	}
}

// appendFloat appends a floating-point result to a Float64 or Int64 builder.
func appendFloat(b array.Builder, v float64) {
	switch b := b.(type) {
	case *array.Float64Builder:
		b.Append(v)
	case *array.Int64Builder:
		b.Append(int64(v))
	default:
		b.AppendNull()
	}
}

// sumState is the state of SUM or AVG over one group: one struct per group
// keeps both fields on one cache line.
type sumState[T int64 | float64] struct {
	sum T
	n   int64 // non-null rows
}

// sumAcc is SUM(x) or AVG(x) over Int64 or Float64 values.
type sumAcc[T int64 | float64] struct {
	avg bool
	s   []sumState[T]
}

func (a *sumAcc[T]) grow(n int)    { a.s = growTo(a.s, n) }
func (a *sumAcc[T]) reset(g int32) { a.s[g] = sumState[T]{} }
func (a *sumAcc[T]) merge(d, s int32) {
	a.s[d].sum += a.s[s].sum
	a.s[d].n += a.s[s].n
}

// values returns the typed values of arr (an Int64 or Float64 array).
func (a *sumAcc[T]) values(arr arrow.Array) []T {
	var v any
	switch x := arr.(type) {
	case *array.Int64:
		v = x.Int64Values()
	case *array.Float64:
		v = x.Float64Values()
	}
	return v.([]T)
}

func (a *sumAcc[T]) update(gids []int32, arr arrow.Array) {
	vals := a.values(arr)
	s := a.s
	if arr.NullN() == 0 {
		vals = vals[:len(gids)]
		for i, g := range gids {
			if g >= 0 {
				s[g].sum += vals[i]
				s[g].n++
			}
		}
		return
	}
	for i, g := range gids {
		if g >= 0 && arr.IsValid(i) {
			s[g].sum += vals[i]
			s[g].n++
		}
	}
}

func (a *sumAcc[T]) appendTo(b array.Builder, g int32) {
	st := a.s[g]
	switch {
	case st.n == 0:
		b.AppendNull()
	case a.avg:
		appendFloat(b, float64(st.sum)/float64(st.n))
	default:
		switch v := any(st.sum).(type) {
		case int64:
			appendInt(b, v)
		case float64:
			appendFloat(b, v)
		}
	}
}

func (a *sumAcc[T]) encode(e *encoder, g int32) {
	switch v := any(a.s[g].sum).(type) {
	case int64:
		e.varint(v)
	case float64:
		e.f64(v)
	}
	e.varint(a.s[g].n)
}

func (a *sumAcc[T]) decode(d *decoder, g int32) error {
	var sum T
	switch p := any(&sum).(type) {
	case *int64:
		*p = d.varint()
	case *float64:
		*p = d.f64()
	}
	a.s[g] = sumState[T]{sum: sum, n: d.varint()}
	return d.err
}
