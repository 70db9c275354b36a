package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/parser"
)

// matchSQL is a windowed count and sum over tx with a filter constant and
// a window size to change between runs.
const matchSQL = `
CREATE SOURCE IF NOT EXISTS tx (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 5 SECOND)
WITH (connector = 'kafka', topic = 'tx', max_batch = '20', idle_timeout = '1s');
CREATE TABLE IF NOT EXISTS stats (window_start TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total DOUBLE,
  PRIMARY KEY (window_start, customer_id)) WITH (connector = 'delta', path = '%s');
INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM tx
WHERE amount >= %d
GROUP BY TUMBLE(ts, INTERVAL %d SECOND), customer_id;`

// expectedStats computes, from the rows txLines makes, the table matchSQL
// ends with when row i passed the filter keep(i), with 10-second windows.
func expectedStats(total int, keep func(i int) bool) []string {
	type key struct {
		window   int
		customer string
	}
	type agg struct {
		n   int64
		sum float64
	}
	groups := map[key]*agg{}
	for i := 0; i < total; i++ {
		if !keep(i) {
			continue
		}
		// txLines: customer C(i%3), amount i%17, ts = base + i*250ms.
		k := key{window: i * 250 / 10000, customer: fmt.Sprintf("C%d", i%3)}
		if groups[k] == nil {
			groups[k] = &agg{}
		}
		groups[k].n++
		groups[k].sum += float64(i % 17)
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []string
	for k, a := range groups {
		ws := base.Add(time.Duration(k.window) * 10 * time.Second)
		out = append(out, fmt.Sprintf("window_start=%s customer_id=%s n=%d total=%s",
			ws.Format("2006-01-02 15:04:05.000"), k.customer, a.n, strconv.FormatFloat(a.sum, 'g', 10, 64)))
	}
	sort.Strings(out)
	return out
}

// matchEnv is a topic of 1000 rows, of which the first 400 are there for
// a first run; the second run reads the rest.
type matchEnv struct {
	*env
	out string
}

func newMatchEnv(t *testing.T) *matchEnv {
	x := newEnv(t)
	if err := x.broker.CreateTopic("tx", 1); err != nil {
		t.Fatal(err)
	}
	x.produce("tx", txLines(0, 400)...)
	return &matchEnv{env: x, out: filepath.Join(x.dir, "out")}
}

// firstRun processes the 400 rows there are with run_once (a clean stop
// that keeps windows open in the checkpoint), then restarts the engine and
// produces the other 600 rows.
func (x *matchEnv) firstRun(minAmount, windowSeconds int) {
	x.t.Helper()
	x.exec("SET run_once = 'true';" + fmt.Sprintf(matchSQL, x.out, minAmount, windowSeconds))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := x.e.Wait(ctx); err != nil {
		x.t.Fatal(err)
	}
	if n := x.progress("stats").TotalInputRows; n != 400 {
		x.t.Fatalf("first run read %d rows, want 400", n)
	}
	x.e.Close()
	x.open()
	x.produce("tx", txLines(400, 1000)...)
}

// secondRun reads to the end in batch mode (closing every window) and
// returns the rows it read.
func (x *matchEnv) secondRun(minAmount, windowSeconds int) int64 {
	x.t.Helper()
	x.exec("SET 'execution.runtime-mode' = 'batch';" + fmt.Sprintf(matchSQL, x.out, minAmount, windowSeconds))
	x.wait()
	return x.progress("stats").TotalInputRows
}

func (x *matchEnv) checkpointDir() string { return filepath.Join(x.dir, "state", "queries", "stats") }

func TestRestartWithTheSameQueryResumesWithoutDuplicates(t *testing.T) {
	x := newMatchEnv(t)
	x.firstRun(0, 10)
	if n := x.secondRun(0, 10); n != 600 {
		t.Fatalf("the resumed query read %d rows, want the 600 new ones", n)
	}
	expectLines(t, deltaRows(t, x.out), expectedStats(1000, func(int) bool { return true }))
}

// A different WHERE constant does not touch the state: the query resumes,
// the rows before the restart filtered the old way, the rows after it the
// new way, in the same windows.
func TestRestartWithAChangedFilterConstantResumes(t *testing.T) {
	x := newMatchEnv(t)
	x.firstRun(0, 10)
	if n := x.secondRun(5, 10); n != 600 {
		t.Fatalf("the resumed query read %d rows, want the 600 new ones", n)
	}
	expectLines(t, deltaRows(t, x.out), expectedStats(1000, func(i int) bool { return i < 400 || i%17 >= 5 }))
}

// A different window size cannot use the checkpoint: the INSERT fails,
// naming both sizes and the checkpoint, and loses nothing: the query as it
// was still resumes.
func TestRestartWithAChangedWindowSizeFailsNamingBothSides(t *testing.T) {
	x := newMatchEnv(t)
	x.firstRun(0, 10)
	_, err := x.tryExec(fmt.Sprintf(matchSQL, x.out, 0, 5))
	if err == nil {
		t.Fatal("the query with another window size started from the old checkpoint")
	}
	want := "checkpoint of query stats was written for TUMBLE(ts, INTERVAL 10 SECOND), the query now has TUMBLE(ts, INTERVAL 5 SECOND)"
	// A positioned SQL error (a 400 over HTTP) whose hint names the
	// checkpoint inside the state directory, not the server's own path.
	var pe *parser.Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, want) || !strings.Contains(pe.Hint, "queries/stats in the state directory") ||
		strings.Contains(err.Error()+pe.Hint, x.checkpointDir()) {
		t.Fatalf("error %q (hint %q)\nwant a SQL error that says %q and names queries/stats in the state directory", err, hintOf(err), want)
	}
	if q, ok := x.e.Query("stats"); ok {
		t.Fatalf("the refused query is listed: %+v", q)
	}
	if n := x.secondRun(0, 10); n != 600 {
		t.Fatalf("the restored query read %d rows, want the 600 new ones", n)
	}
	expectLines(t, deltaRows(t, x.out), expectedStats(1000, func(int) bool { return true }))
}

