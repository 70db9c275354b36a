package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor/engine"
	_ "github.com/tide-sql/tide/internal/datadriven" // defines -rewrite
	"github.com/tide-sql/tide/parser"
)

// syncBuffer collects what console tables print.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runExample runs one file of sql-examples in batch mode (every source read
// to its end, every window closed) after producing sql-examples/data/*.jsonl
// to the topics of the same names, and returns the engine and what console
// tables printed.
func runExample(t *testing.T, file string) (*env, *syncBuffer) {
	t.Helper()
	abs, _ := filepath.Abs(file)
	dataDir := filepath.Join(filepath.Dir(abs), "data")
	return runExampleFed(t, file, func(x *env) {
		if filepath.Base(file) == "demo.sql" {
			return // the demo makes its own data
		}
		data, _ := filepath.Glob(filepath.Join(dataDir, "*.jsonl"))
		for _, d := range data {
			topic := strings.TrimSuffix(filepath.Base(d), ".jsonl")
			if err := x.broker.CreateTopic(topic, 3); err != nil {
				t.Fatal(err)
			}
			produceCourseFile(x, topic, d)
		}
	})
}

// courseKeys names the field whose value keys a topic's messages, as the
// course's producers key them (section 4.2 keys orders by customer).
// A Debezium topic is keyed by the row's primary key, found in the after
// image, or in the before image of a delete (paths tried in order).
var courseKeys = map[string]string{"orders": "customer_id", "dbserver1.public.customers": "after.id,before.id,payload.after.id,payload.before.id"}

// produceCourseFile writes the JSON lines of a data file to topic, keyed as
// the course's producer of that topic keys them (else without a key).
func produceCourseFile(x *env, topic, path string) {
	x.t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		x.t.Fatal(err)
	}
	field := courseKeys[topic]
	if field == "" {
		x.produce(topic, strings.Split(strings.TrimSpace(string(data)), "\n")...)
		return
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(x.broker.Addr()), kgo.DefaultProduceTopic(topic))
	if err != nil {
		x.t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			x.t.Fatalf("%s: %v", path, err)
		}
		recs = append(recs, &kgo.Record{Key: []byte(keyAt(m, field)), Value: []byte(l)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		x.t.Fatal(err)
	}
}

// keyAt is the value at the first of the comma-separated dotted paths that
// leads to one in m, as text.
func keyAt(m map[string]any, paths string) string {
	for _, path := range strings.Split(paths, ",") {
		var v any = m
		for _, step := range strings.Split(path, ".") {
			obj, _ := v.(map[string]any)
			v = obj[step]
		}
		switch x := v.(type) {
		case string:
			return x
		case float64:
			return fmt.Sprint(x)
		}
	}
	return ""
}

// runExampleFed runs one file of sql-examples in batch mode after feed has
// filled its topics.
func runExampleFed(t *testing.T, file string, feed func(x *env)) (*env, *syncBuffer) {
	t.Helper()
	abs, _ := filepath.Abs(file)
	x := newEnv(t)
	console := &syncBuffer{}
	x.e.Close()
	e, err := engine.Open(context.Background(), engine.Config{StateDir: filepath.Join(x.dir, "state"), Brokers: x.broker.Addr(), Console: console, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	x.e = e
	t.Cleanup(func() { e.Close() })
	feed(x)
	sql, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(x.dir) // relative sink paths (out/...) land in the test's directory
	// Console tables show every row, not the first 20 of each batch: which
	// 20 depends on how rows were split into batches.
	script := strings.ReplaceAll(string(sql), "connector = 'console'", "connector = 'console', num_rows = '1000000'")
	if filepath.Base(file) == "demo.sql" {
		// The demo's generator runs forever at 20 rows a second: bound it,
		// let it fill the topic, then run the rest in batch mode.
		script = strings.Replace(script, "rows_per_second = '20',", "rows_per_second = '0', rows = '3000',", 1)
		script = strings.ReplaceAll(script, "{{DELTA_PATH}}", "out/customer_stats")
		i := strings.Index(script, "-- 3.")
		x.exec(script[:i])
		x.wait()
		script = script[i:]
	}
	// Batch mode runs the statements in order, each INSERT to its end before
	// the next statement (Flink's table.dml-sync), so that a table a later
	// query joins with is complete.
	x.exec("SET 'execution.runtime-mode' = 'batch';")
	stmts, _ := parser.SplitStatements(script)
	for _, st := range stmts {
		x.exec(st + ";")
		x.wait()
	}
	return x, console
}

// dumpTables prints every table the example wrote, sorted, for the golden.
func dumpTables(t *testing.T, x *env, console *syncBuffer) string {
	var b strings.Builder
	for _, tb := range x.e.Catalog().List(catalog.KindTable) {
		fmt.Fprintf(&b, "table %s (%s)\n", tb.Name, tb.Connector)
		var lines []string
		switch tb.Connector {
		case "console":
			lines = consoleRows(console.String(), tb.Name)
		case "kafka":
			lines = topicRows(t, x, tb.Options["topic"])
		default:
			lines = x.rows("SELECT * FROM " + tb.Name)
		}
		for _, l := range lines {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

// consoleRows extracts the data rows a console table printed (batch
// boundaries depend on timing; the rows do not).
func consoleRows(out, table string) []string {
	var rows []string
	inTable, header := false, 0
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, table+": Batch "):
			inTable, header = true, 0
		case strings.HasPrefix(l, "-------"):
		case strings.HasPrefix(l, "+"):
			header++
		case strings.HasPrefix(l, "|") && inTable && header >= 2:
			rows = append(rows, strings.Join(strings.Fields(l), " "))
		}
	}
	sort.Strings(rows)
	return rows
}

// topicRows reads a topic with a read_committed consumer.
func topicRows(t *testing.T, x *env, topic string) []string {
	cl, err := kgo.NewClient(kgo.SeedBrokers(x.broker.Addr()), kgo.ConsumeTopics(topic),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var rows []string
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			break
		}
		fs.EachRecord(func(r *kgo.Record) { rows = append(rows, string(r.Key)+" => "+string(r.Value)) })
	}
	sort.Strings(rows)
	return rows
}

// TestSQLExamples runs every file of sql-examples/ and compares what it
// wrote with sql-examples/expected/<file>.out (go test -rewrite to update).
func TestSQLExamples(t *testing.T) {
	files, _ := filepath.Glob("../../sql-examples/*.sql")
	if len(files) == 0 {
		t.Fatal("no examples")
	}
	rewrite := flag.Lookup("rewrite").Value.(flag.Getter).Get().(bool)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		t.Run(name, func(t *testing.T) {
			golden, _ := filepath.Abs(filepath.Join("../../sql-examples/expected", name+".out"))
			x, console := runExample(t, f)
			for _, q := range x.e.Queries() {
				if q.State != engine.QueryFinished {
					t.Fatalf("query %s ended %s: %s", q.ID, q.State, q.Error)
				}
			}
			got := dumpTables(t, x, console)
			if rewrite {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -rewrite to create it)", err)
			}
			if got != string(want) {
				t.Fatalf("%s differs from %s:\n%s", name, golden, got)
			}
		})
	}
}

