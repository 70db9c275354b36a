package ops

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/expr"
	"github.com/tide-sql/tide/planner"
)

// JoinDriftSlack is how far, beyond the width of its bound, one side of a
// join may run ahead of the other in event time before the join stops
// reading it (see Union.SetMaxDrift).
const JoinDriftSlack = 10 * time.Second

// Sides of a join.
const (
	leftSide  = 0
	rightSide = 1
)

// IntervalJoin joins two streams on equal keys within a time bound (see
// planner.StreamJoin). Its two inputs run under a merge (a Union of both),
// which aligns their barriers; a batch is joined with the rows the other
// side keeps, then kept itself while a row of the other side could still
// match it.
//
// Which rows can still match is decided by the watermarks of the sides as
// of the merge's barriers: a left row at time l matches right rows at times
// in [l-Upper, l-Lower], so once the right side's watermark has passed
// l-Lower no right row to come (rows behind a watermark are late and
// dropped by their scan) can match it; a right row at r leaves once the
// left watermark passes r+Upper. Rows leave only at barriers, so a replay
// of an epoch after a restart decides as the first run did. An outer
// side's rows that leave unmatched are emitted with NULLs for the other
// side, before the barrier's watermark, which is the least event time the
// join can still emit: for the left time, min(left watermark, right
// watermark + Lower).
type IntervalJoin struct {
	merge        *Union
	out          *arrow.Schema
	kind         string
	outer        [2]bool // the side's unmatched rows are emitted
	keys         [2][]expr.Evaluator
	timeCol      [2]int
	lower, upper int64 // µs, on left time - right time
	residual     expr.Evaluator
	wmCol        int // output column with the event time, -1 for none
	lw           int // left columns come first in the output
	mem          memory.Allocator

	sides   [2]*joinSide
	wm      [2]int64 // the sides' watermarks as of the last barrier, µs
	outWM   int64    // last watermark emitted, µs
	pending []executor.Msg
	keyBuf  []byte
}

var (
	_ executor.Operator = (*IntervalJoin)(nil)
	_ executor.Stateful = (*IntervalJoin)(nil)
)

// NewIntervalJoin builds the operator for n over a merge of its left and
// right inputs (in that order).
func NewIntervalJoin(n *planner.StreamJoin, merge *Union, mem memory.Allocator) (*IntervalJoin, error) {
	j := &IntervalJoin{
		merge: merge, out: n.Out, kind: n.Kind, timeCol: [2]int{n.LeftTime, n.RightTime},
		lower: n.Lower.Microseconds(), upper: n.Upper.Microseconds(), wmCol: n.Watermark,
		lw: n.Left.Schema().NumFields(), mem: mem,
		sides: [2]*joinSide{newJoinSide(), newJoinSide()},
		wm:    [2]int64{math.MinInt64, math.MinInt64}, outWM: math.MinInt64,
	}
	// A side may run ahead of the other by the bound's width and some
	// slack, no further: its rows wait in the state for the other side.
	merge.SetMaxDrift(n.Upper - n.Lower + JoinDriftSlack)
	j.outer = [2]bool{n.Kind == "left" || n.Kind == "full", n.Kind == "right" || n.Kind == "full"}
	for side, ks := range [2][]planner.Expr{n.LeftKeys, n.RightKeys} {
		for _, k := range ks {
			ev, err := expr.Compile(k, mem)
			if err != nil {
				return nil, err
			}
			j.keys[side] = append(j.keys[side], ev)
		}
	}
	if n.Residual != nil {
		ev, err := expr.Compile(n.Residual, mem)
		if err != nil {
			return nil, err
		}
		j.residual = ev
	}
	return j, nil
}

func (j *IntervalJoin) Schema() *arrow.Schema          { return j.out }
func (j *IntervalJoin) Open(ctx context.Context) error { return j.merge.Open(ctx) }
func (j *IntervalJoin) Children() []executor.Operator  { return []executor.Operator{j.merge} }

// Close releases the kept rows and closes the inputs.
func (j *IntervalJoin) Close() error {
	for _, s := range j.sides {
		s.clear()
	}
	for _, m := range j.pending {
		if m.Kind == executor.MsgBatch {
			m.Batch.Release()
		}
	}
	j.pending = nil
	return j.merge.Close()
}

