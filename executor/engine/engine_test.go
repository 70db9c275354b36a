package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/parser"
)

const clicksDDL = `
CREATE SOURCE clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 5 SECOND)
WITH (connector = 'kafka', topic = 'clicks', format = 'json', stop = 'latest');
`

func TestFilterAndProjectOverKafka(t *testing.T) {
	x := newEnv(t)
	x.produce("clicks",
		`{"user_id": 1, "url": "/a", "ts": "2024-01-01T00:00:01Z"}`,
		`{"user_id": 2, "url": "/b", "ts": "2024-01-01T00:00:02Z"}`,
		`{"user_id": 3, "url": "/A", "ts": 1704067203000}`,
	)
	x.exec(clicksDDL + `CREATE TABLE clicks_out (user_id BIGINT, page VARCHAR, at TIMESTAMP(3));
INSERT INTO clicks_out SELECT user_id * 10, UPPER(url), ts FROM clicks WHERE LOWER(url) = '/a';`)
	x.wait()
	expectLines(t, x.rows("SELECT * FROM clicks_out"), []string{
		"user_id=10 page=/A at=2024-01-01 00:00:01.000",
		"user_id=30 page=/A at=2024-01-01 00:00:03.000",
	})
}

func TestPushSelectStreamsRowsAndStopsAtLimit(t *testing.T) {
	x := newEnv(t)
	x.produce("clicks", `{"user_id": 1, "url": "/a", "ts": "2024-01-01T00:00:01Z"}`, `{"user_id": 2, "url": "/b", "ts": "2024-01-01T00:00:02Z"}`)
	res := x.exec(strings.Replace(clicksDDL, ", stop = 'latest'", "", 1) + `SELECT user_id, url FROM clicks LIMIT 2;`)
	r := res[len(res)-1]
	if r.Kind != engine.ResultStream {
		t.Fatalf("kind %d, want a stream", r.Kind)
	}
	expectLines(t, stream(t, r, 10), []string{"user_id=1 url=/a", "user_id=2 url=/b"})
}

func TestTumblingWindowCountsWithLateRow(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("clicks", 3); err != nil {
		t.Fatal(err)
	}
	x.exec(`
CREATE TABLE late_clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP(3));
CREATE SOURCE clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 5 SECOND)
WITH (connector = 'kafka', topic = 'clicks', format = 'json', late = 'table:late_clicks', idle_timeout = '1s');
CREATE TABLE per_minute (window_start TIMESTAMP(3), window_end TIMESTAMP(3), user_id BIGINT, n BIGINT);
INSERT INTO per_minute
SELECT window_start, window_end, user_id, COUNT(*) AS n FROM clicks
GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), user_id;`)
	// Everything on partition 0; the other two go idle after 1 s, so the
	// watermark is partition 0's.
	x.produceTo("clicks", 0,
		`{"user_id": 1, "url": "/a", "ts": "2024-01-01T00:00:10Z"}`,
		`{"user_id": 1, "url": "/b", "ts": "2024-01-01T00:00:50Z"}`,
		`{"user_id": 2, "url": "/c", "ts": "2024-01-01T00:01:05Z"}`)
	waitFor(t, func() bool { return x.progress("per_minute").TotalInputRows >= 3 })
	// The watermark is now 00:01:00; a row at 00:00:30 is late.
	waitFor(t, func() bool { w := x.progress("per_minute").Watermark; return w != nil && w.Minute() == 1 })
	x.produceTo("clicks", 0, `{"user_id": 3, "url": "/late", "ts": "2024-01-01T00:00:30Z"}`)
	waitFor(t, func() bool { return x.progress("per_minute").LateRowsDropped == 1 })
	expectLines(t, x.rows("SELECT * FROM per_minute"), []string{
		"window_start=2024-01-01 00:00:00.000 window_end=2024-01-01 00:01:00.000 user_id=1 n=2",
	})
	expectLines(t, x.rows("SELECT url FROM late_clicks"), []string{"url=/late"})
}

