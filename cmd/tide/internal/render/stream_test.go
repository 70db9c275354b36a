package render

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var (
	t10 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	t15 = time.Date(2024, 5, 1, 10, 5, 0, 0, time.UTC)
)

func TestAppendStream(t *testing.T) {
	cols, right := []string{"customer_id", "amount"}, []bool{false, true}
	batches := [][][]any{
		{{"CUST-001", 12.5}, {"CUST-002", nil}},
		{{"CUST-003", 100.0}},
	}
	cases := []struct {
		name   string
		format Format
		note   string
		want   string
	}{
		{"table prints rows as they come and closes with a count", Table, "", `
┌─────────────┬────────┐
│ customer_id │ amount │
├─────────────┼────────┤
│ CUST-001    │   12.5 │
│ CUST-002    │   NULL │
│ CUST-003    │    100 │
└─────────────┴────────┘
(3 rows)
`},
		{"json prints one object per row", JSON, "", `
{"customer_id":"CUST-001","amount":12.5}
{"customer_id":"CUST-002","amount":null}
{"customer_id":"CUST-003","amount":100}
`},
		{"csv prints the header once", CSV, "(cancelled)", `
customer_id,amount
CUST-001,12.5
CUST-002,
CUST-003,100
(cancelled)
`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			s := NewStream(&buf, c.format, cols, right, StreamOptions{})
			for _, b := range batches {
				if err := s.Write(b); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(c.note); err != nil {
				t.Fatal(err)
			}
			if got, want := buf.String(), strings.TrimPrefix(c.want, "\n"); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestEmptyAppendStreamStillShowsHeader(t *testing.T) {
	var buf bytes.Buffer
	s := NewStream(&buf, Table, []string{"a"}, nil, StreamOptions{})
	_ = s.Close("")
	want := "┌───┐\n│ a │\n├───┤\n└───┘\n(0 rows)\n"
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

// updateBatches are EMIT CHANGES rows keyed by (window_start, customer_id).
var updateBatches = [][][]any{
	{{t10, "CUST-001", int64(1)}, {t10, "CUST-002", int64(1)}},
	{{t10, "CUST-001", int64(2)}, {t15, "CUST-001", int64(1)}},
}

func TestUpdateStreamChangelog(t *testing.T) {
	cols := []string{"window_start", "customer_id", "n"}
	cases := []struct {
		format Format
		want   string
	}{
		{JSON, `
{"op":"+I","window_start":"2024-05-01T10:00:00Z","customer_id":"CUST-001","n":1}
{"op":"+I","window_start":"2024-05-01T10:00:00Z","customer_id":"CUST-002","n":1}
{"op":"+U","window_start":"2024-05-01T10:00:00Z","customer_id":"CUST-001","n":2}
{"op":"+I","window_start":"2024-05-01T10:05:00Z","customer_id":"CUST-001","n":1}
`},
		{CSV, `
op,window_start,customer_id,n
+I,2024-05-01 10:00:00.000,CUST-001,1
+I,2024-05-01 10:00:00.000,CUST-002,1
+U,2024-05-01 10:00:00.000,CUST-001,2
+I,2024-05-01 10:05:00.000,CUST-001,1
`},
	}
	for _, c := range cases {
		t.Run(c.format.String(), func(t *testing.T) {
			var buf bytes.Buffer
			s := NewStream(&buf, c.format, cols, []bool{false, false, true}, StreamOptions{Update: true, Key: []int{0, 1}})
			for _, b := range updateBatches {
				if err := s.Write(b); err != nil {
					t.Fatal(err)
				}
			}
			_ = s.Close("")
			if got, want := buf.String(), strings.TrimPrefix(c.want, "\n"); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestUpdateTableRedrawsInPlace(t *testing.T) {
	var buf bytes.Buffer
	s := NewStream(&buf, Table, []string{"window_start", "customer_id", "n"}, []bool{false, false, true},
		StreamOptions{Update: true, Key: []int{0, 1}, InPlace: true})
	_ = s.Write(updateBatches[0])
	first := buf.String()
	buf.Reset()
	_ = s.Write(updateBatches[1])
	second := buf.String()
	_ = s.Close("")

	wantFirst := `┌─────────────────────────┬─────────────┬───┐
│ window_start            │ customer_id │ n │
├─────────────────────────┼─────────────┼───┤
│ 2024-05-01 10:00:00.000 │ CUST-001    │ 1 │
│ 2024-05-01 10:00:00.000 │ CUST-002    │ 1 │
└─────────────────────────┴─────────────┴───┘
(2 rows)
`
	if first != wantFirst {
		t.Errorf("first drawing:\n%s\nwant:\n%s", first, wantFirst)
	}
	// 7 lines were drawn: go up 7 lines, clear, draw the current table.
	wantSecond := "\x1b[7A\r\x1b[J" + `┌─────────────────────────┬─────────────┬───┐
│ window_start            │ customer_id │ n │
├─────────────────────────┼─────────────┼───┤
│ 2024-05-01 10:00:00.000 │ CUST-001    │ 2 │
│ 2024-05-01 10:00:00.000 │ CUST-002    │ 1 │
│ 2024-05-01 10:05:00.000 │ CUST-001    │ 1 │
└─────────────────────────┴─────────────┴───┘
(3 rows)
`
	if second != wantSecond {
		t.Errorf("second drawing:\n%q\nwant:\n%q", second, wantSecond)
	}
}

func TestRedrawCountsWrappedLines(t *testing.T) {
	var buf bytes.Buffer
	s := NewStream(&buf, Table, []string{"a_long_column_name"}, nil,
		StreamOptions{Update: true, InPlace: true, Width: func() int { return 10 }})
	_ = s.Write([][]any{{"x"}})
	buf.Reset()
	_ = s.Write([][]any{{"y"}})
	// 5 lines of 22 characters take 3 terminal lines each; "(1 row)" one.
	if !strings.HasPrefix(buf.String(), "\x1b[16A") {
		t.Errorf("redraw starts %q, want cursor up 16", buf.String()[:8])
	}
}

func TestUpdateTableWithoutTerminalPrintsEachState(t *testing.T) {
	var buf bytes.Buffer
	s := NewStream(&buf, Table, []string{"k", "n"}, []bool{false, true}, StreamOptions{Update: true, Key: []int{0}})
	_ = s.Write([][]any{{"a", int64(1)}})
	_ = s.Write([][]any{{"a", int64(2)}})
	_ = s.Close("")
	out := buf.String()
	if strings.Contains(out, "\x1b[") {
		t.Errorf("escape codes outside a terminal:\n%q", out)
	}
	if strings.Count(out, "(1 row)") != 2 || !strings.Contains(out, "│ a │ 2 │") {
		t.Errorf("want two drawings, the last with n=2:\n%s", out)
	}
}
