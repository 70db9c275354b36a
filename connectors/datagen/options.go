package datagen

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tide-sql/tide/executor"
)

// Options are the datagen connector's fixed options. Per-column generator
// options (fields.<column>.<setting>) come on top; ValidateFields checks
// them.
var Options = []executor.Option{
	{Name: "rows_per_second", Default: "1000", Synonyms: []string{"rows-per-second", "rowsPerSecond"}, Check: checkRate,
		Help: "rows generated per second (0 = as fast as possible)"},
	{Name: "rows", Synonyms: []string{"number-of-rows", "numRows"}, Check: executor.WholeNumber(0),
		Help: "total rows; with a limit the source is bounded and ends after the last row (default: unlimited)"},
	{Name: "seed", Default: "1", Check: executor.Integer,
		Help: "random seed: the same seed gives the same rows"},
	{Name: "max_batch", Default: "10000", Synonyms: []string{"maxOffsetsPerTrigger"}, Check: executor.WholeNumber(1),
		Help: "most rows per micro-batch"},
}

// FieldPrefix starts the per-column options: fields.<column>.<setting>.
const FieldPrefix = "fields."

// config is the fixed options, parsed.
type config struct {
	rate     float64 // rows per second; 0: unthrottled
	rows     int64   // total rows; -1: unbounded
	seed     int64
	maxBatch int
}

func parseConfig(opts map[string]string) (config, error) {
	c := config{rate: 1000, rows: -1, seed: 1, maxBatch: 10000}
	for _, o := range Options {
		v, ok := lookup(opts, o.Name)
		if !ok {
			continue
		}
		if err := o.Check(v); err != nil {
			return c, fmt.Errorf("option %s = '%s': %v", o.Name, v, err)
		}
		switch o.Name {
		case "rows_per_second":
			c.rate, _ = strconv.ParseFloat(v, 64)
		case "rows":
			c.rows, _ = strconv.ParseInt(v, 10, 64)
		case "seed":
			c.seed, _ = strconv.ParseInt(v, 10, 64)
		case "max_batch":
			c.maxBatch, _ = strconv.Atoi(v)
		}
	}
	return c, nil
}

// lookup finds an option by its canonical name or a synonym, any case.
func lookup(opts map[string]string, name string) (string, bool) {
	names := []string{name}
	for _, o := range Options {
		if o.Name == name {
			names = append(names, o.Synonyms...)
		}
	}
	for k, v := range opts {
		for _, n := range names {
			if strings.EqualFold(k, n) {
				return strings.TrimSpace(v), true
			}
		}
	}
	return "", false
}

func checkRate(v string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f != f {
		return fmt.Errorf("expected a number of rows per second, 0 or more")
	}
	return nil
}