func (x *env) progress(id string) engine.Progress {
	q, ok := x.e.Query(id)
	if !ok {
		x.t.Fatalf("no query %s", id)
	}
	if q.State == engine.QueryFailed {
		x.t.Fatalf("query %s failed: %s", id, q.Error)
	}
	return q.Progress
}

// waitFor polls cond (the engine works in the background) for up to 30 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMalformedMessagesAreCountedSkippedOrDeadLettered(t *testing.T) {
	x := newEnv(t)
	x.produce("clicks",
		`{"user_id": 1, "url": "/a", "ts": "2024-01-01T00:00:01Z"}`,
		`{"user_id": "not a number", "url": "/b"}`,
		`not json at all`,
		`{"user_id": 4, "url": "/d", "ts": "2024-01-01T00:00:04Z"}`)
	t.Run("skip counts them", func(t *testing.T) {
		x.exec(`CREATE SOURCE c1 (user_id BIGINT, url VARCHAR, ts TIMESTAMP(3))
WITH (connector = 'kafka', topic = 'clicks', stop = 'latest', on_error = 'skip');
CREATE TABLE o1 (user_id BIGINT); INSERT INTO o1 SELECT user_id FROM c1;`)
		x.wait()
		expectLines(t, x.rows("SELECT * FROM o1"), []string{"user_id=1", "user_id=4"})
		if bad := x.progress("o1").BadRecords; bad != 2 {
			t.Fatalf("bad records %d, want 2", bad)
		}
	})
	t.Run("table keeps them with the reason", func(t *testing.T) {
		x.exec(`CREATE TABLE dead (topic VARCHAR, ` + "`partition`" + ` BIGINT, ` + "`offset`" + ` BIGINT, value VARCHAR, error VARCHAR, kafka_timestamp TIMESTAMP(3));
CREATE SOURCE c2 (user_id BIGINT, url VARCHAR, ts TIMESTAMP(3))
WITH (connector = 'kafka', topic = 'clicks', stop = 'latest', on_error = 'table:dead');
CREATE TABLE o2 (user_id BIGINT); INSERT INTO o2 SELECT user_id FROM c2;`)
		x.wait()
		got := x.rows("SELECT value FROM dead")
		expectLines(t, got, []string{`value={"user_id": "not a number", "url": "/b"}`, "value=not json at all"})
	})
	t.Run("fail stops the query and says where", func(t *testing.T) {
		x.exec(`CREATE SOURCE c3 (user_id BIGINT, url VARCHAR, ts TIMESTAMP(3))
WITH (connector = 'kafka', topic = 'clicks', stop = 'latest', on_error = 'fail');
CREATE TABLE o3 (user_id BIGINT); INSERT INTO o3 SELECT user_id FROM c3;`)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := x.e.Wait(ctx)
		if err == nil || !strings.Contains(err.Error(), "offset") {
			t.Fatalf("Wait: %v, want a failure naming the offset", err)
		}
	})
}

func TestSQLErrorsPointAtLineAndColumn(t *testing.T) {
	x := newEnv(t)
	x.exec(clicksDDL)
	for _, c := range []struct{ sql, want string }{
		{"SELECT nosuch FROM clicks;", "line 1, column 8: column \"nosuch\" not found"},
		{"SELECT *\nFROM clicks\nWHERE url > ;", "line 3, column 12: syntax error: unexpected end of statement"},
		{"CREATE SOURCE s (a BIGINT) WITH (connector = 'kafka', topicc = 'x');", "line 1, column 55: unknown option \"topicc\""},
		{"CREATE SOURCE s (a BIGINT) WITH (connector = 'kafka');", "needs option topic"},
		{"CREATE SOURCE s (a BIGINT) WITH (connector = 'kafka', topic = 'x', start = 'yesterday');", "line 1, column 68"},
		{"CREATE SOURCE clicks (a BIGINT) WITH (connector = 'kafka', topic = 'x');", "already exists"},
		{"SELECT url + 1 FROM clicks;", "line 1, column 8"},
	} {
		_, err := x.tryExec(c.sql)
		var pe *parser.Error
		if !errors.As(err, &pe) || !strings.Contains(pe.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.sql, err, c.want)
		}
	}
}

