package nexmark

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tide-sql/tide/executor"
)

// maxPartitions bounds the partitions option.
const maxPartitions = 1024

// Options are the nexmark connector's options; Flink's nexmark connector
// spellings are synonyms.
var Options = []executor.Option{
	{Name: "table", Required: true, Check: executor.OneOf("bid", "auction", "person"),
		Help: "which events the source reads: bid, auction or person"},
	{Name: "events", Synonyms: []string{"events.num"}, Default: "0", Check: executor.WholeNumber(0),
		Help: "events of the whole stream, all kinds (0: unbounded); with a number the source ends after the last"},
	{Name: "events_per_second", Synonyms: []string{"first-event.rate"}, Default: "10000", Check: checkRate,
		Help: "the stream's rate: events are 1/rate apart in event time (and in wall time with rate_limited)"},
	{Name: "rate_limited", Synonyms: []string{"rate.limited"}, Default: "false", Check: executor.OneOf("true", "false"),
		Help: "generate at events_per_second in wall time too (default: as fast as possible)"},
	{Name: "seed", Default: "1", Check: executor.Integer, Help: "random seed: the same seed gives the same stream"},
	{Name: "base_time", Default: DefaultBaseTime.Format(time.RFC3339), Check: checkTime,
		Help: "event time of the stream's first event (RFC 3339)"},
	{Name: "partitions", Default: "1", Check: checkPartitions,
		Help: "partitions of the stream: partition p holds the events n with n mod partitions = p"},
	{Name: "max_batch", Synonyms: []string{"maxOffsetsPerTrigger"}, Default: "100000", Check: executor.WholeNumber(1),
		Help: "most events (of all kinds) per micro-batch"},
}

// config is the options, parsed.
type config struct {
	kind        Kind
	events      int64 // 0: unbounded
	rate        float64
	rateLimited bool
	seed        int64
	base        time.Time
	partitions  int
	maxBatch    int
	// task and tasks: the reader is task `task` of `tasks` of a parallel
	// query and reads the partitions p with p % tasks == task.
	task, tasks int
}

// parseConfig reads a table's options. Every value is checked again: a
// table built in code or an older catalog has not been through Normalize.
func parseConfig(opts map[string]string) (config, error) {
	get := func(name string) string {
		if v, ok := opts[name]; ok {
			return strings.TrimSpace(v)
		}
		for _, o := range Options {
			if o.Name == name {
				return o.Default
			}
		}
		return ""
	}
	var c config
	for _, o := range Options {
		v := get(o.Name)
		if o.Required && v == "" {
			return c, fmt.Errorf("the nexmark connector needs option %s (%s)", o.Name, o.Help)
		}
		if err := o.Check(v); err != nil {
			return c, fmt.Errorf("option %s = '%s': %v", o.Name, v, err)
		}
	}
	c.kind, _ = kindOf(get("table"))
	c.events, _ = strconv.ParseInt(get("events"), 10, 64)
	c.rate, _ = strconv.ParseFloat(get("events_per_second"), 64)
	c.rateLimited = strings.EqualFold(get("rate_limited"), "true")
	c.seed, _ = strconv.ParseInt(get("seed"), 10, 64)
	c.base, _ = time.Parse(time.RFC3339Nano, get("base_time"))
	c.partitions, _ = strconv.Atoi(get("partitions"))
	c.maxBatch, _ = strconv.Atoi(get("max_batch"))
	var err error
	c.task, c.tasks, err = executor.ParseTask(get(executor.TaskOption))
	return c, err
}

func checkRate(v string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || !(f > 0) || f > 1e12 {
		return fmt.Errorf("expected a number of events per second greater than 0")
	}
	return nil
}

func checkTime(v string) error {
	if _, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v)); err != nil {
		return fmt.Errorf("expected an RFC 3339 time such as 2015-07-15T00:00:00Z")
	}
	return nil
}

func checkPartitions(v string) error {
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil || n < 1 || n > maxPartitions {
		return fmt.Errorf("expected a whole number from 1 to %d", maxPartitions)
	}
	return nil
}
