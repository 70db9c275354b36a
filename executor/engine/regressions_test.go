package engine_test

// Regression tests from a review: each comment says what used to go wrong;
// each test checks that it no longer does.

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor/engine"
)

const reviewClicks = `
CREATE SOURCE clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 5 SECOND)
WITH (connector = 'kafka', topic = 'clicks', format = 'json', stop = 'latest');
`

// Re-running the same script is documented as a no-op for CREATE, but
// createTable drops a memory table's rows before put() decides that.
func TestRerunningAnIdenticalCreateTableKeepsAMemoryTable(t *testing.T) {
	x := newEnv(t)
	x.produce("clicks", `{"user_id": 1, "url": "/a", "ts": "2024-01-01T00:00:01Z"}`)
	ddl := "CREATE TABLE out1 (user_id BIGINT, url VARCHAR);"
	x.exec(reviewClicks + ddl + "INSERT INTO out1 SELECT user_id, url FROM clicks;")
	x.wait()
	expectLines(t, x.rows("SELECT * FROM out1"), []string{"user_id=1 url=/a"})
	x.exec(ddl) // "table out1 exists, unchanged"
	expectLines(t, x.rows("SELECT * FROM out1"), []string{"user_id=1 url=/a"})
}

func TestAFailedCreateTableKeepsTheMemoryTable(t *testing.T) {
	x := newEnv(t)
	x.produce("clicks", `{"user_id": 1, "url": "/a", "ts": "2024-01-01T00:00:01Z"}`)
	x.exec(reviewClicks + "CREATE TABLE out1 (user_id BIGINT, url VARCHAR);INSERT INTO out1 SELECT user_id, url FROM clicks;")
	x.wait()
	if _, err := x.tryExec("CREATE TABLE out1 (user_id BIGINT, url VARCHAR, extra BIGINT);"); err == nil {
		t.Fatal("want 'already exists'")
	}
	expectLines(t, x.rows("SELECT * FROM out1"), []string{"user_id=1 url=/a"})
}

// The late-row table of a running query is not in the query's uses set.
func TestTheLateTableOfARunningQueryCannotBeDropped(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("clicks", 1); err != nil {
		t.Fatal(err)
	}
	x.exec(`CREATE TABLE late_rows (user_id BIGINT, url VARCHAR, ts TIMESTAMP(3));
CREATE SOURCE clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 5 SECOND)
WITH (connector = 'kafka', topic = 'clicks', format = 'json', late = 'table:late_rows');
CREATE TABLE per_min (window_start TIMESTAMP(3), n BIGINT);
INSERT INTO per_min SELECT window_start, COUNT(*) FROM clicks GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE);`)
	if _, err := x.tryExec("DROP TABLE late_rows;"); err == nil {
		t.Fatal("DROP TABLE late_rows succeeded while query per_min sends its late rows there")
	}
}

// Engine.Close stops continuous queries but not push SELECTs: their
// goroutine, Kafka client and stream keep running.
func TestEngineCloseStopsPushSelects(t *testing.T) {
	x := newEnv(t)
	x.produce("clicks", `{"user_id": 1, "url": "/a", "ts": "2024-01-01T00:00:01Z"}`)
	res := x.exec(strings.Replace(reviewClicks, ", stop = 'latest'", "", 1) + "SELECT user_id FROM clicks;")
	st := res[len(res)-1].Stream
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rec, err := st.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	x.e.Close()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel2()
	_, err = st.Next(ctx2)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("the push SELECT still runs after Engine.Close")
	}
}

// After Close, INSERT still starts a query that nothing will ever stop.
func TestStatementsAfterEngineCloseAreRefused(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("clicks", 1); err != nil {
		t.Fatal(err)
	}
	x.exec(strings.Replace(reviewClicks, ", stop = 'latest'", "", 1) + "CREATE TABLE out1 (user_id BIGINT);")
	x.e.Close()
	_, err := x.tryExec("INSERT INTO out1 SELECT user_id FROM clicks;")
	defer x.e.StopQuery("out1")
	t.Logf("err: %v", err)
	if err == nil {
		t.Fatal("INSERT after Engine.Close started a continuous query")
	}
}

