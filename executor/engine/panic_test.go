package engine_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor/engine"
	_ "github.com/tide-sql/tide/internal/panicconn" // the test_panic connector
)

// logBuffer collects the engine's log.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.b, format+"\n", args...)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func orderLines(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf(`{"id": %d, "amount": %d.5}`, i, i%7))
	}
	return out
}

// doubledRows is what SELECT id, doubled FROM good holds after orders
// 0..n-1 went through INSERT INTO good SELECT id, amount * 2.
func doubledRows(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("id=%d doubled=%d", i, 2*(i%7)+1))
	}
	return out
}

// TestAPanickingQueryFailsAlone: a panic in one query's operators fails
// that query (its error says so, the log has the stack); a panic in a
// statement fails that statement; the engine goes on, and a query running
// alongside keeps producing every row.
func TestAPanickingQueryFailsAlone(t *testing.T) {
	x := newEnv(t)
	x.e.Close()
	log := &logBuffer{}
	e, err := engine.Open(context.Background(), engine.Config{StateDir: filepath.Join(x.dir, "state2"), Brokers: x.broker.Addr(),
		Console: io.Discard, Logf: log.logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	x.e = e
	if err := x.broker.CreateTopic("orders", 1); err != nil {
		t.Fatal(err)
	}
	x.exec(`CREATE SOURCE orders (id BIGINT, amount DOUBLE) WITH (connector = 'kafka', topic = 'orders');
CREATE TABLE good (id BIGINT, doubled DOUBLE);
INSERT INTO good SELECT id, amount * 2 FROM orders;`)
	goodRows := func() []string { return x.rows("SELECT id, doubled FROM good") }
	x.produce("orders", orderLines(0, 50)...)
	waitFor(t, func() bool { return len(goodRows()) == 50 })

	// A panic in the operators of a running query.
	x.exec(`CREATE SOURCE boom (id BIGINT) WITH (connector = 'test_panic', panic_in = 'fetch');
CREATE TABLE boom_out (id BIGINT);
INSERT INTO boom_out SELECT id FROM boom;`)
	var failed engine.QueryInfo
	waitFor(t, func() bool {
		failed, _ = x.e.Query("boom_out")
		return failed.State != engine.QueryRunning
	})
	if failed.State != engine.QueryFailed || !strings.Contains(failed.Error, "query boom_out panicked: test_panic: deliberate panic in Fetch") {
		t.Fatalf("the panicking query is %s with error %q, want FAILED with the panic", failed.State, failed.Error)
	}
	if l := log.String(); !strings.Contains(l, "query boom_out panicked: test_panic: deliberate panic in Fetch") || !strings.Contains(l, "(*panicReader).Fetch") {
		t.Fatalf("the log lacks the panic and its stack:\n%s", l)
	}

	// A panic in the execution of a statement.
	_, err = x.tryExec(`CREATE SOURCE boom2 (id BIGINT) WITH (connector = 'test_panic', panic_in = 'new');`)
	if err == nil || !strings.Contains(err.Error(), "statement CREATE SOURCE boom2 (id BIGINT) WITH") ||
		!strings.Contains(err.Error(), "deliberate panic in NewSource") {
		t.Fatalf("the panicking statement: %v", err)
	}
	if _, err := x.e.Catalog().Get("boom2"); err == nil {
		t.Fatal("the statement that panicked created its source")
	}

	// A panic in a push query ends its stream with the panic.
	res := x.exec("SELECT id FROM boom;")
	r := res[len(res)-1]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		rec, err := r.Stream.Next(ctx)
		if err != nil {
			if !strings.Contains(err.Error(), "push query panicked: test_panic: deliberate panic in Fetch") {
				t.Fatalf("the push query ended with %v, want the panic", err)
			}
			break
		}
		rec.Release()
	}
	r.Stream.Close()

	// The other query kept running and gets every row.
	x.produce("orders", orderLines(50, 120)...)
	waitFor(t, func() bool { return len(goodRows()) == 120 })
	expectLines(t, goodRows(), doubledRows(120))
	if q, _ := x.e.Query("good"); q.State != engine.QueryRunning {
		t.Fatalf("the query alongside is %s (%s), want RUNNING", q.State, q.Error)
	}
}
