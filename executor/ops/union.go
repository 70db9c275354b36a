package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"runtime/debug"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/executor"
)

// UnionInput is one input of a Union: an operator tree, and what to
// capture of it at each of its barriers.
type UnionInput struct {
	Op executor.Operator
	// Capture is called on the input's own goroutine right after the input
	// returned a barrier (and once before the first Next), while nothing
	// else touches the input: it snapshots the input's state at exactly
	// that barrier (its sources' offsets, its stateful operators). Nil
	// captures nothing.
	Capture func() (any, error)
}

// Union merges the streams of several inputs (UNION ALL of sources, the
// gather of parallel tasks). Each input is pulled by a goroutine of its own,
// so inputs fetch, decode and aggregate at the same time.
//
// Barriers are aligned at quiet points: the union ends an epoch when one
// input reaches a barrier and every other input is at one too (it has
// delivered nothing since its last barrier, or it has ended). An input that
// reached its barrier is read no further until the union's barrier has
// passed, so every row before the union's barrier belongs, for each input,
// to the epochs up to the barrier Captured reports. The union numbers no
// epochs (its barriers carry epoch 0; the driver numbers them).
//
// Watermarks move only at the union's barriers, to the minimum of the
// inputs' watermarks as of their barriers, never backwards: idle inputs (an
// idle watermark) do not hold it back while another input has data, and
// when none has the largest idle one leads; an ended input keeps its last
// watermark (the end of time for a bounded source). A watermark that moves only at
// barriers makes a replayed epoch decide lateness exactly as the first run.
type Union struct {
	schema *arrow.Schema
	inputs []UnionInput

	cancel context.CancelFunc
	wg     sync.WaitGroup
	chans  []chan unionMsg
	cases  []reflect.SelectCase // scratch for select
	ins    []unionState

	captured []any // per input, at the barrier the last union barrier covered
	replay   bool  // the next union barrier waits for a barrier of every live input
	aligned  bool  // every union barrier waits for a barrier of every live input
	wm       int64 // last watermark forwarded, µs; math.MinInt64 before any
	from     int   // the input of the last batch Next returned
	drift    int64 // µs an input may run ahead of the slowest (SetMaxDrift); 0: no limit
	pending  []executor.Msg
	started  bool
	closed   bool
}

// unionMsg is one message from an input's goroutine.
type unionMsg struct {
	msg     executor.Msg
	err     error // io.EOF when the input ended
	capture any   // with a barrier: the input's state at it
}

// unionState is what the union knows of one input.
type unionState struct {
	held    bool  // delivered a barrier that no union barrier has covered yet
	dirty   bool  // delivered rows since its last barrier
	done    bool  // ended
	final   bool  // its last barrier was final
	barrier bool  // delivered at least one barrier (replay: since the restart)
	wm      int64 // watermark as of its last barrier, µs; math.MinInt64 for none
	nextWM  int64 // watermark received since its last barrier
	idle    bool  // its last watermark said it is idle
	capture any   // state at its last barrier
}

var _ executor.Operator = (*Union)(nil)

// NewUnion returns a union of inputs, which must all have schema's columns.
func NewUnion(schema *arrow.Schema, inputs []UnionInput) (*Union, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("a union needs at least one input")
	}
	for i, in := range inputs {
		if got := in.Op.Schema(); got.NumFields() != schema.NumFields() {
			return nil, fmt.Errorf("union input %d has %d columns, not %d", i+1, got.NumFields(), schema.NumFields())
		}
	}
	return &Union{schema: schema, inputs: inputs, wm: math.MinInt64}, nil
}

// NewMerge returns a union of inputs of any schemas, for an operator that
// reads several inputs (a join) and tells their batches apart with From.
// Its Schema is nil.
func NewMerge(inputs []UnionInput) (*Union, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("a merge needs at least one input")
	}
	return &Union{inputs: inputs, wm: math.MinInt64}, nil
}

// SetMaxDrift bounds how far (in event time) an input may run ahead of the
// slowest input with data (Flink's watermark alignment): an input whose
// watermark leads by more than d is not read while it stands between two
// epochs, until the others catch up. A join keeps each side's rows until
// the other side's watermark passes them, so without it a fast input
// would fill the join's state with rows the slow one has not reached yet.
// Idle and ended inputs hold nothing back.
func (u *Union) SetMaxDrift(d time.Duration) { u.drift = d.Microseconds() }

// ahead reports whether input i is too far ahead to be read now.
func (u *Union) ahead(i int) bool {
	in := &u.ins[i]
	if u.drift <= 0 || in.dirty || in.held || in.wm == math.MinInt64 {
		return false
	}
	slowest := int64(math.MaxInt64)
	for k := range u.ins {
		o := &u.ins[k]
		if o.held {
			return false // an epoch is ending: every input may need its barrier
		}
		if k != i && !o.done && !o.idle {
			slowest = min(slowest, o.wm)
		}
	}
	return slowest != math.MaxInt64 && in.wm > addSat(slowest, u.drift)
}