// insert() checks "already running" and registers the query under two
// separate locks with d.start in between: two concurrent INSERTs into the
// same table both start, two drivers share one checkpoint directory and
// sink id.
func TestOnlyOneOfTwoConcurrentInsertsIntoATableStarts(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("clicks", 1); err != nil {
		t.Fatal(err)
	}
	x.exec(strings.Replace(reviewClicks, ", stop = 'latest'", "", 1) + "CREATE TABLE out1 (user_id BIGINT);")
	for attempt := 0; attempt < 5; attempt++ {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = x.tryExec("INSERT INTO out1 SELECT user_id FROM clicks;")
			}()
		}
		wg.Wait()
		t.Logf("attempt %d: %v / %v", attempt, errs[0], errs[1])
		if errs[0] == nil && errs[1] == nil {
			x.e.StopQuery("out1")
			t.Fatal("both concurrent INSERT INTO out1 started a query")
		}
		x.e.StopQuery("out1")
	}
}

// An aggregate over an EMIT CHANGES subquery must not count each update of
// the inner groups as a new row: the inner aggregate emits retractions of
// its previous rows, and the outer one counts the groups.
func TestAggregateOverARunningAggregateRetracts(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("clicks", 1); err != nil {
		t.Fatal(err)
	}
	x.produceTo("clicks", 0,
		`{"user_id": 1, "url": "/a", "ts": "2024-01-01T00:00:01Z"}`,
		`{"user_id": 1, "url": "/b", "ts": "2024-01-01T00:00:02Z"}`,
		`{"user_id": 2, "url": "/c", "ts": "2024-01-01T00:00:03Z"}`)
	x.exec(`CREATE SOURCE c1 (user_id BIGINT, url VARCHAR, ts TIMESTAMP(3))
WITH (connector = 'kafka', topic = 'clicks', stop = 'latest', max_batch = '1');
CREATE TABLE n_users (id BIGINT, n BIGINT, PRIMARY KEY (id));
CREATE TABLE by_clicks (c BIGINT, users BIGINT, PRIMARY KEY (c));
INSERT INTO n_users SELECT 1, COUNT(*) FROM (SELECT user_id, COUNT(*) AS c FROM c1 GROUP BY user_id) AS u;
INSERT INTO by_clicks SELECT c, COUNT(*) FROM (SELECT user_id, COUNT(*) AS c FROM c1 GROUP BY user_id) AS u GROUP BY c;`)
	x.wait()
	expectLines(t, x.rows("SELECT * FROM n_users"), []string{"id=1 n=2"})
	// User 1 had 1 click, then 2: the group c=1 loses it again.
	expectLines(t, x.rows("SELECT * FROM by_clicks"), []string{"c=1 users=1", "c=2 users=1"})
}

// A re-run INSERT from a table (no source, so no checkpoint) starts again
// at epoch 1 under the persisted sink id; the sink already holds epoch 1 and
// the rows are silently skipped.
func TestARerunInsertFromATableWritesItsRowsAgain(t *testing.T) {
	x := newEnv(t)
	x.produce("clicks", `{"user_id": 1, "url": "/a", "ts": "2024-01-01T00:00:01Z"}`)
	x.exec(reviewClicks + `CREATE TABLE a (user_id BIGINT); CREATE TABLE b (user_id BIGINT);
INSERT INTO a SELECT user_id FROM clicks;`)
	x.wait()
	x.exec("INSERT INTO b SELECT user_id FROM a;")
	x.wait()
	expectLines(t, x.rows("SELECT * FROM b"), []string{"user_id=1"})
	x.exec("INSERT INTO b SELECT user_id FROM a;")
	x.wait()
	expectLines(t, x.rows("SELECT * FROM b"), []string{"user_id=1", "user_id=1"})
}

var _ = io.EOF
var _ = engine.QueryRunning
