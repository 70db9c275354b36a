package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/expr"
	"github.com/tide-sql/tide/planner"
)

// noWatermark is the watermark before any event time was seen.
const noWatermark = math.MinInt64

// ScanOptions configure a source scan.
type ScanOptions struct {
	// Wait is how long one fetch waits for data.
	Wait time.Duration
	// Interval is the trigger interval (SET trigger_interval): fetches start
	// at least this far apart. Zero: the next fetch starts as soon as the
	// last epoch is done.
	Interval time.Duration
	// Once makes the scan stop after the input available at start
	// (Spark's Trigger.AvailableNow).
	Once bool
	// EveryFetch ends an epoch at every fetch, also one that brought
	// nothing: the tasks of a parallel query all send every epoch's
	// barrier, which the exchanges between them align on.
	EveryFetch bool
}

// SourceScan turns a connector's micro-batches into the message stream of
// a query: per fetch, the batches (one per partition), a watermark if it
// advanced, and a barrier ending the epoch. It tracks the largest event time
// per partition; the source's watermark is the minimum over the partitions
// that are not idle, minus the delay (Flink's per-partition watermarks: the
// source is the only place that knows partitions). Rows older than the
// watermark when they arrive are late: with DropLate they are removed,
// counted, and kept for the late table. Rows whose event time is NULL are
// bad records: counted, dropped, and handed back to the reader
// (RowRejecter), which fails the query or dead-letters them per on_error.
type SourceScan struct {
	reader    executor.SourceReader
	schema    *arrow.Schema
	eventTime expr.Evaluator // nil without a watermark
	delay     time.Duration
	dropLate  bool
	opts      ScanOptions
	mem       memory.Allocator

	partMax  map[int32]int64 // largest event time (µs) seen per partition
	known    map[int32]bool  // partitions the reader has reported
	wm       int64           // current watermark (µs), noWatermark before any
	idle     bool            // every partition is idle: the last watermark said so
	told     bool            // a watermark was sent since Open (a restored one is sent again)
	offsets  executor.Offsets
	until    executor.Offsets // replay: stop exactly here for the first epoch
	replayWM int64            // replay: the watermark the replayed epoch reached
	epoch    int64            // epoch of the batches being emitted
	pending  []executor.Msg
	done     bool
	ended    bool
	// availableNow is set when a Once scan's reader bounded itself
	// (AvailableNowReader); inputEnds when its Done also means the input
	// is complete.
	availableNow bool
	inputEnds    bool

	// Side outputs of the current epoch, drained by the driver at the barrier.
	late []arrow.Record
	dead []arrow.Record

	// Counters.
	InputRows  int64
	LateRows   int64
	BadRecords int64 // messages that did not decode and rows without an event time
	Tombstones int64 // messages without a value, skipped by the reader
	// OnFetch, when set, is called once per epoch with the epoch and the
	// offsets it ends at, before the epoch's barrier and before any rows of
	// the fetch that ends it are emitted (the driver writes its offset log
	// there). A replayed epoch's offsets are already in the log.
	OnFetch func(epoch int64, end executor.Offsets) error
	// FetchTime is the time spent in the last fetch (progress reports).
	FetchTime time.Duration
	// WaitTime is the time spent waiting for data, summed since the scan
	// was built: in fetches that brought nothing (no epoch came of them)
	// and in the pause before a fetch that the trigger interval imposes.
	// The driver reports it apart from the epoch's work.
	WaitTime  time.Duration
	lastFetch time.Time // start of the last fetch, for the trigger interval
}

var _ executor.Operator = (*SourceScan)(nil)
var _ executor.Stateful = (*SourceScan)(nil)

// NewSourceScan builds the scan for n over reader.
func NewSourceScan(n *planner.SourceScan, reader executor.SourceReader, opts ScanOptions, mem memory.Allocator) (*SourceScan, error) {
	s := &SourceScan{reader: reader, schema: n.Out, delay: n.Delay, dropLate: n.DropLate, opts: opts, mem: mem,
		partMax: map[int32]int64{}, known: map[int32]bool{}, wm: noWatermark, replayWM: noWatermark, offsets: executor.Offsets{}, epoch: 1}
	if n.EventTime != nil {
		ev, err := expr.Compile(n.EventTime, mem)
		if err != nil {
			return nil, err
		}
		s.eventTime = ev
	}
	if s.opts.Wait <= 0 {
		s.opts.Wait = 500 * time.Millisecond
	}
	return s, nil
}

