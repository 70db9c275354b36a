package ops

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// RetractAggregate is a running aggregate over a changelog: a row marked
// deleted takes its values back out of its group. With
// planner.Aggregate.EmitRetractions (its output feeds another aggregate)
// it also runs over insert-only input, and each changed group's new row is
// preceded by its previous row marked deleted. COUNT, SUM and AVG keep
// counts and sums; MIN, MAX and the DISTINCT aggregates keep how often
// each value occurs, so that retracting the current extreme finds the
// next. At each barrier every group the epoch changed goes out as its
// current row (an upsert by the group keys), and a group left with no row
// goes out marked deleted.
type RetractAggregate struct {
	input   executor.Operator
	n       *planner.Aggregate
	keys    []int // input columns
	del     int   // the input's __deleted column
	out     *arrow.Schema
	mem     memory.Allocator
	groups  map[string]*retractGroup
	dirty   []string // keys changed since the last barrier, first change first
	pending *executor.Msg
}

// retractGroup is one group's state.
type retractGroup struct {
	key     []any
	rows    int64
	accs    []retractAcc
	emitted []any // the last row that went out; nil if none did
	dirty   bool
}

// retractAcc is one aggregate of one group.
type retractAcc struct {
	count  int64         // non-NULL values
	sumI   int64         // their sum, for BIGINT
	sumF   float64       // their sum, for DOUBLE
	values map[any]int64 // value → occurrences, for MIN, MAX and DISTINCT
}

var (
	_ executor.Operator = (*RetractAggregate)(nil)
	_ executor.Stateful = (*RetractAggregate)(nil)
)

// NewRetractAggregate builds the operator for n (n.Retract) over input.
func NewRetractAggregate(n *planner.Aggregate, input executor.Operator, mem memory.Allocator) (*RetractAggregate, error) {
	in := input.Schema()
	a := &RetractAggregate{input: input, n: n, del: in.NumFields() - 1, out: n.Out, mem: mem, groups: map[string]*retractGroup{}}
	switch {
	case !n.Retract:
		a.del = -1 // insert-only input; it runs here to emit retractions
	case a.del < 0 || in.Field(a.del).Name != planner.DeletedColumn:
		return nil, fmt.Errorf("aggregate over a changelog: the input's last column is not %s", planner.DeletedColumn)
	}
	for _, k := range n.Keys {
		a.keys = append(a.keys, k.Index)
	}
	for _, c := range n.Aggs {
		switch c.Func {
		case "count_star", "count", "sum", "avg", "min", "max":
		default:
			return nil, fmt.Errorf("%s over a changelog is not supported yet (COUNT, SUM, AVG, MIN, MAX and their DISTINCT forms are)", c.Func)
		}
	}
	return a, nil
}

func (a *RetractAggregate) Schema() *arrow.Schema          { return a.out }
func (a *RetractAggregate) Open(ctx context.Context) error { return a.input.Open(ctx) }
func (a *RetractAggregate) Close() error                   { return a.input.Close() }
func (a *RetractAggregate) Children() []executor.Operator  { return []executor.Operator{a.input} }

// StateRows is the number of groups held.
func (a *RetractAggregate) StateRows() int64 { return int64(len(a.groups)) }

func (a *RetractAggregate) Next(ctx context.Context) (executor.Msg, error) {
	if m := a.pending; m != nil {
		a.pending = nil
		return *m, nil
	}
	for {
		m, err := a.input.Next(ctx)
		if err != nil {
			return m, err
		}
		switch m.Kind {
		case executor.MsgBatch:
			err := a.consume(m.Batch)
			m.Batch.Release()
			if err != nil {
				return executor.Msg{}, err
			}
			continue
		case executor.MsgBarrier:
			out, err := a.emit()
			if err != nil {
				return executor.Msg{}, err
			}
			if out != nil {
				a.pending = &m // the barrier follows the changes it ends
				return executor.Msg{Kind: executor.MsgBatch, Batch: out}, nil
			}
		}
		return m, nil
	}
}

// consume adds or retracts each row of rec in its group.
func (a *RetractAggregate) consume(rec arrow.Record) error {
	var marks *array.Boolean
	if a.del >= 0 {
		marks, _ = rec.Column(a.del).(*array.Boolean)
	}
	keyVals := make([]any, len(a.keys))
	all := make([]int, len(a.keys))
	for i := range all {
		all[i] = i
	}
	for r := 0; r < int(rec.NumRows()); r++ {
		for i, k := range a.keys {
			keyVals[i] = executor.Value(rec.Column(k), r)
		}
		key, _ := executor.RowKey(keyVals, all)
		g := a.groups[key]
		if g == nil {
			g = &retractGroup{key: append([]any(nil), keyVals...), accs: make([]retractAcc, len(a.n.Aggs))}
			a.groups[key] = g
		}
		if !g.dirty {
			g.dirty = true
			a.dirty = append(a.dirty, key)
		}
		sign := int64(1)
		if marks != nil && marks.IsValid(r) && marks.Value(r) {
			sign = -1
		}
		g.rows += sign
		for i, c := range a.n.Aggs {
			if c.Arg == nil {
				continue
			}
			v := executor.Value(rec.Column(c.Arg.Index), r)
			if v == nil {
				continue
			}
			acc := &g.accs[i]
			acc.count += sign
			switch x := v.(type) {
			case int64:
				acc.sumI += sign * x
			case float64:
				acc.sumF += float64(sign) * x
			}
			if c.Func == "min" || c.Func == "max" || c.Distinct {
				if acc.values == nil {
					acc.values = map[any]int64{}
				}
				if acc.values[v] += sign; acc.values[v] <= 0 {
					delete(acc.values, v)
				}
			}
		}
	}
	return nil
}

