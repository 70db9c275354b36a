package expr

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/planner"
)

func TestFilter(t *testing.T) {
	cases := []struct {
		pred string
		rows string // values of column s of the rows kept
	}{
		{"i > 0", "CUST-001,CUST-003"},
		{"b", "CUST-001,CUST-003"},
		{"NOT b", " Ärger é "},
		{"s = 'CUST-003'", "CUST-003"},
		{"i IN (1, NULL)", "CUST-001"},
		{"TRUE", "CUST-001, Ärger é ,NULL,CUST-003"},
		{"FALSE", ""},
		{"NULL", ""},
		{"i IS NULL OR i < 1000", "CUST-001, Ärger é ,NULL,CUST-003"},
		{"i > 1000", ""},
	}
	for _, c := range cases {
		t.Run(c.pred, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rec := testRecord(t, mem)
			defer rec.Release()
			ev, err := Compile(bind(t, c.pred, testSchema), mem)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Filter(context.Background(), ev, rec)
			if err != nil {
				t.Fatal(err)
			}
			defer out.Release()
			if out.NumCols() != rec.NumCols() {
				t.Fatalf("%d columns", out.NumCols())
			}
			got := strings.Join(render(t, out.Column(3)), ",")
			if got != c.rows {
				t.Errorf("got %q, want %q", got, c.rows)
			}
		})
	}
}

func TestFilterRejectsNonBoolean(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := testRecord(t, mem)
	defer rec.Release()
	ev, err := Compile(bind(t, "i + 1", testSchema), mem)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Filter(context.Background(), ev, rec); err == nil {
		t.Fatal("filtered on a BIGINT")
	}
}

func TestConstantFolding(t *testing.T) {
	cases := []struct {
		expr string
		want any
	}{
		{"1 + 2 * 3", int64(7)},
		{"UPPER('abc')", "ABC"},
		{"CONCAT('a', TIDE_CAST(1.5, 'STRING'))", "a1.5"},
		{"TIMESTAMP '2024-01-01 00:00:00' + TIDE_INTERVAL('1', 'MINUTE')", int64(1704067260000000)},
		{"1 IN (1, 2)", true},
		{"NULL + 1", nil},
		{"CASE WHEN 1 > 2 THEN 'a' ELSE 'b' END", "b"},
		{"JSON_VALUE('{\"a\": [1, 2]}', '$.a[1]')", "2"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ev, err := Compile(bind(t, c.expr, testSchema), mem)
			if err != nil {
				t.Fatal(err)
			}
			k, ok := ev.(*evaluator).root.(*constNode)
			if !ok {
				t.Fatalf("not folded: %T", ev.(*evaluator).root)
			}
			if k.v.Scalar != c.want {
				t.Errorf("folded to %#v, want %#v", k.v.Scalar, c.want)
			}
			// Evaluating a constant needs no batch.
			v, err := ev.Eval(context.Background(), nil)
			if err != nil || !v.IsScalar || v.Scalar != c.want {
				t.Errorf("Eval = %#v, %v", v, err)
			}
		})
	}
}

func TestScalarResultsStayScalar(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := testRecord(t, mem)
	defer rec.Release()
	for _, e := range []string{"'x'", "NOW()", "COALESCE(1, i)", "FALSE AND b", "s = NULL"} {
		ev, err := Compile(bind(t, e, testSchema), mem)
		if err != nil {
			t.Fatal(err)
		}
		v, err := ev.Eval(context.Background(), rec)
		if err != nil {
			t.Fatal(err)
		}
		if !v.IsScalar || v.Array != nil {
			t.Errorf("%s: not a scalar", e)
		}
		arr, err := EvalArray(context.Background(), ev, rec)
		if err != nil {
			t.Fatal(err)
		}
		if arr.Len() != int(rec.NumRows()) {
			t.Errorf("%s: broadcast to %d rows", e, arr.Len())
		}
		arr.Release()
	}
}

func TestEvalNullLiteral(t *testing.T) {
	runEval(t, []evalCase{{"NULL", "NULL|NULL|NULL|NULL"}})
}

func TestColumnTypeMismatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := testRecord(t, mem)
	defer rec.Release()
	ev, err := Compile(&planner.ColumnRef{Index: 0, Name: "i", Typ: catalog.String}, mem)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.Eval(context.Background(), rec); err == nil || !strings.Contains(err.Error(), "column i: batch has type int64") {
		t.Errorf("err = %v", err)
	}
}

