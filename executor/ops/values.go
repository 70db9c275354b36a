package ops

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/expr"
	"github.com/tide-sql/tide/planner"
)

// valuesOp returns the constant rows of a Values node: one batch, the end
// of time as its watermark (a bounded input holds no window open), a final
// barrier, then io.EOF. The rows are evaluated on the first Next, so that
// a value that fails (CAST('x' AS BIGINT)) fails the query there, naming
// its row and column.
type valuesOp struct {
	schema *arrow.Schema
	rows   [][]expr.Evaluator // rows[i][j]: row i, column j
	mem    memory.Allocator
	step   int // 0: batch next, 1: watermark, 2: barrier, 3: ended
}

var _ executor.Operator = (*valuesOp)(nil)

// NewValues builds the operator for a Values node, compiling every value.
func NewValues(n *planner.Values, mem memory.Allocator) (executor.Operator, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	v := &valuesOp{schema: n.Out, mem: mem}
	width := n.Out.NumFields()
	for i, row := range n.Rows {
		if len(row) != width {
			return nil, fmt.Errorf("VALUES row %d has %d values, not %d", i+1, len(row), width)
		}
		evs := make([]expr.Evaluator, width)
		for j, e := range row {
			if want := n.Out.Field(j).Type; !arrow.TypeEqual(e.Type(), want) {
				return nil, fmt.Errorf("VALUES row %d, column %d (%s) is %s, not %s", i+1, j+1, n.Out.Field(j).Name,
					catalog.TypeName(e.Type()), catalog.TypeName(want))
			}
			ev, err := expr.Compile(e, mem)
			if err != nil {
				return nil, fmt.Errorf("VALUES row %d, column %d: %w", i+1, j+1, err)
			}
			evs[j] = ev
		}
		v.rows = append(v.rows, evs)
	}
	return v, nil
}

func (v *valuesOp) Schema() *arrow.Schema          { return v.schema }
func (v *valuesOp) Children() []executor.Operator  { return nil }
func (v *valuesOp) Open(ctx context.Context) error { return nil }

func (v *valuesOp) Next(ctx context.Context) (executor.Msg, error) {
	if err := ctx.Err(); err != nil {
		return executor.Msg{}, err
	}
	switch v.step {
	case 0:
		v.step++
		if len(v.rows) > 0 {
			rec, err := v.evaluate(ctx)
			if err != nil {
				v.step = 3
				return executor.Msg{}, err
			}
			return executor.Msg{Kind: executor.MsgBatch, Batch: rec}, nil
		}
		fallthrough
	case 1:
		v.step = 2
		return executor.Msg{Kind: executor.MsgWatermark, Watermark: executor.MaxWatermark}, nil
	case 2:
		v.step++
		// Epoch 0: a bounded input has no epochs of its own; the driver numbers it.
		return executor.Msg{Kind: executor.MsgBarrier, Barrier: executor.Barrier{Final: true}}, nil
	}
	return executor.Msg{}, io.EOF
}

// evaluate computes every value over one row of no columns and puts the
// rows together, column by column.
func (v *valuesOp) evaluate(ctx context.Context) (arrow.Record, error) {
	one := array.NewRecord(arrow.NewSchema(nil, nil), nil, 1)
	defer one.Release()
	width := v.schema.NumFields()
	cells := make([][]arrow.Array, width) // cells[j][i]: column j of row i
	defer func() {
		for _, col := range cells {
			for _, a := range col {
				a.Release()
			}
		}
	}()
	for i, row := range v.rows {
		for j, ev := range row {
			a, err := expr.EvalArray(ctx, ev, one)
			if err != nil {
				return nil, fmt.Errorf("VALUES row %d, column %d (%s): %w", i+1, j+1, v.schema.Field(j).Name, err)
			}
			cells[j] = append(cells[j], a)
		}
	}
	cols := make([]arrow.Array, width)
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for j := range cols {
		c, err := array.Concatenate(cells[j], v.mem)
		if err != nil {
			return nil, fmt.Errorf("VALUES column %d (%s): %w", j+1, v.schema.Field(j).Name, err)
		}
		cols[j] = c
	}
	return array.NewRecord(v.schema, cols, int64(len(v.rows))), nil
}

// Delivered reports whether the operator has returned its final barrier:
// the epoch that barrier ends holds every row.
func (v *valuesOp) Delivered() bool { return v.step >= 3 }

// Resumed makes the operator send no rows, only its watermark and final
// barrier: a restarted query whose checkpoint holds an epoch that the rows
// were in has written them already.
func (v *valuesOp) Resumed() {
	if v.step == 0 {
		v.step = 1
	}
}

func (v *valuesOp) Close() error {
	v.step = 3
	return nil
}
