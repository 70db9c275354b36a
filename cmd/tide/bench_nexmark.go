package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/tide-sql/tide/executor/engine"
	examples "github.com/tide-sql/tide/sql-examples"
)

// defaultNexmarkEvents is the stream tide bench --nexmark runs on unless
// --events says otherwise (Flink's suite runs 100M).
const defaultNexmarkEvents = 10_000_000

// flinkPerCore is Flink 2.0's published throughput on the Nexmark setup,
// in events per second per core (issue 10); queries without a published
// figure have none.
var flinkPerCore = map[string]float64{
	"q0": 400_000, "q1": 400_000, "q2": 400_000,
	"q5": 74_500, "q7": 22_900, "q8": 162_000,
}

// nexmarkOptions are tide bench --nexmark's settings.
type nexmarkOptions struct {
	events      int64
	repeat      int
	parallelism string // comma-separated task counts; "": the engine's default
	partitions  int    // of the nexmark sources; 0: as many as tasks
	// noCheckpoints runs without a state directory: no operator state is
	// written at the end of each micro-batch (Flink's Nexmark setup
	// checkpoints every 3 minutes, which a run this short never reaches).
	noCheckpoints bool
	extra         []string
}

// nexmarkRun is one query at one parallelism: every run's seconds.
type nexmarkRun struct {
	query      string
	tasks      int // 0: the engine's default
	wall, cpu  []float64
	outputRows int64
}

// benchNexmark runs the Nexmark queries named by list (q0,q2 or all).
func (a *app) benchNexmark(list string, o nexmarkOptions) int {
	queries, err := nexmarkQueryList(list)
	if err == nil {
		err = unexpectedArgs("bench", o.extra)
	}
	if err != nil {
		fmt.Fprintln(a.stderr, "tide bench:", err)
		return exitUsage
	}
	pars := []int{0}
	if o.parallelism != "" {
		if pars, err = parseCounts(o.parallelism); err != nil {
			fmt.Fprintln(a.stderr, "tide bench:", err)
			return exitUsage
		}
	}
	if o.events < 1 || o.repeat < 1 || o.partitions < 0 {
		fmt.Fprintln(a.stderr, "tide bench: --events and --repeat must be positive")
		return exitUsage
	}
	var runs []*nexmarkRun
	for _, q := range queries {
		for _, p := range pars {
			runs = append(runs, &nexmarkRun{query: q, tasks: p})
		}
	}
	fmt.Fprintf(a.stderr, "tide bench: Nexmark %s on %d events, %d run(s) each...\n", strings.Join(queries, ", "), o.events, o.repeat)
	for r := 0; r < o.repeat; r++ {
		for _, run := range runs {
			if err := a.nexmarkOnce(run, o); err != nil {
				return a.fail("bench", err)
			}
		}
	}
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "query\ttasks\tevents\trows out\twall s\tevents/s\tevents/CPU-s\tFlink/core\tvs Flink (CPU)\t")
	for _, run := range runs {
		ws, cs := median(run.wall), median(run.cpu)
		n := float64(o.events)
		tasks, flink, ratio := "default", "", ""
		if run.tasks > 0 {
			tasks = fmt.Sprint(run.tasks)
		}
		if f, ok := flinkPerCore[run.query]; ok {
			flink, ratio = fmt.Sprintf("%.0f", f), fmt.Sprintf("%.2f", n/cs/f)
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%.2f\t%.0f\t%.0f\t%s\t%s\t\n", run.query, tasks, o.events, run.outputRows, ws, n/ws, n/cs, flink, ratio)
	}
	w.Flush()
	fmt.Fprintf(a.stdout, "medians of %d runs; events of all kinds; CPU from getrusage (this process); %d cores; Flink: Flink 2.0's events/s per core on the Nexmark setup\n",
		o.repeat, runtime.NumCPU())
	return exitOK
}

// nexmarkQueryList reads --nexmark: all, or names of queries there are.
func nexmarkQueryList(list string) ([]string, error) {
	known := examples.NexmarkQueries()
	if strings.EqualFold(strings.TrimSpace(list), "all") {
		return known, nil
	}
	var out []string
	for _, q := range strings.Split(list, ",") {
		q = strings.ToLower(strings.TrimSpace(q))
		found := false
		for _, k := range known {
			found = found || k == q
		}
		if !found {
			return nil, fmt.Errorf("--nexmark %s: no such query (queries: %s, or all)", q, strings.Join(known, ", "))
		}
		out = append(out, q)
	}
	return out, nil
}

// nexmarkOnce runs run's query once, in an engine of its own, and adds its
// times and output to run.
func (a *app) nexmarkOnce(run *nexmarkRun, o nexmarkOptions) error {
	script, err := examples.NexmarkScript(run.query, o.events)
	if err != nil {
		return err
	}
	partitions := max(o.partitions, run.tasks, 1)
	script = strings.ReplaceAll(script, "connector = 'nexmark'", fmt.Sprintf("connector = 'nexmark', partitions = %d", partitions))
	if run.tasks > 0 {
		script = fmt.Sprintf("SET parallelism = %d;\n", run.tasks) + script
	}
	dir, err := os.MkdirTemp("", "tide-bench-nexmark-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if o.noCheckpoints {
		dir = ""
	}
	ctx := context.Background()
	e, err := engine.Open(ctx, engine.Config{StateDir: dir})
	if err != nil {
		return err
	}
	defer e.Close()
	runtime.GC() // the previous run's garbage is not this run's work
	c0 := cpuSeconds()
	d, err := a.benchRun(ctx, e, script)
	if err != nil {
		return fmt.Errorf("%s: %w", run.query, err)
	}
	run.wall = append(run.wall, d.Seconds())
	run.cpu = append(run.cpu, cpuSeconds()-c0)
	run.outputRows = 0
	for _, q := range e.Queries() {
		if q.State != engine.QueryFinished {
			return fmt.Errorf("%s: query %s ended %s: %s", run.query, q.ID, q.State, q.Error)
		}
		run.outputRows += q.Progress.TotalOutputRows
	}
	return nil
}