// Every kernel must honour array offsets: evaluating over a slice of the
// batch gives the slice of the results.
func TestSlicedBatches(t *testing.T) {
	exprs := []string{
		"i + k", "i / k", "-i", "ABS(f)", "ROUND(f, 1)", "i > k", "s = 'CUST-003'", "s != s", "i <=> k", "i IN (1, NULL)",
		"i BETWEEN 0 AND 10", "b AND i > 0", "NOT b", "i IS NULL", "b IS TRUE", "CASE WHEN b THEN s ELSE 'x' END",
		"COALESCE(i, k, 42)", "NULLIF(i, 1)", "GREATEST(s, 'CUST-002')", "UPPER(s)", "SUBSTRING(s, 2, 3)", "LENGTH(s)",
		"CONCAT_WS(',', s, i)", "POSITION('-' IN s)", "s LIKE 'CUST%'", "s LIKE p", "JSON_VALUE(j, '$.a')",
		"YEAR(ts)", "DATE(ts)", "DATE_FORMAT(ts, '%Y')", "UNIX_TIMESTAMP(ts)", "TIDE_CAST(ts, 'STRING')",
		"TIDE_CAST(d, 'TIMESTAMP')", "TIDE_TRY_CAST(s, 'BIGINT')", "ts + TIDE_INTERVAL('1', 'HOUR')", "TIDE_CAST(i, 'BOOLEAN')",
		"b XOR TRUE", "b XOR b", "b AND TRUE", "b OR FALSE", "(i > 0) OR NULL", "i NOT IN (1, 2)", "i NOT IN (k, 1)",
		"i NOT BETWEEN 0 AND 10", "s IS NOT NULL", "b IS NOT FALSE", "i * k", "f - i", "i % k", "i DIV k", "ts - ts",
		"ts > '2024-06-01'", "d < ts", "s < 'CUST-002'", "TIDE_CAST(f, 'STRING')", "FROM_UNIXTIME(i)",
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := testRecord(t, mem)
	defer rec.Release()
	slice := rec.NewSlice(1, 4)
	defer slice.Release()
	for _, e := range exprs {
		ev, err := Compile(bind(t, e, testSchema), mem)
		if err != nil {
			t.Fatal(err)
		}
		full, err := EvalArray(context.Background(), ev, rec)
		if err != nil {
			t.Fatal(err)
		}
		part, err := EvalArray(context.Background(), ev, slice)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Join(render(t, full)[1:], "|")
		if got := strings.Join(render(t, part), "|"); got != want {
			t.Errorf("%s over rows 1-3: got %s, want %s", e, got, want)
		}
		full.Release()
		part.Release()
	}
}

// bigRecord builds n rows: amount = i % 200 (NULL every 97th row) and
// customer_id = CUST-<i % 7> (NULL every 89th row).
func bigRecord(mem memory.Allocator, n int) arrow.Record {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "amount", Type: catalog.Float64, Nullable: true},
		{Name: "customer_id", Type: catalog.String, Nullable: true},
	}, nil)
	fb := array.NewFloat64Builder(mem)
	sb := array.NewStringBuilder(mem)
	defer fb.Release()
	defer sb.Release()
	for i := 0; i < n; i++ {
		if i%97 == 0 {
			fb.AppendNull()
		} else {
			fb.Append(float64(i % 200))
		}
		if i%89 == 0 {
			sb.AppendNull()
		} else {
			sb.Append(fmt.Sprintf("CUST-%03d", i%7))
		}
	}
	fa, sa := fb.NewArray(), sb.NewArray()
	defer fa.Release()
	defer sa.Release()
	return array.NewRecord(schema, []arrow.Array{fa, sa}, int64(n))
}

func TestFilterLargeBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const n = 1003
	rec := bigRecord(mem, n)
	defer rec.Release()
	for _, off := range []int64{0, 5} {
		part := rec.NewSlice(off, n)
		ev, err := Compile(bind(t, "amount > 100 AND customer_id = 'CUST-003'", part.Schema()), mem)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Filter(context.Background(), ev, part)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for i := int(off); i < n; i++ {
			if i%97 != 0 && i%89 != 0 && i%200 > 100 && i%7 == 3 {
				want++
			}
		}
		if int(out.NumRows()) != want {
			t.Errorf("offset %d: %d rows, want %d", off, out.NumRows(), want)
		}
		ne, err := Compile(bind(t, "customer_id != 'CUST-003'", part.Schema()), mem)
		if err != nil {
			t.Fatal(err)
		}
		arr, err := EvalArray(context.Background(), ne, part)
		if err != nil {
			t.Fatal(err)
		}
		b := arr.(*array.Boolean)
		for i := 0; i < b.Len(); i++ {
			row := i + int(off)
			if b.IsNull(i) != (row%89 == 0) || (!b.IsNull(i) && b.Value(i) != (row%7 != 3)) {
				t.Fatalf("offset %d row %d: %v", off, row, b.Value(i))
			}
		}
		arr.Release()
		out.Release()
		part.Release()
	}
}
