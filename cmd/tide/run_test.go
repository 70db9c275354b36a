package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/parser"
)

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunExecutesScriptsInOrder(t *testing.T) {
	eng := &fakeEngine{}
	ta := newTestApp(t, eng)
	ta.stdin = strings.NewReader("SELECT 'stdin';")
	a := writeFile(t, "a.sql", "SELECT 'a';")
	b := writeFile(t, "b.sql", "SELECT 'b';")
	code := ta.main([]string{"run", "--state-dir", "/tmp/st", a, "-e", "SELECT 'e';", "-", b, "--once"})
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, ta.errb.String())
	}
	want := []string{"SET run_once = 'true'", "SELECT 'a';", "SELECT 'e';", "SELECT 'stdin';", "SELECT 'b';"}
	if got := eng.executed(); !reflect.DeepEqual(got, want) {
		t.Errorf("executed %q\nwant %q", got, want)
	}
	if eng.cfg.StateDir != "/tmp/st" || eng.cfg.Brokers != "127.0.0.1:19092" || eng.cfg.Registry != "http://127.0.0.1:18081" {
		t.Errorf("engine config %+v", eng.cfg)
	}
	if !eng.closed {
		t.Error("engine not closed")
	}
}

func TestRunReportsTheFailingStatement(t *testing.T) {
	script := "CREATE TABLE t (a BIGINT);\nSELECT nosuch\n  FROM t;\n"
	eng := &fakeEngine{exec: func(ctx context.Context, s string, on func(*result) error) error {
		if err := on(&result{Kind: engine.ResultOK, Message: "table t created"}); err != nil {
			return err
		}
		return &parser.Error{Pos: parser.Pos{Line: 2, Column: 8}, Msg: `column "nosuch" not found`, Hint: "columns are a"}
	}}
	ta := newTestApp(t, eng)
	path := writeFile(t, "bad.sql", script)
	if code := ta.main([]string{"run", path}); code != exitFail {
		t.Fatalf("exit %d, want 1", code)
	}
	want := path + `:2:8: column "nosuch" not found
SELECT nosuch
       ^
hint: columns are a
`
	if got := ta.errb.String(); !strings.HasSuffix(got, want) {
		t.Errorf("stderr:\n%s\nwant it to end with:\n%s", got, want)
	}
	if !strings.Contains(ta.out.String(), "table t created") {
		t.Errorf("stdout lacks the first statement's message:\n%s", ta.out.String())
	}
}

func TestScriptErrorWithoutPosition(t *testing.T) {
	got := scriptError("-e", "x", errors.New("kafka: no route to host"))
	if got != "-e: error: kafka: no route to host\n" {
		t.Errorf("got %q", got)
	}
}

func TestRunWaitsForContinuousQueries(t *testing.T) {
	eng := &fakeEngine{waitFor: make(chan struct{})}
	ta := newTestApp(t, eng)
	done := make(chan int)
	go func() { done <- ta.main([]string{"run", "-e", "INSERT INTO t SELECT * FROM s;"}) }()
	select {
	case code := <-done:
		t.Fatalf("run ended (exit %d) while a query runs", code)
	case <-time.After(50 * time.Millisecond):
	}
	close(eng.waitFor)
	if code := <-done; code != exitOK {
		t.Errorf("exit %d when the queries finished", code)
	}
}

func TestRunFailsWhenAQueryFails(t *testing.T) {
	eng := &fakeEngine{waitErr: errors.New("query q1: sink full")}
	ta := newTestApp(t, eng)
	if code := ta.main([]string{"run", "-e", "INSERT INTO t SELECT * FROM s;"}); code != exitFail {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(ta.errb.String(), "sink full") {
		t.Errorf("stderr: %s", ta.errb.String())
	}
}

func TestRunStopsCleanlyOnSignal(t *testing.T) {
	for _, name := range []string{"while waiting for queries", "during a push query"} {
		t.Run(name, func(t *testing.T) {
			eng := &fakeEngine{waitFor: make(chan struct{})}
			if name == "during a push query" {
				eng.exec = func(ctx context.Context, _ string, on func(*result) error) error {
					fs := newFakeStream(true)
					return on(&result{Kind: engine.ResultStream, Stream: fs.push(kvSchema, false)})
				}
			}
			ta := newTestApp(t, eng)
			done := make(chan int)
			go func() { done <- ta.main([]string{"run", "-e", "SELECT * FROM s;"}) }()
			time.Sleep(20 * time.Millisecond)
			ta.sigs <- syscall.SIGTERM
			select {
			case code := <-done:
				if code != exitOK {
					t.Errorf("exit %d after a signal, want 0", code)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("run did not stop on SIGTERM")
			}
			if !eng.closed {
				t.Error("engine not closed")
			}
		})
	}
}

func TestRunJSONKeepsStdoutPure(t *testing.T) {
	mem := checkedMem(t)
	eng := &fakeEngine{exec: func(ctx context.Context, _ string, on func(*result) error) error {
		if err := on(&result{Kind: engine.ResultOK, Message: "source s created"}); err != nil {
			return err
		}
		fs := newFakeStream(false, kv(mem, [2]any{"CUST-001", 3.5}))
		return on(&result{Kind: engine.ResultStream, Stream: fs.push(kvSchema, false)})
	}}
	ta := newTestApp(t, eng)
	if code := ta.main([]string{"run", "--format", "json", "-e", "x"}); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	want := `{"customer_id":"CUST-001","amount":3.5,"event_time":"2024-05-01T10:00:00Z"}` + "\n"
	if ta.out.String() != want {
		t.Errorf("stdout %q, want %q", ta.out.String(), want)
	}
	if !strings.Contains(ta.errb.String(), "source s created") {
		t.Errorf("message not on stderr: %q", ta.errb.String())
	}
}

func TestRunMissingFile(t *testing.T) {
	ta := newTestApp(t, &fakeEngine{})
	if code := ta.main([]string{"run", filepath.Join(t.TempDir(), "nope.sql")}); code != exitFail {
		t.Errorf("exit %d", code)
	}
}
