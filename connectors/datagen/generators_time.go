package datagen

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tide-sql/tide/internal/splitmix"
)

// timeGen generates TIMESTAMP values: event times "now" (the wall clock, or
// a simulated clock from start advancing 1/rows_per_second per row) minus a
// random delay of up to max_disorder; or random between start and end; or
// a choice.
type timeGen struct {
	k          string
	unit       arrow.TimeUnit
	start, end time.Time // start zero: wall clock
	step       time.Duration
	disorder   time.Duration
	values     []time.Time
}

func newTimeGen(kind string, spec fieldSpec, rate float64, unit arrow.TimeUnit) (generator, []string, error) {
	g := &timeGen{k: kind, unit: unit}
	var err error
	switch kind {
	case "", "timestamp", "sequence":
		g.k = "timestamp"
		if v, ok := spec["start"]; ok {
			if g.start, err = parseTime(v); err != nil {
				return nil, nil, fmt.Errorf("start: %v", err)
			}
		} else if kind == "sequence" {
			return nil, nil, fmt.Errorf("kind sequence on a TIMESTAMP needs start (an RFC 3339 time)")
		}
		g.step = time.Millisecond // rows_per_second = 0: the simulated clock moves 1 ms per row
		if rate > 0 {
			g.step = time.Duration(float64(time.Second) / rate)
		}
		if v, ok := spec["step"]; ok {
			// A simulated clock that runs faster (or slower) than the wall
			// clock: each row moves event time by step.
			if g.start.IsZero() {
				return nil, nil, fmt.Errorf("step needs start (an RFC 3339 time)")
			}
			if g.step, err = parseDuration(v); err != nil || g.step <= 0 {
				return nil, nil, fmt.Errorf("step '%s' is not a positive duration like '1s'", v)
			}
		}
		if v, ok := spec["max_disorder"]; ok {
			if g.disorder, err = parseDuration(v); err != nil || g.disorder < 0 {
				return nil, nil, fmt.Errorf("max_disorder '%s' is not a duration like '5s' or '5 seconds'", v)
			}
		}
		return g, []string{"start", "step", "max_disorder"}, nil
	case "random":
		s, okS := spec["start"]
		e, okE := spec["end"]
		if !okS || !okE {
			return nil, nil, fmt.Errorf("kind random on a TIMESTAMP needs start and end (RFC 3339 times)")
		}
		if g.start, err = parseTime(s); err != nil {
			return nil, nil, fmt.Errorf("start: %v", err)
		}
		if g.end, err = parseTime(e); err != nil {
			return nil, nil, fmt.Errorf("end: %v", err)
		}
		if g.end.Before(g.start) {
			return nil, nil, fmt.Errorf("end %s is before start %s", e, s)
		}
		return g, []string{"start", "end"}, nil
	case "choice":
		g.values, err = parseList(spec, parseTime)
		return g, []string{"values"}, err
	}
	return nil, nil, badKind(kind, "timestamp", "random", "choice")
}

func (g *timeGen) kind() string { return g.k }

func (g *timeGen) value(row int64, rnd *splitmix.Stream, now time.Time) time.Time {
	switch g.k {
	case "timestamp":
		t := now
		if !g.start.IsZero() {
			t = g.start.Add(time.Duration(row) * g.step)
		}
		if g.disorder > 0 {
			t = t.Add(-time.Duration(rnd.Intn(uint64(g.disorder/time.Microsecond)+1)) * time.Microsecond)
		}
		return t
	case "random":
		span := uint64(g.end.Sub(g.start)/time.Microsecond) + 1
		return g.start.Add(time.Duration(rnd.Intn(span)) * time.Microsecond)
	}
	return g.values[rnd.Intn(uint64(len(g.values)))]
}

