package ops

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/zeebo/xxh3"

	"github.com/tide-sql/tide/executor"
)

// Exchange sends the rows of one input to n outputs by a hash of key
// columns, so that each of n tasks downstream holds the state of its own
// keys. One goroutine pulls the input; watermarks and barriers go to every
// output. With each barrier it captures the input's state once, and every
// output hands that capture on with the barrier (see ExchangeOutput).
//
// The hash is deterministic (xxh3 of the key values), so that a key goes
// to the same task after a restart as before it, where that task's state
// holds it.
type Exchange struct {
	input   executor.Operator
	keys    []int
	mem     memory.Allocator
	capture func() (any, error)

	outs    []*ExchangeOutput
	once    sync.Once
	openErr error
	cancel  context.CancelFunc
	done    chan struct{}
	mu      sync.Mutex
	open    int // outputs not closed yet
}

// exchangeMsg is one message on an output, with the producer's capture when
// it is a barrier.
type exchangeMsg struct {
	msg     executor.Msg
	err     error
	capture any
}

// ExchangeOutput is the operator one downstream task reads.
type ExchangeOutput struct {
	x    *Exchange
	k    int
	ch   chan exchangeMsg
	last any // the capture that came with the last barrier returned
	shut bool
}

var _ executor.Operator = (*ExchangeOutput)(nil)

// NewExchange splits input's rows over n outputs by the hash of the key
// columns. capture, if not nil, runs on the exchange's goroutine after each
// barrier of input.
func NewExchange(input executor.Operator, keys []int, n int, capture func() (any, error), mem memory.Allocator) (*Exchange, error) {
	if n < 1 {
		return nil, fmt.Errorf("an exchange needs at least one output")
	}
	for _, k := range keys {
		if k < 0 || k >= input.Schema().NumFields() {
			return nil, fmt.Errorf("exchange key column %d out of range", k)
		}
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	x := &Exchange{input: input, keys: keys, mem: mem, capture: capture, done: make(chan struct{}), open: n}
	for k := 0; k < n; k++ {
		x.outs = append(x.outs, &ExchangeOutput{x: x, k: k, ch: make(chan exchangeMsg, 4)})
	}
	return x, nil
}

// Outputs returns the n outputs, one per downstream task.
func (x *Exchange) Outputs() []*ExchangeOutput { return x.outs }

// Input is the exchange's input tree.
func (x *Exchange) Input() executor.Operator { return x.input }

// start opens the input and starts the goroutine, once for all outputs.
func (x *Exchange) start(ctx context.Context) error {
	x.once.Do(func() {
		if err := x.input.Open(ctx); err != nil {
			x.openErr = err
			close(x.done)
			return
		}
		var pctx context.Context
		pctx, x.cancel = context.WithCancel(context.Background())
		go x.run(pctx)
	})
	return x.openErr
}

// run pulls the input and routes its messages until it ends or fails.
func (x *Exchange) run(ctx context.Context) {
	defer close(x.done)
	defer func() {
		for _, o := range x.outs {
			close(o.ch)
		}
	}()
	broadcast := func(m exchangeMsg) bool {
		for _, o := range x.outs {
			select {
			case o.ch <- m:
			case <-ctx.Done():
				return false
			}
		}
		return true
	}
	for {
		m, err := nextSafely(ctx, x.input)
		if err != nil {
			broadcast(exchangeMsg{err: err})
			return
		}
		switch m.Kind {
		case executor.MsgBatch:
			parts, err := x.split(ctx, m.Batch)
			m.Batch.Release()
			if err != nil {
				broadcast(exchangeMsg{err: err})
				return
			}
			for k, p := range parts {
				if p == nil {
					continue
				}
				select {
				case x.outs[k].ch <- exchangeMsg{msg: executor.Msg{Kind: executor.MsgBatch, Batch: p}}:
				case <-ctx.Done():
					for _, q := range parts[k:] {
						if q != nil {
							q.Release()
						}
					}
					return
				}
			}
		case executor.MsgBarrier:
			em := exchangeMsg{msg: m}
			if x.capture != nil {
				if em.capture, err = x.capture(); err != nil {
					broadcast(exchangeMsg{err: err})
					return
				}
			}
			if !broadcast(em) {
				return
			}
		default:
			if !broadcast(exchangeMsg{msg: m}) {
				return
			}
		}
	}
}

// split cuts rec into one record per output (nil where no row goes).
func (x *Exchange) split(ctx context.Context, rec arrow.Record) ([]arrow.Record, error) {
	n := len(x.outs)
	parts := make([]arrow.Record, n)
	if n == 1 {
		rec.Retain()
		parts[0] = rec
		return parts, nil
	}
	rows := make([][]int64, n)
	hashes := rowHashes(rec, x.keys)
	for i, h := range hashes {
		k := int(h % uint64(n))
		rows[k] = append(rows[k], int64(i))
	}
	for k, r := range rows {
		if len(r) == 0 {
			continue
		}
		if len(r) == int(rec.NumRows()) {
			rec.Retain()
			parts[k] = rec
			continue
		}
		p, err := executor.TakeRows(ctx, rec, r, x.mem)
		if err != nil {
			for _, q := range parts {
				if q != nil {
					q.Release()
				}
			}
			return nil, err
		}
		parts[k] = p
	}
	return parts, nil
}

// rowHashes hashes the key columns of every row of rec: per column, the
// hash of the row's value (a constant for NULL) folded into the row's.
func rowHashes(rec arrow.Record, keys []int) []uint64 {
	n := int(rec.NumRows())
	out := make([]uint64, n)
	for _, c := range keys {
		col := rec.Column(c)
		fold := func(i int, h uint64) {
			if col.IsNull(i) {
				h = 0x9e3779b97f4a7c15
			}
			out[i] = out[i]*31 + h
		}
		switch a := col.(type) {
		case *array.String:
			for i := 0; i < n; i++ {
				fold(i, xxh3.HashString(a.Value(i)))
			}
		case *array.Int64:
			fixedHashes(n, func(i int) uint64 { return uint64(a.Value(i)) }, fold)
		case *array.Timestamp:
			fixedHashes(n, func(i int) uint64 { return uint64(a.Value(i)) }, fold)
		case *array.Date32:
			fixedHashes(n, func(i int) uint64 { return uint64(a.Value(i)) }, fold)
		case *array.Float64:
			fixedHashes(n, func(i int) uint64 {
				v := a.Value(i)
				if v == 0 {
					v = 0 // -0 and +0 are one key
				}
				return math.Float64bits(v)
			}, fold)
		case *array.Boolean:
			fixedHashes(n, func(i int) uint64 {
				if a.Value(i) {
					return 1
				}
				return 2
			}, fold)
		default:
			for i := 0; i < n; i++ {
				fold(i, xxh3.HashString(fmt.Sprint(executor.Value(col, i))))
			}
		}
	}
	return out
}

// fixedHashes hashes the 8-byte values of n rows.
func fixedHashes(n int, value func(int) uint64, fold func(int, uint64)) {
	var buf [8]byte
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint64(buf[:], value(i))
		fold(i, xxh3.Hash(buf[:]))
	}
}

