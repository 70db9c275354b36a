package ops

import (
	"context"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/expr"
	"github.com/tide-sql/tide/planner"
)

// sortOp orders a bounded input: it keeps every batch until the final
// barrier (or the end), then returns the rows sorted in one batch, then the
// barrier. The planner only builds it over snapshots of tables.
type sortOp struct {
	input executor.Operator
	keys  []expr.Evaluator
	desc  []bool
	mem   memory.Allocator
	held  []arrow.Record
	out   []executor.Msg
	ended bool
}

var _ executor.Operator = (*sortOp)(nil)

// NewSort builds the operator for a Sort node.
func NewSort(n *planner.Sort, input executor.Operator, mem memory.Allocator) (executor.Operator, error) {
	s := &sortOp{input: input, desc: n.Desc, mem: mem}
	for _, k := range n.Keys {
		ev, err := expr.Compile(k, mem)
		if err != nil {
			return nil, err
		}
		s.keys = append(s.keys, ev)
	}
	return s, nil
}

func (s *sortOp) Schema() *arrow.Schema          { return s.input.Schema() }
func (s *sortOp) Open(ctx context.Context) error { return s.input.Open(ctx) }
func (s *sortOp) Children() []executor.Operator  { return []executor.Operator{s.input} }

func (s *sortOp) Close() error {
	for _, r := range s.held {
		r.Release()
	}
	s.held = nil
	for _, m := range s.out {
		if m.Batch != nil {
			m.Batch.Release()
		}
	}
	s.out = nil
	return s.input.Close()
}

func (s *sortOp) Next(ctx context.Context) (executor.Msg, error) {
	for {
		if len(s.out) > 0 {
			m := s.out[0]
			s.out = s.out[1:]
			return m, nil
		}
		if s.ended {
			return executor.Msg{}, io.EOF
		}
		m, err := s.input.Next(ctx)
		switch {
		case err == io.EOF:
			s.ended = true
			if err := s.flush(ctx, nil); err != nil {
				return executor.Msg{}, err
			}
		case err != nil:
			return executor.Msg{}, err
		case m.Kind == executor.MsgBatch:
			s.held = append(s.held, m.Batch)
		case m.Kind == executor.MsgBarrier && m.Barrier.Final:
			s.ended = true
			if err := s.flush(ctx, &m); err != nil {
				return executor.Msg{}, err
			}
		}
	}
}

// flush sorts the held rows into one batch and queues it, then final.
func (s *sortOp) flush(ctx context.Context, final *executor.Msg) error {
	held := s.held
	s.held = nil
	defer func() {
		for _, r := range held {
			r.Release()
		}
	}()
	if len(held) > 0 {
		all, err := concatRecords(s.mem, s.input.Schema(), held)
		if err != nil {
			return err
		}
		defer all.Release()
		keys := make([][]any, len(s.keys))
		for i, ev := range s.keys {
			a, err := expr.EvalArray(ctx, ev, all)
			if err != nil {
				return err
			}
			keys[i] = make([]any, a.Len())
			for j := range keys[i] {
				keys[i][j] = executor.Value(a, j)
			}
			a.Release()
		}
		idx := make([]int64, all.NumRows())
		for i := range idx {
			idx[i] = int64(i)
		}
		sort.SliceStable(idx, func(a, b int) bool {
			for k := range keys {
				c := compareValues(keys[k][idx[a]], keys[k][idx[b]])
				if c == 0 {
					continue
				}
				if s.desc[k] {
					return c > 0
				}
				return c < 0
			}
			return false
		})
		sorted, err := executor.TakeRows(ctx, all, idx, s.mem)
		if err != nil {
			return err
		}
		s.out = append(s.out, executor.Msg{Kind: executor.MsgBatch, Batch: sorted})
	}
	if final != nil {
		s.out = append(s.out, *final)
	}
	return nil
}

// concatRecords joins records of one schema into one.
func concatRecords(mem memory.Allocator, schema *arrow.Schema, recs []arrow.Record) (arrow.Record, error) {
	cols := make([]arrow.Array, schema.NumFields())
	var n int64
	for _, r := range recs {
		n += r.NumRows()
	}
	for c := range cols {
		parts := make([]arrow.Array, len(recs))
		for i, r := range recs {
			parts[i] = r.Column(c)
		}
		a, err := array.Concatenate(parts, mem)
		if err != nil {
			for _, x := range cols[:c] {
				x.Release()
			}
			return nil, err
		}
		cols[c] = a
	}
	rec := array.NewRecord(schema, cols, n)
	for _, c := range cols {
		c.Release()
	}
	return rec, nil
}

// compareValues orders two executor.Value results; NULL sorts first.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case int64:
		return cmp3(x, b.(int64))
	case float64:
		return cmp3(x, b.(float64))
	case string:
		return strings.Compare(x, b.(string))
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case time.Time:
		return x.Compare(b.(time.Time))
	}
	return 0
}

func cmp3[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