// Resume sets where the scan starts: the offsets and epoch after the last
// checkpoint, and the end offsets of an epoch that was fetched but not
// committed (nil if none), which is replayed exactly.
func (s *SourceScan) Resume(offsets executor.Offsets, nextEpoch int64, replay executor.Offsets) {
	s.offsets = offsets.Clone()
	s.epoch = nextEpoch
	s.until = replay
}

// SetReplayWatermark sets the watermark (µs) that the replayed epoch
// reached before the restart, from the offset log.
func (s *SourceScan) SetReplayWatermark(wm int64) { s.replayWM = wm }

// WatermarkMicros is the current watermark in µs (math.MinInt64 before
// any); OnFetch records it in the offset log.
func (s *SourceScan) WatermarkMicros() int64 { return s.wm }

// Epoch is the epoch whose batches the scan is emitting.
func (s *SourceScan) Epoch() int64 { return s.epoch }

// Offsets are the offsets after the last fetch.
func (s *SourceScan) Offsets() executor.Offsets { return s.offsets.Clone() }

// Watermark is the current watermark, zero time if none yet.
func (s *SourceScan) Watermark() (time.Time, bool) {
	if s.wm == noWatermark {
		return time.Time{}, false
	}
	return s.currentWatermark().Time, true
}

// Reader is the connector reader under the scan.
func (s *SourceScan) Reader() executor.SourceReader { return s.reader }

// TakeSideOutputs returns (and forgets) the epoch's late rows and dead letters.
func (s *SourceScan) TakeSideOutputs() (late, dead []arrow.Record) {
	late, dead = s.late, s.dead
	s.late, s.dead = nil, nil
	return late, dead
}

func (s *SourceScan) Schema() *arrow.Schema { return s.schema }

func (s *SourceScan) Open(ctx context.Context) error {
	if an, ok := s.reader.(AvailableNowReader); ok && s.opts.Once {
		s.availableNow = true
		s.inputEnds = an.ReadAvailableNow()
	}
	return s.reader.Open(ctx, s.offsets)
}

func (s *SourceScan) Close() error {
	for _, m := range s.pending {
		if m.Batch != nil {
			m.Batch.Release()
		}
	}
	s.pending = nil
	for _, r := range append(s.late, s.dead...) {
		r.Release()
	}
	s.late, s.dead = nil, nil
	return s.reader.Close()
}

// Children returns no inputs: a scan is a leaf.
func (s *SourceScan) Children() []executor.Operator { return nil }

func (s *SourceScan) Next(ctx context.Context) (executor.Msg, error) {
	for {
		if len(s.pending) > 0 {
			m := s.pending[0]
			s.pending = s.pending[1:]
			if m.Kind == executor.MsgBarrier {
				s.epoch++
			}
			return m, nil
		}
		if s.ended {
			return executor.Msg{}, io.EOF
		}
		if err := ctx.Err(); err != nil {
			return executor.Msg{}, err
		}
		if err := s.fetch(ctx); err != nil {
			return executor.Msg{}, err
		}
	}
}

