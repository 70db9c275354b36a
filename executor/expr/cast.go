package expr

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/planner"
)

// CAST and TRY_CAST between tide's types. A value that does not convert
// fails the query with a message naming it (CAST) or becomes NULL
// (TRY_CAST). Texts parse with the same rules the binder applies to
// literals (planner.ParseTimestamp and friends).

func castKernel(c *callInfo) (kernel, error) {
	from, to := c.args[0], c.ret
	try := c.name == "try_cast"
	fail := func(text string) error {
		return fmt.Errorf("cannot cast %s to %s", text, planner.SQLTypeName(to))
	}
	if arrow.TypeEqual(from, to) {
		return func(_ context.Context, args []Value, _ int) (Value, error) { return retain(args[0]), nil }, nil
	}
	if from.ID() == arrow.NULL {
		return func(context.Context, []Value, int) (Value, error) { return scalarOf(nil, to), nil }, nil
	}
	if catalog.IsNested(from) && to.ID() == arrow.STRING {
		return nestedToJSON(c), nil
	}
	k := castLoop(c, from.ID(), to.ID(), try, fail)
	if k == nil {
		return nil, fmt.Errorf("no cast from %s to %s", planner.SQLTypeName(from), planner.SQLTypeName(to))
	}
	return k, nil
}

func castLoop(c *callInfo, from, to arrow.Type, try bool, fail func(string) error) kernel {
	switch from {
	case arrow.STRING:
		switch to {
		case arrow.INT64:
			return strToFixed(c, try, fail, planner.ParseInt64)
		case arrow.FLOAT64:
			return strToFixed(c, try, fail, planner.ParseFloat64)
		case arrow.TIMESTAMP:
			return strToFixed(c, try, fail, planner.ParseTimestamp)
		case arrow.DATE32:
			return strToFixed(c, try, fail, planner.ParseDate)
		case arrow.BOOL:
			return strToBool(c, try, fail)
		}
	case arrow.INT64:
		switch to {
		case arrow.FLOAT64:
			return fixedToFixed(c, try, fail, func(x int64) (float64, bool) { return float64(x), true }, nil)
		case arrow.BOOL:
			return fixedToBool[int64](c)
		case arrow.STRING:
			return fixedToStr(c, func(b []byte, x int64) []byte { return strconv.AppendInt(b, x, 10) })
		}
	case arrow.FLOAT64:
		switch to {
		case arrow.INT64:
			return fixedToFixed(c, try, fail, planner.FloatToInt64, func(x float64) string { return string(planner.AppendFloat(nil, x)) })
		case arrow.BOOL:
			return fixedToBool[float64](c)
		case arrow.STRING:
			return fixedToStr(c, planner.AppendFloat)
		}
	case arrow.BOOL:
		switch to {
		case arrow.INT64:
			return boolToFixed[int64](c, 1)
		case arrow.FLOAT64:
			return boolToFixed[float64](c, 1)
		case arrow.STRING:
			return boolToStr(c)
		}
	case arrow.TIMESTAMP:
		switch to {
		case arrow.STRING:
			return fixedToStr(c, planner.AppendTimestamp)
		case arrow.DATE32:
			return fixedToFixed(c, try, fail, func(us int64) (int32, bool) {
				return int32(planner.FloorDiv(us, planner.MicrosPerDay)), true
			}, nil)
		}
	case arrow.DATE32:
		switch to {
		case arrow.STRING:
			return fixedToStr(c, func(b []byte, d int32) []byte { return planner.AppendDate(b, int64(d)) })
		case arrow.TIMESTAMP:
			return fixedToFixed(c, try, fail, func(d int32) (int64, bool) { return int64(d) * planner.MicrosPerDay, true }, nil)
		}
	case arrow.DURATION:
		if to == arrow.STRING {
			return fixedToStr(c, func(b []byte, us int64) []byte {
				return append(b, planner.FormatDuration(time.Duration(us)*time.Microsecond)...)
			})
		}
	}
	return nil
}

// strToFixed parses texts into a fixed-width type.
func strToFixed[R fixed](c *callInfo, try bool, fail func(string) error, parse func(string) (R, bool)) kernel {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		r := readStr(args[0])
		out := newFixedOut[R](c.mem, n)
		for i := 0; i < n; i++ {
			s, ok := r.at(i)
			if !ok {
				out.setNull(i)
				continue
			}
			v, ok := parse(s)
			if !ok {
				if !try {
					out.release()
					return Value{}, fail(planner.QuoteSQL(s))
				}
				out.setNull(i)
				continue
			}
			out.vals[i] = v
		}
		return out.finish(c.ret), nil
	}
}

func strToBool(c *callInfo, try bool, fail func(string) error) kernel {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		r := readStr(args[0])
		out := newBoolOut(c.mem, n)
		for i := 0; i < n; i++ {
			s, ok := r.at(i)
			if !ok {
				out.setNull(i)
				continue
			}
			v, ok := planner.ParseBool(s)
			if !ok {
				if !try {
					out.release()
					return Value{}, fail(planner.QuoteSQL(s))
				}
				out.setNull(i)
				continue
			}
			out.set(i, v)
		}
		return out.finish(), nil
	}
}

// fixedToFixed converts between fixed-width types; text names a value
// that does not convert.
func fixedToFixed[A, R fixed](c *callInfo, try bool, fail func(string) error, conv func(A) (R, bool), text func(A) string) kernel {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		return unaryLoop(c.mem, args[0], n, c.ret, func(x A) (R, bool, error) {
			v, ok := conv(x)
			if !ok && !try {
				return v, false, fail(text(x))
			}
			return v, ok, nil
		})
	}
}

func fixedToStr[A fixed](c *callInfo, app func([]byte, A) []byte) kernel {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		r := readFixed[A](args[0])
		out := newStrOut(c.mem, n)
		var buf []byte
		for i := 0; i < n; i++ {
			x, ok := r.at(i)
			if !ok {
				out.AppendNull()
				continue
			}
			buf = app(buf[:0], x)
			out.BinaryBuilder.Append(buf)
		}
		return finishStr(out), nil
	}
}

func fixedToBool[A fixed](c *callInfo) kernel {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		r := readFixed[A](args[0])
		out := newBoolOut(c.mem, n)
		for i := 0; i < n; i++ {
			if x, ok := r.at(i); ok {
				out.set(i, x != 0)
			} else {
				out.setNull(i)
			}
		}
		return out.finish(), nil
	}
}

func boolToFixed[R fixed](c *callInfo, one R) kernel {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		r := readBool(args[0])
		out := newFixedOut[R](c.mem, n)
		for i := 0; i < n; i++ {
			x, ok := r.at(i)
			switch {
			case !ok:
				out.setNull(i)
			case x:
				out.vals[i] = one
			default:
				out.vals[i] = 0
			}
		}
		return out.finish(c.ret), nil
	}
}

func boolToStr(c *callInfo) kernel {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		r := readBool(args[0])
		out := newStrOut(c.mem, n)
		for i := 0; i < n; i++ {
			if x, ok := r.at(i); ok {
				out.Append(strconv.FormatBool(x))
			} else {
				out.AppendNull()
			}
		}
		return finishStr(out), nil
	}
}
