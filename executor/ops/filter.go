package ops

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/expr"
	"github.com/tide-sql/tide/planner"
)

// filterOp keeps the rows where its predicate is TRUE. Watermarks and
// barriers pass unchanged.
type filterOp struct {
	input executor.Operator
	pred  expr.Evaluator
}

var _ executor.Operator = (*filterOp)(nil)

// NewFilter builds the operator for a Filter node.
func NewFilter(n *planner.Filter, input executor.Operator, mem memory.Allocator) (executor.Operator, error) {
	pred, err := expr.Compile(n.Pred, mem)
	if err != nil {
		return nil, err
	}
	return &filterOp{input: input, pred: pred}, nil
}

func (f *filterOp) Schema() *arrow.Schema          { return f.input.Schema() }
func (f *filterOp) Open(ctx context.Context) error { return f.input.Open(ctx) }
func (f *filterOp) Close() error                   { return f.input.Close() }
func (f *filterOp) Children() []executor.Operator  { return []executor.Operator{f.input} }

func (f *filterOp) Next(ctx context.Context) (executor.Msg, error) {
	for {
		m, err := f.input.Next(ctx)
		if err != nil || m.Kind != executor.MsgBatch {
			return m, err
		}
		out, err := expr.Filter(ctx, f.pred, m.Batch)
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
