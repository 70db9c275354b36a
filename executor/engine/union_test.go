package engine_test

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"
)

// unionEvents makes n events of keys k0..k4 over ~n seconds from base, out
// of order by up to 40 s, as JSON lines.
func unionEvents(rng *rand.Rand, n int, base time.Time) (lines []string, ts []time.Time, keys []string, vals []int) {
	for i := 0; i < n; i++ {
		t := base.Add(time.Duration(i)*time.Second - time.Duration(rng.Intn(40000))*time.Millisecond)
		k, v := fmt.Sprintf("k%d", rng.Intn(5)), rng.Intn(1000)
		lines = append(lines, fmt.Sprintf(`{"k": "%s", "v": %d, "ts": "%s"}`, k, v, t.Format(time.RFC3339Nano)))
		ts, keys, vals = append(ts, t), append(keys, k), append(vals, v)
	}
	return
}

// tumbleReference counts and sums per (1-minute window, key), as the query
// does, printed as the sink rows print.
func tumbleReference(ts []time.Time, keys []string, vals []int) []string {
	type agg struct{ n, s int }
	groups := map[string]*agg{}
	for i := range ts {
		start := ts[i].Truncate(time.Minute)
		g := fmt.Sprintf("window_start=%s window_end=%s k=%s", start.Format("2006-01-02 15:04:05.000"), start.Add(time.Minute).Format("2006-01-02 15:04:05.000"), keys[i])
		if groups[g] == nil {
			groups[g] = &agg{}
		}
		groups[g].n++
		groups[g].s += vals[i]
	}
	var out []string
	for g, a := range groups {
		out = append(out, fmt.Sprintf("%s n=%d s=%d", g, a.n, a.s))
	}
	sort.Strings(out)
	return out
}

// waitRows waits until table holds at least n rows.
func (x *env) waitRows(table string, n int) {
	x.t.Helper()
	waitFor(x.t, func() bool { return len(x.rows("SELECT * FROM "+table)) >= n })
}

// waitInput waits until query id has read at least n rows.
func (x *env) waitInput(id string, n int64) {
	x.t.Helper()
	waitFor(x.t, func() bool { return x.progress(id).TotalInputRows >= n })
}

const unionSources = `CREATE SOURCE a (k VARCHAR, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL 1 MINUTE)
  WITH (connector = 'kafka', topic = 'a', stop = 'latest', max_batch = '%[1]d');
CREATE SOURCE b (k VARCHAR, v BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL 1 MINUTE)
  WITH (connector = 'kafka', topic = 'b', stop = 'latest', max_batch = '%[1]d');
CREATE TABLE totals (window_start TIMESTAMP(3), window_end TIMESTAMP(3), k VARCHAR, n BIGINT, s BIGINT);
`

const unionWindowQuery = `INSERT INTO totals
SELECT window_start, window_end, k, COUNT(*) AS n, SUM(v) AS s
FROM (SELECT k, v, ts FROM a UNION ALL SELECT k, v, ts FROM b) u
GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), k;`

// TestUnionOfTwoTopicsEqualsOneTopicHoldingBoth: windows over a UNION ALL
// of two topics equal the windows computed here over every event, for
// small and large micro-batches.
func TestUnionOfTwoTopicsEqualsOneTopicHoldingBoth(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	la, tsa, ka, va := unionEvents(rng, 1200, base)
	lb, tsb, kb, vb := unionEvents(rng, 800, base.Add(30*time.Second))
	want := tumbleReference(append(tsa, tsb...), append(ka, kb...), append(va, vb...))
	for _, maxBatch := range []int{13, 100000} {
		t.Run(fmt.Sprintf("max_batch=%d", maxBatch), func(t *testing.T) {
			x := newEnv(t)
			x.produce("a", la...)
			x.produce("b", lb...)
			x.exec(fmt.Sprintf(unionSources, maxBatch) + unionWindowQuery)
			x.wait()
			if q := x.progress("totals"); q.LateRowsDropped != 0 || q.TotalInputRows != 2000 {
				t.Fatalf("%d rows read, %d late; want 2000 and none late", q.TotalInputRows, q.LateRowsDropped)
			}
			expectLines(t, x.rows("SELECT * FROM totals"), want)
		})
	}
}