func (g *timeGen) append(b array.Builder, row int64, rnd *splitmix.Stream, now time.Time) {
	t := g.value(row, rnd, now)
	var v int64
	switch g.unit {
	case arrow.Second:
		v = t.Unix()
	case arrow.Millisecond:
		v = t.UnixMilli()
	case arrow.Microsecond:
		v = t.UnixMicro()
	default:
		v = t.UnixNano()
	}
	b.(*array.TimestampBuilder).Append(arrow.Timestamp(v))
}

// dateGen generates DATE values: today (the wall clock) by default, or a
// sequence of days from start, random days between start and end, or a
// choice.
type dateGen struct {
	k          string
	start, end int32 // days since the epoch
	values     []int32
}

func newDateGen(kind string, spec fieldSpec) (generator, []string, error) {
	g := &dateGen{k: kind}
	var err error
	parse := func(name string, def string) (int32, error) {
		v, ok := spec[name]
		if !ok {
			v = def
		}
		d, err := parseDate(v)
		if err != nil {
			return 0, fmt.Errorf("%s: %v", name, err)
		}
		return d, nil
	}
	switch kind {
	case "":
		g.k = "today"
		return g, nil, nil
	case "sequence":
		g.start, err = parse("start", "2024-01-01")
		return g, []string{"start"}, err
	case "random":
		if g.start, err = parse("start", "2024-01-01"); err == nil {
			g.end, err = parse("end", "2024-12-31")
		}
		if err == nil && g.end < g.start {
			err = fmt.Errorf("end is before start")
		}
		return g, []string{"start", "end"}, err
	case "choice":
		g.values, err = parseList(spec, parseDate)
		return g, []string{"values"}, err
	}
	return nil, nil, badKind(kind, "sequence", "random", "choice")
}

func (g *dateGen) kind() string { return g.k }

func (g *dateGen) append(b array.Builder, row int64, rnd *splitmix.Stream, now time.Time) {
	var d int32
	switch g.k {
	case "today":
		d = int32(now.UTC().Unix() / 86400)
	case "sequence":
		d = g.start + int32(row)
	case "random":
		d = g.start + int32(rnd.Intn(uint64(g.end-g.start)+1))
	default:
		d = g.values[rnd.Intn(uint64(len(g.values)))]
	}
	b.(*array.Date32Builder).Append(arrow.Date32(d))
}

// boolGen generates BOOLEAN values: random, or a choice.
type boolGen struct {
	k      string
	values []bool
}

func newBoolGen(kind string, spec fieldSpec) (generator, []string, error) {
	switch kind {
	case "", "random":
		return &boolGen{k: "random"}, nil, nil
	case "choice":
		values, err := parseList(spec, strconv.ParseBool)
		return &boolGen{k: "choice", values: values}, []string{"values"}, err
	}
	return nil, nil, badKind(kind, "random", "choice")
}

func (g *boolGen) kind() string { return g.k }

func (g *boolGen) append(b array.Builder, _ int64, rnd *splitmix.Stream, _ time.Time) {
	v := rnd.Next()&1 == 1
	if g.k == "choice" {
		v = g.values[rnd.Intn(uint64(len(g.values)))]
	}
	b.(*array.BooleanBuilder).Append(v)
}

func parseTime(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, fmt.Errorf("'%s' is not an RFC 3339 time (like 2024-05-01T12:00:00Z)", v)
	}
	return t.UTC(), nil
}

func parseDate(v string) (int32, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("'%s' is not a date (like 2024-05-01)", v)
	}
	return int32(t.Unix() / 86400), nil
}

// parseDuration reads '5s', '1m30s' or '5 seconds'.
func parseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if d, err := time.ParseDuration(v); err == nil {
		return d, nil
	}
	f := strings.Fields(v)
	if len(f) == 2 {
		n, err := strconv.ParseFloat(f[0], 64)
		if u, ok := durationUnits[strings.ToLower(f[1])]; ok && err == nil {
			return time.Duration(n * float64(u)), nil
		}
	}
	if v == "0" {
		return 0, nil
	}
	return 0, fmt.Errorf("%q is not a duration", v)
}

var durationUnits = map[string]time.Duration{
	"ms": time.Millisecond, "millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
}
