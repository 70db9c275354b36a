package ops

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/executor"
)

// limitOp passes the first n rows, then ends the stream with a final
// barrier and io.EOF.
type limitOp struct {
	input executor.Operator
	left  int64
	ended bool
}

var _ executor.Operator = (*limitOp)(nil)

// NewLimit builds a LIMIT n operator.
func NewLimit(n int64, input executor.Operator) executor.Operator {
	return &limitOp{input: input, left: n}
}

func (l *limitOp) Schema() *arrow.Schema          { return l.input.Schema() }
func (l *limitOp) Open(ctx context.Context) error { return l.input.Open(ctx) }
func (l *limitOp) Close() error                   { return l.input.Close() }
func (l *limitOp) Children() []executor.Operator  { return []executor.Operator{l.input} }

func (l *limitOp) Next(ctx context.Context) (executor.Msg, error) {
	if l.ended {
		return executor.Msg{}, io.EOF
	}
	if l.left <= 0 {
		l.ended = true
		return executor.Msg{Kind: executor.MsgBarrier, Barrier: executor.Barrier{Final: true}}, nil
	}
	m, err := l.input.Next(ctx)
	if err != nil || m.Kind != executor.MsgBatch {
		return m, err
	}
	n := m.Batch.NumRows()
	if n <= l.left {
		l.left -= n
		return m, nil
	}
	out := m.Batch.NewSlice(0, l.left)
	m.Batch.Release()
	l.left = 0
	return executor.Msg{Kind: executor.MsgBatch, Batch: out}, nil
}
