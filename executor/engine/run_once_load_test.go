package engine_test

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// spinCPU keeps every core busy until the returned function is called, as
// other work on a loaded machine does.
func spinCPU() (stop func()) {
	var done atomic.Bool
	var wg sync.WaitGroup
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			n := 0
			for !done.Load() {
				n++
			}
			_ = n
		})
	}
	return func() {
		done.Store(true)
		wg.Wait()
	}
}

// TestRunOnceReadsEveryRowOfALoadedTopicOnABusyMachine: run_once (tide run
// --once, Spark's Trigger.AvailableNow) reads each partition up to the end
// offsets of its start, however slowly the records come; a fetch that
// brings nothing is not the end.
func TestRunOnceReadsEveryRowOfALoadedTopicOnABusyMachine(t *testing.T) {
	if testing.Short() {
		t.Skip("produces 50,000 rows and runs five queries on a busy CPU")
	}
	const rows = 50000
	x := newEnv(t)
	if err := x.broker.CreateTopic("load", 3); err != nil {
		t.Fatal(err)
	}
	lines := make([]string, rows)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"id": %d, "amount": %d.25}`, i, i%100)
	}
	x.produce("load", lines...)
	stop := spinCPU()
	defer stop()
	for run := 1; run <= 5; run++ {
		y := newEnvOn(t, x.broker) // a fresh state directory: every run reads everything
		y.exec(`SET run_once = 'true';
CREATE SOURCE loaded (id BIGINT, amount DOUBLE) WITH (connector = 'kafka', topic = 'load', max_batch = '5000');
CREATE TABLE copied (id BIGINT, amount DOUBLE);
INSERT INTO copied SELECT id, amount FROM loaded;`)
		y.wait()
		p := y.progress("copied")
		got := y.rows("SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids, SUM(amount) AS total FROM copied")
		want := fmt.Sprintf("n=%d ids=%d total=%d", rows, rows, rows/100*(99*100/2)+rows/4)
		if p.TotalInputRows != rows || p.TotalOutputRows != rows || len(got) != 1 || got[0] != want {
			t.Fatalf("run %d read %d rows and wrote %d (%v); want %d and %s", run, p.TotalInputRows, p.TotalOutputRows, got, rows, want)
		}
		y.e.Close()
	}
}
