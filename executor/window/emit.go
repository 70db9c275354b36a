package window

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/tide-sql/tide/planner"
)

// emitRow appends one output row: the window bounds (windowed only), the
// key of group rep and the aggregates of group acc. A batch is cut every
// maxBatchRows rows.
func (o *aggOp) emitRow(start, end int64, rep, acc int32) {
	f := o.bld.Fields()
	c := 0
	if o.kind != 0 {
		f[0].(*array.TimestampBuilder).Append(arrow.Timestamp(start))
		f[1].(*array.TimestampBuilder).Append(arrow.Timestamp(end))
		c = 2
	}
	for _, k := range o.g.keys {
		k.appendTo(f[c], rep)
		c++
	}
	for _, a := range o.g.accs {
		a.appendTo(f[c], acc)
		c++
	}
	o.rows++
	if o.rows == maxBatchRows {
		o.flush()
	}
}

// reserve makes room in the builders for the rows of groups gids (up to the
// end of the current batch), string bytes included, so that emitting a
// large window does not grow the buffers step by step.
func (o *aggOp) reserve(gids []int32) {
	n := min(len(gids), maxBatchRows-o.rows)
	o.bld.Reserve(n)
	c := 0
	if o.kind != 0 {
		c = 2
	}
	for k, kc := range o.g.keys {
		sk, ok := kc.(*stringKey)
		sb, ok2 := o.bld.Field(c + k).(*array.StringBuilder)
		if !ok || !ok2 {
			continue
		}
		size := 0
		for _, g := range gids[:n] {
			if v := sk.views[g]; !v.isNull() {
				size += v.len()
			}
		}
		sb.ReserveData(size)
	}
}

// flush turns the rows built so far into a ready batch.
func (o *aggOp) flush() {
	if o.rows == 0 {
		return
	}
	o.ready = append(o.ready, o.bld.NewRecordBatch())
	o.rows = 0
}

// emitChanges emits, at a barrier, the current row of every group changed
// in the epoch, and starts a new epoch.
func (o *aggOp) emitChanges() {
	switch o.kind {
	case planner.WindowSession:
		o.emitSessionChanges()
	case planner.WindowHop:
		if o.pane != o.size {
			o.emitHopChanges()
			break
		}
		fallthrough
	default:
		for _, g := range o.changed {
			if o.g.stamp[g] != o.epoch || o.g.state[g] != groupKeyed {
				continue // freed, or already emitted
			}
			o.g.stamp[g] = 0
			s := o.g.slot[g]
			o.emitRow(s, s+o.size, g, g)
		}
	}
	o.flush()
	o.changed = o.changed[:0]
	o.epoch++
	if o.epoch == 0 { // wrapped: no stale stamp may equal a new epoch
		clear(o.g.stamp)
		o.epoch = 1
	}
}
