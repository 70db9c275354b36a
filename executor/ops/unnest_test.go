package ops

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

var unnestItem = catalog.RowOf(arrow.Field{Name: "sku", Type: catalog.String}, arrow.Field{Name: "qty", Type: catalog.Int64})

var unnestInput = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: catalog.Int64, Nullable: true},
	{Name: "items", Type: catalog.ArrayOf(unnestItem), Nullable: true},
	{Name: "tags", Type: catalog.ArrayOf(catalog.String), Nullable: true},
	{Name: "m", Type: catalog.MapOf(catalog.Int64), Nullable: true},
}, nil)

// unnestBatch is arrow's JSON of unnestInput rows (maps as key/value objects).
func unnestBatch(t *testing.T, mem memory.Allocator, rows ...string) executor.Msg {
	t.Helper()
	rec, _, err := array.RecordFromJSON(mem, unnestInput, strings.NewReader("["+strings.Join(rows, ",")+"]"))
	if err != nil {
		t.Fatal(err)
	}
	return executor.Msg{Kind: executor.MsgBatch, Batch: rec}
}

// unnestNode is the plan node of UNNEST(column) over unnestInput.
func unnestNode(column string, outer, ordinality bool) *planner.Unnest {
	i := unnestInput.FieldIndices(column)[0]
	f := unnestInput.Field(i)
	n := &planner.Unnest{Input: &planner.Values{}, Expr: &planner.ColumnRef{Index: i, Name: column, Typ: f.Type}, Outer: outer, Ordinality: ordinality}
	fields := append([]arrow.Field(nil), unnestInput.Fields()...)
	switch t := f.Type.(type) {
	case *arrow.MapType:
		fields = append(fields, arrow.Field{Name: "key", Type: t.KeyType(), Nullable: true}, arrow.Field{Name: "value", Type: t.ItemType(), Nullable: true})
	case *arrow.ListType:
		if st, ok := t.Elem().(*arrow.StructType); ok {
			n.Fields = true
			for _, sf := range st.Fields() {
				fields = append(fields, arrow.Field{Name: sf.Name, Type: sf.Type, Nullable: true})
			}
		} else {
			fields = append(fields, arrow.Field{Name: "x", Type: t.Elem(), Nullable: true})
		}
	}
	if ordinality {
		fields = append(fields, arrow.Field{Name: "n", Type: catalog.Int64, Nullable: true})
	}
	n.Out = arrow.NewSchema(fields, nil)
	return n
}

// drainUnnest prints every message, rows as name=value (nested values as
// JSON), leaving out the input's nested columns.
func drainUnnest(t *testing.T, op executor.Operator) string {
	t.Helper()
	ctx := context.Background()
	if err := op.Open(ctx); err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		m, err := op.Next(ctx)
		if err == io.EOF {
			return strings.Join(out, "\n")
		}
		if err != nil {
			t.Fatal(err)
		}
		switch m.Kind {
		case executor.MsgWatermark:
			out = append(out, "watermark")
		case executor.MsgBarrier:
			out = append(out, "barrier")
		case executor.MsgBatch:
			if !m.Batch.Schema().Equal(op.Schema()) {
				t.Errorf("batch schema %s, operator schema %s", m.Batch.Schema(), op.Schema())
			}
			for i := 0; i < int(m.Batch.NumRows()); i++ {
				var parts []string
				for c := 0; c < int(m.Batch.NumCols()); c++ {
					if c > 0 && c < unnestInput.NumFields() {
						continue
					}
					col := m.Batch.Column(c)
					parts = append(parts, m.Batch.ColumnName(c)+"="+executor.FormatValue(executor.Value(col, i), col.DataType()))
				}
				out = append(out, strings.Join(parts, " "))
			}
			m.Batch.Release()
		}
	}
}

func TestUnnest(t *testing.T) {
	rows := []string{
		`{"id": 1, "items": [{"sku": "a", "qty": 2}, null, {"sku": "b", "qty": null}], "tags": ["x", null], "m": [{"key": "k", "value": 1}, {"key": "j", "value": null}]}`,
		`{"id": 2, "items": [], "tags": [], "m": []}`,
		`{"id": 3, "items": null, "tags": null, "m": null}`,
		`{"id": 4, "items": [{"sku": "c", "qty": 7}], "tags": ["only"], "m": [{"key": "z", "value": 9}]}`,
	}
	for _, c := range []struct {
		name              string
		column            string
		outer, ordinality bool
		want              string
	}{
		{"an array of ROWs spreads into its fields, one row per element; empty and NULL arrays give none", "items", false, false, `
id=1 sku=a qty=2
id=1 sku=NULL qty=NULL
id=1 sku=b qty=NULL
id=4 sku=c qty=7
watermark
barrier`},
		{"an outer unnest keeps rows without elements, with NULL element columns", "tags", true, false, `
id=1 x=x
id=1 x=NULL
id=2 x=NULL
id=3 x=NULL
id=4 x=only
watermark
barrier`},
		{"with ordinality each element carries its 1-based position", "tags", false, true, `
id=1 x=x n=1
id=1 x=NULL n=2
id=4 x=only n=1
watermark
barrier`},
		{"a map gives its entries as key and value", "m", false, false, `
id=1 key=k value=1
id=1 key=j value=NULL
id=4 key=z value=9
watermark
barrier`},
	} {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			// The second batch is a slice, as batches after a filter may be.
			full := unnestBatch(t, mem, rows...)
			first := full.Batch.NewSlice(0, 2)
			second := full.Batch.NewSlice(2, 4)
			full.Batch.Release()
			in := &scriptOp{schema: unnestInput, msgs: []executor.Msg{
				{Kind: executor.MsgBatch, Batch: first}, {Kind: executor.MsgBatch, Batch: second},
				watermarkMsg(t, "00:00:05"), barrierMsg(1, true),
			}}
			op, err := NewUnnest(unnestNode(c.column, c.outer, c.ordinality), in, mem)
			if err != nil {
				t.Fatal(err)
			}
			got := drainUnnest(t, op)
			op.Close()
			checkOutput(t, got, c.want)
		})
	}
}