// From is the input (its index) of the last batch Next returned.
func (u *Union) From() int { return u.from }

// InputWatermarks returns each input's watermark (µs) as of the barrier
// that the last union barrier covered: math.MinInt64 for none yet,
// math.MaxInt64 for an input that ended. Unlike the union's own
// watermark, idle inputs count with the watermark they stood at.
func (u *Union) InputWatermarks() []int64 {
	out := make([]int64, len(u.ins))
	for i, in := range u.ins {
		out[i] = in.wm
	}
	return out
}

// Aligned makes every union barrier wait until each live input has
// delivered its next barrier (Flink's aligned checkpoints), instead of
// taking quiet inputs as they are. The inputs must then send a barrier in
// every epoch, as the tasks of a parallel query do: their barriers are
// numbered alike, so that every gather of the same tasks ends an epoch at
// the same point of every input, and the state captured below them forms
// one consistent checkpoint.
func (u *Union) Aligned() { u.aligned = true }

// Replay makes the first union barrier after Open wait until every live
// input has delivered a barrier: after a restart, each input replays the
// epoch it was in up to the offsets logged for it, and the union's epoch
// must end where it ended before.
func (u *Union) Replay() { u.replay = true }

// Captured returns what each input's Capture returned at the barrier that
// the last union barrier covered (before the first barrier: at Open).
func (u *Union) Captured() []any { return append([]any(nil), u.captured...) }

// Children returns the inputs.
func (u *Union) Children() []executor.Operator {
	out := make([]executor.Operator, len(u.inputs))
	for i, in := range u.inputs {
		out[i] = in.Op
	}
	return out
}

func (u *Union) Schema() *arrow.Schema { return u.schema }

// Open opens every input and captures its starting state.
func (u *Union) Open(ctx context.Context) error {
	u.captured = make([]any, len(u.inputs))
	u.ins = make([]unionState, len(u.inputs))
	for i, in := range u.inputs {
		if err := in.Op.Open(ctx); err != nil {
			return err
		}
		if in.Capture != nil {
			c, err := in.Capture()
			if err != nil {
				return err
			}
			u.captured[i] = c
			u.ins[i].capture = c
		}
		u.ins[i].wm, u.ins[i].nextWM = math.MinInt64, math.MinInt64
	}
	return nil
}

// start launches the input goroutines; the context of the first Next
// bounds them.
func (u *Union) start(ctx context.Context) {
	ctx, u.cancel = context.WithCancel(ctx)
	u.chans = make([]chan unionMsg, len(u.inputs))
	for i := range u.inputs {
		ch := make(chan unionMsg, 4)
		u.chans[i] = ch
		u.wg.Add(1)
		go u.pump(ctx, u.inputs[i], ch)
	}
	u.started = true
}

// pump pulls one input until it ends or fails.
func (u *Union) pump(ctx context.Context, in UnionInput, ch chan<- unionMsg) {
	defer u.wg.Done()
	defer close(ch)
	send := func(m unionMsg) bool {
		select {
		case ch <- m:
			return true
		case <-ctx.Done():
			if m.msg.Kind == executor.MsgBatch {
				m.msg.Batch.Release()
			}
			return false
		}
	}
	for {
		m, err := nextSafely(ctx, in.Op)
		if err != nil {
			send(unionMsg{err: err})
			return
		}
		um := unionMsg{msg: m}
		if m.Kind == executor.MsgBarrier && in.Capture != nil {
			if um.capture, err = in.Capture(); err != nil {
				send(unionMsg{err: err})
				return
			}
		}
		if !send(um) {
			return
		}
	}
}

// nextSafely is in.Next with a panic turned into the input's error, so that
// a failing input fails the query rather than the process.
func nextSafely(ctx context.Context, op executor.Operator) (m executor.Msg, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &executor.PanicError{Where: "an input of a union", Value: r, Stack: string(debug.Stack())}
		}
	}()
	return op.Next(ctx)
}

// Next returns the inputs' rows as they come, and a watermark and a barrier
// whenever the inputs align.
func (u *Union) Next(ctx context.Context) (executor.Msg, error) {
	if !u.started {
		u.start(ctx)
	}
	for {
		if len(u.pending) > 0 {
			m := u.pending[0]
			u.pending = u.pending[1:]
			return m, nil
		}
		if u.allDone() {
			if u.heldAny() { // an input ended mid-epoch after the others
				u.align()
				continue
			}
			return executor.Msg{}, io.EOF
		}
		i, um, ok, err := u.receive(ctx)
		if err != nil {
			return executor.Msg{}, err
		}
		if !ok {
			continue
		}
		in := &u.ins[i]
		switch um.msg.Kind {
		case executor.MsgBatch:
			in.dirty = true
			u.from = i
			return um.msg, nil
		case executor.MsgWatermark:
			w := um.msg.Watermark
			in.idle = w.Idle
			if !w.Idle {
				in.nextWM = max(in.nextWM, micros(w.Time))
			}
		case executor.MsgBarrier:
			in.held, in.dirty, in.barrier = true, false, true
			in.final = um.msg.Barrier.Final
			in.wm = in.nextWM
			in.capture = um.capture
		}
		u.align()
	}
}