// A checkpoint in format 1 (one source's offsets, a hash of EXPLAIN) still
// loads: the first run's files are rewritten the way tide 1 wrote them.
func TestVersion1CheckpointLoadsAndResumes(t *testing.T) {
	x := newMatchEnv(t)
	x.exec("SET parallelism = 1;") // version 1 was written by one task
	x.firstRun(0, 10)
	dir := x.checkpointDir()
	var v2 struct {
		Version   int                         `json:"version"`
		QueryID   string                      `json:"query_id"`
		Epoch     int64                       `json:"epoch"`
		Sources   map[string]map[string]int64 `json:"sources"`
		Snapshots [][]byte                    `json:"snapshots"`
	}
	readJSONFile(t, filepath.Join(dir, "checkpoint.json"), &v2)
	if v2.Version != 2 || len(v2.Sources) != 1 || v2.Sources["tx"] == nil || len(v2.Snapshots) != 2 {
		t.Fatalf("checkpoint written: %+v", v2)
	}
	res := x.exec(fmt.Sprintf(strings.Replace(matchSQL, "INSERT", "EXPLAIN INSERT", 1), x.out, 0, 10))
	h := fnv.New64a()
	h.Write([]byte(res[len(res)-1].Text))
	v1 := map[string]any{"version": 1, "query_id": v2.QueryID, "plan": fmt.Sprintf("%016x", h.Sum64()),
		"epoch": v2.Epoch, "offsets": v2.Sources["tx"], "states": v2.Snapshots}
	writeJSONFile(t, filepath.Join(dir, "checkpoint.json"), v1)
	// Version 1's offset log had no version field; this one is of the
	// committed epoch, so it is not replayed.
	writeJSONFile(t, filepath.Join(dir, "offsets.json"), map[string]any{"epoch": v2.Epoch, "end": v2.Sources["tx"], "watermark": 0})

	if n := x.secondRun(0, 10); n != 600 {
		t.Fatalf("the query resumed from a version 1 checkpoint read %d rows, want the 600 new ones", n)
	}
	expectLines(t, deltaRows(t, x.out), expectedStats(1000, func(int) bool { return true }))
	var after struct {
		Version int `json:"version"`
	}
	readJSONFile(t, filepath.Join(dir, "checkpoint.json"), &after)
	if after.Version != 2 {
		t.Fatalf("the resumed query wrote a version %d checkpoint, want 2", after.Version)
	}
}

// A version 1 checkpoint of another plan is refused: it cannot say what
// changed, but it must not be loaded into operators that cannot read it.
func TestVersion1CheckpointOfAnotherPlanIsRefused(t *testing.T) {
	x := newMatchEnv(t)
	x.firstRun(0, 10)
	path := filepath.Join(x.checkpointDir(), "checkpoint.json")
	var v2 struct {
		Epoch     int64                       `json:"epoch"`
		Sources   map[string]map[string]int64 `json:"sources"`
		Snapshots [][]byte                    `json:"snapshots"`
	}
	readJSONFile(t, path, &v2)
	writeJSONFile(t, path, map[string]any{"version": 1, "query_id": "stats", "plan": "0123456789abcdef",
		"epoch": v2.Epoch, "offsets": v2.Sources["tx"], "states": v2.Snapshots})
	_, err := x.tryExec(fmt.Sprintf(matchSQL, x.out, 0, 10))
	if err == nil || !strings.Contains(err.Error(), "checkpoint of query stats (format 1") || !strings.Contains(err.Error(), x.checkpointDir()) {
		t.Fatalf("error %v, want a refused format 1 checkpoint naming its directory", err)
	}
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func writeJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func hintOf(err error) string {
	var pe *parser.Error
	if errors.As(err, &pe) {
		return pe.Hint
	}
	return ""
}
