package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/parser"
)

const benchUsage = `tide bench [--rows N] [--keys K] [--partitions P] [--parallelism 1,2] [--repeat R]
       tide bench --nexmark qN|all [--events N] [--repeat R] [--parallelism P] [--partitions P]

Measures the whole engine on this machine, end to end over an embedded
Kafka-protocol broker: N generated JSON transactions (K customers) are
produced to a topic by tide itself, then read back by
  baseline   a query that reads and decodes every event and keeps none,
  filter     the seed's exercise 3 (a WHERE on every event, rows kept),
  window     the seed's mini-project (5-minute tumbling windows per
             customer: COUNT, SUM), the job tide exists for.
Each query runs in batch mode (to the end of the topic) at each
--parallelism, the whole set --repeat times, interleaved. Reported per
phase and parallelism: the median of wall-clock events/s and of events per
CPU-second (user + system time of the process, which also runs the
embedded broker's fetches), each with its ratio to the baseline at
parallelism 1 of the same run, and the wall ratio to parallelism 1.

With --nexmark, runs the Nexmark queries of sql-examples/nexmark (qN, a
comma-separated list, or all) on N events of the nexmark source (all
kinds; 10,000,000 unless --events) into blackhole sinks, --repeat times,
and reports the medians of events/s and events per CPU-second with the
ratio to Flink's published figure per core.`

// benchPhase is one measured query.
type benchPhase struct {
	name, sql string
}