// seedEvent is a message of one of the course's producers.
type seedEvent struct {
	OrderID       string  `json:"order_id"`
	CustomerID    string  `json:"customer_id"`
	Amount        float64 `json:"amount"`
	Level         string  `json:"level"`
	Message       string  `json:"message"`
	Timestamp     string  `json:"timestamp"`
	TransactionID string  `json:"transaction_id"`
}

// time parses the event's timestamp as the course writes it
// (datetime.now().isoformat(): no zone, microseconds or no fraction), in
// UTC as tide reads a time without a zone.
func (e seedEvent) time(t *testing.T) time.Time {
	t.Helper()
	ts, err := time.Parse("2006-01-02T15:04:05", e.Timestamp)
	if err != nil {
		t.Fatalf("timestamp %q: %v", e.Timestamp, err)
	}
	return ts
}

func readEvents(t *testing.T, path string) []seedEvent {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []seedEvent
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e seedEvent
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// TestMiniProjectTotalsMatchAnIndependentComputation checks the seed's
// mini-project (05) against per-window totals computed here in plain Go.
func TestMiniProjectTotalsMatchAnIndependentComputation(t *testing.T) {
	data, _ := filepath.Abs("../../sql-examples/data/transactions.jsonl")
	x, _ := runExample(t, "../../sql-examples/05_mini_project.sql")
	type agg struct {
		n   int64
		sum float64
	}
	want := map[string]*agg{}
	for _, e := range readEvents(t, data) {
		ts := e.time(t)
		k := ts.Truncate(5*time.Minute).UTC().Format("2006-01-02 15:04:05.000") + " " + e.CustomerID
		if want[k] == nil {
			want[k] = &agg{}
		}
		want[k].n++
		want[k].sum += e.Amount
	}
	res := x.exec("SELECT window_start, customer_id, transaction_count, total_amount FROM customer_stats")
	r := res[0]
	defer r.Release()
	got := 0
	for _, rec := range r.Records {
		for i := 0; i < int(rec.NumRows()); i++ {
			ws := rec.Column(0).ValueStr(i)
			tsv, _ := time.Parse(time.RFC3339Nano, ws)
			if tsv.IsZero() {
				tsv, _ = time.Parse("2006-01-02 15:04:05.999999999Z", ws)
			}
			k := tsv.UTC().Format("2006-01-02 15:04:05.000") + " " + rec.Column(1).ValueStr(i)
			w := want[k]
			if w == nil {
				t.Fatalf("unexpected window %s", k)
			}
			n := rec.Column(2).(interface{ Value(int) int64 }).Value(i)
			s := rec.Column(3).(interface{ Value(int) float64 }).Value(i)
			if n != w.n || math.Abs(s-w.sum) > 1e-6 {
				t.Errorf("%s: count %d sum %.2f, want %d %.2f", k, n, s, w.n, w.sum)
			}
			got++
		}
	}
	if got != len(want) {
		t.Fatalf("%d windows, want %d", got, len(want))
	}
}

// TestErrorCountsMatchAnIndependentComputation checks exercise 4 (02).
func TestErrorCountsMatchAnIndependentComputation(t *testing.T) {
	data, _ := filepath.Abs("../../sql-examples/data/events.jsonl")
	x, _ := runExample(t, "../../sql-examples/02_error_counts_per_window.sql")
	want := map[string]int64{}
	for _, e := range readEvents(t, data) {
		if e.Level != "ERROR" && e.Level != "FATAL" {
			continue
		}
		ts := e.time(t)
		want["window_start="+ts.Truncate(5*time.Minute).UTC().Format("2006-01-02 15:04:05.000")]++
	}
	var wantLines []string
	for k, n := range want {
		wantLines = append(wantLines, fmt.Sprintf("%s errors=%d", k, n))
	}
	expectLines(t, x.rows("SELECT window_start, errors FROM error_counts"), wantLines)
}
