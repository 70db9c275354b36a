package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
)

// feedOp is an input whose messages the test sends one at a time; Next
// blocks until the next one. Closing feed ends it. barriers counts the
// barriers it returned, which is what its Capture reports.
type feedOp struct {
	feed     chan executor.Msg
	barriers atomic.Int64
	fail     error
	panics   bool
}

func newFeed() *feedOp { return &feedOp{feed: make(chan executor.Msg, 16)} }

func (f *feedOp) Schema() *arrow.Schema      { return opSchema }
func (f *feedOp) Open(context.Context) error { return nil }
func (f *feedOp) Close() error {
	for {
		select {
		case m, ok := <-f.feed:
			if !ok {
				return nil
			}
			if m.Batch != nil {
				m.Batch.Release()
			}
		default:
			return nil
		}
	}
}

func (f *feedOp) Next(ctx context.Context) (executor.Msg, error) {
	select {
	case m, ok := <-f.feed:
		if !ok {
			if f.panics {
				panic("boom")
			}
			if f.fail != nil {
				return executor.Msg{}, f.fail
			}
			return executor.Msg{}, io.EOF
		}
		if m.Kind == executor.MsgBarrier {
			f.barriers.Add(1)
		}
		return m, nil
	case <-ctx.Done():
		return executor.Msg{}, ctx.Err()
	}
}

func (f *feedOp) input() UnionInput {
	return UnionInput{Op: f, Capture: func() (any, error) { return f.barriers.Load(), nil }}
}

// unionHarness reads a union's output on a goroutine so that the test can
// check what came out after each message it fed.
type unionHarness struct {
	t   *testing.T
	u   *Union
	out chan string
}

func startUnion(t *testing.T, inputs ...*feedOp) *unionHarness {
	t.Helper()
	var ins []UnionInput
	for _, f := range inputs {
		ins = append(ins, f.input())
	}
	u, err := NewUnion(opSchema, ins)
	if err != nil {
		t.Fatal(err)
	}
	return runUnion(t, u)
}

func runUnion(t *testing.T, u *Union) *unionHarness {
	t.Helper()
	h := &unionHarness{t: t, u: u, out: make(chan string, 64)}
	ctx, cancel := context.WithCancel(context.Background())
	if err := u.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := u.Next(ctx)
			if err != nil {
				if errors.Is(err, io.EOF) {
					h.out <- "eof"
				} else if ctx.Err() == nil {
					h.out <- "error: " + err.Error()
				}
				return
			}
			line := unionLine(m)
			if m.Kind == executor.MsgBarrier {
				// What the barrier covers of each input, read on the
				// union's goroutine as the driver does.
				for _, c := range u.Captured() {
					line += " " + strings.TrimSpace(strings.Repeat("|", int(c.(int64))))
				}
			}
			if m.Batch != nil {
				m.Batch.Release()
			}
			h.out <- line
		}
	}()
	t.Cleanup(func() { cancel(); <-done; u.Close() })
	return h
}

// unionLine prints a message on one line: "batch n=1 n=2", "watermark
// 00:00:05", "barrier 0 [final]".
func unionLine(m executor.Msg) string {
	switch m.Kind {
	case executor.MsgBatch:
		line := "batch"
		for i := 0; i < int(m.Batch.NumRows()); i++ {
			line += " n=" + executor.FormatValue(executor.Value(m.Batch.Column(0), i), m.Batch.Column(0).DataType())
		}
		return line
	case executor.MsgWatermark:
		return "watermark " + formatTime(m.Watermark.Time)
	case executor.MsgBarrier:
		line := fmt.Sprintf("barrier %d", m.Barrier.Epoch)
		if m.Barrier.Final {
			line += " final"
		}
		return line
	}
	return "unknown"
}

// expect waits for the next output line.
func (h *unionHarness) expect(want string) {
	h.t.Helper()
	select {
	case got := <-h.out:
		if got != want {
			h.t.Fatalf("union output %q, want %q", got, want)
		}
	case <-time.After(10 * time.Second):
		h.t.Fatalf("no union output; want %q", want)
	}
}

