package expr

import (
	"cmp"
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Conditionals: CASE, IF, COALESCE, NULLIF, GREATEST, LEAST. Each decides,
// row by row, which of its value arguments the row takes, then gathers
// those values with a loop typed by the result type. Every argument is
// evaluated for the whole batch first (there is no per-branch evaluation).

// pickFunc returns the index of the value row i takes, or -1 for NULL.
type pickFunc func(i int) int

// gather builds the result of type t: row i is row i of vals[pick(i)].
func gather(mem memory.Allocator, t arrow.DataType, vals []Value, n int, pick pickFunc) (Value, error) {
	switch t.ID() {
	case arrow.INT64, arrow.TIMESTAMP, arrow.DURATION:
		return gatherFixed[int64](mem, t, vals, n, pick), nil
	case arrow.FLOAT64:
		return gatherFixed[float64](mem, t, vals, n, pick), nil
	case arrow.DATE32:
		return gatherFixed[int32](mem, t, vals, n, pick), nil
	case arrow.BOOL:
		rs := make([]boolReader, len(vals))
		for k := range vals {
			rs[k] = readBool(vals[k])
		}
		out := newBoolOut(mem, n)
		for i := 0; i < n; i++ {
			if k := pick(i); k >= 0 {
				if x, ok := rs[k].at(i); ok {
					out.set(i, x)
					continue
				}
			}
			out.setNull(i)
		}
		return out.finish(), nil
	case arrow.STRING:
		rs := make([]strReader, len(vals))
		for k := range vals {
			rs[k] = readStr(vals[k])
		}
		out := newStrOut(mem, n)
		for i := 0; i < n; i++ {
			if k := pick(i); k >= 0 {
				if x, ok := rs[k].at(i); ok {
					out.Append(x)
					continue
				}
			}
			out.AppendNull()
		}
		return finishStr(out), nil
	case arrow.NULL:
		return scalarOf(nil, t), nil
	case arrow.STRUCT, arrow.LIST, arrow.MAP:
		return gatherAny(context.Background(), mem, t, vals, n, pick)
	}
	return Value{}, fmt.Errorf("unsupported type %s", t)
}

func gatherFixed[T fixed](mem memory.Allocator, t arrow.DataType, vals []Value, n int, pick pickFunc) Value {
	rs := make([]fixedReader[T], len(vals))
	for k := range vals {
		rs[k] = readFixed[T](vals[k])
	}
	out := newFixedOut[T](mem, n)
	for i := 0; i < n; i++ {
		if k := pick(i); k >= 0 {
			if x, ok := rs[k].at(i); ok {
				out.vals[i] = x
				continue
			}
		}
		out.setNull(i)
	}
	return out.finish(t)
}

// caseKernel is case(cond1, val1, ..., condN, valN, else); IF(c, a, b) is
// case(c, a, b).
func caseKernel(c *callInfo) (kernel, error) {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		nconds := len(args) / 2
		conds := make([]boolReader, nconds)
		vals := make([]Value, 0, nconds+1)
		allConst := true
		for k := 0; k < nconds; k++ {
			conds[k] = readBool(args[2*k])
			vals = append(vals, args[2*k+1])
			allConst = allConst && args[2*k].IsScalar
		}
		vals = append(vals, args[len(args)-1])
		pick := func(i int) int {
			for k := range conds {
				if x, ok := conds[k].at(i); ok && x {
					return k
				}
			}
			return nconds
		}
		if allConst {
			return retain(vals[pick(0)]), nil
		}
		return gather(c.mem, c.ret, vals, n, pick)
	}, nil
}

func coalesceKernel(c *callInfo) (kernel, error) {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		if a := args[0]; (a.IsScalar && a.Scalar != nil) || (!a.IsScalar && a.Array.NullN() == 0) {
			return retain(a), nil // the first argument has no NULL to replace
		}
		nulls := make([]nullReader, len(args))
		for k, a := range args {
			nulls[k] = readNulls(a)
		}
		return gather(c.mem, c.ret, args, n, func(i int) int {
			for k := range nulls {
				if !nulls[k].null(i) {
					return k
				}
			}
			return -1
		})
	}, nil
}

func nullifKernel(c *callInfo) (kernel, error) {
	eq, err := compareKernel(&callInfo{name: "=", args: c.args, consts: c.consts, ret: arrow.FixedWidthTypes.Boolean, mem: c.mem})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, args []Value, n int) (Value, error) {
		e, err := eq(ctx, args, n)
		if err != nil {
			return Value{}, err
		}
		defer e.Release()
		r := readBool(e)
		return gather(c.mem, c.ret, args[:1], n, func(i int) int {
			if x, ok := r.at(i); ok && x {
				return -1
			}
			return 0
		})
	}, nil
}

// extremeKernel is GREATEST and LEAST: NULL when any argument is NULL.
func extremeKernel(c *callInfo) (kernel, error) {
	greatest := c.name == "greatest"
	return func(_ context.Context, args []Value, n int) (Value, error) {
		var pick pickFunc
		switch c.ret.ID() {
		case arrow.INT64, arrow.TIMESTAMP, arrow.DURATION:
			pick = extremeFixed[int64](args, greatest)
		case arrow.FLOAT64:
			pick = extremeFixed[float64](args, greatest)
		case arrow.DATE32:
			pick = extremeFixed[int32](args, greatest)
		case arrow.STRING:
			rs := make([]strReader, len(args))
			for k := range args {
				rs[k] = readStr(args[k])
			}
			pick = extremePick(len(rs), greatest, func(k, i int) (string, bool) { return rs[k].at(i) })
		default:
			return Value{}, fmt.Errorf("%s of %s", c.name, c.ret)
		}
		return gather(c.mem, c.ret, args, n, pick)
	}, nil
}

func extremeFixed[T fixed](args []Value, greatest bool) pickFunc {
	rs := make([]fixedReader[T], len(args))
	for k := range args {
		rs[k] = readFixed[T](args[k])
	}
	return extremePick(len(rs), greatest, func(k, i int) (T, bool) { return rs[k].at(i) })
}

func extremePick[T cmp.Ordered](m int, greatest bool, at func(k, i int) (T, bool)) pickFunc {
	return func(i int) int {
		best := -1
		var bv T
		for k := 0; k < m; k++ {
			x, ok := at(k, i)
			if !ok {
				return -1
			}
			if best < 0 || (greatest && x > bv) || (!greatest && x < bv) {
				best, bv = k, x
			}
		}
		return best
	}
}
