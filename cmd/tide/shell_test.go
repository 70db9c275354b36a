package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/parser"
)

// shellCatalog holds one source with a watermark and one keyed table.
func shellCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat := catalog.New()
	for _, tb := range []*catalog.Table{
		{Name: "transactions", Kind: catalog.KindSource, Connector: "kafka",
			Options:   map[string]string{"topic": "transactions", "format": "json"},
			EventTime: "event_time", WatermarkDelay: 10 * time.Second,
			Columns: []catalog.Column{
				{Name: "customer_id", Type: catalog.String, SQLType: "VARCHAR"},
				{Name: "amount", Type: catalog.Float64, SQLType: "DOUBLE"},
				{Name: "event_time", Type: catalog.Timestamp, SQLType: "TIMESTAMP(3)"},
			}},
		{Name: "customer_stats", Kind: catalog.KindTable, Connector: "memory", PrimaryKey: []string{"customer_id"},
			Columns: []catalog.Column{
				{Name: "customer_id", Type: catalog.String, SQLType: "VARCHAR", NotNull: true},
				{Name: "total", Type: catalog.Float64, SQLType: "DOUBLE"},
			}},
	} {
		if err := cat.Put(tb, false); err != nil {
			t.Fatal(err)
		}
	}
	return cat
}

// runShell feeds input to the shell over a pipe (no terminal) and returns
// what it printed on stdout and stderr.
func runShell(t *testing.T, eng *fakeEngine, input string) (stdout, stderr string) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	ta := newTestApp(t, eng)
	ta.stdin = strings.NewReader(input)
	done := make(chan int)
	go func() { done <- ta.main([]string{"--brokers", "k:9092"}) }()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("shell exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the shell did not end")
	}
	return ta.out.String(), ta.errb.String()
}

func TestShellRunsMultiLineStatements(t *testing.T) {
	eng := &fakeEngine{cat: shellCatalog(t)}
	eng.exec = func(ctx context.Context, script string, on func(*result) error) error {
		return on(&result{Kind: engine.ResultOK, Message: "ran: " + strings.ReplaceAll(script, "\n", " | ")})
	}
	out, _ := runShell(t, eng, "SELECT\n  1\n;\n\nSELECT 2; SELECT 3;\n-- only a comment\n\\q\nSELECT 'after quit';\n")
	want := []string{"SELECT\n  1\n;", "SELECT 2; SELECT 3;"}
	if got := eng.executed(); !reflect.DeepEqual(got, want) {
		t.Errorf("executed %q\nwant %q", got, want)
	}
	if !strings.Contains(out, "ran: SELECT |   1 | ;") {
		t.Errorf("stdout:\n%s", out)
	}
	if !eng.closed {
		t.Error("engine not closed at \\q")
	}
	hist, err := os.ReadFile(filepath.Join(os.Getenv("HOME"), historyName))
	if err != nil || !strings.Contains(string(hist), "SELECT 1 ;\n") {
		t.Errorf("history %q (%v): want each statement on one line", hist, err)
	}
}

func TestShellEndsAtEOF(t *testing.T) {
	eng := &fakeEngine{}
	runShell(t, eng, "SELECT 1;\nSELECT") // Ctrl-D (EOF) with an unfinished statement
	if got := eng.executed(); len(got) != 1 {
		t.Errorf("executed %q", got)
	}
}

func TestShellPrintsErrorsWithACaret(t *testing.T) {
	eng := &fakeEngine{exec: func(ctx context.Context, script string, on func(*result) error) error {
		return &parser.Error{Pos: parser.Pos{Line: 2, Column: 6}, Msg: `table "nosuch" not found`}
	}}
	_, errOut := runShell(t, eng, "SELECT *\nFROM nosuch;\n")
	want := "error: line 2, column 6: table \"nosuch\" not found\nFROM nosuch;\n     ^\n"
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
}

