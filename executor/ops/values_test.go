package ops

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/parser"
	"github.com/tide-sql/tide/planner"
)

// plannedValues plans sql (VALUES or a SELECT without FROM) and returns
// its Values node.
func plannedValues(t *testing.T, sql string) *planner.Values {
	t.Helper()
	st, err := parser.ParseOne(sql)
	if err != nil {
		t.Fatal(parser.Render(err, sql))
	}
	p := &planner.Planner{Catalog: catalog.New()}
	plan, err := p.PlanQuery(st.(*parser.Select).Query)
	if err != nil {
		t.Fatal(parser.Render(err, sql))
	}
	v, ok := plan.Root.(*planner.Values)
	if !ok {
		t.Fatalf("%s planned as\n%s", sql, planner.Explain(plan.Root))
	}
	return v
}

// drainValues runs a Values operator to its end and checks the protocol:
// batches, then the end of time as watermark, a final barrier, io.EOF (and
// io.EOF again). It returns the rows as text, one line per row.
func drainValues(t *testing.T, op executor.Operator) []string {
	t.Helper()
	ctx := context.Background()
	if err := op.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	var rows []string
	var kinds []string
	for {
		m, err := op.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch m.Kind {
		case executor.MsgBatch:
			kinds = append(kinds, "batch")
			if !m.Batch.Schema().Equal(op.Schema()) {
				t.Errorf("batch schema %s, want %s", m.Batch.Schema(), op.Schema())
			}
			rows = append(rows, recordRows(m.Batch)...)
			m.Batch.Release()
		case executor.MsgWatermark:
			kinds = append(kinds, "watermark")
			if !m.Watermark.Time.Equal(executor.MaxWatermark.Time) || m.Watermark.Idle {
				t.Errorf("watermark %+v, want the end of time", m.Watermark)
			}
		case executor.MsgBarrier:
			kinds = append(kinds, "barrier")
			if !m.Barrier.Final {
				t.Errorf("barrier %+v is not final", m.Barrier)
			}
		}
	}
	if got := strings.Join(kinds, " "); got != "batch watermark barrier" {
		t.Errorf("messages %q, want one batch, the watermark, the final barrier", got)
	}
	if _, err := op.Next(ctx); !errors.Is(err, io.EOF) {
		t.Errorf("after the end: %v, want io.EOF", err)
	}
	return rows
}

func recordRows(rec arrow.Record) []string {
	var out []string
	for i := 0; i < int(rec.NumRows()); i++ {
		vals := make([]string, rec.NumCols())
		for j := range vals {
			vals[j] = rec.Column(j).ValueStr(i)
		}
		out = append(out, strings.Join(vals, "|"))
	}
	return out
}

func TestValuesReturnsItsRowsThenEndOfTimeAndAFinalBarrier(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	n := plannedValues(t, `VALUES
  (1, 'a', NULL, CONCAT(upper('x'), 'y'), TRUE, '2024-03-01 10:00:00.5'),
  (2.5, NULL, NULL, CONCAT('p', 'q'), 1 > 2, TIMESTAMP '2024-03-02 00:00:00'),
  (6 * 7, 'c', NULL, CAST(12 AS VARCHAR), NULL, NULL)`)
	op, err := NewValues(n, mem)
	if err != nil {
		t.Fatal(err)
	}
	got := drainValues(t, op)
	want := []string{
		"1|a|(null)|Xy|true|2024-03-01T10:00:00.5Z",
		"2.5|(null)|(null)|pq|false|2024-03-02T00:00:00Z",
		"42|c|(null)|12|(null)|(null)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	types := []arrow.Type{arrow.FLOAT64, arrow.STRING, arrow.NULL, arrow.STRING, arrow.BOOL, arrow.TIMESTAMP}
	for j, want := range types {
		if got := op.Schema().Field(j).Type.ID(); got != want {
			t.Errorf("column %d is %s, want %s", j+1, got, want)
		}
	}
}

func TestValuesOfASelectWithoutFromIsOneRow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	op, err := NewValues(plannedValues(t, `SELECT 1 + 1 AS two, 'x' AS s, CAST('2024-01-01' AS DATE) AS d`), mem)
	if err != nil {
		t.Fatal(err)
	}
	if got := drainValues(t, op); len(got) != 1 || got[0] != "2|x|2024-01-01" {
		t.Errorf("rows %q", got)
	}
}

// The input of SELECT ... WHERE without FROM: one row and no columns.
func TestValuesOfNoColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	op, err := NewValues(&planner.Values{Rows: [][]planner.Expr{{}, {}}, Out: arrow.NewSchema(nil, nil)}, mem)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := op.Next(ctx)
	if err != nil || m.Kind != executor.MsgBatch || m.Batch.NumRows() != 2 || m.Batch.NumCols() != 0 {
		t.Fatalf("first message %+v, %v; want a batch of 2 rows, no columns", m, err)
	}
	m.Batch.Release()
	op.Close()
}

// A value that fails at run time fails the query, naming its row and
// column, and releases what was evaluated before it.
func TestValuesThatFailNameTheirRowAndColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	str := func(s string) planner.Expr { return &planner.Literal{Value: s, Typ: catalog.String} }
	n := &planner.Values{
		Rows: [][]planner.Expr{
			{str("a"), &planner.Call{Func: "cast", Args: []planner.Expr{str("1")}, Typ: catalog.Int64}},
			{str("b"), &planner.Call{Func: "cast", Args: []planner.Expr{str("x")}, Typ: catalog.Int64}},
		},
		Out: arrow.NewSchema([]arrow.Field{{Name: "s", Type: catalog.String, Nullable: true}, {Name: "n", Type: catalog.Int64, Nullable: true}}, nil),
	}
	op, err := NewValues(n, mem)
	if err != nil {
		t.Fatal(err)
	}
	_, err = op.Next(context.Background())
	if err == nil || !strings.Contains(err.Error(), "VALUES row 2, column 2 (n)") || !strings.Contains(err.Error(), "'x'") {
		t.Fatalf("error %v, want one naming row 2, column 2 and the value", err)
	}
	op.Close()
}

func TestValuesRefusesAValueOfAnotherTypeThanItsColumn(t *testing.T) {
	n := &planner.Values{
		Rows: [][]planner.Expr{{&planner.Literal{Value: int64(1), Typ: catalog.Int64}}},
		Out:  arrow.NewSchema([]arrow.Field{{Name: "s", Type: catalog.String}}, nil),
	}
	if _, err := NewValues(n, nil); err == nil || !strings.Contains(err.Error(), "VALUES row 1, column 1 (s) is BIGINT, not VARCHAR") {
		t.Fatalf("error %v", err)
	}
}

func TestValuesStopsWhenCancelled(t *testing.T) {
	op, err := NewValues(plannedValues(t, `VALUES (1)`), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := op.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next after cancel: %v", err)
	}
}
