package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/parser"
)

const benchUsage = `tide bench [--rows N] [--keys K] [--partitions P]

Measures the whole engine on this machine, end to end over an embedded
Kafka-protocol broker: N generated JSON transactions (K customers) are
produced to a topic by tide itself, then read back by
  baseline   a query that reads and decodes every event and keeps none,
  filter     the seed's exercise 3 (a WHERE on every event, rows kept),
  window     the seed's mini-project (5-minute tumbling windows per
             customer: COUNT, SUM), the job tide exists for.
Each query runs in batch mode (to the end of the topic) and its rate is
reported with its ratio to the baseline measured in the same run.`

// benchPhase is one measured query.
type benchPhase struct {
	name, sql string
}

func (a *app) cmdBench(g globalOptions, args []string) int {
	rows, keys, partitions := 1_000_000, 1000, 3
	fs := newFlagSet("bench", benchUsage, &g, a.stderr)
	fs.IntVar(&rows, "rows", rows, "events to generate")
	fs.IntVar(&keys, "keys", keys, "distinct customers")
	fs.IntVar(&partitions, "partitions", partitions, "partitions of the topic")
	var extra []string
	if err := parseFlags(fs, args, func(s string) { extra = append(extra, s) }); err != nil {
		return flagExit(err)
	}
	if err := unexpectedArgs("bench", extra); err != nil || rows < 1 || keys < 1 || partitions < 1 {
		fmt.Fprintln(a.stderr, "tide bench: --rows, --keys and --partitions must be positive")
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
CREATE TABLE nothing (transaction_id VARCHAR);
CREATE TABLE big (transaction_id VARCHAR, amount DOUBLE);
CREATE TABLE stats (window_start TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total DOUBLE);
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
		{"baseline", "INSERT INTO nothing SELECT transaction_id FROM tx WHERE amount < 0;"},
		{"filter", "INSERT INTO big SELECT transaction_id, amount FROM tx WHERE amount > 250 AND product IN ('Laptop', 'Phone');"},
		{"window", "INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM tx GROUP BY TUMBLE(event_time, INTERVAL 5 MINUTE), customer_id;"},
	}
	w := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "phase\tevents\tseconds\tevents/s\tvs baseline\t")
	fmt.Fprintf(w, "produce (datagen → kafka)\t%d\t%.2f\t%.0f\t\t\n", rows, produce.Seconds(), float64(rows)/produce.Seconds())
	var base float64
	for _, p := range phases {
		d, err := a.benchRun(ctx, e, p.sql)
		if err != nil {
			return a.fail("bench", err)
		}
		rate := float64(rows) / d.Seconds()
		if base == 0 {
			base = rate
		}
		fmt.Fprintf(w, "%s\t%d\t%.2f\t%.0f\t%.2f\t\n", p.name, rows, d.Seconds(), rate, rate/base)
	}
	w.Flush()
	return exitOK
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
