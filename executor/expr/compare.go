package expr

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Comparisons run on Arrow's compare kernels, which take a scalar operand
// as it is. The planner has already given both sides one type.

var compareFuncs = map[string]string{
	"=": "equal", "!=": "not_equal", "<": "less", "<=": "less_equal", ">": "greater", ">=": "greater_equal",
}

func compareKernel(c *callInfo) (kernel, error) {
	if c.args[0].ID() == arrow.STRING && (c.name == "=" || c.name == "!=") {
		return stringEqualKernel(c), nil
	}
	return computeKernel(compareFuncs[c.name], nil)
}

// nullSafeEqualKernel is <=>: NULL <=> NULL is TRUE, NULL <=> x is FALSE.
func nullSafeEqualKernel(c *callInfo) (kernel, error) {
	eq, err := compareKernel(&callInfo{name: "=", args: c.args, consts: c.consts, ret: c.ret, mem: c.mem})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, args []Value, n int) (Value, error) {
		v, err := eq(ctx, args, n)
		if err != nil {
			return Value{}, err
		}
		defer v.Release()
		r := readBool(v)
		na, nb := readNulls(args[0]), readNulls(args[1])
		out := newBoolOut(c.mem, n)
		for i := 0; i < n; i++ {
			x, ok := r.at(i)
			if !ok {
				x = na.null(i) && nb.null(i)
			}
			out.set(i, x)
		}
		return out.finish(), nil
	}, nil
}

// nullReader tells which rows of a Value are NULL.
type nullReader struct {
	valid   []byte
	off     int
	scalar  bool
	allNull bool // the scalar is NULL
}

func readNulls(v Value) nullReader {
	if v.IsScalar {
		return nullReader{scalar: true, allNull: v.Scalar == nil}
	}
	return nullReader{valid: validity(v.Array), off: v.Array.Data().Offset()}
}

func (r *nullReader) null(i int) bool {
	if r.scalar {
		return r.allNull
	}
	return r.valid != nil && !bitutil.BitIsSet(r.valid, r.off+i)
}

// betweenKernel is x BETWEEN lo AND hi (x >= lo AND x <= hi), or NOT
// BETWEEN (x < lo OR x > hi), with SQL NULLs.
func betweenKernel(c *callInfo) (kernel, error) {
	lower, upper, join := "greater_equal", "less_equal", "and_kleene"
	if c.name == "not_between" {
		lower, upper, join = "less", "greater", "or_kleene"
	}
	fl, err := arrowFunc(lower)
	if err != nil {
		return nil, err
	}
	fu, err := arrowFunc(upper)
	if err != nil {
		return nil, err
	}
	fj, err := arrowFunc(join)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, args []Value, _ int) (Value, error) {
		a, err := callArrow(ctx, fl, nil, args[0], args[1])
		if err != nil {
			return Value{}, err
		}
		defer a.Release()
		b, err := callArrow(ctx, fu, nil, args[0], args[2])
		if err != nil {
			return Value{}, err
		}
		defer b.Release()
		return callArrow(ctx, fj, nil, a, b)
	}, nil
}

// inKernel is x IN (list) and NOT IN with SQL NULLs: TRUE on a match; NULL
// when x is NULL, or when nothing matches and the list holds a NULL. A
// constant list is a hash lookup (Arrow's is_in); otherwise it is x = v1
// OR x = v2 ...
func inKernel(c *callInfo) (kernel, error) {
	not := notKernel(c)
	negate := func(ctx context.Context, v Value, n int, err error) (Value, error) {
		if err != nil || c.name != "not_in" {
			return v, err
		}
		defer v.Release()
		return not(ctx, []Value{v}, n)
	}
	if set, ok, err := constantSet(c); err != nil {
		return nil, err
	} else if ok {
		isIn, err := arrowFunc("is_in")
		if err != nil {
			return nil, err
		}
		opts := &compute.SetOptions{ValueSet: compute.NewDatumWithoutOwning(set), NullBehavior: compute.NullMatchingInconclusive}
		return func(ctx context.Context, args []Value, n int) (Value, error) {
			v, err := callArrow(ctx, isIn, opts, args[0])
			return negate(ctx, v, n, err)
		}, nil
	}
	eq, err := arrowFunc("equal")
	if err != nil {
		return nil, err
	}
	or, err := arrowFunc("or_kleene")
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, args []Value, n int) (Value, error) {
		var acc Value
		for i, item := range args[1:] {
			v, err := callArrow(ctx, eq, nil, args[0], item)
			if err != nil {
				acc.Release()
				return Value{}, err
			}
			if i == 0 {
				acc = v
				continue
			}
			next, err := callArrow(ctx, or, nil, acc, v)
			acc.Release()
			v.Release()
			if err != nil {
				return Value{}, err
			}
			acc = next
		}
		return negate(ctx, acc, n, nil)
	}, nil
}

// constantSet builds the value set of an IN list whose items are all
// constant. The array lives as long as the compiled expression.
func constantSet(c *callInfo) (arrow.ArrayData, bool, error) {
	items := make([]any, 0, len(c.args)-1)
	for i := 1; i < len(c.args); i++ {
		x, ok := c.constArg(i)
		if !ok {
			return nil, false, nil
		}
		items = append(items, x)
	}
	// Go memory: the garbage collector frees it with the expression.
	arr, err := arrayFromScalars(memory.NewGoAllocator(), c.args[0], items)
	if err != nil {
		return nil, false, fmt.Errorf("IN list: %w", err)
	}
	return arr.Data(), true, nil
}