// StateRows is the number of rows both sides keep.
func (j *IntervalJoin) StateRows() int64 { return j.sides[0].rows + j.sides[1].rows }

// StateBytes estimates the memory of the kept rows.
func (j *IntervalJoin) StateBytes() int64 { return j.sides[0].bytes() + j.sides[1].bytes() }

func (j *IntervalJoin) Next(ctx context.Context) (executor.Msg, error) {
	for {
		if len(j.pending) > 0 {
			m := j.pending[0]
			j.pending = j.pending[1:]
			return m, nil
		}
		m, err := j.merge.Next(ctx)
		if err != nil {
			return m, err
		}
		switch m.Kind {
		case executor.MsgWatermark:
			// The merge's watermark is the minimum of the inputs'; the
			// join's own follows from each side's, at the barrier.
			continue
		case executor.MsgBarrier:
			if err := j.barrier(m); err != nil {
				return executor.Msg{}, err
			}
			continue
		}
		out, err := j.joinBatch(ctx, j.merge.From(), m.Batch)
		m.Batch.Release()
		if err != nil {
			return executor.Msg{}, err
		}
		if out == nil {
			continue
		}
		return executor.Msg{Kind: executor.MsgBatch, Batch: out}, nil
	}
}

// barrier lets the rows go that no row to come can match (emitting an
// outer side's unmatched ones), then queues the watermark and the barrier.
func (j *IntervalJoin) barrier(m executor.Msg) error {
	wms := j.merge.InputWatermarks()
	j.wm[leftSide], j.wm[rightSide] = max(j.wm[leftSide], wms[0]), max(j.wm[rightSide], wms[1])
	rows := newJoinRows(j.out, j.lw, j.mem)
	defer rows.release()
	for side := range j.sides {
		pad := func(e *joinEntry) {
			if !j.outer[side] || e.matched {
				return
			}
			rec := j.sides[side].recs[e.slot]
			if side == leftSide {
				rows.add(rec, int(e.row), nil, 0)
			} else {
				rows.add(nil, 0, rec, int(e.row))
			}
		}
		j.sides[side].evictBefore(j.keepFrom(side), pad)
	}
	if rows.len() > 0 {
		j.pending = append(j.pending, executor.Msg{Kind: executor.MsgBatch, Batch: rows.take()})
	}
	if w := j.outputWatermark(); w > j.outWM {
		j.outWM = w
		wm := executor.MaxWatermark
		if w != math.MaxInt64 {
			wm = executor.Watermark{Time: time.UnixMicro(w).UTC()}
		}
		j.pending = append(j.pending, executor.Msg{Kind: executor.MsgWatermark, Watermark: wm})
	}
	j.pending = append(j.pending, m)
	return nil
}

// keepFrom is the least event time a row of side can have and still
// match a row of the other side to come.
func (j *IntervalJoin) keepFrom(side int) int64 {
	if side == leftSide {
		return addSat(j.wm[rightSide], j.lower) // l - Lower >= right watermark
	}
	return addSat(j.wm[leftSide], -j.upper) // r + Upper >= left watermark
}

// outputWatermark is the least event time (in the output's event-time
// column) of a row the join can still emit; math.MinInt64 without one.
func (j *IntervalJoin) outputWatermark() int64 {
	switch {
	case j.wmCol < 0:
		return math.MinInt64
	case j.wmCol < j.lw:
		return min(j.wm[leftSide], j.keepFrom(leftSide))
	}
	return min(j.wm[rightSide], j.keepFrom(rightSide))
}

