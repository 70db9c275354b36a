package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var ts = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// windowSchema is the seed's window output.
var windowSchema = arrow.NewSchema([]arrow.Field{
	{Name: "window_start", Type: ts, Nullable: true},
	{Name: "customer_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "tx_count", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "total_amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

type windowRow struct {
	start    string // RFC 3339, "" for NULL
	customer string // "" for NULL
	count    int64  // -1 for NULL
	total    float64
}

// windows builds a record of windowSchema with Arrow builders.
func windows(t *testing.T, mem memory.Allocator, rows ...windowRow) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(mem, windowSchema)
	defer b.Release()
	for _, r := range rows {
		if r.start == "" {
			b.Field(0).AppendNull()
		} else {
			tm, err := time.Parse(time.RFC3339Nano, r.start)
			if err != nil {
				t.Fatal(err)
			}
			b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(tm.UnixMicro()))
		}
		if r.customer == "" {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(r.customer)
		}
		if r.count < 0 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Int64Builder).Append(r.count)
		}
		b.Field(3).(*array.Float64Builder).Append(r.total)
	}
	return b.NewRecordBatch()
}

func checked(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func sampleGrid(t *testing.T) Grid {
	mem := checked(t)
	rec := windows(t, mem,
		windowRow{"2024-05-01T10:00:00Z", "CUST-001", 3, 1234.5},
		windowRow{"2024-05-01T10:05:00.123456Z", "CUST-002", 12, 0.25},
		windowRow{"", "", -1, 7},
	)
	defer rec.Release()
	return GridOf(windowSchema, []arrow.RecordBatch{rec})
}

func TestWriteGrid(t *testing.T) {
	cases := []struct {
		name   string
		format Format
		want   string
	}{
		{"table aligns columns, shows NULL and millisecond UTC timestamps", Table, `
┌─────────────────────────┬─────────────┬──────────┬──────────────┐
│ window_start            │ customer_id │ tx_count │ total_amount │
├─────────────────────────┼─────────────┼──────────┼──────────────┤
│ 2024-05-01 10:00:00.000 │ CUST-001    │        3 │       1234.5 │
│ 2024-05-01 10:05:00.123 │ CUST-002    │       12 │         0.25 │
│ NULL                    │ NULL        │     NULL │            7 │
└─────────────────────────┴─────────────┴──────────┴──────────────┘
(3 rows)
`},
		{"json is one object per row with RFC 3339 timestamps", JSON, `
{"window_start":"2024-05-01T10:00:00Z","customer_id":"CUST-001","tx_count":3,"total_amount":1234.5}
{"window_start":"2024-05-01T10:05:00.123456Z","customer_id":"CUST-002","tx_count":12,"total_amount":0.25}
{"window_start":null,"customer_id":null,"tx_count":null,"total_amount":7}
`},
		{"csv has a header and empty fields for NULL", CSV, `
window_start,customer_id,tx_count,total_amount
2024-05-01 10:00:00.000,CUST-001,3,1234.5
2024-05-01 10:05:00.123,CUST-002,12,0.25
,,,7
`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, c.format, sampleGrid(t)); err != nil {
				t.Fatal(err)
			}
			if got, want := buf.String(), strings.TrimPrefix(c.want, "\n"); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestEmptyTableSaysZeroRows(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, Table, Grid{Columns: []string{"a", "bb"}}); err != nil {
		t.Fatal(err)
	}
	want := "┌───┬────┐\n│ a │ bb │\n├───┼────┤\n└───┴────┘\n(0 rows)\n"
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestTextOfValues(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{nil, "NULL"},
		{true, "true"},
		{int64(-5), "-5"},
		{sum(0.1, 0.2), "0.30000000000000004"},
		{1e22, "1e+22"},
		{float64(100), "100"},
		{time.Date(2024, 1, 2, 3, 4, 5, 6_000_000, time.FixedZone("X", 3600)), "2024-01-02 02:04:05.006"},
		{Date{time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)}, "2024-01-02"},
		{"a\nb", "a\nb"},
	}
	for _, c := range cases {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%#v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTableKeepsCellsOnOneLine(t *testing.T) {
	var buf bytes.Buffer
	_ = Write(&buf, Table, Grid{Columns: []string{"s"}, Rows: [][]any{{"a\nb"}}})
	if !strings.Contains(buf.String(), `│ a\nb │`) {
		t.Errorf("newline not escaped:\n%s", buf.String())
	}
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"table", "JSON", " csv "} {
		if _, err := ParseFormat(s); err != nil {
			t.Errorf("ParseFormat(%q): %v", s, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "table, json or csv") {
		t.Errorf("ParseFormat(xml) = %v", err)
	}
}

func sum(a, b float64) float64 { return a + b }

func TestNestedValuesPrintAsJSON(t *testing.T) {
	mem := checked(t)
	typ := arrow.StructOf(arrow.Field{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		arrow.Field{Name: "at", Type: ts, Nullable: true})
	arr, _, err := array.FromJSON(mem, typ, strings.NewReader(`[{"tags": ["a", null], "at": "2024-01-02T03:04:05.5Z"}]`))
	if err != nil {
		t.Fatal(err)
	}
	defer arr.Release()
	v := Value(arr, 0)
	if got, want := Text(v), `{"tags":["a",null],"at":"2024-01-02T03:04:05.500Z"}`; got != want {
		t.Errorf("Text = %s, want %s", got, want)
	}
	line, err := JSONObject([]string{"r"}, []any{v})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(line), `{"r":{"tags":["a",null],"at":"2024-01-02T03:04:05.500Z"}}`; got != want {
		t.Errorf("JSON line = %s, want %s", got, want)
	}
}
