package engine_test

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestResultsDoNotDependOnParallelism runs a windowed aggregate and a
// running aggregate (an upserting table) at 1, 2 and 4 tasks and two batch
// sizes, and compares both with results computed here.
func TestResultsDoNotDependOnParallelism(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	lines, ts, keys, vals := unionEvents(rng, 3000, base)
	wantWindows := tumbleReference(ts, keys, vals)
	running := map[string][2]int{}
	for i := range keys {
		r := running[keys[i]]
		running[keys[i]] = [2]int{r[0] + 1, r[1] + vals[i]}
	}
	var wantRunning []string
	for k, r := range running {
		wantRunning = append(wantRunning, fmt.Sprintf("k=%s n=%d s=%d", k, r[0], r[1]))
	}
	sort.Strings(wantRunning)
	for _, tasks := range []int{1, 2, 4} {
		for _, maxBatch := range []int{13, 100000} {
			t.Run(fmt.Sprintf("parallelism=%d/max_batch=%d", tasks, maxBatch), func(t *testing.T) {
				x := newEnv(t)
				if err := x.broker.CreateTopic("a", 3); err != nil {
					t.Fatal(err)
				}
				x.produce("a", lines...)
				x.exec(fmt.Sprintf(`SET parallelism = %d;
CREATE SOURCE a (k VARCHAR, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL 1 MINUTE)
  WITH (connector = 'kafka', topic = 'a', stop = 'latest', max_batch = '%d');
CREATE TABLE totals (window_start TIMESTAMP(3), window_end TIMESTAMP(3), k VARCHAR, n BIGINT, s BIGINT);
CREATE TABLE running (k VARCHAR, n BIGINT, s BIGINT, PRIMARY KEY (k));
INSERT INTO totals SELECT window_start, window_end, k, COUNT(*) AS n, SUM(v) AS s FROM a GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), k;
INSERT INTO running SELECT k, COUNT(*) AS n, SUM(v) AS s FROM a GROUP BY k;`, tasks, maxBatch))
				x.wait()
				for _, id := range []string{"totals", "running"} {
					if p := x.progress(id); p.TotalInputRows != 3000 || p.LateRowsDropped != 0 {
						t.Fatalf("%s read %d rows, %d late; want 3000 and none late", id, p.TotalInputRows, p.LateRowsDropped)
					}
				}
				expectLines(t, x.rows("SELECT * FROM totals"), wantWindows)
				expectLines(t, x.rows("SELECT * FROM running"), wantRunning)
			})
		}
	}
}

// TestParallelQueryResumesWithItsParallelism: a query checkpointed as 4
// tasks resumes as 4 tasks with no duplicate, and asking for another
// number of tasks is refused with what to do.
func TestParallelQueryResumesWithItsParallelism(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	lines, ts, keys, vals := unionEvents(rng, 1000, base)
	x := newEnv(t)
	if err := x.broker.CreateTopic("a", 4); err != nil {
		t.Fatal(err)
	}
	x.produce("a", lines[:500]...)
	lake := t.TempDir()
	script := func(stop string) string {
		return `CREATE OR REPLACE SOURCE a (k VARCHAR, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL 1 MINUTE)
  WITH (connector = 'kafka', topic = 'a', max_batch = '40'` + stop + `);
CREATE TABLE totals (window_start TIMESTAMP(3), window_end TIMESTAMP(3), k VARCHAR, n BIGINT, s BIGINT) WITH (connector = 'delta', path = '` + lake + `');
INSERT INTO totals SELECT window_start, window_end, k, COUNT(*) AS n, SUM(v) AS s FROM a GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), k;`
	}
	x.exec("SET parallelism = 4;\n" + script(""))
	x.waitInput("totals", 500)
	x.e.Close()

	x.produce("a", lines[500:]...)
	x.open()
	_, err := x.tryExec("SET parallelism = 2;\n" + script(", stop = 'latest'"))
	if err == nil || !strings.Contains(err.Error(), "checkpointed running as 4 tasks and would now run as 2") {
		t.Fatalf("resuming 4 tasks as 2: %v", err)
	}
	x.e.Close()
	x.open() // no SET: the query keeps the 4 tasks it was checkpointed with
	x.exec(script(", stop = 'latest'"))
	x.wait()
	expectLines(t, x.rows("SELECT * FROM totals"), tumbleReference(ts, keys, vals))
}

// TestATaskWithoutPartitionsHoldsNoWindowOpen: with more tasks than the
// topic has partitions, the tasks that read nothing are idle from the start,
// so a continuous query's windows close as its one partition's watermark
// passes them.
func TestATaskWithoutPartitionsHoldsNoWindowOpen(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("one", 1); err != nil {
		t.Fatal(err)
	}
	x.exec(`SET parallelism = 3;
CREATE SOURCE one (k VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (connector = 'kafka', topic = 'one');
CREATE TABLE per_minute (window_start TIMESTAMP(3), k VARCHAR, n BIGINT);
INSERT INTO per_minute SELECT window_start, k, COUNT(*) AS n FROM one GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), k;`)
	x.produceTo("one", 0, `{"k": "a", "ts": "2024-01-01T00:00:10Z"}`, `{"k": "b", "ts": "2024-01-01T00:00:20Z"}`,
		`{"k": "a", "ts": "2024-01-01T00:00:30Z"}`, `{"k": "a", "ts": "2024-01-01T00:02:00Z"}`)
	x.waitRows("per_minute", 2)
	expectLines(t, x.rows("SELECT * FROM per_minute"), []string{
		"window_start=2024-01-01 00:00:00.000 k=a n=2", "window_start=2024-01-01 00:00:00.000 k=b n=1"})
}