// receive waits for a message of an input that is not held. ok is false
// when the message was an input's end.
func (u *Union) receive(ctx context.Context) (int, unionMsg, bool, error) {
	u.cases = u.cases[:0]
	var idx []int
	for i := range u.inputs {
		if u.ins[i].held || u.ins[i].done || u.ahead(i) {
			continue
		}
		u.cases = append(u.cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(u.chans[i])})
		idx = append(idx, i)
	}
	if len(u.cases) == 0 {
		// Every live input is held, which align resolves; never here.
		return 0, unionMsg{}, false, errors.New("union: every input is waiting")
	}
	u.cases = append(u.cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())})
	chosen, v, open := reflect.Select(u.cases)
	if chosen == len(idx) {
		return 0, unionMsg{}, false, ctx.Err()
	}
	i := idx[chosen]
	um := unionMsg{err: io.EOF}
	if open {
		um = v.Interface().(unionMsg)
	}
	if um.err != nil {
		if !errors.Is(um.err, io.EOF) {
			return i, unionMsg{}, false, um.err
		}
		// An input that ends without a final barrier ends its last epoch
		// with it: its rows since its last barrier need the union's.
		in := &u.ins[i]
		in.done = true
		in.wm = in.nextWM
		if in.dirty {
			in.held, in.dirty = true, false
		}
		u.align()
		return i, unionMsg{}, false, nil
	}
	return i, um, true, nil
}

// align emits the union's barrier when the inputs are at a common quiet
// point, preceded by the watermark if it advanced.
func (u *Union) align() {
	anyHeld := false
	for i := range u.ins {
		in := &u.ins[i]
		if in.final {
			in.done = true
		}
		switch {
		case in.held:
			anyHeld = true
		case in.done:
		case in.dirty:
			return // in the middle of an epoch
		case u.replay && !in.barrier:
			return // after a restart: wait for its replayed epoch
		case u.aligned:
			return // its barrier has not come yet
		}
	}
	if !anyHeld {
		return
	}
	u.replay = false
	final := true
	for i := range u.ins {
		in := &u.ins[i]
		u.captured[i] = in.capture
		in.held = false
		if !in.done {
			final = false
		}
	}
	if w, ok := u.watermark(); ok {
		u.pending = append(u.pending, executor.Msg{Kind: executor.MsgWatermark, Watermark: w})
	}
	u.pending = append(u.pending, executor.Msg{Kind: executor.MsgBarrier, Barrier: executor.Barrier{Final: final}})
}

// watermark is the union's watermark after the inputs' barriers, if it
// advanced.
func (u *Union) watermark() (executor.Watermark, bool) {
	var (
		liveLow  = int64(math.MaxInt64) // inputs with data
		doneLow  = int64(math.MaxInt64) // inputs that ended
		idleHigh = int64(math.MinInt64) // idle inputs
		live     = 0
		idle     = 0
	)
	for _, in := range u.ins {
		switch {
		case in.done:
			doneLow = min(doneLow, in.wm)
		case in.idle:
			idle++
			idleHigh = max(idleHigh, in.wm)
		default:
			live++
			liveLow = min(liveLow, in.wm)
		}
	}
	// An ended input keeps its last watermark (the end of time for a
	// bounded one, its own for one stopped by run_once); idle inputs hold
	// nothing back while another has data, and when none has, the largest
	// of them leads, so that an idle stream is not pushed to the end of
	// time by a bounded input that ended beside it.
	low := doneLow
	switch {
	case live > 0:
		low = min(liveLow, doneLow)
	case idle > 0:
		low = min(idleHigh, doneLow)
	}
	if low == math.MinInt64 || low <= u.wm {
		return executor.Watermark{}, false
	}
	u.wm = low
	if low == math.MaxInt64 {
		return executor.MaxWatermark, true
	}
	return executor.Watermark{Time: time.UnixMicro(low).UTC()}, true
}

func (u *Union) heldAny() bool {
	for _, in := range u.ins {
		if in.held {
			return true
		}
	}
	return false
}

func (u *Union) allDone() bool {
	for _, in := range u.ins {
		if !in.done {
			return false
		}
	}
	return true
}

// Close stops the input goroutines and closes the inputs.
func (u *Union) Close() error {
	if u.closed {
		return nil
	}
	u.closed = true
	if u.started {
		u.cancel()
		for _, ch := range u.chans {
			for m := range ch { // drain so that the goroutines end
				if m.msg.Kind == executor.MsgBatch {
					m.msg.Batch.Release()
				}
			}
		}
		u.wg.Wait()
	}
	for _, m := range u.pending {
		if m.Kind == executor.MsgBatch {
			m.Batch.Release()
		}
	}
	u.pending = nil
	var first error
	for _, in := range u.inputs {
		if err := in.Op.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func micros(t time.Time) int64 {
	if !t.Before(executor.MaxWatermark.Time) {
		return math.MaxInt64
	}
	return t.UnixMicro()
}