func (a *app) cmdBench(g globalOptions, args []string) int {
	rows, keys, partitions, repeat, par := 1_000_000, 1000, 3, 1, "1,2"
	fs := newFlagSet("bench", benchUsage, &g, a.stderr)
	fs.IntVar(&repeat, "repeat", repeat, "runs of every phase and parallelism, interleaved")
	fs.StringVar(&par, "parallelism", par, "comma-separated task counts to measure")
	fs.IntVar(&rows, "rows", rows, "events to generate")
	fs.IntVar(&keys, "keys", keys, "distinct customers")
	fs.IntVar(&partitions, "partitions", partitions, "partitions of the topic (with --nexmark: of the nexmark source, default the tasks)")
	var nexmarkQueries string
	events := int64(defaultNexmarkEvents)
	fs.StringVar(&nexmarkQueries, "nexmark", "", "Nexmark queries to run instead (q0, q0,q2 or all)")
	fs.Int64Var(&events, "events", events, "with --nexmark: events of the stream, all kinds")
	checkpoints := true
	fs.BoolVar(&checkpoints, "checkpoints", checkpoints, "with --nexmark: checkpoint operator state at every micro-batch, as tide runs (false: none, as Flink's 3-minute interval in a short run)")
	var extra []string
	if err := parseFlags(fs, args, func(s string) { extra = append(extra, s) }); err != nil {
		return flagExit(err)
	}
	if nexmarkQueries != "" {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["parallelism"] {
			par = ""
		}
		if !set["partitions"] {
			partitions = 0
		}
		return a.benchNexmark(nexmarkQueries, nexmarkOptions{events: events, repeat: repeat, parallelism: par, partitions: partitions, noCheckpoints: !checkpoints, extra: extra})
	}
	pars, perr := parseCounts(par)
	if err := unexpectedArgs("bench", extra); err != nil || perr != nil || rows < 1 || keys < 1 || partitions < 1 || repeat < 1 {
		fmt.Fprintln(a.stderr, "tide bench: --rows, --keys, --partitions, --repeat and --parallelism must be positive")
		return exitUsage
	}
	b, err := a.startBroker("127.0.0.1:0", int32(partitions))
	if err != nil {
		return a.fail("bench", err)
	}
	defer b.Close()
	dir, err := os.MkdirTemp("", "tide-bench-")
	if err != nil {
		return a.fail("bench", err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	e, err := engine.Open(ctx, engine.Config{StateDir: dir, Brokers: b.Addr()})
	if err != nil {
		return a.fail("bench", err)
	}
	defer e.Close()
	setup := fmt.Sprintf(`
CREATE SOURCE gen (transaction_id VARCHAR, customer_id VARCHAR, product VARCHAR, amount DOUBLE, event_time TIMESTAMP(3))
WITH (connector = 'datagen', rows_per_second = '0', rows = '%d',
  'fields.transaction_id.kind' = 'sequence', 'fields.transaction_id.prefix' = 'TXN-',
  'fields.customer_id.kind' = 'sequence', 'fields.customer_id.start' = '0', 'fields.customer_id.end' = '%d', 'fields.customer_id.prefix' = 'CUST-',
  'fields.product.kind' = 'choice', 'fields.product.values' = 'Laptop,Phone,Tablet,Watch,Headphones',
  'fields.amount.kind' = 'random', 'fields.amount.min' = '10', 'fields.amount.max' = '500',
  'fields.event_time.kind' = 'timestamp', 'fields.event_time.start' = '2024-01-15T10:00:00Z', 'fields.event_time.step' = '10ms',
  'fields.event_time.max_disorder' = '5s');
CREATE TABLE topic (transaction_id VARCHAR, customer_id VARCHAR, product VARCHAR, amount DOUBLE, event_time TIMESTAMP(3),
  PRIMARY KEY (transaction_id)) WITH (connector = 'kafka', topic = 'transactions');
CREATE SOURCE tx (transaction_id VARCHAR, customer_id VARCHAR, product VARCHAR, amount DOUBLE, event_time TIMESTAMP(3),
  WATERMARK FOR event_time AS event_time - INTERVAL 10 SECOND)
WITH (connector = 'kafka', topic = 'transactions', stop = 'latest');
CREATE TABLE warmup (transaction_id VARCHAR);
`, rows, keys-1)
	fmt.Fprintf(a.stderr, "tide bench: producing %d events (%d customers, %d partitions)...\n", rows, keys, partitions)
	produce, err := a.benchRun(ctx, e, setup+"INSERT INTO topic SELECT * FROM gen;")
	if err != nil {
		return a.fail("bench", err)
	}
	// A first read warms the broker's and the process's caches; not reported.
	if _, err := a.benchRun(ctx, e, "INSERT INTO warmup SELECT transaction_id FROM tx WHERE amount < 0;"); err != nil {
		return a.fail("bench", err)
	}
	phases := []benchPhase{
		{"baseline", "CREATE TABLE %[1]s (transaction_id VARCHAR); INSERT INTO %[1]s SELECT transaction_id FROM tx WHERE amount < 0;"},
		{"filter", "CREATE TABLE %[1]s (transaction_id VARCHAR, amount DOUBLE); INSERT INTO %[1]s SELECT transaction_id, amount FROM tx WHERE amount > 250 AND product IN ('Laptop', 'Phone');"},
		{"window", "CREATE TABLE %[1]s (window_start TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total DOUBLE); INSERT INTO %[1]s SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM tx GROUP BY TUMBLE(event_time, INTERVAL 5 MINUTE), customer_id;"},
	}
	// wall[phase][parallelism] and cpu[...] hold every run's seconds.
	wall, cpu := map[string]map[int][]float64{}, map[string]map[int][]float64{}
	for r := 0; r < repeat; r++ {
		for _, p := range pars {
			for _, ph := range phases {
				table := fmt.Sprintf("bench_%s_p%d_r%d", ph.name, p, r)
				sql := fmt.Sprintf("SET parallelism = %d;\n", p) + fmt.Sprintf(ph.sql, table)
				c0 := cpuSeconds()
				d, err := a.benchRun(ctx, e, sql)
				if err != nil {
					return a.fail("bench", err)
				}
				c := cpuSeconds() - c0
				if wall[ph.name] == nil {
					wall[ph.name], cpu[ph.name] = map[int][]float64{}, map[int][]float64{}
				}
				wall[ph.name][p] = append(wall[ph.name][p], d.Seconds())
				cpu[ph.name][p] = append(cpu[ph.name][p], c)
				// Each run's output is dropped so memory stays flat.
				_ = e.Execute(ctx, "DROP TABLE "+table+";", nil)
			}
		}
	}
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "phase\ttasks\tevents\twall s\tevents/s\tevents/CPU-s\tvs baseline p1 (CPU)\twall vs p1\t")
	fmt.Fprintf(w, "produce (datagen → kafka)\t\t%d\t%.2f\t%.0f\t\t\t\t\n", rows, produce.Seconds(), float64(rows)/produce.Seconds())
	n := float64(rows)
	baseCPU := n / median(cpu["baseline"][pars[0]])
	for _, ph := range phases {
		p1 := n / median(wall[ph.name][pars[0]])
		for _, p := range pars {
			ws, cs := median(wall[ph.name][p]), median(cpu[ph.name][p])
			fmt.Fprintf(w, "%s\t%d\t%d\t%.2f\t%.0f\t%.0f\t%.2f\t%.2f\t\n", ph.name, p, rows, ws, n/ws, n/cs, (n/cs)/baseCPU, (n/ws)/p1)
		}
	}
	w.Flush()
	fmt.Fprintf(a.stdout, "medians of %d runs; CPU from getrusage (this process, broker included); %d cores\n", repeat, runtime.NumCPU())
	return exitOK
}

// parseCounts reads "1,2,4".
func parseCounts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad count %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// cpuSeconds is the user and system CPU time of this process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// median of xs (xs is not empty).
func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// benchRun executes sql and waits for its queries to finish.
func (a *app) benchRun(ctx context.Context, e *engine.Engine, sql string) (time.Duration, error) {
	start := time.Now()
	if err := e.Execute(ctx, sql, nil); err != nil {
		return 0, fmt.Errorf("%s", parser.Render(err, sql))
	}
	if err := e.Wait(ctx); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
