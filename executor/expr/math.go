package expr

import (
	"context"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
)

// Math functions. Results outside the function's domain (SQRT(-1), LN(0))
// are NULL, as in MySQL.

// retain returns v with one more reference, for kernels whose result is
// their argument unchanged.
func retain(v Value) Value {
	if v.Array != nil {
		v.Array.Retain()
	}
	return v
}

func absKernel(c *callInfo) (kernel, error) {
	if c.ret.ID() == arrow.INT64 {
		return func(_ context.Context, args []Value, n int) (Value, error) {
			return unaryLoop(c.mem, args[0], n, c.ret, func(x int64) (int64, bool, error) {
				if x == math.MinInt64 {
					return 0, false, errOverflow
				}
				if x < 0 {
					return -x, true, nil
				}
				return x, true, nil
			})
		}, nil
	}
	return floatFunc(c, math.Abs), nil
}

// floatFunc applies f to DOUBLEs; NaN and infinite results are NULL.
func floatFunc(c *callInfo, f func(float64) float64) kernel {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		return unaryLoop(c.mem, args[0], n, c.ret, func(x float64) (float64, bool, error) {
			r := f(x)
			return r, !math.IsNaN(r) && !math.IsInf(r, 0), nil
		})
	}
}

func floorKernel(c *callInfo) (kernel, error) { return intIdentityOr(c, math.Floor), nil }
func ceilKernel(c *callInfo) (kernel, error)  { return intIdentityOr(c, math.Ceil), nil }

// intIdentityOr returns BIGINT arguments unchanged and applies f to DOUBLEs.
func intIdentityOr(c *callInfo, f func(float64) float64) kernel {
	if c.ret.ID() == arrow.INT64 {
		return func(_ context.Context, args []Value, _ int) (Value, error) { return retain(args[0]), nil }
	}
	return floatFunc(c, f)
}

func signKernel(c *callInfo) (kernel, error) {
	if c.args[0].ID() == arrow.INT64 {
		return func(_ context.Context, args []Value, n int) (Value, error) {
			return unaryLoop(c.mem, args[0], n, c.ret, func(x int64) (int64, bool, error) {
				switch {
				case x > 0:
					return 1, true, nil
				case x < 0:
					return -1, true, nil
				}
				return 0, true, nil
			})
		}, nil
	}
	return func(_ context.Context, args []Value, n int) (Value, error) {
		return unaryLoop(c.mem, args[0], n, c.ret, func(x float64) (int64, bool, error) {
			switch {
			case x > 0:
				return 1, true, nil
			case x < 0:
				return -1, true, nil
			}
			return 0, !math.IsNaN(x), nil
		})
	}, nil
}

func roundKernel(c *callInfo) (kernel, error) {
	if len(c.args) == 1 {
		return intIdentityOr(c, math.Round), nil
	}
	if c.ret.ID() == arrow.INT64 {
		return func(_ context.Context, args []Value, n int) (Value, error) {
			return binaryLoop(c.mem, args[0], args[1], n, c.ret, func(x, d int64) (int64, bool, error) {
				return roundInt(x, d), true, nil
			})
		}, nil
	}
	return func(_ context.Context, args []Value, n int) (Value, error) {
		return binaryLoop(c.mem, args[0], args[1], n, c.ret, func(x float64, d int64) (float64, bool, error) {
			return roundFloat(x, d), true, nil
		})
	}, nil
}

// roundFloat rounds x half away from zero to d decimals (d < 0 rounds to
// tens, hundreds, ...).
func roundFloat(x float64, d int64) float64 {
	if d > 15 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	if d < -308 {
		return 0
	}
	p := math.Pow(10, float64(d))
	r := math.Round(x*p) / p
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return x
	}
	return r
}

// roundInt rounds x half away from zero to a multiple of 10^-d when d < 0.
func roundInt(x, d int64) int64 {
	if d >= 0 {
		return x
	}
	if d < -18 {
		return 0
	}
	p := int64(1)
	for ; d < 0; d++ {
		p *= 10
	}
	q, r := x/p, x%p
	if r >= p-r && r > 0 {
		q++
	} else if r < 0 && -r >= p+r {
		q--
	}
	return q * p
}

func powerKernel(c *callInfo) (kernel, error) {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		return binaryLoop(c.mem, args[0], args[1], n, c.ret, func(x, y float64) (float64, bool, error) {
			r := math.Pow(x, y)
			return r, !math.IsNaN(r) && !math.IsInf(r, 0), nil
		})
	}, nil
}

func mathKernel(f func(float64) float64) func(*callInfo) (kernel, error) {
	return func(c *callInfo) (kernel, error) { return floatFunc(c, f), nil }
}
