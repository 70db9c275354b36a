package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/engine"
	examples "github.com/tide-sql/tide/sql-examples"
)

// demoSQL is the demo's pipeline, sql-examples/demo.sql.
var demoSQL = examples.Demo

const demoUsage = `tide demo [flags]

The seed's pipeline end to end, with no set-up: an embedded broker (unless
--brokers or $TIDE_BROKERS names one), a generator of transactions written
to the topic "transactions", and 5-minute tumbling windows per customer
(10-second watermark) printed as each window closes, and upserted into a
Delta table under --state-dir when the delta connector is present. The
demo's catalog and checkpoints live in a temporary directory. Ctrl-C stops.`

// demoProgressEvery is how often the demo says how far it is.
const demoProgressEvery = 15 * time.Second

func (a *app) cmdDemo(g globalOptions, args []string) int {
	fs := newFlagSet("demo", demoUsage, &g, a.stderr)
	var extra []string
	if err := parseFlags(fs, args, func(s string) { extra = append(extra, s) }); err != nil {
		return flagExit(err)
	}
	if err := unexpectedArgs("demo", extra); err != nil {
		fmt.Fprintln(a.stderr, "tide", err)
		return exitUsage
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs, stopSigs := a.notify()
	defer stopSigs()

	brokers, _, stopBroker, err := a.resolveBrokers(g)
	if err != nil {
		return a.fail("demo", err)
	}
	defer stopBroker()
	tmp, err := os.MkdirTemp("", "tide-demo-")
	if err != nil {
		return a.fail("demo", err)
	}
	defer os.RemoveAll(tmp)
	deltaPath, _ := filepath.Abs(filepath.Join(g.stateDir, "demo", "customer_stats"))
	_, deltaErr := executor.Lookup("delta")
	script := demoScript(deltaErr == nil, deltaPath)

	dg := g
	dg.stateDir = tmp
	eng, err := a.open(ctx, dg, brokers, a.stdout, a.stderr)
	if err != nil {
		return a.fail("demo", err)
	}
	defer eng.Close()
	p := &printer{out: a.stdout, msgs: a.stderr, format: g.format}
	if err := eng.Execute(ctx, script, func(r *result) error { return p.print(ctx, r) }); err != nil {
		fmt.Fprint(a.stderr, scriptError("demo.sql", script, err))
		return exitFail
	}
	fmt.Fprintln(a.stderr, "tide demo: transactions flow through the topic \"transactions\"; each 5-minute window per customer prints when it closes (its end + 10 s of watermark delay). Ctrl-C stops.")
	if deltaErr == nil {
		fmt.Fprintf(a.stderr, "tide demo: the windows are also upserted into the Delta table %s\n", deltaPath)
	}

	waitErr := make(chan error, 1)
	go func() { waitErr <- eng.Wait(ctx) }()
	tick := time.NewTicker(demoProgressEvery)
	defer tick.Stop()
	for {
		select {
		case <-sigs:
			fmt.Fprintln(a.stderr, "tide demo: stopped")
			return exitOK
		case err := <-waitErr:
			if err != nil {
				return a.fail("demo", err)
			}
			return exitOK
		case <-tick.C:
			fmt.Fprintln(a.stderr, demoProgress(eng))
		}
	}
}

// demoScript is demo.sql with the Delta part kept (with its path) or cut.
func demoScript(delta bool, deltaPath string) string {
	begin, end := "-- delta:begin", "-- delta:end"
	i, j := strings.Index(demoSQL, begin), strings.Index(demoSQL, end)
	if i < 0 || j < i {
		return demoSQL
	}
	if !delta {
		return demoSQL[:i]
	}
	return strings.ReplaceAll(demoSQL, "{{DELTA_PATH}}", strings.ReplaceAll(deltaPath, "'", "''"))
}

// demoProgress is one line on how much each query has read.
func demoProgress(eng sqlEngine) string {
	var parts []string
	for _, q := range eng.Queries() {
		s := fmt.Sprintf("%s: %d rows read", q.ID, q.Progress.TotalInputRows)
		if q.Sink != "" && q.Sink != q.ID {
			s = fmt.Sprintf("%s (into %s): %d rows read", q.ID, q.Sink, q.Progress.TotalInputRows)
		}
		if w := q.Progress.Watermark; engine.WatermarkEnded(w) {
			s += ", watermark: " + engine.EndOfInput
		} else if w != nil {
			s += ", watermark " + w.UTC().Format("15:04:05")
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "tide demo: no query running"
	}
	return "tide demo: " + strings.Join(parts, "; ")
}
