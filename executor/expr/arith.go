package expr

import (
	"context"
	"errors"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Arithmetic: + - * run on Arrow's checked kernels (numbers, TIMESTAMP ±
// INTERVAL, TIMESTAMP - TIMESTAMP, INTERVAL ± INTERVAL); / % DIV and unary
// minus are loops, because SQL gives NULL for a zero divisor where Arrow
// gives an error or infinity.

var errOverflow = errors.New("BIGINT value out of range")

func addKernel(*callInfo) (kernel, error) { return computeKernel("add", nil) }
func subKernel(*callInfo) (kernel, error) { return computeKernel("subtract", nil) }
func mulKernel(*callInfo) (kernel, error) { return computeKernel("multiply", nil) }

func divKernel(c *callInfo) (kernel, error) {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		return binaryLoop(c.mem, args[0], args[1], n, c.ret, func(x, y float64) (float64, bool, error) {
			return x / y, y != 0, nil
		})
	}, nil
}

func modKernel(c *callInfo) (kernel, error) {
	if c.ret.ID() == arrow.INT64 {
		return func(_ context.Context, args []Value, n int) (Value, error) {
			return binaryLoop(c.mem, args[0], args[1], n, c.ret, func(x, y int64) (int64, bool, error) {
				if y == 0 {
					return 0, false, nil
				}
				if y == -1 {
					return 0, true, nil // MinInt64 % -1 traps in Go
				}
				return x % y, true, nil
			})
		}, nil
	}
	return func(_ context.Context, args []Value, n int) (Value, error) {
		return binaryLoop(c.mem, args[0], args[1], n, c.ret, func(x, y float64) (float64, bool, error) {
			return math.Mod(x, y), y != 0, nil
		})
	}, nil
}

// intDivKernel is DIV: integer division truncating towards zero.
func intDivKernel(c *callInfo) (kernel, error) {
	if c.args[0].ID() == arrow.INT64 {
		return func(_ context.Context, args []Value, n int) (Value, error) {
			return binaryLoop(c.mem, args[0], args[1], n, c.ret, func(x, y int64) (int64, bool, error) {
				if y == 0 {
					return 0, false, nil
				}
				if x == math.MinInt64 && y == -1 {
					return 0, false, errOverflow
				}
				return x / y, true, nil
			})
		}, nil
	}
	return func(_ context.Context, args []Value, n int) (Value, error) {
		return binaryLoop(c.mem, args[0], args[1], n, c.ret, func(x, y float64) (int64, bool, error) {
			if y == 0 {
				return 0, false, nil
			}
			q, ok := floatToInt(math.Trunc(x / y))
			if !ok {
				return 0, false, errOverflow
			}
			return q, true, nil
		})
	}, nil
}

func negKernel(c *callInfo) (kernel, error) {
	if c.ret.ID() == arrow.FLOAT64 {
		return func(_ context.Context, args []Value, n int) (Value, error) {
			return unaryLoop(c.mem, args[0], n, c.ret, func(x float64) (float64, bool, error) { return -x, true, nil })
		}, nil
	}
	return func(_ context.Context, args []Value, n int) (Value, error) { // BIGINT and INTERVAL
		return unaryLoop(c.mem, args[0], n, c.ret, func(x int64) (int64, bool, error) {
			if x == math.MinInt64 {
				return 0, false, errOverflow
			}
			return -x, true, nil
		})
	}, nil
}

func floatToInt(f float64) (int64, bool) {
	if math.IsNaN(f) || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
		return 0, false
	}
	return int64(f), true
}

// unaryLoop applies f to the non-NULL rows of a; f returns ok=false for a
// NULL result.
func unaryLoop[A, R fixed](mem memory.Allocator, a Value, n int, t arrow.DataType, f func(A) (R, bool, error)) (Value, error) {
	ra := readFixed[A](a)
	out := newFixedOut[R](mem, n)
	for i := 0; i < n; i++ {
		x, ok := ra.at(i)
		if !ok {
			out.setNull(i)
			continue
		}
		r, ok, err := f(x)
		if err != nil {
			out.release()
			return Value{}, err
		}
		if !ok {
			out.setNull(i)
			continue
		}
		out.vals[i] = r
	}
	return out.finish(t), nil
}

// binaryLoop applies f to the rows where a and b are both non-NULL.
func binaryLoop[A, B, R fixed](mem memory.Allocator, a, b Value, n int, t arrow.DataType, f func(A, B) (R, bool, error)) (Value, error) {
	ra, rb := readFixed[A](a), readFixed[B](b)
	out := newFixedOut[R](mem, n)
	for i := 0; i < n; i++ {
		x, ok1 := ra.at(i)
		y, ok2 := rb.at(i)
		if !ok1 || !ok2 {
			out.setNull(i)
			continue
		}
		r, ok, err := f(x, y)
		if err != nil {
			out.release()
			return Value{}, err
		}
		if !ok {
			out.setNull(i)
			continue
		}
		out.vals[i] = r
	}
	return out.finish(t), nil
}