// Schema is the input's schema.
func (o *ExchangeOutput) Schema() *arrow.Schema { return o.x.input.Schema() }

// Open opens the shared input (once) and starts routing.
func (o *ExchangeOutput) Open(ctx context.Context) error { return o.x.start(ctx) }

// Next returns this output's next message.
func (o *ExchangeOutput) Next(ctx context.Context) (executor.Msg, error) {
	select {
	case m, ok := <-o.ch:
		if !ok {
			return executor.Msg{}, io.EOF
		}
		if m.err != nil {
			return executor.Msg{}, m.err
		}
		if m.msg.Kind == executor.MsgBarrier {
			o.last = m.capture
		}
		return m.msg, nil
	case <-ctx.Done():
		return executor.Msg{}, ctx.Err()
	}
}

// Capture returns the producer's state at the barrier Next returned last
// (nil before the first): the Capture of the union input this output is.
func (o *ExchangeOutput) Capture() (any, error) { return o.last, nil }

// Close closes this output; the last one to close stops the exchange and
// closes its input.
func (o *ExchangeOutput) Close() error {
	if o.shut {
		return nil
	}
	o.shut = true
	x := o.x
	x.mu.Lock()
	x.open--
	last := x.open == 0
	x.mu.Unlock()
	if !last {
		return nil
	}
	if x.cancel != nil {
		x.cancel()
		for _, out := range x.outs {
			for m := range out.ch {
				if m.msg.Kind == executor.MsgBatch {
					m.msg.Batch.Release()
				}
			}
		}
		<-x.done
	}
	return x.input.Close()
}
