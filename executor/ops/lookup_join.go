package ops

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/expr"
	"github.com/tide-sql/tide/planner"
)

// lookupJoin enriches each input row with the matching rows of a table
// snapshot held in a hash index (Spark's stream-static join). With reload
// set, the snapshot is read again when the first batch of each epoch
// arrives, so that rows added to the table since the last epoch, however
// long ago it ended, are found (Flink's lookup join sees the latest
// version).
type lookupJoin struct {
	input     executor.Operator
	table     executor.Scanner
	leftKeys  []expr.Evaluator
	rightKeys []int
	left      bool // LEFT JOIN: keep unmatched rows
	reload    bool
	out       *arrow.Schema
	mem       memory.Allocator

	rows  [][]any          // the table's rows
	index map[string][]int // key → rows
	stale bool             // an epoch ended since the last load (with reload)
}

var _ executor.Operator = (*lookupJoin)(nil)

// NewLookupJoin builds the operator for a LookupJoin node over a table that
// can be read back.
func NewLookupJoin(n *planner.LookupJoin, input executor.Operator, table executor.Scanner, reload bool, mem memory.Allocator) (executor.Operator, error) {
	j := &lookupJoin{input: input, table: table, rightKeys: n.RightKeys, left: n.Kind == "left", reload: reload, out: n.Out, mem: mem}
	for _, k := range n.LeftKeys {
		ev, err := expr.Compile(k, mem)
		if err != nil {
			return nil, err
		}
		j.leftKeys = append(j.leftKeys, ev)
	}
	return j, nil
}

func (j *lookupJoin) Schema() *arrow.Schema         { return j.out }
func (j *lookupJoin) Close() error                  { return j.input.Close() }
func (j *lookupJoin) Children() []executor.Operator { return []executor.Operator{j.input} }

func (j *lookupJoin) Open(ctx context.Context) error {
	if err := j.load(ctx); err != nil {
		return err
	}
	// A table that changes under the join is read again at the first
	// batch too: the input may wait long before it sends one.
	j.stale = j.reload
	return j.input.Open(ctx)
}

// load reads the table and indexes its rows by key.
func (j *lookupJoin) load(ctx context.Context) error {
	recs, _, err := j.table.Scan(ctx)
	if err != nil {
		return fmt.Errorf("lookup table: %w", err)
	}
	j.rows = j.rows[:0]
	j.index = map[string][]int{}
	for _, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]any, rec.NumCols())
			for c := range row {
				row[c] = executor.Value(rec.Column(c), i)
			}
			if key, hasNull := executor.RowKey(row, j.rightKeys); !hasNull { // NULL matches nothing
				j.index[key] = append(j.index[key], len(j.rows))
			}
			j.rows = append(j.rows, row)
		}
		rec.Release()
	}
	return nil
}

func (j *lookupJoin) Next(ctx context.Context) (executor.Msg, error) {
	for {
		m, err := j.input.Next(ctx)
		if err != nil {
			return m, err
		}
		switch m.Kind {
		case executor.MsgBarrier:
			// Read the table again at the next batch, not now: epochs
			// without input may follow, and the table may change during them.
			j.stale = j.reload && !m.Barrier.Final
			return m, nil
		case executor.MsgWatermark:
			return m, nil
		}
		if j.stale {
			if err := j.load(ctx); err != nil {
				m.Batch.Release()
				return executor.Msg{}, err
			}
			j.stale = false
		}
		out, err := j.join(ctx, m.Batch)
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

// join builds the output rows of one input batch.
func (j *lookupJoin) join(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	keys := make([]arrow.Array, len(j.leftKeys))
	for i, ev := range j.leftKeys {
		a, err := expr.EvalArray(ctx, ev, rec)
		if err != nil {
			for _, k := range keys[:i] {
				k.Release()
			}
			return nil, err
		}
		keys[i] = a
	}
	defer func() {
		for _, k := range keys {
			k.Release()
		}
	}()
	b := array.NewRecordBuilder(j.mem, j.out)
	defer b.Release()
	ncols := int(rec.NumCols())
	keyVals := make([]any, len(keys))
	all := make([]int, len(keys))
	for i := range all {
		all[i] = i
	}
	// emit appends input row r followed by the table row right (nil: NULLs).
	emit := func(r int, right []any) error {
		for c := 0; c < ncols; c++ {
			if err := executor.AppendValue(b.Field(c), executor.Value(rec.Column(c), r)); err != nil {
				return err
			}
		}
		for c := ncols; c < j.out.NumFields(); c++ {
			var v any
			if right != nil {
				v = right[c-ncols]
			}
			if err := executor.AppendValue(b.Field(c), v); err != nil {
				return err
			}
		}
		return nil
	}
	for r := 0; r < int(rec.NumRows()); r++ {
		for i, k := range keys {
			keyVals[i] = executor.Value(k, r)
		}
		var matches []int
		if key, hasNull := executor.RowKey(keyVals, all); !hasNull {
			matches = j.index[key]
		}
		if len(matches) == 0 {
			if j.left {
				if err := emit(r, nil); err != nil {
					return nil, err
				}
			}
			continue
		}
		for _, m := range matches {
			if err := emit(r, j.rows[m]); err != nil {
				return nil, err
			}
		}
	}
	return b.NewRecord(), nil
}