func TestUnreachableBrokerFailsFast(t *testing.T) {
	x := newEnv(t)
	start := time.Now()
	_, err := x.tryExec(`CREATE SOURCE s (a BIGINT) WITH (connector = 'kafka', topic = 'x', brokers = '127.0.0.1:1');
CREATE TABLE o (a BIGINT); INSERT INTO o SELECT a FROM s;`)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err = x.e.Wait(ctx)
	}
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("error %v, want one naming the broker", err)
	}
	if time.Since(start) > 20*time.Second {
		t.Fatalf("took %s to fail", time.Since(start))
	}
}

func TestCatalogSurvivesRestart(t *testing.T) {
	x := newEnv(t)
	x.exec(clicksDDL + "CREATE VIEW v AS SELECT user_id FROM clicks;")
	x.e.Close()
	x.open()
	got := x.rows("SHOW SOURCES")
	if len(got) != 1 || !strings.Contains(got[0], "name=clicks") {
		t.Fatalf("after restart: %v", got)
	}
	if got := x.rows("SHOW VIEWS"); len(got) != 1 {
		t.Fatalf("views after restart: %v", got)
	}
}

func TestProgressReportsLagPerPartition(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("clicks", 3); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i := 0; i < 60; i++ {
		lines = append(lines, jsonLine(`{"user_id": %d, "url": "/x", "ts": "2024-01-01T00:00:%02dZ"}`, i, i))
	}
	x.produce("clicks", lines...)
	x.exec(strings.Replace(clicksDDL, "stop = 'latest'", "stop = 'latest', max_batch = '10'", 1) +
		"CREATE TABLE lagged (user_id BIGINT); INSERT INTO lagged SELECT user_id FROM clicks;")
	x.wait()
	p := x.progress("lagged")
	if len(p.Lag) != 3 {
		t.Fatalf("lag for %d partitions, want 3: %+v", len(p.Lag), p.Lag)
	}
	var total int64
	for _, l := range p.Lag {
		if l.Source != "clicks" || l.EndOffset != 20 || l.Offset != 20 || l.Records != 0 {
			t.Errorf("partition %d: %+v, want offset 20 of 20 and no lag at the end", l.Partition, l)
		}
		total += l.Offset
	}
	for _, phase := range []string{"fetch", "decode", "process", "sinkCommit", "checkpoint", "triggerExecution"} {
		if _, ok := p.DurationMs[phase]; !ok {
			t.Errorf("no %s duration in %v", phase, p.DurationMs)
		}
	}
	if total != 60 || p.TotalInputRows != 60 || p.BatchID < 6 {
		t.Fatalf("progress %+v", p)
	}
}

func TestOrderByOverATableReturnsRowsInOrder(t *testing.T) {
	x := newEnv(t)
	x.produce("clicks", `{"user_id": 3, "url": "/c", "ts": "2024-01-01T00:00:01Z"}`, `{"user_id": 1, "url": "/a", "ts": "2024-01-01T00:00:02Z"}`,
		`{"user_id": 2, "url": "/b", "ts": "2024-01-01T00:00:03Z"}`, `{"user_id": 2, "url": null, "ts": "2024-01-01T00:00:04Z"}`)
	x.exec(clicksDDL + `CREATE TABLE all_clicks (user_id BIGINT, url VARCHAR); INSERT INTO all_clicks SELECT user_id, url FROM clicks;`)
	x.wait()
	res := x.exec("SELECT user_id, url FROM all_clicks ORDER BY user_id DESC, url")
	r := res[0]
	defer r.Release()
	var got []string
	for _, rec := range r.Records {
		for i := 0; i < int(rec.NumRows()); i++ {
			got = append(got, rec.Column(0).ValueStr(i)+":"+rec.Column(1).ValueStr(i))
		}
	}
	// NULL sorts first, as in Spark.
	if want := "3:/c 2:(null) 2:/b 1:/a"; strings.Join(got, " ") != want {
		t.Fatalf("rows in order %q, want %q", strings.Join(got, " "), want)
	}
}
