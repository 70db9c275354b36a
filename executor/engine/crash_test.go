package engine_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/connectors/delta"
	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/parser"
)

// crashPipelines are the queries the crash test kills and restarts: a
// windowed aggregate merged into a Delta table by primary key (as many
// tasks as cores, and 4 tasks), a plain filter appended to a Delta table
// (duplicates would show there) and to a Kafka topic, a union of two
// topics, and a left interval join of two topics appended to a Delta table
// (an unmatched row emitted twice, or never, would show), as one task and
// as two, and a Delta mirror of a Debezium changelog.
var crashPipelines = map[string]string{
	"merge": `
CREATE SOURCE tx (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 30 SECOND)
WITH (connector = 'kafka', topic = 'tx', stop = 'latest', max_batch = '37');
CREATE TABLE stats (window_start TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total DOUBLE,
  PRIMARY KEY (window_start, customer_id)) WITH (connector = 'delta', path = '%s');
INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM tx
GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), customer_id;`,
	"parallel4": `
SET parallelism = 4;
CREATE SOURCE tx (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 30 SECOND)
WITH (connector = 'kafka', topic = 'tx', stop = 'latest', max_batch = '11');
CREATE TABLE stats (window_start TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total DOUBLE,
  PRIMARY KEY (window_start, customer_id)) WITH (connector = 'delta', path = '%s');
INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM tx
GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), customer_id;`,
	"union": `
CREATE SOURCE tx (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 30 SECOND)
WITH (connector = 'kafka', topic = 'tx', stop = 'latest', max_batch = '37');
CREATE SOURCE tx2 (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 30 SECOND)
WITH (connector = 'kafka', topic = 'tx2', stop = 'latest', max_batch = '23');
CREATE TABLE stats (window_start TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total DOUBLE,
  PRIMARY KEY (window_start, customer_id)) WITH (connector = 'delta', path = '%s');
INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount)
FROM (SELECT customer_id, amount, ts FROM tx UNION ALL SELECT customer_id, amount, ts FROM tx2) u
GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), customer_id;`,
	"join": `
CREATE SOURCE tx (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 30 SECOND)
WITH (connector = 'kafka', topic = 'tx', stop = 'latest', max_batch = '37');
CREATE SOURCE tx2 (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 30 SECOND)
WITH (connector = 'kafka', topic = 'tx2', stop = 'latest', max_batch = '23');
CREATE TABLE pairs (customer_id VARCHAR, a DOUBLE, b DOUBLE, ta TIMESTAMP(3), tb TIMESTAMP(3))
  WITH (connector = 'delta', path = '%s');
INSERT INTO pairs SELECT x.customer_id, x.amount, y.amount, x.ts, y.ts
FROM tx x LEFT JOIN tx2 y ON x.customer_id = y.customer_id AND x.ts BETWEEN y.ts - INTERVAL 300 MILLISECOND AND y.ts + INTERVAL 200 MILLISECOND;`,
	"join_parallel2": `
SET parallelism = 2;
CREATE SOURCE tx (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 30 SECOND)
WITH (connector = 'kafka', topic = 'tx', stop = 'latest', max_batch = '37');
CREATE SOURCE tx2 (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 30 SECOND)
WITH (connector = 'kafka', topic = 'tx2', stop = 'latest', max_batch = '23');
CREATE TABLE pairs (customer_id VARCHAR, a DOUBLE, b DOUBLE, ta TIMESTAMP(3), tb TIMESTAMP(3))
  WITH (connector = 'delta', path = '%s');
INSERT INTO pairs SELECT x.customer_id, x.amount, y.amount, x.ts, y.ts
FROM tx x LEFT JOIN tx2 y ON x.customer_id = y.customer_id AND x.ts BETWEEN y.ts - INTERVAL 300 MILLISECOND AND y.ts + INTERVAL 200 MILLISECOND;`,
	"changelog": `
CREATE SOURCE cdc (id BIGINT, name VARCHAR, country VARCHAR, credit BIGINT, PRIMARY KEY (id))
WITH (connector = 'kafka', topic = 'cdc', format = 'debezium-json', stop = 'latest', max_batch = '13');
CREATE TABLE mirror (id BIGINT, name VARCHAR, country VARCHAR, credit BIGINT, PRIMARY KEY (id))
  WITH (connector = 'delta', path = '%s');
INSERT INTO mirror SELECT id, name, country, credit FROM cdc;`,
	"kafka": `
CREATE SOURCE tx (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3))
WITH (connector = 'kafka', topic = 'tx', stop = 'latest', max_batch = '37');
CREATE TABLE big (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3)) WITH (connector = 'kafka', topic = '%s');
INSERT INTO big SELECT customer_id, amount, ts FROM tx WHERE amount >= 50;`,
	"append": `
CREATE SOURCE tx (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3))
WITH (connector = 'kafka', topic = 'tx', stop = 'latest', max_batch = '37');
CREATE TABLE big (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3)) WITH (connector = 'delta', path = '%s');
INSERT INTO big SELECT customer_id, amount, ts FROM tx WHERE amount >= 50;`,
}

