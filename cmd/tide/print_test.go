package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/cmd/tide/internal/render"
	"github.com/tide-sql/tide/executor/engine"
)

func TestPrintResults(t *testing.T) {
	mem := checkedMem(t)
	rows := kv(mem, [2]any{"CUST-001", 12.5}, [2]any{"CUST-002", nil})
	defer rows.Release()
	cases := []struct {
		name   string
		res    *result
		format render.Format
		want   string
	}{
		{"ok prints its message", &result{Kind: engine.ResultOK, Message: "source transactions created"}, render.Table,
			"source transactions created\n"},
		{"a continuous query says how to watch and stop it", &result{Kind: engine.ResultQuery, QueryID: "q1"}, render.Table,
			"query q1 started (SHOW QUERIES to watch it, STOP QUERY q1 to stop it)\n"},
		{"text prints as it is", &result{Kind: engine.ResultText, Text: "Sink table=t\n└─Scan"}, render.JSON,
			"Sink table=t\n└─Scan\n"},
		{"rows print as a table", &result{Kind: engine.ResultRows, Schema: kvSchema, Records: []arrow.RecordBatch{rows}}, render.Table, `
┌─────────────┬────────┬─────────────────────────┐
│ customer_id │ amount │ event_time              │
├─────────────┼────────┼─────────────────────────┤
│ CUST-001    │   12.5 │ 2024-05-01 10:00:00.000 │
│ CUST-002    │   NULL │ 2024-05-01 10:00:01.000 │
└─────────────┴────────┴─────────────────────────┘
(2 rows)
`},
		{"rows print as json lines", &result{Kind: engine.ResultRows, Schema: kvSchema, Records: []arrow.RecordBatch{rows}}, render.JSON, `
{"customer_id":"CUST-001","amount":12.5,"event_time":"2024-05-01T10:00:00Z"}
{"customer_id":"CUST-002","amount":null,"event_time":"2024-05-01T10:00:01Z"}
`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := &printer{out: &buf, msgs: &buf, format: c.format}
			if err := p.print(context.Background(), c.res); err != nil {
				t.Fatal(err)
			}
			if got, want := buf.String(), strings.TrimPrefix(c.want, "\n"); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestPrintStreamUntilEnd(t *testing.T) {
	mem := checkedMem(t)
	fs := newFakeStream(false, kv(mem, [2]any{"CUST-001", 1.0}), kv(mem, [2]any{"CUST-002", 2.0}))
	var buf bytes.Buffer
	p := &printer{out: &buf, msgs: &buf, format: render.CSV}
	err := p.print(context.Background(), &result{Kind: engine.ResultStream, Stream: fs.push(kvSchema, false)})
	if err != nil {
		t.Fatal(err)
	}
	want := "customer_id,amount,event_time\nCUST-001,1,2024-05-01 10:00:00.000\nCUST-002,2,2024-05-01 10:00:00.000\n"
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
	if !fs.wasClosed() {
		t.Error("stream not closed at its end")
	}
}

func TestPrintStreamCancelled(t *testing.T) {
	mem := checkedMem(t)
	fs := newFakeStream(true, kv(mem, [2]any{"CUST-001", 1.0}))
	var buf syncBuffer
	p := &printer{out: &buf, msgs: &buf, format: render.Table}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.print(ctx, &result{Kind: engine.ResultStream, Stream: fs.push(kvSchema, false)}) }()
	for !strings.Contains(buf.String(), "CUST-001") {
		select {
		case err := <-done:
			t.Fatalf("print ended early: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	if !fs.wasClosed() {
		t.Error("stream not closed when cancelled")
	}
	if !strings.Contains(buf.String(), "(1 row)") {
		t.Errorf("table not closed:\n%s", buf.String())
	}
}