// emit builds the rows of the groups changed since the last barrier: the
// current row of each, or, for a group left empty that went out before,
// its last row marked deleted.
func (a *RetractAggregate) emit() (arrow.Record, error) {
	var rows [][]any
	for _, key := range a.dirty {
		g := a.groups[key]
		g.dirty = false
		if g.rows <= 0 {
			if g.emitted != nil {
				rows = append(rows, append(g.emitted, true))
			}
			delete(a.groups, key)
			continue
		}
		row := append([]any(nil), g.key...)
		for i, c := range a.n.Aggs {
			row = append(row, a.result(c, g, &g.accs[i]))
		}
		if a.n.EmitRetractions && g.emitted != nil {
			if sameValues(row, g.emitted) {
				continue // no change to show
			}
			rows = append(rows, append(g.emitted, true)) // the row it replaces goes first
		}
		g.emitted = row
		rows = append(rows, append(append([]any(nil), row...), false))
	}
	a.dirty = a.dirty[:0]
	if len(rows) == 0 {
		return nil, nil
	}
	return executor.BuildRecord(a.mem, a.out, rows)
}

// sameValues reports whether two rows hold the same values.
func sameValues(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// result is one aggregate's value for group g.
func (a *RetractAggregate) result(c planner.AggCall, g *retractGroup, acc *retractAcc) any {
	if c.Func == "count_star" {
		return g.rows
	}
	if c.Distinct {
		return distinctResult(c.Func, acc.values, c.Typ)
	}
	isInt := c.Arg != nil && c.Arg.Typ.ID() == arrow.INT64
	switch c.Func {
	case "count":
		return acc.count
	case "sum":
		if acc.count == 0 {
			return nil
		}
		if isInt {
			return acc.sumI
		}
		return acc.sumF
	case "avg":
		if acc.count == 0 {
			return nil
		}
		if isInt {
			return float64(acc.sumI) / float64(acc.count)
		}
		return acc.sumF / float64(acc.count)
	case "min", "max":
		var best any
		for v := range acc.values {
			if best == nil || lessValue(v, best) == (c.Func == "min") {
				best = v
			}
		}
		return best
	}
	return nil
}

// distinctResult computes COUNT, SUM or AVG over the distinct values.
func distinctResult(fn string, values map[any]int64, typ arrow.DataType) any {
	if fn == "count" {
		return int64(len(values))
	}
	if len(values) == 0 {
		return nil
	}
	var si int64
	var sf float64
	for v := range values {
		switch x := v.(type) {
		case int64:
			si += x
			sf += float64(x)
		case float64:
			sf += x
		}
	}
	if fn == "avg" {
		return sf / float64(len(values))
	}
	if typ.ID() == arrow.INT64 {
		return si
	}
	return sf
}

// lessValue orders two values of one type.
func lessValue(a, b any) bool {
	switch x := a.(type) {
	case int64:
		return x < b.(int64)
	case float64:
		return x < b.(float64)
	case string:
		return x < b.(string)
	case bool:
		return !x && b.(bool)
	case time.Time:
		return x.Before(b.(time.Time))
	}
	return fmt.Sprint(a) < fmt.Sprint(b)
}

// Snapshot writes every group: its key, row count, last row out and, per
// aggregate, its count, sums and values with their occurrences.
func (a *RetractAggregate) Snapshot() ([]byte, error) {
	buf := binary.AppendUvarint(nil, uint64(len(a.groups)))
	var err error
	for _, g := range a.groups {
		if buf, err = appendValues(buf, g.key); err != nil {
			return nil, err
		}
		buf = binary.AppendVarint(buf, g.rows)
		if buf, err = appendValues(buf, g.emitted); err != nil {
			return nil, err
		}
		for _, acc := range g.accs {
			buf = binary.AppendVarint(buf, acc.count)
			buf = binary.AppendVarint(buf, acc.sumI)
			buf, _ = appendValues(buf, []any{acc.sumF})
			vals := make([]any, 0, 2*len(acc.values))
			for v, n := range acc.values {
				vals = append(vals, v, n)
			}
			if buf, err = appendValues(buf, vals); err != nil {
				return nil, err
			}
		}
	}
	return buf, nil
}

// Restore loads what Snapshot wrote.
func (a *RetractAggregate) Restore(state []byte) error {
	r := &valueReader{buf: state}
	n := r.uvarint()
	a.groups = map[string]*retractGroup{}
	all := make([]int, len(a.keys))
	for i := range all {
		all[i] = i
	}
	for i := uint64(0); i < n && r.err == nil; i++ {
		g := &retractGroup{key: r.values(), rows: r.varint(), accs: make([]retractAcc, len(a.n.Aggs))}
		if e := r.values(); len(e) > 0 {
			g.emitted = e
		}
		for k := range g.accs {
			acc := &g.accs[k]
			acc.count, acc.sumI = r.varint(), r.varint()
			if f := r.values(); len(f) == 1 {
				acc.sumF, _ = f[0].(float64)
			}
			vals := r.values()
			for j := 0; j+1 < len(vals); j += 2 {
				if acc.values == nil {
					acc.values = map[any]int64{}
				}
				acc.values[vals[j]], _ = vals[j+1].(int64)
			}
		}
		key, _ := executor.RowKey(g.key, all)
		a.groups[key] = g
	}
	if r.err != nil {
		return fmt.Errorf("aggregate over a changelog: %w", r.err)
	}
	return nil
}
