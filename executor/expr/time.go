package expr

import (
	"context"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/planner"
)

// Time functions over TIMESTAMPs (int64 microseconds, UTC) and DATEs
// (int32 days). Fields are computed with integer civil-calendar arithmetic,
// not through time.Time, except the ISO week.

// nowKernel is NOW() / CURRENT_TIMESTAMP: the processing time, read once
// per batch (the call is never folded).
func nowKernel(c *callInfo) (kernel, error) {
	return func(context.Context, []Value, int) (Value, error) {
		return scalarOf(time.Now().UnixMicro(), c.ret), nil
	}, nil
}

// unixTimestampKernel is UNIX_TIMESTAMP() (now) and UNIX_TIMESTAMP(ts), in
// whole seconds.
func unixTimestampKernel(c *callInfo) (kernel, error) {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		if len(args) == 0 {
			return scalarOf(time.Now().Unix(), c.ret), nil
		}
		return unaryLoop(c.mem, args[0], n, c.ret, func(us int64) (int64, bool, error) {
			return planner.FloorDiv(us, planner.MicrosPerSecond), true, nil
		})
	}, nil
}

// maxUnixSeconds keeps seconds*1e6 inside int64.
const maxUnixSeconds = math.MaxInt64 / 1_000_000

// fromUnixtimeKernel is FROM_UNIXTIME(seconds) for BIGINT or DOUBLE
// seconds; out-of-range values are NULL.
func fromUnixtimeKernel(c *callInfo) (kernel, error) {
	if c.args[0].ID() == arrow.INT64 {
		return func(_ context.Context, args []Value, n int) (Value, error) {
			return unaryLoop(c.mem, args[0], n, c.ret, func(s int64) (int64, bool, error) {
				if s > maxUnixSeconds || s < -maxUnixSeconds {
					return 0, false, nil
				}
				return s * planner.MicrosPerSecond, true, nil
			})
		}, nil
	}
	return func(_ context.Context, args []Value, n int) (Value, error) {
		return unaryLoop(c.mem, args[0], n, c.ret, func(s float64) (int64, bool, error) {
			if math.IsNaN(s) || s > maxUnixSeconds || s < -maxUnixSeconds {
				return 0, false, nil
			}
			return int64(math.Round(s * 1e6)), true, nil
		})
	}, nil
}

// civil is a timestamp broken into calendar fields.
type civil struct {
	days             int64 // since 1970-01-01
	year, month, day int64
	hour, min, sec   int64
	micro            int64
}

func toCivil(us int64) civil {
	days := planner.FloorDiv(us, planner.MicrosPerDay)
	rem := us - days*planner.MicrosPerDay
	y, m, d := planner.CivilFromDays(days)
	secs := rem / planner.MicrosPerSecond
	return civil{days: days, year: y, month: m, day: d,
		hour: secs / 3600, min: secs / 60 % 60, sec: secs % 60, micro: rem % planner.MicrosPerSecond}
}

// weekday is 0 for Sunday ... 6 for Saturday.
func (c civil) weekday() int64 { return (c.days%7 + 11) % 7 }

func (c civil) yearDay() int64 { return c.days - planner.DaysFromCivil(c.year, 1, 1) + 1 }

var timeFields = map[string]func(civil) int64{
	"year":        func(c civil) int64 { return c.year },
	"quarter":     func(c civil) int64 { return (c.month-1)/3 + 1 },
	"month":       func(c civil) int64 { return c.month },
	"day":         func(c civil) int64 { return c.day },
	"hour":        func(c civil) int64 { return c.hour },
	"minute":      func(c civil) int64 { return c.min },
	"second":      func(c civil) int64 { return c.sec },
	"microsecond": func(c civil) int64 { return c.micro },
	"dayofweek":   func(c civil) int64 { return c.weekday() + 1 },
	"dayofyear":   func(c civil) int64 { return c.yearDay() },
	"week": func(c civil) int64 { // ISO-8601 week, as Flink's EXTRACT(WEEK ...)
		_, w := time.Date(int(c.year), time.Month(c.month), int(c.day), 0, 0, 0, 0, time.UTC).ISOWeek()
		return int64(w)
	},
}

