package engine_test

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tide-sql/tide/parser"
)

// TestWindowJoinEqualsTheWindowsOfBothSides: two windowed aggregates joined
// on their window bounds and key (FULL OUTER) give, per window and key, the
// count of one side next to the sum of the other, NULL where a side had
// no row in that window.
func TestWindowJoinEqualsTheWindowsOfBothSides(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	la, tsa, ka, _ := unionEvents(rng, 500, base)
	lb, tsb, kb, vb := unionEvents(rng, 300, base.Add(2*time.Minute))
	type win struct {
		start time.Time
		k     string
	}
	counts, sums := map[win]int{}, map[win]int{}
	for i := range tsa {
		counts[win{tsa[i].Truncate(time.Minute), ka[i]}]++
	}
	for i := range tsb {
		sums[win{tsb[i].Truncate(time.Minute), kb[i]}] += vb[i]
	}
	f := func(t time.Time) string { return t.Format("2006-01-02 15:04:05.000") }
	var want []string
	for w, n := range counts {
		s := "NULL"
		if v, ok := sums[w]; ok {
			s = fmt.Sprint(v)
		}
		want = append(want, fmt.Sprintf("ws=%s k=%s n=%d s=%s", f(w.start), w.k, n, s))
	}
	for w, v := range sums {
		if _, ok := counts[w]; !ok {
			want = append(want, fmt.Sprintf("ws=%s k=%s n=NULL s=%d", f(w.start), w.k, v))
		}
	}
	sort.Strings(want)
	const query = `CREATE TABLE wj (ws TIMESTAMP(3), k VARCHAR, n BIGINT, s BIGINT);
INSERT INTO wj
SELECT COALESCE(c.window_start, t.window_start), COALESCE(c.k, t.k), c.n, t.s
FROM (SELECT window_start, window_end, k, COUNT(*) AS n FROM a GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), k) c
FULL JOIN (SELECT window_start, window_end, k, SUM(v) AS s FROM b GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), k) t
  ON c.k = t.k AND c.window_start = t.window_start AND c.window_end = t.window_end;`
	for _, maxBatch := range []int{11, 100000} {
		t.Run(fmt.Sprintf("max_batch=%d", maxBatch), func(t *testing.T) {
			x := newEnv(t)
			x.produce("a", la...)
			x.produce("b", lb...)
			x.exec(fmt.Sprintf(unionSources, maxBatch) + query)
			x.wait()
			expectLines(t, x.rows("SELECT * FROM wj"), want)
		})
	}
}

// TestJoinWithStateTTL: without a time bound, SET 'state.ttl' lets the
// join run; rows match when their event times are within the TTL of each
// other, as a nested loop with that bound finds.
func TestJoinWithStateTTL(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	clicks, cl := joinEvents(rng, "c", 200, base)
	imps, il := joinEvents(rng, "i", 200, base)
	x := newEnv(t)
	x.produce("clicks", cl...)
	x.produce("impressions", il...)
	if _, err := x.tryExec(fmt.Sprintf(joinSources, 50) + `INSERT INTO joined SELECT c.id, i.id, c.ad_id, c.ts, i.ts FROM clicks c JOIN impressions i ON c.ad_id = i.ad_id;`); err == nil || !strings.Contains(parser.Render(err, ""), "state.ttl") {
		t.Fatalf("a join without a bound: %v, want an error that names state.ttl", err)
	}
	x.exec(`SET 'table.exec.state.ttl' = '15 s';
INSERT INTO joined SELECT c.id, i.id, c.ad_id, c.ts, i.ts FROM clicks c JOIN impressions i ON c.ad_id = i.ad_id;`)
	x.wait()
	var want []string
	f := func(t time.Time) string { return t.Format("2006-01-02 15:04:05.000") }
	for _, c := range clicks {
		for _, i := range imps {
			if d := c.at.Sub(i.at); c.ad == i.ad && d >= -15*time.Second && d <= 15*time.Second {
				want = append(want, fmt.Sprintf("click=%s impression=%s ad=%s click_time=%s impression_time=%s", c.id, i.id, c.ad, f(c.at), f(i.at)))
			}
		}
	}
	sort.Strings(want)
	expectLines(t, x.rows("SELECT * FROM joined"), want)
	res := x.exec("EXPLAIN SELECT c.id FROM clicks c JOIN impressions i ON c.ad_id = i.ad_id")
	if plan := res[len(res)-1].Text; !strings.Contains(plan, "state.ttl=15s") {
		t.Fatalf("EXPLAIN does not say that rows expire:\n%s", plan)
	}
}

