package datagen

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tide-sql/tide/internal/splitmix"
)

// generator makes the values of one column. A value depends only on the
// row number and the cell's random stream (and, for wall-clock kinds, on
// now, the row's wall-clock time), so rows can be generated again.
type generator interface {
	kind() string
	append(b array.Builder, row int64, rnd *splitmix.Stream, now time.Time)
}

// intGen generates BIGINT values.
type intGen struct {
	k          string
	start, end int64
	hasEnd     bool
	values     []int64
}

func newIntGen(kind string, spec fieldSpec) (generator, []string, error) {
	g := &intGen{k: kind}
	var err error
	switch kind {
	case "", "sequence":
		g.k, g.start = "sequence", 1
		err = g.parseRange(spec)
		return g, []string{"start", "end"}, err
	case "random":
		g.start, g.end, g.hasEnd = 0, 1000, true
		err = g.parseRange(spec)
		return g, []string{"start", "end"}, err
	case "choice":
		g.values, err = parseList(spec, func(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) })
		return g, []string{"values"}, err
	}
	return nil, nil, badKind(kind, "sequence", "random", "choice")
}

func (g *intGen) parseRange(spec fieldSpec) error {
	var err error
	if v, ok := spec["start"]; ok {
		if g.start, err = strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Errorf("start '%s' is not a whole number", v)
		}
	}
	if v, ok := spec["end"]; ok {
		if g.end, err = strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Errorf("end '%s' is not a whole number", v)
		}
		g.hasEnd = true
	}
	if g.hasEnd && g.end < g.start {
		return fmt.Errorf("end %d is before start %d", g.end, g.start)
	}
	return nil
}

func (g *intGen) kind() string { return g.k }

func (g *intGen) value(row int64, rnd *splitmix.Stream) int64 {
	switch g.k {
	case "sequence":
		if g.hasEnd {
			return g.start + int64(uint64(row)%(uint64(g.end-g.start)+1))
		}
		return g.start + row
	case "random":
		span := uint64(g.end-g.start) + 1
		if span == 0 { // the whole int64 range
			return int64(rnd.Next())
		}
		return g.start + int64(rnd.Intn(span))
	}
	return g.values[rnd.Intn(uint64(len(g.values)))]
}

func (g *intGen) append(b array.Builder, row int64, rnd *splitmix.Stream, _ time.Time) {
	b.(*array.Int64Builder).Append(g.value(row, rnd))
}

// floatGen generates DOUBLE values.
type floatGen struct {
	k          string
	start, end float64
	scale      float64 // 10^decimals; 0: no rounding
	values     []float64
}

func newFloatGen(kind string, spec fieldSpec) (generator, []string, error) {
	g := &floatGen{k: kind}
	var err error
	switch kind {
	case "sequence":
		g.start = 1
		err = parseFloatSetting(spec, "start", &g.start)
		return g, []string{"start"}, err
	case "", "random":
		g.k, g.start, g.end, g.scale = "random", 0, 1000, 100
		if err = parseFloatSetting(spec, "start", &g.start); err == nil {
			err = parseFloatSetting(spec, "end", &g.end)
		}
		if err == nil && g.end < g.start {
			err = fmt.Errorf("end %g is before start %g", g.end, g.start)
		}
		if v, ok := spec["decimals"]; ok && err == nil {
			d, perr := strconv.Atoi(v)
			if perr != nil || d < 0 || d > 15 {
				return nil, nil, fmt.Errorf("decimals '%s' is not a whole number from 0 to 15", v)
			}
			g.scale = math.Pow10(d)
		}
		return g, []string{"start", "end", "decimals"}, err
	case "choice":
		g.values, err = parseList(spec, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
		return g, []string{"values"}, err
	}
	return nil, nil, badKind(kind, "sequence", "random", "choice")
}

func parseFloatSetting(spec fieldSpec, name string, dst *float64) error {
	if v, ok := spec[name]; ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%s '%s' is not a number", name, v)
		}
		*dst = f
	}
	return nil
}

func (g *floatGen) kind() string { return g.k }

func (g *floatGen) append(b array.Builder, row int64, rnd *splitmix.Stream, _ time.Time) {
	var v float64
	switch g.k {
	case "sequence":
		v = g.start + float64(row)
	case "random":
		v = g.start + rnd.Float()*(g.end-g.start)
		if g.scale > 0 {
			v = math.Round(v*g.scale) / g.scale
		}
	default:
		v = g.values[rnd.Intn(uint64(len(g.values)))]
	}
	b.(*array.Float64Builder).Append(v)
}

// stringGen generates VARCHAR values.
type stringGen struct {
	k      string
	prefix string
	length int // random: characters; sequence: digits (zero-padded)
	seq    intGen
	values []string
}

const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func newStringGen(kind string, spec fieldSpec) (generator, []string, error) {
	g := &stringGen{k: kind, prefix: spec["prefix"]}
	switch kind {
	case "sequence":
		g.length, g.seq = 6, intGen{k: "sequence", start: 1}
		if err := g.parseLength(spec); err != nil {
			return nil, nil, err
		}
		return g, []string{"prefix", "length", "start", "end"}, g.seq.parseRange(spec)
	case "", "random":
		g.k, g.length = "random", 8
		return g, []string{"prefix", "length"}, g.parseLength(spec)
	case "choice":
		var err error
		g.values, err = parseList(spec, func(s string) (string, error) { return s, nil })
		return g, []string{"values"}, err
	}
	return nil, nil, badKind(kind, "sequence", "random", "choice")
}

func (g *stringGen) parseLength(spec fieldSpec) error {
	if v, ok := spec["length"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1<<20 {
			return fmt.Errorf("length '%s' is not a whole number from 0 to 1048576", v)
		}
		g.length = n
	}
	return nil
}

func (g *stringGen) kind() string { return g.k }

func (g *stringGen) append(b array.Builder, row int64, rnd *splitmix.Stream, _ time.Time) {
	sb := b.(*array.StringBuilder)
	switch g.k {
	case "sequence":
		n := g.seq.value(row, rnd)
		sb.Append(g.prefix + fmt.Sprintf("%0*d", g.length, n))
	case "random":
		buf := make([]byte, len(g.prefix)+g.length)
		copy(buf, g.prefix)
		for i := len(g.prefix); i < len(buf); i++ {
			buf[i] = alphabet[rnd.Intn(uint64(len(alphabet)))]
		}
		sb.BinaryBuilder.Append(buf)
	default:
		sb.Append(g.values[rnd.Intn(uint64(len(g.values)))])
	}
}

// parseList reads the values setting of a choice generator.
func parseList[T any](spec fieldSpec, parse func(string) (T, error)) ([]T, error) {
	v, ok := spec["values"]
	if !ok || strings.TrimSpace(v) == "" {
		return nil, fmt.Errorf("kind choice needs values, a comma-separated list")
	}
	var out []T
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		x, err := parse(s)
		if err != nil {
			return nil, fmt.Errorf("value '%s' in values does not suit the column", s)
		}
		out = append(out, x)
	}
	return out, nil
}
