package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// defaultStateBudget is how much state a query may hold without SET
// 'state.max_bytes': enough for millions of groups, little enough that a
// query whose windows never close fails before the machine runs out.
const defaultStateBudget = 1 << 30

// stallEpochs is how many epochs a windowed query's state may grow while
// its watermark stands still before it gets a warning.
const stallEpochs = 10

// byteUnits are the units a size may have, as Flink's and Spark's memory
// settings read them: KB and K are 1024 bytes, as KiB is.
var byteUnits = map[string]int64{
	"": 1, "b": 1,
	"k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
	"m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
	"g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
	"t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40,
}

// parseByteSize reads a size such as '512MB', '1GiB', '1.5 g' or
// '100000000' (bytes).
func parseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult, ok := byteUnits[unit]
	if num == "" || !ok {
		return 0, fmt.Errorf("%q is not a size: write a number of bytes, or one with a unit such as '512MB' or '1GiB'", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size: %q is not a number", s, num)
	}
	n := v * float64(mult)
	if n < 1 || n >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q is out of range (at least 1 byte, less than 8 EiB)", s)
	}
	return int64(n), nil
}

// formatBytes writes n in the largest binary unit that keeps it above 1.
func formatBytes(n int64) string {
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	if n < 1<<10 {
		return fmt.Sprintf("%d B", n)
	}
	v, u := float64(n)/(1<<10), 0
	for v >= 1<<10 && u < len(units)-1 {
		v, u = v/(1<<10), u+1
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[u]
}

// stateBudget is the state.max_bytes setting, or the default.
func (e *Engine) stateBudget() int64 {
	if n, err := parseByteSize(e.setting("state.max_bytes")); err == nil {
		return n
	}
	return defaultStateBudget
}

// stateBytesOf is a stateful operator's state size, if it measures it.
func stateBytesOf(st executor.Stateful) (int64, bool) {
	s, ok := st.(interface{ StateBytes() int64 })
	if !ok {
		return 0, false
	}
	return s.StateBytes(), true
}

// stateWatch follows a query's state from epoch to epoch: its size
// against the budget, and whether it grows while the watermark stands.
type stateWatch struct {
	budget int64
	sizes  map[int]int64 // by stateful operator, at the last barrier
	total  int64

	windowed int64      // bytes of the windowed operators, at the last epoch
	wm       *time.Time // the query's watermark, at the last epoch
	grew     int        // epochs the windowed state grew while wm stood
	warning  string
}

// windowedKind reports whether an operator's state is freed as the
// watermark passes (its windows close).
func windowedKind(kind string) bool {
	return kind == planner.StateTumble || kind == planner.StateHop || kind == planner.StateSession
}

// observeState takes the state sizes of an epoch's capture; it returns the
// query's total state bytes.
func (d *driver) observeState(c *capture) int64 {
	d.watch.sizes = c.bytes
	var total int64
	for _, n := range c.bytes {
		total += n
	}
	d.watch.total = total
	return total
}

// watchStall updates the stalled-watermark warning with an epoch's
// watermark (nil: none yet) and returns it ("" when there is none).
func (d *driver) watchStall(wm *time.Time) string {
	w := &d.watch
	var windowed int64
	has := false
	for i, n := range w.sizes {
		if op, ok := d.planOperator(i); ok && windowedKind(op.Kind) {
			windowed += n
			has = true
		}
	}
	moved := (wm == nil) != (w.wm == nil) || wm != nil && !wm.Equal(*w.wm)
	switch {
	case !has || moved || windowed < w.windowed:
		w.grew, w.warning = 0, ""
	case windowed > w.windowed:
		w.grew++
	}
	w.windowed, w.wm = windowed, wm
	if w.grew >= stallEpochs && w.warning == "" {
		at := "there is no watermark yet"
		if wm != nil {
			at = "the watermark stands at " + wm.UTC().Format("2006-01-02 15:04:05.000")
		}
		w.warning = fmt.Sprintf("state has grown for %d epochs (to %s) while its watermark stood still (%s): no window closes; "+
			"past state.max_bytes (%s) the query fails", w.grew, formatBytes(w.total), at, formatBytes(w.budget))
		d.e.cfg.Logf("query %s: %s", d.id, w.warning)
	}
	return w.warning
}

// planOperator is the plan's stateful operator that built operator i is
// (one of the tasks of, in a parallel query: the plan's operators times the
// tasks, operator by operator).
func (d *driver) planOperator(i int) (planner.StateOperator, bool) {
	j := i / max(1, d.b.tasks)
	if i < 0 || j >= len(d.state.Operators) {
		return planner.StateOperator{}, false
	}
	return d.state.Operators[j], true
}

// checkBudget fails the query when its state is past the budget, naming
// the operator that holds the most and what would bound it.
func (d *driver) checkBudget() error {
	w := &d.watch
	wm := w.wm
	if w.total <= w.budget {
		return nil
	}
	big, bigBytes := -1, int64(-1)
	for i, n := range w.sizes {
		if n > bigBytes || n == bigBytes && i < big {
			big, bigBytes = i, n
		}
	}
	op, _ := d.planOperator(big)
	at := "there is no watermark yet"
	if wm != nil {
		at = "the watermark stands at " + wm.UTC().Format("2006-01-02 15:04:05.000")
	}
	var bound string
	switch {
	case op.Kind == planner.StateJoin:
		bound = fmt.Sprintf("a join keeps each side's rows until the other side's watermark passes their time plus the bound, and %s. "+
			"Bound it with a narrower time bound, a shorter state.ttl, a smaller watermark delay, ", at)
	case op.Kind == planner.StateNormalize:
		bound = "a changelog keeps the current row of every key it has seen. "
	case windowedKind(op.Kind):
		bound = fmt.Sprintf("its windows are freed only when the watermark passes their end, and %s. "+
			"Bound it with a watermark that advances (WATERMARK FOR a column that moves with time, "+
			"events with later times, or the source's idle timeout for quiet partitions), a smaller window, ", at)
	default:
		bound = "a running aggregate keeps every key it has seen. Bound it with a window (GROUP BY TUMBLE(...)) or fewer keys, "
	}
	return fmt.Errorf("query %s: state of %s holds %s (the query's state: %s), past state.max_bytes = %s; %s"+
		"or raise SET 'state.max_bytes' and start the query again",
		d.id, op, formatBytes(bigBytes), formatBytes(w.total), formatBytes(w.budget), bound)
}
