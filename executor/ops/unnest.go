package ops

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/expr"
	"github.com/tide-sql/tide/planner"
)

// unnestOp turns each input row into one row per element of the array (or
// entry of the map) its expression computes: the input row's columns are
// taken once per element, the element's columns from the array's values,
// all with Arrow's Take, so that any column type passes. A row with an
// empty or NULL array gives no row, or one row of NULL element columns
// when the unnest is outer. Watermarks and barriers pass unchanged: the
// input's columns keep their positions.
type unnestOp struct {
	input executor.Operator
	ev    expr.Evaluator // the ARRAY or MAP to unnest, over the input
	n     *planner.Unnest
	mem   memory.Allocator
}

var _ executor.Operator = (*unnestOp)(nil)

// NewUnnest builds the operator for an Unnest node.
func NewUnnest(n *planner.Unnest, input executor.Operator, mem memory.Allocator) (executor.Operator, error) {
	ev, err := expr.Compile(n.Expr, mem)
	if err != nil {
		return nil, err
	}
	return &unnestOp{input: input, ev: ev, n: n, mem: mem}, nil
}

func (u *unnestOp) Schema() *arrow.Schema          { return u.n.Out }
func (u *unnestOp) Open(ctx context.Context) error { return u.input.Open(ctx) }
func (u *unnestOp) Close() error                   { return u.input.Close() }
func (u *unnestOp) Children() []executor.Operator  { return []executor.Operator{u.input} }

func (u *unnestOp) Next(ctx context.Context) (executor.Msg, error) {
	for {
		m, err := u.input.Next(ctx)
		if err != nil || m.Kind != executor.MsgBatch {
			return m, err
		}
		out, err := u.unnest(ctx, m.Batch)
		m.Batch.Release()
		if err != nil {
			return executor.Msg{}, err
		}
		if out.NumRows() == 0 {
			out.Release()
			continue
		}
		return executor.Msg{Kind: executor.MsgBatch, Batch: out}, nil
	}
}

// unnest computes the output rows of one input batch.
func (u *unnestOp) unnest(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	arr, err := expr.EvalArray(ctx, u.ev, rec)
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	l, ok := arr.(array.ListLike)
	if !ok {
		return nil, fmt.Errorf("unnest %s: got %s, not an ARRAY or a MAP", u.n.Expr, arr.DataType())
	}
	var (
		parents []int64 // input row of each output row
		elems   []int64 // element of each output row
		has     []bool  // the output row has an element (false: an outer row)
		ords    []int64 // 1-based position of the element
	)
	for i := 0; i < l.Len(); i++ {
		start, end := int64(0), int64(0)
		if l.IsValid(i) {
			start, end = l.ValueOffsets(i)
		}
		if start == end {
			if u.n.Outer {
				parents, elems, has, ords = append(parents, int64(i)), append(elems, 0), append(has, false), append(ords, 0)
			}
			continue
		}
		for j := start; j < end; j++ {
			parents, elems, has, ords = append(parents, int64(i)), append(elems, j), append(has, true), append(ords, j-start+1)
		}
	}
	cctx := compute.WithAllocator(ctx, u.mem)
	var cols []arrow.Array
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	take := func(values arrow.Array, idx []int64, valid []bool) error {
		ia := u.indexes(idx, valid)
		defer ia.Release()
		c, err := compute.TakeArray(cctx, values, ia)
		if err != nil {
			return fmt.Errorf("unnest %s: %w", u.n.Expr, err)
		}
		cols = append(cols, c)
		return nil
	}
	for c := 0; c < int(rec.NumCols()); c++ {
		if err := take(rec.Column(c), parents, nil); err != nil {
			return nil, err
		}
	}
	switch a := arr.(type) {
	case *array.Map:
		for _, values := range []arrow.Array{a.Keys(), a.Items()} {
			if err := take(values, elems, has); err != nil {
				return nil, err
			}
		}
	case *array.List:
		values := a.ListValues()
		if st, ok := values.(*array.Struct); ok && u.n.Fields {
			// A NULL element (a NULL ROW) has NULL fields.
			valid := make([]bool, len(elems))
			for k, j := range elems {
				valid[k] = has[k] && st.IsValid(int(j))
			}
			for f := 0; f < st.NumField(); f++ {
				if err := take(st.Field(f), elems, valid); err != nil {
					return nil, err
				}
			}
		} else if err := take(values, elems, has); err != nil {
			return nil, err
		}
	}
	if u.n.Ordinality {
		b := array.NewInt64Builder(u.mem)
		b.AppendValues(ords, has)
		cols = append(cols, b.NewArray())
		b.Release()
	}
	if len(cols) != u.n.Out.NumFields() {
		return nil, fmt.Errorf("unnest %s: built %d columns, the plan has %d", u.n.Expr, len(cols), u.n.Out.NumFields())
	}
	return array.NewRecord(u.n.Out, cols, int64(len(parents))), nil
}

// indexes is an Int64 array of idx, NULL where valid is false (valid nil:
// none is NULL).
func (u *unnestOp) indexes(idx []int64, valid []bool) arrow.Array {
	b := array.NewInt64Builder(u.mem)
	defer b.Release()
	b.AppendValues(idx, valid)
	return b.NewArray()
}
