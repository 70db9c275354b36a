package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const restartSQL = `
CREATE SOURCE IF NOT EXISTS tx (customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 5 SECOND)
WITH (connector = 'kafka', topic = 'tx', max_batch = '20', idle_timeout = '1s'%s);
CREATE TABLE IF NOT EXISTS stats (window_start TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total DOUBLE,
  PRIMARY KEY (window_start, customer_id)) WITH (connector = 'delta', path = '%s');
INSERT INTO stats SELECT window_start, customer_id, COUNT(*), SUM(amount) FROM tx
GROUP BY TUMBLE(ts, INTERVAL 10 SECOND), customer_id;`

func txLines(from, to int) []string {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf(`{"customer_id": "C%d", "amount": %d, "ts": "%s"}`, i%3, i%17, base.Add(time.Duration(i)*250*time.Millisecond).Format(time.RFC3339Nano)))
	}
	return out
}

// TestStoppedQueryResumesWhereItStopped stops the engine mid-stream,
// starts a new one on the same state directory, runs the same INSERT
// again, and compares the table with an uninterrupted run.
func TestStoppedQueryResumesWhereItStopped(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("tx", 1); err != nil {
		t.Fatal(err)
	}
	x.produce("tx", txLines(0, 1000)...)
	ref := filepath.Join(x.dir, "ref")
	out := filepath.Join(x.dir, "out")

	// Reference: one uninterrupted bounded run in its own state directory.
	y := newEnvOn(t, x.broker)
	y.exec(fmt.Sprintf(restartSQL, ", stop = 'latest'", ref))
	y.wait()

	x.exec(fmt.Sprintf(restartSQL, ", stop = 'latest'", out))
	waitFor(t, func() bool { return x.progress("stats").TotalInputRows >= 300 })
	x.e.Close() // a clean stop mid-stream: the checkpoint is kept
	stoppedAt := x.progress("stats").TotalInputRows
	if stoppedAt >= 1000 {
		t.Fatalf("the query finished before it was stopped (%d rows)", stoppedAt)
	}
	x.open()
	x.exec(fmt.Sprintf(restartSQL, ", stop = 'latest'", out))
	x.wait()
	if n := x.progress("stats").TotalInputRows; n+stoppedAt != 1000 {
		t.Fatalf("the restarted query read %d rows after %d: it did not resume where it stopped", n, stoppedAt)
	}
	want, got := deltaRows(t, ref), deltaRows(t, out)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("restarted run differs from the uninterrupted run:\n%s\n---- want:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRunOnceContinuesWhereTheLastRunStopped is Spark's Trigger.AvailableNow:
// each run processes what is there, stops keeping its state, and the next
// run goes on from there; windows still open stay open across runs.
func TestRunOnceContinuesWhereTheLastRunStopped(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("tx", 1); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(x.dir, "out")
	run := func() int64 {
		x.exec("SET run_once = 'true';" + fmt.Sprintf(restartSQL, "", out))
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := x.e.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		n := x.progress("stats").TotalInputRows
		x.e.Close()
		x.open()
		return n
	}
	x.produce("tx", txLines(0, 400)...)
	if n := run(); n != 400 {
		t.Fatalf("first run read %d rows, want 400", n)
	}
	x.produce("tx", txLines(400, 1000)...)
	if n := run(); n != 600 {
		t.Fatalf("second run read %d rows, want the 600 new ones", n)
	}
	// A final bounded run closes the last windows; compare with one pass.
	x.exec("SET 'execution.runtime-mode' = 'batch';" + fmt.Sprintf(restartSQL, "", out))
	x.wait()
	y := newEnvOn(t, x.broker)
	ref := filepath.Join(y.dir, "ref")
	y.exec(fmt.Sprintf(restartSQL, ", stop = 'latest'", ref))
	y.wait()
	want, got := deltaRows(t, ref), deltaRows(t, out)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("runs with --once differ from one pass:\n%s\n---- want:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRunningTheSameScriptAgainResumes: a restarted `tide run` executes the
// same statements again; the CREATEs find what they made last time and the
// INSERT resumes its query, while a different definition under an existing
// name is still an error.
func TestRunningTheSameScriptAgainResumes(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("tx", 1); err != nil {
		t.Fatal(err)
	}
	x.produce("tx", txLines(0, 100)...)
	script := strings.ReplaceAll(fmt.Sprintf(restartSQL, ", stop = 'latest'", filepath.Join(x.dir, "out")), "IF NOT EXISTS ", "")
	x.exec(script)
	x.wait()
	x.e.Close()
	x.open()
	res := x.exec(strings.ReplaceAll(script, "\n", "\n  "))
	if !strings.Contains(res[0].Message, "unchanged") {
		t.Fatalf("second CREATE: %q", res[0].Message)
	}
	x.wait()
	if n := x.progress("stats").TotalInputRows; n != 0 {
		t.Fatalf("the resumed query read %d rows again", n)
	}
	if _, err := x.tryExec("CREATE TABLE stats (a BIGINT);"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("a different definition: %v", err)
	}
}