func TestShellBackslashCommands(t *testing.T) {
	mem := checkedMem(t)
	eng := &fakeEngine{cat: shellCatalog(t)}
	eng.exec = func(ctx context.Context, script string, on func(*result) error) error {
		rec := kv(mem, [2]any{"CUST-001", 2.5})
		defer rec.Release()
		return on(&result{Kind: engine.ResultRows, Schema: kvSchema, Records: []arrow.RecordBatch{rec}})
	}
	out, errOut := runShell(t, eng, strings.Join([]string{
		`\help`, `\d`, `\d transactions`, `\format json`, `SELECT * FROM customer_stats;`,
		`\format xml`, `\timing`, `SELECT 1;`, `\nosuch`, `\q`,
	}, "\n")+"\n")
	for _, want := range []string{
		`\d NAME`, // help
		"│ customer_stats │ table  │ memory    │       2 │",
		"│ transactions   │ source │ kafka     │       3 │",
		"│ event_time  │ TIMESTAMP(3) │ true     │     │",
		"watermark: event_time - 10s",
		"  topic = 'transactions'",
		"format is json",
		`{"customer_id":"CUST-001","amount":2.5,"event_time":"2024-05-01T10:00:00Z"}`,
		"timing is on",
		"Time: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{`unknown format "xml"`, `unknown command \nosuch`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestShellAnnouncesContinuousQueries(t *testing.T) {
	eng := &fakeEngine{exec: func(ctx context.Context, script string, on func(*result) error) error {
		return on(&result{Kind: engine.ResultQuery, QueryID: "q7"})
	}}
	out, _ := runShell(t, eng, "INSERT INTO t SELECT * FROM s;\n")
	if !strings.Contains(out, "query q7 started (SHOW QUERIES to watch it, STOP QUERY q7 to stop it)") {
		t.Errorf("stdout:\n%s", out)
	}
}

func TestShellCancelsAPushQueryOnSIGINT(t *testing.T) {
	mem := checkedMem(t)
	fs := newFakeStream(true, kv(mem, [2]any{"CUST-001", 1.0}))
	eng := &fakeEngine{exec: func(ctx context.Context, script string, on func(*result) error) error {
		if strings.Contains(script, "FROM s") {
			return on(&result{Kind: engine.ResultStream, Stream: fs.push(kvSchema, false)})
		}
		return on(&result{Kind: engine.ResultOK, Message: "still alive"})
	}}
	t.Setenv("HOME", t.TempDir())
	ta := newTestApp(t, eng)
	pr, pw := io.Pipe()
	ta.stdin = pr
	done := make(chan int)
	go func() { done <- ta.main(nil) }()
	pw.Write([]byte("SELECT * FROM s;\n"))
	waitFor(t, func() bool { return strings.Contains(ta.out.String(), "CUST-001") })
	ta.sigs <- os.Interrupt
	waitFor(t, func() bool { return strings.Contains(ta.out.String(), "(cancelled)") })
	if !fs.wasClosed() {
		t.Error("the push query was not closed")
	}
	pw.Write([]byte("SELECT 'next';\n"))
	waitFor(t, func() bool { return strings.Contains(ta.out.String(), "still alive") })
	pw.Close()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d", code)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCompletion(t *testing.T) {
	c := &completer{eng: &fakeEngine{cat: shellCatalog(t)}}
	cases := []struct {
		line string
		want []string
	}{
		{"SEL", []string{"ECT"}},
		{"sel", []string{"ect"}},
		{"SELECT * FROM tr", []string{"ansactions", "ue"}}, // transactions, true
		{"SELECT * FROM TR", []string{"UE", "ansactions"}}, // names match in any case

		{"SELECT cust", []string{"omer_id", "omer_stats"}},
		{"SELECT transactions.ev", []string{"ent_time"}},
		{"SELECT window_s", []string{"tart"}},
		{`\f`, []string{"ormat"}},
		{`\format j`, []string{"son"}},
		{`\d cu`, []string{"stomer_stats"}},
		{"SELECT zzz", nil},
	}
	for _, tc := range cases {
		got, n := c.Do([]rune(tc.line), len([]rune(tc.line)))
		var gs []string
		for _, g := range got {
			gs = append(gs, string(g))
		}
		if !reflect.DeepEqual(gs, tc.want) {
			t.Errorf("%q: got %q (len %d), want %q", tc.line, gs, n, tc.want)
		}
	}
	if got, _ := (&completer{eng: &fakeEngine{}}).Do([]rune("SELECT * FROM t"), 15); len(got) == 0 {
		t.Error("no keyword completion without a catalog")
	}
}

func TestShellEndsOnSIGTERM(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	eng := &fakeEngine{}
	ta := newTestApp(t, eng)
	pr, pw := io.Pipe()
	defer pw.Close()
	ta.stdin = pr
	done := make(chan int)
	go func() { done <- ta.main(nil) }()
	pw.Write([]byte("SELECT 1;\n"))
	waitFor(t, func() bool { return len(eng.executed()) == 1 })
	ta.sigs <- syscall.SIGTERM
	select {
	case code := <-done:
		if code != exitOK || !eng.closed {
			t.Errorf("exit %d, engine closed %v", code, eng.closed)
		}
	case <-time.After(5 * time.Second):
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		t.Fatalf("SIGTERM did not end the shell\n%s", buf[:n])
	}
}
