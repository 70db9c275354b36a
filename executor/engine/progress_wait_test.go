package engine_test

import (
	"math"
	"testing"
	"time"
)

// A batch that arrives after the source has been quiet reports the quiet
// time as durationMs.wait; triggerExecution, the other durations and
// processedRowsPerSecond cover only the work.
func TestBatchDurationLeavesOutTheWaitForData(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("trickle", 1); err != nil {
		t.Fatal(err)
	}
	x.exec(`CREATE SOURCE trickle (id BIGINT) WITH (connector = 'kafka', topic = 'trickle');
CREATE TABLE ids (id BIGINT);
INSERT INTO ids SELECT id FROM trickle;`)
	x.produceTo("trickle", 0, `{"id": 1}`)
	waitFor(t, func() bool { return x.progress("ids").TotalInputRows == 1 })
	const quiet = 1500 * time.Millisecond
	time.Sleep(quiet) // the source finds nothing meanwhile
	x.produceTo("trickle", 0, `{"id": 2}`, `{"id": 3}`, `{"id": 4}`)
	waitFor(t, func() bool { return x.progress("ids").TotalInputRows == 4 })
	p := x.progress("ids")
	d := p.DurationMs
	t.Logf("durations %v, %.0f rows/s processed", d, p.ProcessedRowsPerSecond)
	if p.NumInputRows != 3 {
		t.Fatalf("the last batch has %d rows, want 3", p.NumInputRows)
	}
	// At most one fetch wait (200 ms) of the quiet time can fall into the
	// fetch that brought the rows.
	if min := (quiet - 200*time.Millisecond).Milliseconds(); d["wait"] < min {
		t.Errorf("wait %d ms, want at least %d ms of the %v the source was quiet", d["wait"], min, quiet)
	}
	if parts := d["process"] + d["sinkCommit"] + d["checkpoint"]; math.Abs(float64(parts-d["triggerExecution"])) > 2 {
		t.Errorf("process + sinkCommit + checkpoint = %d ms, triggerExecution %d ms: the parts must add up to the work", parts, d["triggerExecution"])
	}
	if d["triggerExecution"] > 0 {
		want := float64(p.NumInputRows) / (float64(d["triggerExecution"]) / 1000)
		if math.Abs(p.ProcessedRowsPerSecond-want)/want > 0.5 {
			t.Errorf("processedRowsPerSecond %.1f, want about %.1f (rows over the work's time)", p.ProcessedRowsPerSecond, want)
		}
	}
	// The input rate is over the time since the last batch, quiet time
	// included (Spark's inputRowsPerSecond): at most 3 rows per quiet time.
	if limit := 3 / quiet.Seconds(); p.InputRowsPerSecond > limit {
		t.Errorf("inputRowsPerSecond %.2f, want at most %.2f", p.InputRowsPerSecond, limit)
	}
}
