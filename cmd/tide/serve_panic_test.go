package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor/engine"
	_ "github.com/tide-sql/tide/internal/panicconn" // the test_panic connector
)

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
