package engine_test

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"
)

// joinEvent is one click or impression of the join tests.
type joinEvent struct {
	id  string
	ad  string
	at  time.Time
	val int
}

// joinEvents makes n events of ads ad0..ad7 over ~n seconds from base, out
// of order by up to 40 s, and their JSON lines.
func joinEvents(rng *rand.Rand, prefix string, n int, base time.Time) ([]joinEvent, []string) {
	var evs []joinEvent
	var lines []string
	for i := 0; i < n; i++ {
		e := joinEvent{id: fmt.Sprintf("%s%d", prefix, i), ad: fmt.Sprintf("ad%d", rng.Intn(8)),
			at: base.Add(time.Duration(i)*time.Second - time.Duration(rng.Intn(40000))*time.Millisecond).Truncate(time.Millisecond)}
		evs = append(evs, e)
		lines = append(lines, fmt.Sprintf(`{"id": "%s", "ad_id": "%s", "ts": "%s"}`, e.id, e.ad, e.at.Format(time.RFC3339Nano)))
	}
	return evs, lines
}

const joinSources = `CREATE SOURCE clicks (id VARCHAR, ad_id VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL 1 MINUTE)
  WITH (connector = 'kafka', topic = 'clicks', stop = 'latest', max_batch = '%[1]d');
CREATE SOURCE impressions (id VARCHAR, ad_id VARCHAR, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL 1 MINUTE)
  WITH (connector = 'kafka', topic = 'impressions', stop = 'latest', max_batch = '%[1]d');
CREATE TABLE joined (click VARCHAR, impression VARCHAR, ad VARCHAR, click_time TIMESTAMP(3), impression_time TIMESTAMP(3));
`

// joinQuery joins clicks with the impressions of their ad shown at most
// 20 s before them.
const joinQuery = `INSERT INTO joined
SELECT c.id, i.id, COALESCE(c.ad_id, i.ad_id), c.ts, i.ts
FROM clicks c %s impressions i
  ON c.ad_id = i.ad_id AND c.ts BETWEEN i.ts AND i.ts + INTERVAL 20 SECOND;`

// joinReference is the join computed by a nested loop over every pair,
// printed as the sink's rows print.
func joinReference(kind string, clicks, imps []joinEvent) []string {
	var out []string
	ts := func(t time.Time) string { return t.Format("2006-01-02 15:04:05.000") }
	matchedImp := map[int]bool{}
	for _, c := range clicks {
		matched := false
		for k, i := range imps {
			if c.ad == i.ad && !c.at.Before(i.at) && !c.at.After(i.at.Add(20*time.Second)) {
				matched = true
				matchedImp[k] = true
				out = append(out, fmt.Sprintf("click=%s impression=%s ad=%s click_time=%s impression_time=%s", c.id, i.id, c.ad, ts(c.at), ts(i.at)))
			}
		}
		if !matched && (kind == "left" || kind == "full") {
			out = append(out, fmt.Sprintf("click=%s impression=NULL ad=%s click_time=%s impression_time=NULL", c.id, c.ad, ts(c.at)))
		}
	}
	if kind == "right" || kind == "full" {
		for k, i := range imps {
			if !matchedImp[k] {
				out = append(out, fmt.Sprintf("click=NULL impression=%s ad=%s click_time=NULL impression_time=%s", i.id, i.ad, ts(i.at)))
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestIntervalJoinsEqualANestedLoop: inner and every outer interval join of
// two topics with out-of-order rows on both sides equal a nested loop over
// all pairs, for small and large micro-batches and 1, 2 and 4 tasks.
func TestIntervalJoinsEqualANestedLoop(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	clicks, cl := joinEvents(rng, "c", 300, base.Add(10*time.Second))
	imps, il := joinEvents(rng, "i", 400, base)
	for _, kind := range []string{"inner", "left", "right", "full"} {
		for _, run := range []struct{ maxBatch, parallelism int }{{7, 1}, {100000, 1}, {7, 2}, {50, 4}} {
			t.Run(fmt.Sprintf("%s/max_batch=%d/parallelism=%d", kind, run.maxBatch, run.parallelism), func(t *testing.T) {
				x := newEnv(t)
				x.produce("clicks", cl...)
				x.produce("impressions", il...)
				join := map[string]string{"inner": "JOIN", "left": "LEFT JOIN", "right": "RIGHT OUTER JOIN", "full": "FULL OUTER JOIN"}[kind]
				x.exec(fmt.Sprintf("SET parallelism = %d;\n", run.parallelism) + fmt.Sprintf(joinSources, run.maxBatch) + fmt.Sprintf(joinQuery, join))
				x.wait()
				if q := x.progress("joined"); q.LateRowsDropped != 0 || q.TotalInputRows != 700 {
					t.Fatalf("%d rows read, %d late; want 700 and none late", q.TotalInputRows, q.LateRowsDropped)
				}
				want := joinReference(kind, clicks, imps)
				got := x.rows("SELECT * FROM joined")
				if len(want) < 100 {
					t.Fatalf("the reference has only %d rows: the test data does not exercise the join", len(want))
				}
				expectLines(t, got, want)
			})
		}
	}
}

var _ = strings.Join

// TestOuterJoinResumesWithoutDuplicatesOrLoss stops a FULL OUTER interval
// join half way (rows of both sides kept, some matched, some not), restarts
// the engine on the same state directory, and checks that the Delta table
// equals the nested loop: no unmatched row emitted twice or lost.
func TestOuterJoinResumesWithoutDuplicatesOrLoss(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	clicks, cl := joinEvents(rng, "c", 400, base.Add(10*time.Second))
	imps, il := joinEvents(rng, "i", 400, base)
	x := newEnv(t)
	x.produce("clicks", cl[:200]...)
	x.produce("impressions", il[:150]...)
	lake := t.TempDir()
	sources := strings.ReplaceAll(fmt.Sprintf(joinSources, 20), "stop = 'latest', ", "")
	sources = strings.Replace(sources, "impression_time TIMESTAMP(3));", "impression_time TIMESTAMP(3)) WITH (connector = 'delta', path = '"+lake+"');", 1)
	query := fmt.Sprintf(joinQuery, "FULL JOIN")
	x.exec(sources + query)
	x.waitInput("joined", 350)
	x.e.Close()

	x.produce("clicks", cl[200:]...)
	x.produce("impressions", il[150:]...)
	x.open()
	again := strings.ReplaceAll(sources, "max_batch = '20'", "max_batch = '20', stop = 'latest'")
	x.exec(strings.ReplaceAll(again, "CREATE SOURCE", "CREATE OR REPLACE SOURCE") + query)
	x.wait()
	expectLines(t, x.rows("SELECT * FROM joined"), joinReference("full", clicks, imps))
}
