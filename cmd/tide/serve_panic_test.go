package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/engine"
)

// The test_panic connector panics on purpose: in NewSource (in the
// statement that builds it) with panic_in = 'new', in its second Fetch (in
// the running query) with panic_in = 'fetch'.
func init() {
	executor.Register(&executor.Connector{
		Name:    "test_panic",
		Options: []executor.Option{{Name: "panic_in", Required: true, Check: executor.OneOf("new", "fetch")}},
		NewSource: func(t *catalog.Table, _ executor.Env) (executor.SourceReader, error) {
			if t.Options["panic_in"] == "new" {
				panic("test_panic: deliberate panic in NewSource")
			}
			return &panicReader{schema: t.Schema()}, nil
		},
	})
}

type panicReader struct {
	schema  *arrow.Schema
	fetches int
}

func (r *panicReader) Schema() *arrow.Schema                        { return r.schema }
func (r *panicReader) Open(context.Context, executor.Offsets) error { return nil }
func (r *panicReader) Close() error                                 { return nil }

func (r *panicReader) Fetch(context.Context, time.Duration, executor.Offsets) (executor.Fetch, error) {
	r.fetches++
	if r.fetches == 2 {
		panic("test_panic: deliberate panic in Fetch")
	}
	return executor.Fetch{End: executor.Offsets{}}, nil
}

// TestServeSurvivesPanics: a query that panics is FAILED with the panic in
// GET /v1/queries/{id}, a statement that panics is an error answer, and the
// server and a query running alongside go on.
func TestServeSurvivesPanics(t *testing.T) {
	requireEngine(t)
	e, err := openRealEngine(context.Background(), engine.Config{StateDir: t.TempDir(), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ts := httptest.NewServer(newServer(e))
	defer ts.Close()

	query := func(id string) engine.QueryInfo {
		_, body := do(t, "GET", ts.URL+"/v1/queries/"+id, "")
		var q engine.QueryInfo
		if err := json.Unmarshal([]byte(body), &q); err != nil {
			t.Fatalf("GET /v1/queries/%s: %v\n%s", id, err, body)
		}
		return q
	}
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not reached in 30 s", what)
			}
		}
	}
	if resp, body := do(t, "POST", ts.URL+"/v1/sql", `CREATE SOURCE g (a BIGINT) WITH (connector = 'datagen', rows_per_second = '200', max_batch = '20');
CREATE TABLE copies (a BIGINT);
INSERT INTO copies SELECT a FROM g;`); resp.StatusCode != 200 {
		t.Fatalf("the query alongside: %d %s", resp.StatusCode, body)
	}
	if resp, body := do(t, "POST", ts.URL+"/v1/sql", `CREATE SOURCE boom (id BIGINT) WITH (connector = 'test_panic', panic_in = 'fetch');
CREATE TABLE boom_out (id BIGINT);
INSERT INTO boom_out SELECT id FROM boom;`); resp.StatusCode != 200 {
		t.Fatalf("the panicking query: %d %s", resp.StatusCode, body)
	}
	waitUntil("the panicking query fails", func() bool { return query("boom_out").State != engine.QueryRunning })
	if q := query("boom_out"); q.State != engine.QueryFailed || !strings.Contains(q.Error, "deliberate panic in Fetch") {
		t.Fatalf("the panicking query: %s %q", q.State, q.Error)
	}
	resp, body := do(t, "POST", ts.URL+"/v1/sql", `CREATE SOURCE boom2 (id BIGINT) WITH (connector = 'test_panic', panic_in = 'new');`)
	if resp.StatusCode != 500 || !strings.Contains(body, "deliberate panic in NewSource") {
		t.Fatalf("the panicking statement: %d %s", resp.StatusCode, body)
	}
	if resp, body := do(t, "POST", ts.URL+"/v1/sql", "SHOW SOURCES;"); resp.StatusCode != 200 || !strings.Contains(body, "boom") {
		t.Fatalf("a statement after the panics: %d %s", resp.StatusCode, body)
	}
	before := query("copies").Progress.TotalInputRows
	waitUntil("the query alongside reads on", func() bool {
		q := query("copies")
		return q.State == engine.QueryRunning && q.Progress.TotalInputRows > before+100
	})
}