// TestCrashChild is the process the crash test kills; it does nothing in a
// normal test run.
func TestCrashChild(t *testing.T) {
	if os.Getenv("TIDE_CRASH_STATE") == "" {
		t.Skip("run by TestKilledQueryResumesExactlyOnce")
	}
	e, err := engine.Open(context.Background(), engine.Config{StateDir: os.Getenv("TIDE_CRASH_STATE"), Brokers: os.Getenv("TIDE_CRASH_BROKERS")})
	if err != nil {
		t.Fatal(err)
	}
	sql := fmt.Sprintf(crashPipelines[os.Getenv("TIDE_CRASH_PIPELINE")], os.Getenv("TIDE_CRASH_OUT"))
	// The catalog persists; re-running identical CREATEs is a no-op.
	if err := e.Execute(context.Background(), sql, nil); err != nil {
		t.Fatal(parser.Render(err, sql))
	}
	if err := e.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.Close()
}

// TestKilledQueryResumesExactlyOnce kills a running query with SIGKILL at
// random moments (mid-batch, between the sink commit and the checkpoint,
// inside a Delta commit), restarts it each time, and checks that the final
// table equals the one an uninterrupted run writes: no lost row, no
// duplicate, correct merged values.
func TestKilledQueryResumesExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	x := newEnv(t)
	if err := x.broker.CreateTopic("tx", 3); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(42))
	var lines []string
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 12000; i++ {
		ts := base.Add(time.Duration(i)*25*time.Millisecond - time.Duration(rng.Intn(20000))*time.Millisecond)
		lines = append(lines, fmt.Sprintf(`{"customer_id": "C%d", "amount": %d.5, "ts": "%s"}`, rng.Intn(7), rng.Intn(100), ts.Format(time.RFC3339Nano)))
	}
	x.produce("tx", lines...)
	x.produce("tx2", lines[:5000]...) // a second topic for the union, shorter than the first
	changes, _ := randomChanges(rng, 3000)
	x.produceChanges("cdc", changes) // Debezium events for the changelog mirror
	for _, name := range []string{"merge", "append", "kafka", "union", "parallel4", "join", "join_parallel2", "changelog"} {
		t.Run(name, func(t *testing.T) {
			// The reference: one uninterrupted run.
			refOut := filepath.Join(t.TempDir(), "ref")
			read := func(out string) []string { return deltaRows(t, out) }
			if name == "kafka" {
				// The output is a topic, read back with a read_committed
				// consumer: rows of aborted transactions must not show.
				refOut = "ref_out"
				read = func(topic string) []string { return valuesOnly(topicRows(t, x, topic)) }
			}
			refState := filepath.Join(t.TempDir(), "state")
			runChild(t, exe, x, name, refState, refOut, 0)
			// The crash run: SIGKILL at random moments until it finishes.
			out := filepath.Join(t.TempDir(), "out")
			if name == "kafka" {
				out = "crash_out"
			}
			state := filepath.Join(t.TempDir(), "state")
			kills := 0
			for attempt := 0; ; attempt++ {
				if attempt > 60 {
					t.Fatal("the query never finished")
				}
				// Kills come at random moments; later attempts wait longer so
				// that a slow machine still finishes.
				delay := time.Duration(100+rng.Intn(500)+40*attempt) * time.Millisecond
				if runChild(t, exe, x, name, state, out, delay) {
					break
				}
				kills++
			}
			if kills == 0 {
				t.Fatal("the query was never killed: the test proves nothing")
			}
			want, got := read(refOut), read(out)
			if len(want) == 0 {
				t.Fatal("the reference table is empty")
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("after %d kills the table differs from an uninterrupted run (%d rows vs %d)", kills, len(got), len(want))
			}
			t.Logf("%d kills, %d rows, identical to the uninterrupted run", kills, len(got))
		})
	}
}

// runChild runs the pipeline in a child process; with killAfter > 0 it is
// SIGKILLed after that long. It reports whether the child finished.
func runChild(t *testing.T, exe string, x *env, pipeline, state, out string, killAfter time.Duration) bool {
	t.Helper()
	cmd := exec.Command(exe, "-test.run", "^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TIDE_CRASH_STATE="+state, "TIDE_CRASH_BROKERS="+x.broker.Addr(),
		"TIDE_CRASH_PIPELINE="+pipeline, "TIDE_CRASH_OUT="+out)
	var buf strings.Builder
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if killAfter <= 0 {
		if err := <-done; err != nil {
			t.Fatalf("reference run failed: %v\n%s", err, buf.String())
		}
		return true
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("child failed: %v\n%s", err, buf.String())
		}
		return true
	case <-time.After(killAfter):
		cmd.Process.Kill()
		<-done
		return false
	}
}

// deltaRows reads a Delta table with the log reader (the active files
// computed from add and remove actions) and returns its rows sorted.
func deltaRows(t *testing.T, path string) []string {
	t.Helper()
	recs, _, _, err := delta.ReadTable(path, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	rows := recordLines(recs)
	for _, r := range recs {
		r.Release()
	}
	sort.Strings(rows)
	return rows
}

// valuesOnly drops the "key => " of topic rows (the rows have no key).
func valuesOnly(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r[strings.Index(r, "=> ")+3:]
	}
	sort.Strings(out)
	return out
}
