package ops

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/expr"
	"github.com/tide-sql/tide/planner"
)

// projectOp computes a list of expressions over each batch. A projection
// that drops the event-time column drops nothing else of the watermark:
// watermarks pass unchanged (the planner tracks which column carries them).
type projectOp struct {
	input executor.Operator
	exprs []expr.Evaluator
	out   *arrow.Schema
}

var _ executor.Operator = (*projectOp)(nil)

// NewProject builds the operator for a Project node.
func NewProject(n *planner.Project, input executor.Operator, mem memory.Allocator) (executor.Operator, error) {
	p := &projectOp{input: input, out: n.Out}
	for _, e := range n.Exprs {
		ev, err := expr.Compile(e, mem)
		if err != nil {
			return nil, err
		}
		p.exprs = append(p.exprs, ev)
	}
	return p, nil
}

func (p *projectOp) Schema() *arrow.Schema          { return p.out }
func (p *projectOp) Open(ctx context.Context) error { return p.input.Open(ctx) }
func (p *projectOp) Close() error                   { return p.input.Close() }
func (p *projectOp) Children() []executor.Operator  { return []executor.Operator{p.input} }

func (p *projectOp) Next(ctx context.Context) (executor.Msg, error) {
	m, err := p.input.Next(ctx)
	if err != nil || m.Kind != executor.MsgBatch {
		return m, err
	}
	defer m.Batch.Release()
	cols := make([]arrow.Array, len(p.exprs))
	for i, ev := range p.exprs {
		a, err := expr.EvalArray(ctx, ev, m.Batch)
		if err != nil {
			for _, c := range cols[:i] {
				c.Release()
			}
			return executor.Msg{}, err
		}
		cols[i] = a
	}
	rec := array.NewRecord(p.out, cols, m.Batch.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return executor.Msg{Kind: executor.MsgBatch, Batch: rec}, nil
}
