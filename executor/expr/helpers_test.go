package expr

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	tidb "github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/planner"
)

// The test table: four rows, the third all NULL.
var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i", Type: catalog.Int64, Nullable: true},
	{Name: "k", Type: catalog.Int64, Nullable: true},
	{Name: "f", Type: catalog.Float64, Nullable: true},
	{Name: "s", Type: catalog.String, Nullable: true},
	{Name: "p", Type: catalog.String, Nullable: true},
	{Name: "ts", Type: catalog.Timestamp, Nullable: true},
	{Name: "d", Type: catalog.Date, Nullable: true},
	{Name: "b", Type: catalog.Bool, Nullable: true},
	{Name: "j", Type: catalog.String, Nullable: true},
}, nil)

var testRows = []map[string]any{
	{"i": 1, "k": 3, "f": 1.5, "s": "CUST-001", "p": "CUST%", "ts": "2024-03-05T10:15:30.25", "d": "2024-03-05", "b": true,
		"j": `{"a": {"b": 2, "c": "x\"y"}, "arr": [10, "s", null, {"k": 1}], "key with space": "v", "n": null}`},
	{"i": -7, "k": 0, "f": -2.25, "s": " Ärger é ", "p": "_Ä%", "ts": "1969-12-31T23:59:59", "d": "1969-12-31", "b": false,
		"j": `{"a": 1, "arr": []}`},
	{"i": nil, "k": nil, "f": nil, "s": nil, "p": nil, "ts": nil, "d": nil, "b": nil, "j": nil},
	{"i": 100, "k": -3, "f": 100.5, "s": "CUST-003", "p": "%3", "ts": "2024-12-31T23:00:00", "d": "2024-12-31", "b": true,
		"j": "not json"},
}

func testRecord(t testing.TB, mem memory.Allocator) arrow.Record {
	t.Helper()
	rows := make([]map[string]any, len(testRows))
	for i, r := range testRows {
		rows[i] = map[string]any{}
		for k, v := range r {
			if text, ok := v.(string); ok && k == "ts" {
				us, ok := planner.ParseTimestamp(text)
				if !ok {
					t.Fatalf("bad test timestamp %s", text)
				}
				v = us
			}
			rows[i][k] = v
		}
	}
	js, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := array.RecordFromJSON(mem, testSchema, strings.NewReader(string(js)))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func scopeOf(s *arrow.Schema) *planner.Scope {
	sc := &planner.Scope{What: "SELECT"}
	for _, f := range s.Fields() {
		sc.Columns = append(sc.Columns, planner.ScopeColumn{Table: "t", Name: f.Name, Type: f.Type})
	}
	return sc
}

// bind parses "SELECT <sql> FROM t" with TiDB and binds the expression.
func bind(t testing.TB, sql string, s *arrow.Schema) planner.Expr {
	t.Helper()
	st, err := tidb.New().ParseOneStmt("SELECT "+sql+" FROM t", "", "")
	if err != nil {
		t.Fatalf("parse %s: %v", sql, err)
	}
	e, err := planner.BindExpr(st.(*ast.SelectStmt).Fields.Fields[0].Expr, scopeOf(s))
	if err != nil {
		t.Fatalf("bind %s: %v", sql, err)
	}
	return e
}

// render prints every row of a: NULL, or the value as SQL prints it.
func render(t testing.TB, a arrow.Array) []string {
	t.Helper()
	out := make([]string, a.Len())
	for i := range out {
		x, err := scalarAt(a, i)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = renderScalar(x, a.DataType())
	}
	return out
}

func renderScalar(x any, t arrow.DataType) string {
	switch v := x.(type) {
	case nil:
		return "NULL"
	case float64:
		return string(planner.AppendFloat(nil, v))
	case int32:
		return string(planner.AppendDate(nil, int64(v)))
	case int64:
		switch t.ID() {
		case arrow.TIMESTAMP:
			return string(planner.AppendTimestamp(nil, v))
		case arrow.DURATION:
			return planner.FormatDuration(time.Duration(v) * time.Microsecond)
		}
	}
	v, _ := planner.CastValue(x, t, catalog.String)
	if s, ok := v.(string); ok {
		return s
	}
	return "?"
}

// evalCase is an expression over the test table and its rows joined by |.
type evalCase struct {
	expr string
	want string
}

// evalRows compiles sql, evaluates it over the test table and renders the result.
func evalRows(t *testing.T, mem memory.Allocator, sql string) (string, error) {
	t.Helper()
	rec := testRecord(t, mem)
	defer rec.Release()
	ev, err := Compile(bind(t, sql, testSchema), mem)
	if err != nil {
		return "", err
	}
	arr, err := EvalArray(context.Background(), ev, rec)
	if err != nil {
		return "", err
	}
	defer arr.Release()
	if arr.Len() != int(rec.NumRows()) {
		t.Fatalf("%d rows, want %d", arr.Len(), rec.NumRows())
	}
	if !arrow.TypeEqual(arr.DataType(), ev.Type()) && ev.Type().ID() != arrow.NULL {
		t.Errorf("array type %s, evaluator type %s", arr.DataType(), ev.Type())
	}
	return strings.Join(render(t, arr), "|"), nil
}

func runEval(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			got, err := evalRows(t, mem, c.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// errCase is an expression that fails at compile or run time.
type errCase struct {
	expr string
	msg  string
}

func runErrors(t *testing.T, cases []errCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			got, err := evalRows(t, mem, c.expr)
			if err == nil {
				t.Fatalf("no error, got %s", got)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q, want %q", err, c.msg)
			}
		})
	}
}
