package window

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// Stats is implemented by the aggregate operator. StateRows is the number
// of groups it holds: (window or pane) × key for TUMBLE, HOP and running
// aggregates, open sessions for SESSION. It stays bounded when windows
// close, which is how a long run is checked for leaks. StateBytes
// estimates the memory that state takes (what a state budget limits).
type Stats interface {
	StateRows() int64
	StateBytes() int64
}

// Counters is implemented by the aggregate operator: rows it dropped.
type Counters interface {
	// LateRows counts rows whose window had already closed.
	LateRows() int64
	// SkippedRows counts rows with a NULL event time.
	SkippedRows() int64
}

// maxBatchRows is the most rows one output batch holds.
const maxBatchRows = 1 << 16

var (
	_ executor.Operator = (*aggOp)(nil)
	_ executor.Stateful = (*aggOp)(nil)
	_ Stats             = (*aggOp)(nil)
	_ Counters          = (*aggOp)(nil)
)

// aggOp is the aggregate operator: windowed (TUMBLE, HOP, SESSION) or
// running, emitting on window close or on every barrier.
type aggOp struct {
	input executor.Operator
	mem   memory.Allocator
	out   *arrow.Schema
	mode  planner.EmitMode
	kind  planner.WindowKind // 0 for a running aggregate

	timeCol int   // event-time column of the input
	size    int64 // window length, µs (TUMBLE, HOP)
	slide   int64 // distance between window starts, µs (TUMBLE: size)
	pane    int64 // pane width gcd(size, slide), µs
	gap     int64 // SESSION gap, µs

	keyCols []int // input columns of the keys
	aggCols []int // input columns of the aggregate arguments, -1 for COUNT(*)
	inTypes []arrow.DataType
	aggSig  []string // per aggregate: function, DISTINCT, argument type (for snapshots)

	g       *groups
	panes   paneSet // TUMBLE and HOP: the open panes
	keyPane pane    // running: the only pane; SESSION: the table of keys
	sess    sessionSet
	comb    combiner

	bld   *array.RecordBuilder // output rows being built
	rows  int                  // rows in bld
	ready []arrow.Record       // output batches to return
	fwd   executor.Msg         // watermark or barrier to forward after ready, if Kind != 0

	hasWM   bool
	wm      int64   // last watermark, µs
	epoch   uint32  // current epoch; stamp[g] == epoch marks a change
	changed []int32 // groups changed in the epoch (EMIT CHANGES)
	late    int64   // rows dropped because their window had closed
	snap    []byte  // the last snapshot, returned again while nothing came since
	dirty   bool    // a batch or watermark came after snap was taken
	skipped int64   // rows dropped for a NULL event time

	kh     []uint64 // per-batch scratch: key hashes
	slots  []int64  // per-batch scratch: pane start of each row
	gids   []int32  // per-batch scratch: group of each row, -1 to skip
	home   []uint64 // per-batch scratch: each row's home table entry
	closed bool
}

// New builds the operator for an Aggregate plan node over input. Output
// batches are allocated from mem (the default allocator if nil).
func New(n *planner.Aggregate, input executor.Operator, mem memory.Allocator) (executor.Operator, error) {
	if n == nil || input == nil {
		return nil, errors.New("aggregate: missing plan node or input")
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	o := &aggOp{input: input, mem: mem, mode: n.Emit, epoch: 1}
	if err := o.configure(n, input.Schema()); err != nil {
		return nil, fmt.Errorf("aggregate: %w", err)
	}
	o.bld = array.NewRecordBuilder(mem, o.out)
	return o, nil
}

func (o *aggOp) Schema() *arrow.Schema { return o.out }

func (o *aggOp) Open(ctx context.Context) error { return o.input.Open(ctx) }

// Next returns output batches, then the watermark or barrier that caused
// them, pulling input until there is something to return.
func (o *aggOp) Next(ctx context.Context) (executor.Msg, error) {
	for {
		if len(o.ready) > 0 {
			rec := o.ready[0]
			o.ready[0] = nil
			o.ready = o.ready[1:]
			return executor.Msg{Kind: executor.MsgBatch, Batch: rec}, nil
		}
		if o.fwd.Kind != 0 {
			m := o.fwd
			o.fwd = executor.Msg{}
			return m, nil
		}
		if err := ctx.Err(); err != nil {
			return executor.Msg{}, err
		}
		m, err := o.input.Next(ctx)
		if err != nil {
			return executor.Msg{}, err // io.EOF included: upstream ends with MaxWatermark
		}
		if m.Kind != executor.MsgBarrier {
			o.dirty = true
		}
		switch m.Kind {
		case executor.MsgBatch:
			err = o.consume(m.Batch)
			m.Batch.Release()
		case executor.MsgWatermark:
			if m.Watermark.Idle {
				o.fwd = m // for a merge downstream; the aggregate's own watermark stays
			} else if o.advance(m.Watermark.Time.UnixMicro()) {
				o.fwd = m
			}
		case executor.MsgBarrier:
			if o.mode == planner.EmitChanges {
				o.emitChanges()
			}
			o.fwd = m
		default:
			err = fmt.Errorf("aggregate: unknown message kind %d", m.Kind)
		}
		if err != nil {
			return executor.Msg{}, err
		}
	}
}

// Close releases pending output and closes the input. It is safe to call
// twice.
func (o *aggOp) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	for _, r := range o.ready {
		r.Release()
	}
	o.ready = nil
	o.bld.Release()
	return o.input.Close()
}