// fetch reads one micro-batch into pending.
func (s *SourceScan) fetch(ctx context.Context) error {
	if s.opts.Interval > 0 && !s.lastFetch.IsZero() && s.until == nil {
		if d := time.Until(s.lastFetch.Add(s.opts.Interval)); d > 0 {
			t := time.NewTimer(d)
			paused := time.Now()
			select {
			case <-t.C:
				s.WaitTime += time.Since(paused)
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
		}
	}
	until := s.until
	start := time.Now()
	s.lastFetch = start
	f, err := s.reader.Fetch(ctx, s.opts.Wait, until)
	s.FetchTime = time.Since(start)
	if err != nil {
		return err
	}
	// A replayed epoch must end exactly where it ended before the crash:
	// until it has, keep fetching into the same epoch.
	replaying := until != nil && !reached(f.End, until, s.offsets) && !f.Done
	if !replaying {
		s.until = nil
	}
	rows, rejected := int64(0), int64(0)
	for i, pb := range f.Batches {
		s.known[pb.Partition] = true
		rows += pb.Record.NumRows() // input rows count late ones too, as Spark's numInputRows does
		n := s.BadRecords
		out, err := s.admit(ctx, pb) // admit owns pb.Record, even on error
		rejected += s.BadRecords - n
		if err != nil {
			for _, b := range f.Batches[i+1:] {
				b.Record.Release()
			}
			return err
		}
		if out != nil {
			s.pending = append(s.pending, executor.Msg{Kind: executor.MsgBatch, Batch: out})
		}
	}
	for p, o := range f.End {
		s.offsets[p] = o
		s.known[p] = true
	}
	s.BadRecords += f.Bad
	tombstones := int64(0)
	if tc, ok := s.reader.(TombstoneCounter); ok {
		n := tc.Tombstones()
		tombstones, s.Tombstones = n-s.Tombstones, n
	}
	if dl, ok := s.reader.(interface{ DeadLetters() arrow.Record }); ok {
		if rec := dl.DeadLetters(); rec != nil {
			s.dead = append(s.dead, rec)
		}
	}
	s.InputRows += rows - rejected // bad records are not input rows
	if replaying {
		return nil
	}
	// The Done of an available-now run is only the end of this run: the
	// watermark stays where the input put it.
	advanced := s.advance(f.Idle, f.Done && (!s.availableNow || s.inputEnds))
	// A fetch that completes the replay of an epoch ends that epoch even
	// if it brought nothing new (the epoch may have been only a watermark
	// advance), with the watermark the epoch reached before the restart:
	// idle-partition advances depend on the wall clock, so they are taken
	// from the offset log rather than recomputed.
	replayed := until != nil
	if replayed && s.replayWM > s.wm && s.wm != math.MaxInt64 {
		s.wm = s.replayWM
		advanced = true
	}
	s.replayWM = noWatermark
	if !s.told && s.wm != noWatermark {
		// A watermark restored from a checkpoint is news to a merge
		// downstream, which knows nothing of its inputs after a restart.
		advanced = true
	}
	if advanced {
		s.told = true
		s.pending = append(s.pending, executor.Msg{Kind: executor.MsgWatermark, Watermark: s.currentWatermark()})
	}
	idleChanged := s.noteIdle(f.Idle, f.Done)
	final := f.Done
	if s.opts.Once && !s.availableNow && len(f.Batches) == 0 && !final && s.until == nil {
		// Available-now over a reader that cannot bound itself: an empty
		// fetch means we caught up. Stop without closing windows (state
		// is kept for the next run).
		final = true
	}
	brought := len(f.Batches) > 0 || len(s.dead) > 0 || f.Bad > 0 || rejected > 0 || tombstones > 0
	if !brought {
		s.WaitTime += s.FetchTime // nothing came of it: waiting for data
	}
	if s.opts.EveryFetch || brought || advanced || idleChanged || final || replayed {
		if s.OnFetch != nil {
			if err := s.OnFetch(s.epoch, s.offsets.Clone()); err != nil {
				return err
			}
		}
		s.pending = append(s.pending, executor.Msg{Kind: executor.MsgBarrier, Barrier: executor.Barrier{Epoch: s.epoch, Final: final}})
	}
	if final {
		s.ended = true
	}
	return nil
}

func reached(end, until, cur executor.Offsets) bool {
	for p, u := range until {
		o, ok := end[p]
		if !ok {
			o = cur[p]
		}
		if o < u {
			return false
		}
	}
	return true
}

// nullEventTime is the reason a row without an event time is a bad record.
const nullEventTime = "event time is NULL"

// admit computes a partition batch's event times, updates the partition's
// maximum, rejects rows without an event time and removes late rows. It
// takes ownership of pb.Record.
func (s *SourceScan) admit(ctx context.Context, pb executor.PartitionBatch) (arrow.Record, error) {
	rec := pb.Record
	if rec.NumRows() == 0 {
		rec.Release()
		return nil, nil
	}
	if s.eventTime == nil {
		return rec, nil
	}
	arr, err := expr.EvalArray(ctx, s.eventTime, rec)
	if err != nil {
		rec.Release()
		return nil, fmt.Errorf("event time: %w", err)
	}
	defer arr.Release()
	ts, ok := arr.(*array.Timestamp)
	if !ok {
		rec.Release()
		return nil, fmt.Errorf("event time is %s, not a timestamp", arr.DataType())
	}
	max, have := s.partMax[pb.Partition]
	if !have {
		max = noWatermark
	}
	var (
		keep, isLate []bool // nil while every row is kept
		nulls        []int
		late         int
	)
	drop := func(i int) {
		if keep == nil {
			keep = make([]bool, ts.Len())
			for j := range keep {
				keep[j] = true
			}
		}
		keep[i] = false
	}
	for i := 0; i < ts.Len(); i++ {
		if ts.IsNull(i) {
			drop(i)
			nulls = append(nulls, i)
			continue
		}
		v := int64(ts.Value(i))
		if s.dropLate && s.wm != noWatermark && v < s.wm {
			drop(i)
			if isLate == nil {
				isLate = make([]bool, ts.Len())
			}
			isLate[i] = true
			late++
			continue
		}
		if v > max {
			max = v
		}
	}
	if len(nulls) > 0 {
		s.BadRecords += int64(len(nulls))
		if rj, ok := s.reader.(RowRejecter); ok {
			if err := rj.RejectRows(pb.Partition, nulls, nullEventTime); err != nil {
				rec.Release()
				return nil, err
			}
		}
	}
	if max != noWatermark {
		s.partMax[pb.Partition] = max
	}
	if keep == nil {
		return rec, nil
	}
	defer rec.Release()
	if late > 0 {
		s.LateRows += int64(late)
		lateRows, err := filterRows(ctx, s.mem, rec, isLate)
		if err != nil {
			return nil, err
		}
		s.late = append(s.late, lateRows)
	}
	kept, err := filterRows(ctx, s.mem, rec, keep)
	if err != nil {
		return nil, err
	}
	if kept.NumRows() == 0 {
		kept.Release()
		return nil, nil
	}
	return kept, nil
}

// filterRows returns the rows of rec where mask is true.
func filterRows(ctx context.Context, mem memory.Allocator, rec arrow.Record, mask []bool) (arrow.Record, error) {
	bb := array.NewBooleanBuilder(mem)
	defer bb.Release()
	bb.AppendValues(mask, nil)
	arr := bb.NewBooleanArray()
	defer arr.Release()
	return compute.FilterRecordBatch(ctx, rec, arr, compute.DefaultFilterOptions())
}

// advance recomputes the watermark; it reports whether it moved forward.
// noteIdle tells a merge downstream when the whole input goes idle (every
// partition it has seen idle for the idle timeout), with an idle watermark,
// so that the merge's watermark no longer waits for it; and, with the
// current watermark, when it has data again. It reports whether it sent
// either.
func (s *SourceScan) noteIdle(idle []int32, done bool) bool {
	if s.eventTime == nil || done {
		return false
	}
	isIdle := map[int32]bool{}
	for _, p := range idle {
		isIdle[p] = true
	}
	all := len(idle) > 0
	if pc, ok := s.reader.(PartitionCounter); ok && pc.Partitions() == 0 {
		all = true // nothing to read: idle from the start
	}
	for p := range s.known {
		if !isIdle[p] {
			all = false
		}
	}
	if all == s.idle {
		return false
	}
	s.idle = all
	switch {
	case all:
		s.pending = append(s.pending, executor.Msg{Kind: executor.MsgWatermark, Watermark: executor.Watermark{Idle: true}})
	case s.wm != noWatermark:
		s.pending = append(s.pending, executor.Msg{Kind: executor.MsgWatermark, Watermark: s.currentWatermark()})
	}
	return true
}

func (s *SourceScan) advance(idle []int32, done bool) bool {
	if done {
		if s.wm == math.MaxInt64 {
			return false
		}
		s.wm = math.MaxInt64
		return true
	}
	if s.eventTime == nil {
		return false
	}
	isIdle := map[int32]bool{}
	for _, p := range idle {
		isIdle[p] = true
	}
	min := int64(math.MaxInt64)
	active := 0
	for p := range s.known {
		if isIdle[p] {
			continue
		}
		m, ok := s.partMax[p]
		if !ok {
			return false // an active partition with no event time yet holds the watermark
		}
		active++
		if m < min {
			min = m
		}
	}
	if active == 0 {
		// Every partition is idle: the input has gone quiet, so nothing
		// holds the watermark back any more; it follows the largest event
		// time seen (as Spark's global watermark does).
		for _, m := range s.partMax {
			if min == math.MaxInt64 || m > min {
				min = m
			}
		}
		if len(s.partMax) == 0 {
			return false
		}
	}
	w := min - s.delay.Microseconds()
	if w > s.wm {
		s.wm = w
		return true
	}
	return false
}

func (s *SourceScan) currentWatermark() executor.Watermark {
	if s.wm == math.MaxInt64 {
		return executor.MaxWatermark
	}
	return executor.Watermark{Time: time.UnixMicro(s.wm).UTC()}
}

// scanState is the scan's checkpointed state (version 1).
type scanState struct {
	Version int             `json:"v"`
	PartMax map[int32]int64 `json:"part_max"`
	WM      int64           `json:"wm"`
}

// Snapshot returns the watermark state; offsets are checkpointed by the driver.
func (s *SourceScan) Snapshot() ([]byte, error) {
	return json.Marshal(scanState{Version: 1, PartMax: s.partMax, WM: s.wm})
}

// Restore loads a Snapshot.
func (s *SourceScan) Restore(b []byte) error {
	var st scanState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("scan state: %w", err)
	}
	if st.Version != 1 {
		return fmt.Errorf("scan state version %d is not supported", st.Version)
	}
	if st.PartMax != nil {
		s.partMax = st.PartMax
	}
	s.wm = st.WM
	for p := range s.partMax {
		s.known[p] = true
	}
	return nil
}
