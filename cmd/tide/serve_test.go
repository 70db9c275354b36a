package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/parser"
)

// startServer serves s over a test server with the real timeouts.
func startServer(t *testing.T, eng sqlEngine) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(newServer(eng))
	ctx, cancel := context.WithCancel(context.Background())
	base := newHTTPServer(ts.Config.Handler, ctx)
	ts.Config = base
	ts.Start()
	t.Cleanup(func() { cancel(); ts.Close() })
	return ts
}

func do(t *testing.T, method, url, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestSQLAnswersEachStatement(t *testing.T) {
	mem := checkedMem(t)
	eng := &fakeEngine{exec: func(ctx context.Context, script string, on func(*result) error) error {
		rec := kv(mem, [2]any{"CUST-001", 12.5}, [2]any{"CUST-002", nil})
		defer rec.Release()
		for _, r := range []*result{
			{Kind: engine.ResultOK, Statement: "CREATE TABLE t (a BIGINT)", Message: "table t created"},
			{Kind: engine.ResultRows, Statement: "SELECT * FROM t", Schema: kvSchema, Records: []arrow.RecordBatch{rec}},
			{Kind: engine.ResultQuery, Statement: "INSERT INTO t SELECT * FROM s", QueryID: "q1"},
			{Kind: engine.ResultText, Statement: "EXPLAIN SELECT 1", Text: "Project\n└─Values"},
		} {
			if err := on(r); err != nil {
				return err
			}
		}
		return nil
	}}
	ts := startServer(t, eng)
	resp, body := do(t, "POST", ts.URL+"/v1/sql", "CREATE TABLE t (a BIGINT); SELECT * FROM t; ...")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("status %d type %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	want := `{"statement":"CREATE TABLE t (a BIGINT)","kind":"ok","message":"table t created"}
{"statement":"SELECT * FROM t","kind":"rows","columns":["customer_id","amount","event_time"],"rows":[["CUST-001",12.5,"2024-05-01T10:00:00Z"],["CUST-002",null,"2024-05-01T10:00:01Z"]]}
{"statement":"INSERT INTO t SELECT * FROM s","kind":"query","message":"query q1 started (SHOW QUERIES to watch it, STOP QUERY q1 to stop it)","query_id":"q1"}
{"statement":"EXPLAIN SELECT 1","kind":"text","text":"Project\n└─Values"}
`
	if body != want {
		t.Errorf("body:\n%s\nwant:\n%s", body, want)
	}
	if got := eng.executed(); len(got) != 1 || got[0] != "CREATE TABLE t (a BIGINT); SELECT * FROM t; ..." {
		t.Errorf("executed %q", got)
	}
}

func TestSQLErrors(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		status int
		want   string
	}{
		{"a SQL error is 400 with line, column and hint",
			&parser.Error{Pos: parser.Pos{Line: 2, Column: 8}, Msg: `column "nosuch" not found`, Hint: "columns are a"},
			400, `{"error":"column \"nosuch\" not found","line":2,"column":8,"hint":"columns are a","results":[{"statement":"SET a = '1'","kind":"ok","message":"set"}]}`},
		{"already exists is 409",
			fmt.Errorf("create: %w", fmt.Errorf("%w: table t", catalog.ErrExists)),
			409, `{"error":"create: already exists: table t","results":[{"statement":"SET a = '1'","kind":"ok","message":"set"}]}`},
		{"an unknown query is 404",
			fmt.Errorf("%w: q9", engine.ErrQueryNotFound),
			404, `{"error":"query not found: q9","results":[{"statement":"SET a = '1'","kind":"ok","message":"set"}]}`},
		{"anything else is 500",
			fmt.Errorf("kafka: connection refused"),
			500, `{"error":"kafka: connection refused","results":[{"statement":"SET a = '1'","kind":"ok","message":"set"}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eng := &fakeEngine{exec: func(ctx context.Context, script string, on func(*result) error) error {
				if err := on(&result{Kind: engine.ResultOK, Statement: "SET a = '1'", Message: "set"}); err != nil {
					return err
				}
				return c.err
			}}
			ts := startServer(t, eng)
			resp, body := do(t, "POST", ts.URL+"/v1/sql", "SET a = '1';\nSELECT nosuch FROM t;")
			if resp.StatusCode != c.status || strings.TrimSpace(body) != c.want {
				t.Errorf("status %d body\n%s\nwant %d\n%s", resp.StatusCode, body, c.status, c.want)
			}
			if resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestSQLBodyLimit(t *testing.T) {
	eng := &fakeEngine{}
	ts := startServer(t, eng)
	resp, body := do(t, "POST", ts.URL+"/v1/sql", "SELECT '"+strings.Repeat("x", maxSQLBody)+"';")
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"error"`) {
		t.Errorf("status %d body %.200s", resp.StatusCode, body)
	}
	if len(eng.executed()) != 0 {
		t.Error("an oversized body was executed")
	}
	resp, _ = do(t, "POST", ts.URL+"/v1/sql", "SELECT '"+strings.Repeat("x", maxSQLBody-20)+"';")
	if resp.StatusCode != 200 {
		t.Errorf("a body under the limit: status %d", resp.StatusCode)
	}
}

func TestMethodsAndUnknownPaths(t *testing.T) {
	ts := startServer(t, &fakeEngine{queries: []engine.QueryInfo{{ID: "q1"}}})
	cases := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/v1/sql", 405, "POST"},
		{"PUT", "/v1/queries/q1", 405, "GET, DELETE"},
		{"POST", "/v1/queries", 405, "GET"},
		{"POST", "/metrics", 405, "GET"},
		{"GET", "/v2/nothing", 404, ""},
		{"GET", "/healthz", 200, ""},
	}
	for _, c := range cases {
		resp, body := do(t, c.method, ts.URL+c.path, "")
		if resp.StatusCode != c.status || resp.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: status %d allow %q, want %d %q", c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), c.status, c.allow)
		}
		if c.status != 200 && !json.Valid([]byte(body)) {
			t.Errorf("%s %s: body is not JSON: %s", c.method, c.path, body)
		}
	}
}

func TestQueriesEndpoints(t *testing.T) {
	wm := time.Date(2024, 5, 1, 10, 4, 50, 0, time.UTC)
	eng := &fakeEngine{queries: []engine.QueryInfo{{
		ID: "q1", SQL: "INSERT INTO t SELECT * FROM s", Sink: "t", State: engine.QueryRunning,
		Progress: engine.Progress{QueryID: "q1", BatchID: 4, NumInputRows: 10, Watermark: &wm,
			Lag: []engine.PartitionLag{{Source: "s", Partition: 0, Offset: 5, EndOffset: 7, Records: 2}}},
	}}}
	ts := startServer(t, eng)

	resp, body := do(t, "GET", ts.URL+"/v1/queries", "")
	var list []engine.QueryInfo
	if err := json.Unmarshal([]byte(body), &list); err != nil || resp.StatusCode != 200 || len(list) != 1 || list[0].ID != "q1" {
		t.Fatalf("GET /v1/queries: %d %v\n%s", resp.StatusCode, err, body)
	}
	if !strings.Contains(body, `"lastProgress":{"id":"q1","batchId":4`) || !strings.Contains(body, `"watermark":"2024-05-01T10:04:50Z"`) ||
		!strings.Contains(body, `"lag_records":2`) {
		t.Errorf("progress fields missing:\n%s", body)
	}

	resp, body = do(t, "GET", ts.URL+"/v1/queries/q1", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(body, `{"id":"q1"`) {
		t.Errorf("GET q1: %d %s", resp.StatusCode, body)
	}
	for _, m := range []string{"GET", "DELETE"} {
		resp, body = do(t, m, ts.URL+"/v1/queries/q9", "")
		if resp.StatusCode != 404 || !strings.Contains(body, `"error":"no query q9`) {
			t.Errorf("%s q9: %d %s", m, resp.StatusCode, body)
		}
	}
	resp, body = do(t, "DELETE", ts.URL+"/v1/queries/q1", "")
	if resp.StatusCode != 200 || !strings.Contains(body, `"state":"STOPPED"`) || len(eng.stopped) != 1 {
		t.Errorf("DELETE q1: %d %s (stopped %v)", resp.StatusCode, body, eng.stopped)
	}

	empty := startServer(t, &fakeEngine{})
	if _, body := do(t, "GET", empty.URL+"/v1/queries", ""); strings.TrimSpace(body) != "[]" {
		t.Errorf("no queries: %s", body)
	}
}

// streamingEngine answers every script with a push query over fs, after
// a ResultOK.
func streamingEngine(fs *fakeStream, update bool) *fakeEngine {
	return &fakeEngine{exec: func(ctx context.Context, _ string, on func(*result) error) error {
		if err := on(&result{Kind: engine.ResultOK, Statement: "SET x = '1'", Message: "set"}); err != nil {
			return err
		}
		return on(&result{Kind: engine.ResultStream, Statement: "SELECT * FROM s", Stream: fs.push(kvSchema, update, 0)})
	}}
}

func TestPushSelectStreamsUntilTheClientLeaves(t *testing.T) {
	mem := checkedMem(t)
	fs := newFakeStream(true, kv(mem, [2]any{"CUST-001", 1.0}), kv(mem, [2]any{"CUST-002", 2.0}))
	ts := startServer(t, streamingEngine(fs, false))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/v1/sql", strings.NewReader("SELECT * FROM s;"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	want := []string{
		`{"statement":"SET x = '1'","kind":"ok","message":"set"}`,
		`{"statement":"SELECT * FROM s","kind":"stream","columns":["customer_id","amount","event_time"]}`,
		`{"customer_id":"CUST-001","amount":1,"event_time":"2024-05-01T10:00:00Z"}`,
		`{"customer_id":"CUST-002","amount":2,"event_time":"2024-05-01T10:00:00Z"}`,
	}
	for i, w := range want {
		if !sc.Scan() {
			t.Fatalf("line %d: stream ended: %v", i+1, sc.Err())
		}
		if sc.Text() != w {
			t.Errorf("line %d: %s\nwant %s", i+1, sc.Text(), w)
		}
	}
	// The rows arrived while the query still runs; now the client leaves.
	cancel()
	select {
	case <-fs.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the push query was not stopped when the client disconnected")
	}
}

// net/http lifts ReadTimeout once the body is read; a stream must not be
// cut by it.
func TestStreamOutlivesReadTimeout(t *testing.T) {
	mem := checkedMem(t)
	fs := newFakeStream(true)
	for i := 0; i < 3; i++ {
		fs.batches = append(fs.batches, kv(mem, [2]any{fmt.Sprintf("CUST-%03d", i), float64(i)}))
	}
	eng := &fakeEngine{exec: func(ctx context.Context, _ string, on func(*result) error) error {
		ps := fs.push(kvSchema, false)
		next := ps.next
		ps.next = func(ctx context.Context) (arrow.RecordBatch, error) {
			select { // one batch per 150 ms: the stream lasts past ReadTimeout
			case <-time.After(150 * time.Millisecond):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if len(fs.batches) == 0 {
				return nil, io.EOF
			}
			return next(ctx)
		}
		return on(&result{Kind: engine.ResultStream, Statement: "SELECT * FROM s", Stream: ps})
	}}
	ts := httptest.NewUnstartedServer(newServer(eng))
	ts.Config.ReadTimeout = 200 * time.Millisecond
	ts.Start()
	defer ts.Close()
	_, body := do(t, "POST", ts.URL+"/v1/sql", "SELECT * FROM s;")
	if n := strings.Count(body, `"customer_id":"CUST-`); n != 3 {
		t.Errorf("got %d rows, want 3 (ReadTimeout cut the stream?)\n%s", n, body)
	}
}

func TestUpdateStreamIsAChangelog(t *testing.T) {
	mem := checkedMem(t)
	fs := newFakeStream(false, kv(mem, [2]any{"CUST-001", 1.0}), kv(mem, [2]any{"CUST-001", 2.0}))
	ts := startServer(t, streamingEngine(fs, true))
	_, body := do(t, "POST", ts.URL+"/v1/sql", "SELECT customer_id, SUM(amount) FROM s GROUP BY customer_id EMIT CHANGES;")
	if !strings.Contains(body, `{"op":"+I","customer_id":"CUST-001","amount":1,`) ||
		!strings.Contains(body, `{"op":"+U","customer_id":"CUST-001","amount":2,`) {
		t.Errorf("no changelog:\n%s", body)
	}
}

func TestErrorAfterAStreamIsTheLastLine(t *testing.T) {
	fs := newFakeStream(false)
	eng := streamingEngine(fs, false)
	inner := eng.exec
	eng.exec = func(ctx context.Context, s string, on func(*result) error) error {
		if err := inner(ctx, s, on); err != nil {
			return err
		}
		return &parser.Error{Pos: parser.Pos{Line: 3, Column: 1}, Msg: "boom"}
	}
	ts := startServer(t, eng)
	resp, body := do(t, "POST", ts.URL+"/v1/sql", "x")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if resp.StatusCode != 200 || lines[len(lines)-1] != `{"error":"boom","line":3,"column":1}` {
		t.Errorf("status %d body\n%s", resp.StatusCode, body)
	}
}