// TestJoinDropsLateRowsOfEitherSide: a row behind its side's watermark is
// dropped and counted, as for windows; the rows on time join as before.
func TestJoinDropsLateRowsOfEitherSide(t *testing.T) {
	x := newEnv(t)
	// One partition each: the watermark of a topic is the least of its
	// partitions', and an empty partition would hold it back.
	for _, topic := range []string{"clicks", "impressions"} {
		if err := x.broker.CreateTopic(topic, 1); err != nil {
			t.Fatal(err)
		}
	}
	ts := func(s string) string { return "2024-01-01T00:" + s + "Z" }
	x.produceTo("impressions", 0,
		fmt.Sprintf(`{"id": "i1", "ad_id": "a", "ts": "%s"}`, ts("10:00")),
		fmt.Sprintf(`{"id": "i2", "ad_id": "a", "ts": "%s"}`, ts("20:00")))
	x.exec(strings.ReplaceAll(fmt.Sprintf(joinSources, 100), "stop = 'latest', ", "") + fmt.Sprintf(joinQuery, "LEFT JOIN"))
	x.produceTo("clicks", 0, fmt.Sprintf(`{"id": "c1", "ad_id": "a", "ts": "%s"}`, ts("20:05")))
	x.waitInput("joined", 3)
	// The clicks' watermark is now 00:19:05; a click at 00:10:05 is late.
	x.produceTo("clicks", 0, fmt.Sprintf(`{"id": "c2", "ad_id": "a", "ts": "%s"}`, ts("10:05")),
		fmt.Sprintf(`{"id": "c3", "ad_id": "a", "ts": "%s"}`, ts("20:10")))
	x.waitInput("joined", 5)
	waitFor(t, func() bool { return len(x.rows("SELECT * FROM joined")) >= 2 })
	if q := x.progress("joined"); q.LateRowsDropped != 1 {
		t.Fatalf("%d late rows, want 1 (c2)", q.LateRowsDropped)
	}
	expectLines(t, x.rows("SELECT * FROM joined"), []string{
		"click=c1 impression=i2 ad=a click_time=2024-01-01 00:20:05.000 impression_time=2024-01-01 00:20:00.000",
		"click=c3 impression=i2 ad=a click_time=2024-01-01 00:20:10.000 impression_time=2024-01-01 00:20:00.000",
	})
}

// TestIntervalJoinStateStaysFlat: two million rows through an interval
// join keep its state to the rows within the bound and the watermark delay
// of the other side's watermark, not the rows read.
func TestIntervalJoinStateStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("two million rows")
	}
	x := newEnv(t)
	src := func(name string, seed int) string {
		return fmt.Sprintf(`CREATE SOURCE %s (k BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL 1 SECOND)
  WITH (connector = 'datagen', rows = '1000000', rows_per_second = '0', seed = '%d', max_batch = '2000',
        'fields.k.kind' = 'random', 'fields.k.start' = '1', 'fields.k.end' = '1000',
        'fields.ts.start' = '2024-01-01T00:00:00Z', 'fields.ts.step' = '1ms', 'fields.ts.max_disorder' = '500ms');
`, name, seed)
	}
	x.exec(src("l", 1) + src("r", 2) + `CREATE TABLE pairs (n BIGINT) WITH (connector = 'console');
CREATE TABLE matched (k BIGINT, lt TIMESTAMP(3), rt TIMESTAMP(3)) WITH (connector = 'parquet', path = '` + t.TempDir() + `');
INSERT INTO matched SELECT l.k, l.ts, r.ts FROM l JOIN r ON l.k = r.k AND l.ts BETWEEN r.ts AND r.ts + INTERVAL 100 MILLISECOND;`)
	var mu sync.Mutex
	var most, samples int64
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			p := x.progress("matched")
			mu.Lock()
			if p.TotalInputRows > 0 {
				samples++
				most = max(most, p.StateRows)
			}
			mu.Unlock()
		}
	}()
	x.wait()
	close(done)
	p := x.progress("matched")
	mu.Lock()
	defer mu.Unlock()
	if p.TotalInputRows != 2000000 {
		t.Fatalf("%d rows read, want 2000000", p.TotalInputRows)
	}
	// Rows leave at barriers: a side keeps about (bound + watermark delay
	// + disorder) of rows at one per ms, plus the rows of the epochs since
	// its last barrier, plus what it reads ahead of the other side (at
	// most ops.JoinDriftSlack, 10 s of rows): some ten thousands. Rows
	// that never leave would pile up to millions.
	if samples < 3 || most > 40000 || most == 0 {
		t.Fatalf("state rows peaked at %d over %d samples; want a few thousand at most", most, samples)
	}
	t.Logf("state rows peaked at %d over %d samples; %d output rows", most, samples, p.TotalOutputRows)
}