// joinBatch joins a batch of side with the rows the other side keeps,
// and keeps the batch's rows that rows to come may match.
func (j *IntervalJoin) joinBatch(ctx context.Context, side int, rec arrow.Record) (arrow.Record, error) {
	n := int(rec.NumRows())
	if n == 0 {
		return nil, nil
	}
	keys := make([]arrow.Array, len(j.keys[side]))
	defer func() {
		for _, k := range keys {
			if k != nil {
				k.Release()
			}
		}
	}()
	for i, ev := range j.keys[side] {
		a, err := expr.EvalArray(ctx, ev, rec)
		if err != nil {
			return nil, err
		}
		keys[i] = a
	}
	times, ok := rec.Column(j.timeCol[side]).(*array.Timestamp)
	if !ok {
		return nil, fmt.Errorf("join: the event-time column of the %s side is %s, not a timestamp", sideName(side), rec.Column(j.timeCol[side]).DataType())
	}
	other := j.sides[1-side]
	// Candidate pairs: row of rec, entry of the other side.
	var rowsOf, entryOf []int32
	rowKeys := make([]string, n)
	nullKey := make([]bool, n)
	for r := 0; r < n; r++ {
		var null bool
		j.keyBuf, null = appendJoinKey(j.keyBuf[:0], keys, r)
		if null || times.IsNull(r) {
			nullKey[r] = true
			continue
		}
		key := string(j.keyBuf)
		rowKeys[r] = key
		t := int64(times.Value(r))
		for _, id := range other.byKey[key] {
			ot := other.entries[id].time
			d := t - ot // left - right
			if side == rightSide {
				d = ot - t
			}
			if d >= j.lower && d <= j.upper {
				rowsOf = append(rowsOf, int32(r))
				entryOf = append(entryOf, id)
			}
		}
	}
	matched := make([]bool, n)
	out, err := j.pairs(ctx, side, rec, other, rowsOf, entryOf, matched)
	if err != nil {
		return nil, err
	}
	// Keep the rows that rows to come of the other side may match; an
	// outer side's rows that none can match and none did go out now.
	mine := j.sides[side]
	keepFrom := j.keepFrom(side)
	slot := int32(-1)
	var pads *joinRows
	for r := 0; r < n; r++ {
		t := int64(times.Value(r))
		if !nullKey[r] && t >= keepFrom {
			if slot < 0 {
				slot = mine.retain(rec)
			}
			mine.add(slot, r, t, rowKeys[r], matched[r])
			continue
		}
		if j.outer[side] && !matched[r] {
			if pads == nil {
				pads = newJoinRows(j.out, j.lw, j.mem)
				defer pads.release()
			}
			if side == leftSide {
				pads.add(rec, r, nil, 0)
			} else {
				pads.add(nil, 0, rec, r)
			}
		}
	}
	if pads != nil && pads.len() > 0 {
		p := pads.take()
		if out == nil {
			return p, nil
		}
		j.pending = append(j.pending, executor.Msg{Kind: executor.MsgBatch, Batch: p})
	}
	return out, nil
}

// pairs builds the joined rows of the candidate pairs that pass the
// residual condition, and marks both rows of each as matched.
func (j *IntervalJoin) pairs(ctx context.Context, side int, rec arrow.Record, other *joinSide, rowsOf, entryOf []int32, matched []bool) (arrow.Record, error) {
	if len(rowsOf) == 0 {
		return nil, nil
	}
	rows := newJoinRows(j.out, j.lw, j.mem)
	defer rows.release()
	for i, r := range rowsOf {
		e := &other.entries[entryOf[i]]
		orec := other.recs[e.slot]
		if side == leftSide {
			rows.add(rec, int(r), orec, int(e.row))
		} else {
			rows.add(orec, int(e.row), rec, int(r))
		}
	}
	out := rows.take()
	keep := make([]int64, 0, len(rowsOf))
	if j.residual != nil {
		mask, err := expr.EvalArray(ctx, j.residual, out)
		if err != nil {
			out.Release()
			return nil, err
		}
		defer mask.Release()
		b, ok := mask.(*array.Boolean)
		for i := range rowsOf {
			if ok && b.IsValid(i) && b.Value(i) {
				keep = append(keep, int64(i))
			}
		}
	} else {
		for i := range rowsOf {
			keep = append(keep, int64(i))
		}
	}
	for _, i := range keep {
		matched[rowsOf[i]] = true
		other.entries[entryOf[i]].matched = true
	}
	switch {
	case len(keep) == len(rowsOf):
		return out, nil
	case len(keep) == 0:
		out.Release()
		return nil, nil
	}
	kept, err := executor.TakeRows(ctx, out, keep, j.mem)
	out.Release()
	return kept, err
}

func sideName(side int) string {
	if side == leftSide {
		return "left"
	}
	return "right"
}