// quiet checks that nothing comes out while the union should wait.
func (h *unionHarness) quiet() {
	h.t.Helper()
	select {
	case got := <-h.out:
		h.t.Fatalf("union output %q while it should wait", got)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestUnionEndsAnEpochWhenEveryInputIsAtABarrier(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	a, b := newFeed(), newFeed()
	h := startUnion(t, a, b)

	// An input that has sent nothing is at a barrier: a's barrier ends the
	// epoch at once, covering a's first epoch and b's start.
	a.feed <- batchMsg(t, mem, `{"n":1}`)
	h.expect("batch n=1")
	a.feed <- barrierMsg(7, false)
	h.expect("barrier 0 | ")

	// b is in the middle of an epoch: a's next barrier waits for b's, and
	// what a sends after its barrier is held back until then.
	b.feed <- batchMsg(t, mem, `{"n":2}`)
	h.expect("batch n=2")
	a.feed <- batchMsg(t, mem, `{"n":3}`)
	h.expect("batch n=3")
	a.feed <- barrierMsg(8, false)
	a.feed <- batchMsg(t, mem, `{"n":4}`) // next epoch of a
	h.quiet()
	b.feed <- batchMsg(t, mem, `{"n":5}`)
	h.expect("batch n=5")
	b.feed <- barrierMsg(3, false)
	h.expect("barrier 0 || |")
	h.expect("batch n=4")

	// Ended inputs do not hold barriers; when all end, the barrier is final.
	b.feed <- barrierMsg(4, true)
	h.quiet() // a is in the middle of its epoch (n=4)
	a.feed <- batchMsg(t, mem, `{"n":6}`)
	h.expect("batch n=6")
	a.feed <- barrierMsg(9, true)
	h.expect("barrier 0 final ||| ||")
	h.expect("eof")

	// An input that ends without a final barrier ends its epoch with it.
	c, d := newFeed(), newFeed()
	h = startUnion(t, c, d)
	c.feed <- batchMsg(t, mem, `{"n":7}`)
	h.expect("batch n=7")
	close(c.feed)
	h.expect("barrier 0  ") // nothing captured: neither reached a barrier
	close(d.feed)
	h.expect("eof")
}

func TestUnionWatermarkIsTheMinimumAtBarriers(t *testing.T) {
	a, b := newFeed(), newFeed()
	h := startUnion(t, a, b)

	a.feed <- watermarkMsg(t, "00:00:10")
	a.feed <- barrierMsg(1, false)
	h.expect("barrier 0 | ") // b has no watermark yet: none forwarded

	b.feed <- watermarkMsg(t, "00:00:05")
	b.feed <- barrierMsg(1, false)
	h.expect("watermark 00:00:05")
	h.expect("barrier 0 | |")

	// b goes idle: it no longer holds the watermark back.
	b.feed <- executor.Msg{Kind: executor.MsgWatermark, Watermark: executor.Watermark{Idle: true}}
	b.feed <- barrierMsg(2, false)
	h.expect("watermark 00:00:10")
	h.expect("barrier 0 | ||")

	// Every input idle: the watermark follows the largest.
	a.feed <- watermarkMsg(t, "00:00:20")
	a.feed <- executor.Msg{Kind: executor.MsgWatermark, Watermark: executor.Watermark{Idle: true}}
	a.feed <- barrierMsg(2, false)
	h.expect("watermark 00:00:20")
	h.expect("barrier 0 || ||")

	// A watermark never goes back, even when an idle input comes back late.
	b.feed <- watermarkMsg(t, "00:00:01")
	b.feed <- barrierMsg(3, false)
	h.expect("barrier 0 || |||")

	// A bounded input ends at the end of time: it holds nothing back.
	// An idle input is not pushed to the end of time by an ended one.
	b.feed <- executor.Msg{Kind: executor.MsgWatermark, Watermark: executor.MaxWatermark}
	b.feed <- barrierMsg(4, true)
	h.expect("barrier 0 || ||||")
	a.feed <- watermarkMsg(t, "00:00:30")
	a.feed <- barrierMsg(3, false)
	h.expect("watermark 00:00:30")
	h.expect("barrier 0 ||| ||||")
	a.feed <- executor.Msg{Kind: executor.MsgWatermark, Watermark: executor.MaxWatermark}
	a.feed <- barrierMsg(4, true)
	h.expect("watermark max")
	h.expect("barrier 0 final |||| ||||")
}

func TestUnionInputsStoppedByRunOnceKeepTheirWatermark(t *testing.T) {
	a, b := newFeed(), newFeed()
	h := startUnion(t, a, b)
	a.feed <- watermarkMsg(t, "00:00:10")
	a.feed <- barrierMsg(1, true) // caught up, state kept: not the end of time
	h.expect("barrier 0 | ")
	b.feed <- watermarkMsg(t, "00:00:30")
	b.feed <- barrierMsg(1, true)
	h.expect("watermark 00:00:10")
	h.expect("barrier 0 final | |")
	h.expect("eof")
}

func TestUnionReplayWaitsForEveryInput(t *testing.T) {
	a, b := newFeed(), newFeed()
	u, err := NewUnion(opSchema, []UnionInput{a.input(), b.input()})
	if err != nil {
		t.Fatal(err)
	}
	u.Replay()
	h := runUnion(t, u)
	a.feed <- barrierMsg(1, false)
	h.quiet() // b replays its epoch too: wait for it
	b.feed <- barrierMsg(1, false)
	h.expect("barrier 0 | |")
	a.feed <- barrierMsg(2, false) // after the replayed epoch, quiet inputs do not hold
	h.expect("barrier 0 || |")
}

func TestUnionInputFailures(t *testing.T) {
	t.Run("an error", func(t *testing.T) {
		a, b := newFeed(), newFeed()
		a.fail = errors.New("fetch failed")
		h := startUnion(t, a, b)
		close(a.feed)
		h.expect("error: fetch failed")
	})
	t.Run("a panic", func(t *testing.T) {
		a, b := newFeed(), newFeed()
		a.panics = true
		h := startUnion(t, a, b)
		close(a.feed)
		h.expect("error: an input of a union panicked: boom (a bug in tide or a connector; the stack is in the log)")
	})
}

func TestUnionRefusesInputsOfOtherWidths(t *testing.T) {
	other := &scriptOp{schema: arrow.NewSchema(opSchema.Fields()[:1], nil)}
	if _, err := NewUnion(opSchema, []UnionInput{{Op: newFeed()}, {Op: other}}); err == nil {
		t.Fatal("a union of a 3-column and a 1-column input was accepted")
	}
}