func (o *aggOp) StateRows() int64 {
	if o.kind == planner.WindowSession {
		return int64(len(o.sess.live))
	}
	return int64(o.g.keyed)
}

func (o *aggOp) LateRows() int64    { return o.late }
func (o *aggOp) SkippedRows() int64 { return o.skipped }

// consume aggregates one input batch.
func (o *aggOp) consume(rec arrow.Record) error {
	n := int(rec.NumRows())
	if n == 0 {
		return nil
	}
	if err := o.checkBatch(rec); err != nil {
		return err
	}
	o.kh = growTo(o.kh, n)
	o.slots = growTo(o.slots, n)
	o.gids = growTo(o.gids, n)
	kh, slots, gids := o.kh[:n], o.slots[:n], o.gids[:n]
	for k, c := range o.keyCols {
		o.g.keys[k].bind(rec.Column(c))
	}
	var err error
	switch o.kind {
	case planner.WindowSession:
		err = o.consumeSessions(rec, kh, slots, gids)
	case 0:
		clear(slots)
		clear(gids)
		o.g.hashRows(kh)
		err = o.lookupRows(kh, slots, gids)
	default:
		o.assignPanes(rec.Column(o.timeCol).(*array.Timestamp), slots, gids)
		o.g.hashRows(kh)
		err = o.lookupRows(kh, slots, gids)
	}
	if err != nil {
		return err
	}
	o.accumulate(rec, gids)
	if o.kind == planner.WindowSession {
		o.sess.finishBatch(o)
	}
	if o.mode == planner.EmitChanges {
		o.markChanged(gids)
	}
	return nil
}

// checkBatch rejects a batch whose columns do not have the input types.
func (o *aggOp) checkBatch(rec arrow.Record) error {
	if int(rec.NumCols()) != len(o.inTypes) {
		return fmt.Errorf("aggregate: batch has %d columns, want %d", rec.NumCols(), len(o.inTypes))
	}
	check := func(c int) error {
		if c >= 0 && !arrow.TypeEqual(rec.Column(c).DataType(), o.inTypes[c]) {
			return fmt.Errorf("aggregate: batch column %d is %s, want %s", c, rec.Column(c).DataType(), o.inTypes[c])
		}
		return nil
	}
	if o.kind != 0 {
		if err := check(o.timeCol); err != nil {
			return err
		}
	}
	for _, c := range o.keyCols {
		if err := check(c); err != nil {
			return err
		}
	}
	for _, c := range o.aggCols {
		if err := check(c); err != nil {
			return err
		}
	}
	return nil
}

func (o *aggOp) accumulate(rec arrow.Record, gids []int32) {
	for a, acc := range o.g.accs {
		var arr arrow.Array
		if c := o.aggCols[a]; c >= 0 {
			arr = rec.Column(c)
		}
		acc.update(gids, arr)
	}
}

// markChanged records the groups of gids as changed in this epoch.
func (o *aggOp) markChanged(gids []int32) {
	e, stamp := o.epoch, o.g.stamp
	for _, g := range gids {
		if g >= 0 && stamp[g] != e {
			stamp[g] = e
			o.changed = append(o.changed, g)
		}
	}
}

// advance handles a watermark at t µs: it closes every window ending at or
// before t. It reports false for a watermark that does not advance.
func (o *aggOp) advance(t int64) bool {
	if o.hasWM && t <= o.wm {
		return false
	}
	switch o.kind {
	case planner.WindowTumble, planner.WindowHop:
		o.closePanes(t)
	case planner.WindowSession:
		o.closeSessions(t)
	}
	o.hasWM, o.wm = true, t
	o.flush()
	return true
}
