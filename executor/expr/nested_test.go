package expr

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/parser"
	"github.com/tide-sql/tide/planner"
)

var itemType = catalog.RowOf(arrow.Field{Name: "sku", Type: catalog.String}, arrow.Field{Name: "qty", Type: catalog.Int64})

// nestedTable has nested columns; the rows are arrow's JSON (maps as
// key/value objects), read by arrow.
var nestedTable = arrow.NewSchema([]arrow.Field{
	{Name: "c", Type: catalog.RowOf(arrow.Field{Name: "name", Type: catalog.String},
		arrow.Field{Name: "addr", Type: catalog.RowOf(arrow.Field{Name: "city", Type: catalog.String})}), Nullable: true},
	{Name: "items", Type: catalog.ArrayOf(itemType), Nullable: true},
	{Name: "tags", Type: catalog.ArrayOf(catalog.String), Nullable: true},
	{Name: "m", Type: catalog.MapOf(catalog.Int64), Nullable: true},
	{Name: "i", Type: catalog.Int64, Nullable: true},
}, nil)

const nestedTableRows = `[
 {"c": {"name": "Ann", "addr": {"city": "Lyon"}}, "items": [{"sku": "a", "qty": 2}, null, {"sku": "b", "qty": null}], "tags": ["x", null, "z"],
  "m": [{"key": "k", "value": 1}, {"key": "j", "value": null}, {"key": "k", "value": 3}], "i": 2},
 {"c": {"name": null, "addr": null}, "items": [], "tags": [], "m": [], "i": 0},
 {"c": null, "items": null, "tags": null, "m": null, "i": null},
 {"c": {"name": "Bo", "addr": {"city": null}}, "items": [{"sku": "c", "qty": 7}], "tags": ["only"], "m": [{"key": "j", "value": 9}], "i": -1}
]`

// evalNested binds sql (parsed by tide, so arr[1] is element access) over
// nestedTable, evaluates it and prints each row as FormatValue does.
func evalNested(t *testing.T, mem memory.Allocator, sql string) (string, error) {
	t.Helper()
	st, err := parser.ParseOne("SELECT " + sql + " FROM t")
	if err != nil {
		return "", err
	}
	q := st.(*parser.Select).Query
	scope := scopeOf(nestedTable)
	scope.Pos = q.Map.Pos
	e, err := planner.BindExpr(q.AST.(*ast.SelectStmt).Fields.Fields[0].Expr, scope)
	if err != nil {
		return "", err
	}
	rec, _, err := array.RecordFromJSON(mem, nestedTable, strings.NewReader(nestedTableRows))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	ev, err := Compile(e, mem)
	if err != nil {
		return "", err
	}
	arr, err := EvalArray(context.Background(), ev, rec)
	if err != nil {
		return "", err
	}
	defer arr.Release()
	if !arrow.TypeEqual(arr.DataType(), ev.Type()) {
		t.Errorf("array type %s, evaluator type %s", arr.DataType(), ev.Type())
	}
	out := make([]string, arr.Len())
	for i := range out {
		out[i] = executor.FormatValue(executor.Value(arr, i), arr.DataType())
	}
	return strings.Join(out, "|"), nil
}

func TestNestedAccess(t *testing.T) {
	for _, c := range []evalCase{
		{"c.name", "Ann|NULL|NULL|Bo"},
		{"t.c.addr.city", "Lyon|NULL|NULL|NULL"},
		{"c.addr", `{"city":"Lyon"}|NULL|NULL|{"city":null}`},
		{"tags[1]", "x|NULL|NULL|only"},
		{"tags[2]", "NULL|NULL|NULL|NULL"},
		{"tags[3]", "z|NULL|NULL|NULL"},
		{"tags[0]", "NULL|NULL|NULL|NULL"},
		{"tags[-1]", "NULL|NULL|NULL|NULL"},
		{"tags[i]", "NULL|NULL|NULL|NULL"},
		{"tags[i + 1]", "z|NULL|NULL|NULL"},
		{"items[1].sku", "a|NULL|NULL|c"},
		{"items[2].sku", "NULL|NULL|NULL|NULL"},
		{"items[3].qty", "NULL|NULL|NULL|NULL"},
		{"items[1]", `{"sku":"a","qty":2}|NULL|NULL|{"sku":"c","qty":7}`},
		{"m['k']", "3|NULL|NULL|NULL"},
		{"m['j']", "NULL|NULL|NULL|9"},
		{"m['nope']", "NULL|NULL|NULL|NULL"},
		{"CARDINALITY(tags)", "3|0|NULL|1"},
		{"CARDINALITY(m)", "3|0|NULL|1"},
		{"CARDINALITY(items) + 1", "4|1|NULL|2"},
		{"COALESCE(items[1], items[3])", `{"sku":"a","qty":2}|NULL|NULL|{"sku":"c","qty":7}`},
		{"CASE WHEN i > 0 THEN tags ELSE NULL END", `["x",null,"z"]|NULL|NULL|NULL`},
		{"CAST(c AS VARCHAR)", `{"name":"Ann","addr":{"city":"Lyon"}}|{"name":null,"addr":null}|NULL|{"name":"Bo","addr":{"city":null}}`},
		{"CAST(NULL AS ARRAY<BIGINT>)[1]", "NULL|NULL|NULL|NULL"},
		{"c IS NULL", "false|false|true|false"},
	} {
		t.Run(c.expr, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			got, err := evalNested(t, mem, c.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestSlicedNestedColumnsReadTheirOwnRows: a batch that is a slice of a
// larger one (as after a filter or a split) reads its own rows' fields and
// elements.
func TestSlicedNestedColumnsReadTheirOwnRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, _, err := array.RecordFromJSON(mem, nestedTable, strings.NewReader(nestedTableRows))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	slice := rec.NewSlice(2, 4)
	defer slice.Release()
	for sql, want := range map[string]string{"c.addr.city": "NULL|NULL", "tags[1]": "NULL|only", "m['j']": "NULL|9", "CARDINALITY(items)": "NULL|1"} {
		st, _ := parser.ParseOne("SELECT " + sql + " FROM t")
		q := st.(*parser.Select).Query
		e, err := planner.BindExpr(q.AST.(*ast.SelectStmt).Fields.Fields[0].Expr, scopeOf(nestedTable))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := Compile(e, mem)
		if err != nil {
			t.Fatal(err)
		}
		arr, err := EvalArray(context.Background(), ev, slice)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := 0; i < arr.Len(); i++ {
			got = append(got, executor.FormatValue(executor.Value(arr, i), arr.DataType()))
		}
		arr.Release()
		if strings.Join(got, "|") != want {
			t.Errorf("%s over rows 2..3: %s, want %s", sql, strings.Join(got, "|"), want)
		}
	}
}

func TestNestedAccessErrors(t *testing.T) {
	for _, c := range []errCase{
		{"c.nosuch", "unknown field nosuch of ROW<name VARCHAR, addr ROW<city VARCHAR>>"},
		{"i.x", "i is BIGINT, not a ROW: it has no field x"},
		{"i[1]", "cannot index i: BIGINT is not an ARRAY or a MAP"},
		{"tags[c]", "the index of ARRAY<VARCHAR> is a BIGINT, not ROW<name VARCHAR, addr ROW<city VARCHAR>>"},
		{"UPPER(tags)", "cannot apply UPPER to ARRAY<VARCHAR>"},
	} {
		t.Run(c.expr, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			got, err := evalNested(t, mem, c.expr)
			if err == nil {
				t.Fatalf("no error, got %s", got)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q, want %q", err, c.msg)
			}
		})
	}
}