// TestUnionResumesWithoutDuplicates stops a union query half way, restarts
// the engine on the same state directory and checks that every event is
// counted exactly once.
func TestUnionResumesWithoutDuplicates(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	la, tsa, ka, va := unionEvents(rng, 600, base)
	lb, tsb, kb, vb := unionEvents(rng, 600, base)
	x := newEnv(t)
	x.produce("a", la[:300]...)
	x.produce("b", lb[:200]...)
	// A delta sink keeps its rows across the restart; an append sink would
	// show a duplicate at once.
	lake := t.TempDir()
	sources := strings.ReplaceAll(fmt.Sprintf(unionSources, 50), "stop = 'latest', ", "")
	sources = strings.Replace(sources, "CREATE TABLE totals (window_start TIMESTAMP(3), window_end TIMESTAMP(3), k VARCHAR, n BIGINT, s BIGINT);",
		"CREATE TABLE totals (window_start TIMESTAMP(3), window_end TIMESTAMP(3), k VARCHAR, n BIGINT, s BIGINT) WITH (connector = 'delta', path = '"+lake+"');", 1)
	x.exec(sources + unionWindowQuery)
	x.waitInput("totals", 500)
	x.e.Close()

	x.produce("a", la[300:]...)
	x.produce("b", lb[200:]...)
	x.open()
	// The restarted engine reads to the end this time, which closes every window.
	again := strings.ReplaceAll(sources, "max_batch = '50'", "max_batch = '50', stop = 'latest'")
	x.exec(strings.ReplaceAll(again, "CREATE SOURCE", "CREATE OR REPLACE SOURCE") + unionWindowQuery)
	x.wait()
	want := tumbleReference(append(tsa, tsb...), append(ka, kb...), append(va, vb...))
	expectLines(t, x.rows("SELECT * FROM totals"), want)
}

// TestUnionOfAStreamAndValues: VALUES rows go through the union once, also
// across a restart of the query.
func TestUnionOfAStreamAndValues(t *testing.T) {
	x := newEnv(t)
	x.produce("a", `{"k": "s1", "v": 1}`, `{"k": "s2", "v": 2}`)
	x.exec(`CREATE SOURCE a (k VARCHAR, v BIGINT) WITH (connector = 'kafka', topic = 'a');
CREATE TABLE totals (k VARCHAR, v BIGINT) WITH (connector = 'delta', path = '` + t.TempDir() + `');
INSERT INTO totals SELECT k, v FROM a UNION ALL VALUES ('fixed', 100), ('fixed', 200);`)
	x.waitRows("totals", 4)
	x.e.Close()
	x.produce("a", `{"k": "s3", "v": 3}`)
	x.open()
	x.exec(`INSERT INTO totals SELECT k, v FROM a UNION ALL VALUES ('fixed', 100), ('fixed', 200);`)
	x.waitRows("totals", 5)
	time.Sleep(300 * time.Millisecond) // a duplicate of the VALUES rows would land within an epoch or two
	expectLines(t, x.rows("SELECT * FROM totals"), []string{"k=fixed v=100", "k=fixed v=200", "k=s1 v=1", "k=s2 v=2", "k=s3 v=3"})
}

// TestInsertValuesLoadsATable: INSERT VALUES has written its rows before
// the next statement of the script runs.
func TestInsertValuesLoadsATable(t *testing.T) {
	x := newEnv(t)
	got := x.rows(`CREATE TABLE dim (id BIGINT, name VARCHAR, since TIMESTAMP(3), PRIMARY KEY (id));
INSERT INTO dim VALUES (1, 'one', '2024-01-01 08:00:00'), (2, 'two', NULL);
INSERT INTO dim (id, name) VALUES (2, 'deux');
SELECT * FROM dim;`)
	expectLines(t, got, []string{"id=1 name=one since=2024-01-01 08:00:00.000", "id=2 name=deux since=NULL"})
	got = x.rows("SELECT 1 + 1 AS two, 'x' AS s;")
	expectLines(t, got, []string{"two=2 s=x"})
}

// TestUnionWatermarkWaitsForTheSlowerInput: a window over two topics does
// not close while one of them is behind; once that input is idle for its
// idle_timeout it stops holding the window open.
func TestUnionWatermarkWaitsForTheSlowerInput(t *testing.T) {
	const idle = 6 * time.Second
	x := newEnv(t)
	x.exec(`CREATE SOURCE a (k VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (connector = 'kafka', topic = 'a', idle_timeout = '6s');
CREATE SOURCE b (k VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (connector = 'kafka', topic = 'b', idle_timeout = '6s');
CREATE TABLE totals (window_start TIMESTAMP(3), n BIGINT);
INSERT INTO totals SELECT window_start, COUNT(*) AS n FROM (SELECT k, ts FROM a UNION ALL SELECT k, ts FROM b) u
GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE);`)
	x.produceTo("a", 0, `{"k": "a", "ts": "2024-01-01T00:00:10Z"}`)
	x.produceTo("b", 0, `{"k": "b", "ts": "2024-01-01T00:00:20Z"}`)
	bLast := time.Now()
	x.waitInput("totals", 2)
	// a moves on to minute 5; b, behind at 00:00:20, holds minute 0 open...
	x.produceTo("a", 0, `{"k": "a", "ts": "2024-01-01T00:05:00Z"}`)
	x.waitInput("totals", 3)
	time.Sleep(500 * time.Millisecond) // an epoch or two: long enough for a wrongly closed window to land
	rows := x.rows("SELECT * FROM totals")
	if time.Since(bLast) < idle && len(rows) != 0 {
		t.Fatalf("minute 0 closed while b was behind and not idle: %v", rows)
	}
	// ...until b has been idle for its idle_timeout: then a's watermark leads.
	x.waitRows("totals", 1)
	expectLines(t, x.rows("SELECT * FROM totals"), []string{"window_start=2024-01-01 00:00:00.000 n=2"})
}
