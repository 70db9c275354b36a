package expr

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// Boolean logic with SQL's three values: AND and OR are Arrow's Kleene
// kernels (FALSE AND NULL is FALSE, TRUE OR NULL is TRUE), XOR and NOT are
// NULL when an input is. IS [NOT] NULL / TRUE / FALSE are never NULL.

var logicFuncs = map[string]string{"and": "and_kleene", "or": "or_kleene", "xor": "xor"}

func logicKernel(c *callInfo) (kernel, error) {
	if c.name == "not" {
		return notKernel(c), nil
	}
	fn, err := arrowFunc(logicFuncs[c.name])
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, args []Value, _ int) (Value, error) {
		if c.name == "and" || c.name == "or" {
			// A constant FALSE (AND) or TRUE (OR) decides every row.
			decides := c.name == "or"
			for _, a := range args {
				if b, ok := a.Scalar.(bool); a.IsScalar && ok && b == decides {
					return scalarOf(decides, c.ret), nil
				}
			}
		}
		return callArrow(ctx, fn, nil, args...)
	}, nil
}

func isNullKernel(c *callInfo) (kernel, error) {
	want := c.name == "is_null"
	return func(_ context.Context, args []Value, n int) (Value, error) {
		a := args[0]
		if a.IsScalar {
			return scalarOf((a.Scalar == nil) == want, c.ret), nil
		}
		if a.Array.NullN() == 0 {
			return scalarOf(!want, c.ret), nil
		}
		out := newBoolOut(c.mem, n)
		valid, off := validity(a.Array), a.Array.Data().Offset()
		for i := 0; i < n; i++ {
			out.set(i, bitutil.BitIsSet(valid, off+i) != want)
		}
		return out.finish(), nil
	}, nil
}

// isTruthKernel is IS TRUE, IS FALSE, IS NOT TRUE and IS NOT FALSE.
func isTruthKernel(c *callInfo) (kernel, error) {
	want := c.name == "is_true" || c.name == "is_not_true"
	not := c.name == "is_not_true" || c.name == "is_not_false"
	return func(_ context.Context, args []Value, n int) (Value, error) {
		r := readBool(args[0])
		out := newBoolOut(c.mem, n)
		for i := 0; i < n; i++ {
			x, ok := r.at(i)
			out.set(i, (ok && x == want) != not)
		}
		return out.finish(), nil
	}, nil
}

// notKernel is NOT. (Arrow's "not" misplaces the NULLs of a sliced input
// in arrow-go v18.8.0.)
func notKernel(c *callInfo) kernel {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		r := readBool(args[0])
		out := newBoolOut(c.mem, n)
		for i := 0; i < n; i++ {
			if x, ok := r.at(i); ok {
				out.set(i, !x)
			} else {
				out.setNull(i)
			}
		}
		return out.finish(), nil
	}
}
