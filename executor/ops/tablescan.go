package ops

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/executor"
)

// tableScan returns a snapshot of a table's contents, then a final barrier.
type tableScan struct {
	scanner executor.Scanner
	schema  *arrow.Schema
	recs    []arrow.Record
	opened  bool
	done    bool
}

var _ executor.Operator = (*tableScan)(nil)

// NewTableScan builds a snapshot scan over a sink that can be read back.
func NewTableScan(sc executor.Scanner, schema *arrow.Schema) executor.Operator {
	return &tableScan{scanner: sc, schema: schema}
}

func (t *tableScan) Schema() *arrow.Schema         { return t.schema }
func (t *tableScan) Children() []executor.Operator { return nil }

func (t *tableScan) Open(ctx context.Context) error {
	recs, _, err := t.scanner.Scan(ctx)
	if err != nil {
		return err
	}
	t.recs = recs
	t.opened = true
	return nil
}

func (t *tableScan) Next(ctx context.Context) (executor.Msg, error) {
	if len(t.recs) > 0 {
		r := t.recs[0]
		t.recs = t.recs[1:]
		return executor.Msg{Kind: executor.MsgBatch, Batch: r}, nil
	}
	if !t.done {
		t.done = true
		// Epoch 0: a snapshot has no epochs of its own; the driver numbers it.
		return executor.Msg{Kind: executor.MsgBarrier, Barrier: executor.Barrier{Final: true}}, nil
	}
	return executor.Msg{}, io.EOF
}

func (t *tableScan) Close() error {
	for _, r := range t.recs {
		r.Release()
	}
	t.recs = nil
	return nil
}
