package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor/engine"
)

// After a query over a bounded input has finished: GET /v1/queries answers
// (its watermark shows as the end of input, not as a date), /metrics has no
// watermark sample for it, and another INSERT into its table, which its
// checkpoint does not fit, is a 400 with line and column that does not
// show where the server keeps its state.
func TestRealEngineServeAfterABoundedQuery(t *testing.T) {
	requireEngine(t)
	stateDir := t.TempDir()
	e, err := openRealEngine(context.Background(), engine.Config{StateDir: stateDir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ts := httptest.NewServer(newServer(e))
	defer ts.Close()

	resp, body := do(t, "POST", ts.URL+"/v1/sql", `
CREATE SOURCE g (a BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL 1 SECOND)
WITH (connector = 'datagen', rows = '3', rows_per_second = '0');
CREATE TABLE t (n BIGINT);
INSERT INTO t SELECT COUNT(*) AS n FROM g GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE);`)
	if resp.StatusCode != 200 {
		t.Fatalf("start the query: %d %s", resp.StatusCode, body)
	}
	var qs []json.RawMessage
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, body = do(t, "GET", ts.URL+"/v1/queries", "")
		if resp.StatusCode != 200 {
			t.Fatalf("GET /v1/queries: %d %s", resp.StatusCode, body)
		}
		if strings.Contains(body, `"state":"FINISHED"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the query did not finish: %s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := json.Unmarshal([]byte(body), &qs); err != nil || len(qs) != 1 {
		t.Fatalf("GET /v1/queries: %v %s", err, body)
	}
	if !strings.Contains(body, `"watermark":"end of input"`) {
		t.Errorf("the finished query's watermark is not the end of input:\n%s", body)
	}
	var info engine.QueryInfo
	if err := json.Unmarshal(qs[0], &info); err != nil || !engine.WatermarkEnded(info.Progress.Watermark) {
		t.Errorf("the answer does not read back as an ended watermark: %v %v", err, info.Progress.Watermark)
	}
	resp, body = do(t, "POST", ts.URL+"/v1/sql", "DESCRIBE QUERY t;")
	if resp.StatusCode != 200 || !strings.Contains(body, `\"watermark\": \"end of input\"`) {
		t.Errorf("DESCRIBE QUERY: %d %s", resp.StatusCode, body)
	}
	_, body = do(t, "GET", ts.URL+"/metrics", "")
	if !strings.Contains(body, `tide_query_info{query_id="t"`) || strings.Contains(body, `tide_query_watermark_seconds{query_id="t"}`) {
		t.Errorf("/metrics shows an ended input's watermark, or no query:\n%s", body)
	}

	resp, body = do(t, "POST", ts.URL+"/v1/sql", "SHOW TABLES;\nINSERT INTO t SELECT a AS n FROM g;")
	var e400 errorJSON
	_ = json.Unmarshal([]byte(body), &e400)
	if resp.StatusCode != 400 || e400.Line != 2 || e400.Column != 13 ||
		!strings.Contains(e400.Error, "checkpoint of query t was written for") || e400.Hint == "" {
		t.Errorf("another INSERT into t: %d %s, want 400 at line 2, column 13", resp.StatusCode, body)
	}
	if strings.Contains(body, stateDir) {
		t.Errorf("the answer shows the server's state directory: %s", body)
	}
}