// timeFieldKernel is YEAR(ts), MONTH(ts), ... and EXTRACT(unit FROM ts).
func timeFieldKernel(c *callInfo) (kernel, error) {
	f := timeFields[c.name]
	return func(_ context.Context, args []Value, n int) (Value, error) {
		return unaryLoop(c.mem, args[0], n, c.ret, func(us int64) (int64, bool, error) {
			return f(toCivil(us)), true, nil
		})
	}, nil
}

// dateKernel is DATE(ts): the day of a timestamp.
func dateKernel(c *callInfo) (kernel, error) {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		return unaryLoop(c.mem, args[0], n, c.ret, func(us int64) (int32, bool, error) {
			return int32(planner.FloorDiv(us, planner.MicrosPerDay)), true, nil
		})
	}, nil
}

// toTimestampKernel is TO_TIMESTAMP(text [, pattern]): ISO-8601 text, or
// text in a Java-style pattern (yyyy-MM-dd HH:mm:ss.SSS). Text that does
// not parse gives NULL, as in Flink and Spark.
func toTimestampKernel(c *callInfo) (kernel, error) {
	var fixedLayout string
	constant := false
	if len(c.args) == 2 {
		if x, ok := c.constArg(1); ok && x != nil {
			fixedLayout, constant = javaLayout(x.(string)), true
		}
	}
	return func(_ context.Context, args []Value, n int) (Value, error) {
		rs := readStr(args[0])
		var rp strReader
		if len(args) == 2 {
			rp = readStr(args[1])
		}
		out := newFixedOut[int64](c.mem, n)
		for i := 0; i < n; i++ {
			s, ok := rs.at(i)
			if !ok {
				out.setNull(i)
				continue
			}
			var us int64
			if len(args) == 1 {
				us, ok = planner.ParseTimestamp(s)
			} else {
				layout := fixedLayout
				if !constant {
					var p string
					if p, ok = rp.at(i); !ok {
						out.setNull(i)
						continue
					}
					layout = javaLayout(p)
				}
				var t time.Time
				t, err := time.Parse(layout, s)
				us, ok = t.UnixMicro(), err == nil
			}
			if !ok {
				out.setNull(i)
				continue
			}
			out.vals[i] = us
		}
		return out.finish(c.ret), nil
	}, nil
}

// javaLayout turns a Java DateTimeFormatter / SimpleDateFormat pattern into
// a Go time layout.
func javaLayout(p string) string {
	repl := []struct{ java, goLayout string }{
		{"yyyy", "2006"}, {"yy", "06"}, {"MMMM", "January"}, {"MMM", "Jan"}, {"MM", "01"}, {"M", "1"},
		{"dd", "02"}, {"d", "2"}, {"HH", "15"}, {"hh", "03"}, {"h", "3"}, {"mm", "04"}, {"m", "4"},
		{"ss", "05"}, {"s", "5"}, {"SSSSSS", "000000"}, {"SSS", "000"}, {"a", "PM"}, {"EEEE", "Monday"},
		{"EEE", "Mon"}, {"XXX", "Z07:00"}, {"Z", "-0700"},
	}
	var b []byte
	for i := 0; i < len(p); {
		if p[i] == '\'' { // quoted literal
			j := i + 1
			for j < len(p) && p[j] != '\'' {
				j++
			}
			b = append(b, p[i+1:j]...)
			i = j + 1
			continue
		}
		matched := false
		for _, r := range repl {
			if len(p)-i >= len(r.java) && p[i:i+len(r.java)] == r.java {
				b = append(b, r.goLayout...)
				i += len(r.java)
				matched = true
				break
			}
		}
		if !matched {
			b = append(b, p[i])
			i++
		}
	}
	return string(b)
}