// TestHotKeysPerWindow is Nexmark q5's shape over a topic: counts per key
// and hopping window, the largest count per window (an aggregate grouped by
// the window bounds of the one below it, final once the watermark passes
// them), and the window join of the two that keeps the keys with that count.
func TestHotKeysPerWindow(t *testing.T) {
	rng := rand.New(rand.NewSource(33))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	la, tsa, ka, _ := unionEvents(rng, 900, base)
	type win struct {
		end time.Time
		k   string
	}
	counts := map[win]int{}
	for i := range tsa {
		// HOP(ts, 30 s slide, 1 minute size): each row is in two windows.
		first := tsa[i].Truncate(30 * time.Second)
		for _, end := range []time.Time{first.Add(30 * time.Second), first.Add(time.Minute)} {
			counts[win{end, ka[i]}]++
		}
	}
	top := map[time.Time]int{}
	for w, n := range counts {
		top[w.end] = max(top[w.end], n)
	}
	var want []string
	for w, n := range counts {
		if n == top[w.end] {
			want = append(want, fmt.Sprintf("k=%s n=%d window_end=%s", w.k, n, w.end.Format("2006-01-02 15:04:05.000")))
		}
	}
	sort.Strings(want)
	const query = `CREATE TABLE hot (k VARCHAR, n BIGINT, window_end TIMESTAMP(3));
INSERT INTO hot
SELECT c.k, c.n, c.endtime
FROM (SELECT k, COUNT(*) AS n, window_start AS starttime, window_end AS endtime
      FROM a GROUP BY HOP(ts, INTERVAL 30 SECOND, INTERVAL 1 MINUTE), k) c
JOIN (SELECT MAX(n) AS maxn, starttime, endtime
      FROM (SELECT k, COUNT(*) AS n, window_start AS starttime, window_end AS endtime
            FROM a GROUP BY HOP(ts, INTERVAL 30 SECOND, INTERVAL 1 MINUTE), k) cc
      GROUP BY starttime, endtime) m
  ON c.starttime = m.starttime AND c.endtime = m.endtime AND c.n >= m.maxn;`
	for _, maxBatch := range []int{17, 100000} {
		t.Run(fmt.Sprintf("max_batch=%d", maxBatch), func(t *testing.T) {
			x := newEnv(t)
			x.produce("a", la...)
			x.exec(fmt.Sprintf(unionSources, maxBatch) + query)
			x.wait()
			expectLines(t, x.rows("SELECT * FROM hot"), want)
		})
	}
}

// TestWindowOverAnIntervalJoin: the join's output keeps the left side's
// event time with its watermark, so a tumbling window over it closes and
// counts each minute's matched pairs, as the nested loop finds them.
func TestWindowOverAnIntervalJoin(t *testing.T) {
	rng := rand.New(rand.NewSource(41))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	clicks, cl := joinEvents(rng, "c", 300, base.Add(10*time.Second))
	imps, il := joinEvents(rng, "i", 400, base)
	counts := map[string]int{}
	for _, c := range clicks {
		for _, i := range imps {
			if c.ad == i.ad && !c.at.Before(i.at) && !c.at.After(i.at.Add(20*time.Second)) {
				counts[c.at.Truncate(time.Minute).Format("2006-01-02 15:04:05.000")+" ad="+c.ad]++
			}
		}
	}
	var want []string
	for k, n := range counts {
		want = append(want, fmt.Sprintf("ws=%s n=%d", k, n))
	}
	sort.Strings(want)
	x := newEnv(t)
	x.produce("clicks", cl...)
	x.produce("impressions", il...)
	x.exec(fmt.Sprintf(joinSources, 31) + `CREATE TABLE per_minute (ws TIMESTAMP(3), ad VARCHAR, n BIGINT);
INSERT INTO per_minute
SELECT window_start, ad_id, COUNT(*) FROM (
  SELECT c.ad_id, c.ts FROM clicks c JOIN impressions i
    ON c.ad_id = i.ad_id AND c.ts BETWEEN i.ts AND i.ts + INTERVAL 20 SECOND) j
GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), ad_id;`)
	x.wait()
	expectLines(t, x.rows("SELECT * FROM per_minute"), want)
}
