package ops

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// scriptOp is an input operator that returns prepared messages, then io.EOF.
type scriptOp struct {
	schema *arrow.Schema
	msgs   []executor.Msg
	pulls  int // calls of Next
	opened int
	closed int
}

var _ executor.Operator = (*scriptOp)(nil)

func (s *scriptOp) Schema() *arrow.Schema          { return s.schema }
func (s *scriptOp) Open(ctx context.Context) error { s.opened++; return nil }

func (s *scriptOp) Next(ctx context.Context) (executor.Msg, error) {
	s.pulls++
	if len(s.msgs) == 0 {
		return executor.Msg{}, io.EOF
	}
	m := s.msgs[0]
	s.msgs = s.msgs[1:]
	return m, nil
}

// Close releases the batches nobody pulled.
func (s *scriptOp) Close() error {
	s.closed++
	for _, m := range s.msgs {
		if m.Batch != nil {
			m.Batch.Release()
		}
	}
	s.msgs = nil
	return nil
}

// opSchema is the input of the operator tests: n BIGINT, s VARCHAR, ts TIMESTAMP.
var opSchema = arrow.NewSchema([]arrow.Field{
	{Name: "n", Type: catalog.Int64, Nullable: true},
	{Name: "s", Type: catalog.String, Nullable: true},
	{Name: "ts", Type: catalog.Timestamp, Nullable: true},
}, nil)

// batchMsg builds a batch message from JSON rows, e.g. `{"n":1,"s":"a"}`.
func batchMsg(t *testing.T, mem memory.Allocator, rows ...string) executor.Msg {
	t.Helper()
	rec, _, err := array.RecordFromJSON(mem, opSchema, strings.NewReader("["+strings.Join(rows, ",")+"]"))
	if err != nil {
		t.Fatal(err)
	}
	return executor.Msg{Kind: executor.MsgBatch, Batch: rec}
}

func watermarkMsg(t *testing.T, clock string) executor.Msg {
	t.Helper()
	tm, err := parseClock(clock)
	if err != nil {
		t.Fatal(err)
	}
	return executor.Msg{Kind: executor.MsgWatermark, Watermark: executor.Watermark{Time: tm}}
}

func barrierMsg(epoch int64, final bool) executor.Msg {
	return executor.Msg{Kind: executor.MsgBarrier, Barrier: executor.Barrier{Epoch: epoch, Final: final}}
}

// drainOp opens op, pulls every message until io.EOF (or max messages, or
// another error) and prints them as the scan goldens do; it releases the
// batches.
func drainOp(t *testing.T, op executor.Operator, max int) string {
	t.Helper()
	ctx := context.Background()
	if err := op.Open(ctx); err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := 0; i < max; i++ {
		m, err := op.Next(ctx)
		if err == io.EOF {
			out = append(out, "eof")
			break
		}
		if err != nil {
			out = append(out, "error: "+err.Error())
			break
		}
		out = append(out, formatMsg(m)...)
		if m.Batch != nil {
			m.Batch.Release()
		}
	}
	return strings.Join(out, "\n")
}

func checkOutput(t *testing.T, got, want string) {
	t.Helper()
	want = strings.TrimSpace(want)
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func col(name string) *planner.ColumnRef {
	return &planner.ColumnRef{Index: opSchema.FieldIndices(name)[0], Name: name, Typ: opSchema.Field(opSchema.FieldIndices(name)[0]).Type}
}

func call(t *testing.T, name string, args ...planner.Expr) planner.Expr {
	t.Helper()
	e, err := planner.NewCall(name, args)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestFilter(t *testing.T) {
	t.Run("keeps TRUE rows, drops FALSE and NULL, skips empty results, passes watermarks and barriers", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		in := &scriptOp{schema: opSchema, msgs: []executor.Msg{
			batchMsg(t, mem, `{"n":1,"s":"a"}`, `{"n":null,"s":"b"}`, `{"n":3,"s":"c"}`, `{"n":5,"s":null}`),
			watermarkMsg(t, "00:00:10"),
			// Nothing passes: no batch, the filter moves on to the barrier.
			batchMsg(t, mem, `{"n":0,"s":"d"}`, `{"n":2,"s":"e"}`),
			barrierMsg(3, false),
			// Only NULLs: no batch either.
			batchMsg(t, mem, `{"n":null,"s":"f"}`),
			// Everything passes.
			batchMsg(t, mem, `{"n":7,"s":"g"}`, `{"n":8,"s":"h"}`),
			barrierMsg(4, true),
		}}
		f, err := NewFilter(&planner.Filter{Pred: call(t, ">", col("n"), &planner.Literal{Value: int64(2), Typ: catalog.Int64})}, in, mem)
		if err != nil {
			t.Fatal(err)
		}
		got := drainOp(t, f, 20)
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		checkOutput(t, got, `
batch
  n=3 s=c ts=NULL
  n=5 s=NULL ts=NULL
watermark 00:00:10
barrier epoch=3
batch
  n=7 s=g ts=NULL
  n=8 s=h ts=NULL
barrier epoch=4 final
eof`)
		if in.opened != 1 || in.closed != 1 {
			t.Errorf("input opened %d and closed %d times, want 1 and 1", in.opened, in.closed)
		}
	})

	t.Run("a constant FALSE predicate forwards only watermarks and barriers", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		in := &scriptOp{schema: opSchema, msgs: []executor.Msg{
			batchMsg(t, mem, `{"n":1}`),
			watermarkMsg(t, "00:01:00"),
			batchMsg(t, mem, `{"n":2}`),
			barrierMsg(1, false),
		}}
		f, err := NewFilter(&planner.Filter{Pred: &planner.Literal{Value: false, Typ: catalog.Bool}}, in, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		checkOutput(t, drainOp(t, f, 20), `
watermark 00:01:00
barrier epoch=1
eof`)
	})

	t.Run("a predicate that is not boolean is an error, not a panic", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		in := &scriptOp{schema: opSchema, msgs: []executor.Msg{batchMsg(t, mem, `{"n":1}`)}}
		f, err := NewFilter(&planner.Filter{Pred: col("n")}, in, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		checkOutput(t, drainOp(t, f, 20), `error: filter predicate is int64, not BOOLEAN`)
	})
}

func TestProject(t *testing.T) {
	t.Run("computes each expression over the batch and passes watermarks and barriers", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		in := &scriptOp{schema: opSchema, msgs: []executor.Msg{
			batchMsg(t, mem, `{"n":1,"s":"ab","ts":"1970-01-01T00:00:10Z"}`, `{"n":null,"s":"Cd","ts":null}`),
			watermarkMsg(t, "00:00:05"),
			barrierMsg(7, false),
			batchMsg(t, mem, `{"n":4,"s":null,"ts":"1970-01-01T00:00:20Z"}`),
			barrierMsg(8, true),
		}}
		exprs := []planner.Expr{
			col("ts"),
			call(t, "*", col("n"), &planner.Literal{Value: int64(10), Typ: catalog.Int64}),
			call(t, "upper", col("s")),
			&planner.Literal{Value: "x", Typ: catalog.String},
			call(t, "is_null", col("n")),
		}
		out := arrow.NewSchema([]arrow.Field{
			{Name: "ts", Type: catalog.Timestamp, Nullable: true},
			{Name: "n10", Type: catalog.Int64, Nullable: true},
			{Name: "u", Type: catalog.String, Nullable: true},
			{Name: "c", Type: catalog.String, Nullable: true},
			{Name: "no_n", Type: catalog.Bool, Nullable: true},
		}, nil)
		p, err := NewProject(&planner.Project{Exprs: exprs, Out: out, Watermark: 0}, in, mem)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Schema().Equal(out) {
			t.Errorf("schema is %s, want %s", p.Schema(), out)
		}
		got := drainOp(t, p, 20)
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		checkOutput(t, got, `
batch
  ts=00:00:10 n10=10 u=AB c=x no_n=false
  ts=NULL n10=NULL u=CD c=x no_n=true
watermark 00:00:05
barrier epoch=7
batch
  ts=00:00:20 n10=40 u=NULL c=x no_n=false
barrier epoch=8 final
eof`)
		if in.opened != 1 || in.closed != 1 {
			t.Errorf("input opened %d and closed %d times, want 1 and 1", in.opened, in.closed)
		}
	})

	t.Run("an expression error is returned and leaks nothing", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		in := &scriptOp{schema: opSchema, msgs: []executor.Msg{batchMsg(t, mem, `{"n":1,"s":"not a number"}`)}}
		cast, err := planner.NewCast(col("s"), catalog.Int64, false)
		if err != nil {
			t.Fatal(err)
		}
		out := arrow.NewSchema([]arrow.Field{
			{Name: "n", Type: catalog.Int64, Nullable: true},
			{Name: "i", Type: catalog.Int64, Nullable: true},
		}, nil)
		p, err := NewProject(&planner.Project{Exprs: []planner.Expr{col("n"), cast}, Out: out, Watermark: -1}, in, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		got := drainOp(t, p, 20)
		if !strings.HasPrefix(got, "error: ") || !strings.Contains(got, "not a number") {
			t.Errorf("got %q, want an error naming the value", got)
		}
	})
}

func TestLimit(t *testing.T) {
	t.Run("slices the batch that crosses the limit, then a final barrier, then io.EOF", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		in := &scriptOp{schema: opSchema, msgs: []executor.Msg{
			batchMsg(t, mem, `{"n":1}`, `{"n":2}`),
			watermarkMsg(t, "00:00:01"),
			barrierMsg(1, false),
			batchMsg(t, mem, `{"n":3}`, `{"n":4}`, `{"n":5}`),
			batchMsg(t, mem, `{"n":6}`),
			barrierMsg(2, false),
		}}
		l := NewLimit(3, in)
		got := drainOp(t, l, 20)
		// The final barrier has epoch 0: the driver gives it the current epoch.
		checkOutput(t, got, `
batch
  n=1 s=NULL ts=NULL
  n=2 s=NULL ts=NULL
watermark 00:00:01
barrier epoch=1
batch
  n=3 s=NULL ts=NULL
barrier epoch=0 final
eof`)
		if in.pulls != 4 {
			t.Errorf("input was pulled %d times, want 4 (nothing after the limit was reached)", in.pulls)
		}
		if _, err := l.Next(context.Background()); err != io.EOF {
			t.Errorf("Next after the end returned %v, want io.EOF", err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a batch that ends exactly at the limit is passed whole", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		in := &scriptOp{schema: opSchema, msgs: []executor.Msg{
			batchMsg(t, mem, `{"n":1}`, `{"n":2}`),
			batchMsg(t, mem, `{"n":3}`),
		}}
		l := NewLimit(2, in)
		defer l.Close()
		checkOutput(t, drainOp(t, l, 20), `
batch
  n=1 s=NULL ts=NULL
  n=2 s=NULL ts=NULL
barrier epoch=0 final
eof`)
		if in.pulls != 1 {
			t.Errorf("input was pulled %d times, want 1", in.pulls)
		}
	})

	t.Run("LIMIT 0 ends at once without reading the input", func(t *testing.T) {
		in := &scriptOp{schema: opSchema}
		l := NewLimit(0, in)
		defer l.Close()
		checkOutput(t, drainOp(t, l, 20), `
barrier epoch=0 final
eof`)
		if in.pulls != 0 {
			t.Errorf("input was pulled %d times, want 0", in.pulls)
		}
	})

	t.Run("an input that ends before the limit ends the stream itself", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		in := &scriptOp{schema: opSchema, msgs: []executor.Msg{
			batchMsg(t, mem, `{"n":1}`),
			barrierMsg(1, true),
		}}
		l := NewLimit(10, in)
		defer l.Close()
		checkOutput(t, drainOp(t, l, 20), `
batch
  n=1 s=NULL ts=NULL
barrier epoch=1 final
eof`)
	})
}

// fakeScanner is a Scanner over prepared records (one reference each, given
// to the caller of Scan).
type fakeScanner struct {
	recs []arrow.Record
	err  error
}

func (f *fakeScanner) Scan(ctx context.Context) ([]arrow.Record, *arrow.Schema, error) {
	if f.err != nil {
		return nil, nil, f.err
	}
	recs := f.recs
	f.recs = nil
	return recs, opSchema, nil
}

func TestTableScan(t *testing.T) {
	t.Run("returns the snapshot's rows, then a final barrier (epoch 0: the driver numbers snapshots), then io.EOF", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		sc := &fakeScanner{recs: []arrow.Record{
			batchMsg(t, mem, `{"n":1,"s":"a","ts":"1970-01-01T00:00:01Z"}`).Batch,
			batchMsg(t, mem, `{"n":2,"s":"b"}`, `{"n":3,"s":"c"}`).Batch,
		}}
		op := NewTableScan(sc, opSchema)
		if !op.Schema().Equal(opSchema) {
			t.Errorf("schema is %s, want %s", op.Schema(), opSchema)
		}
		got := drainOp(t, op, 20)
		if err := op.Close(); err != nil {
			t.Fatal(err)
		}
		checkOutput(t, got, `
batch
  n=1 s=a ts=00:00:01
batch
  n=2 s=b ts=NULL
  n=3 s=c ts=NULL
barrier epoch=0 final
eof`)
	})

	t.Run("an empty table is just the final barrier", func(t *testing.T) {
		op := NewTableScan(&fakeScanner{}, opSchema)
		defer op.Close()
		checkOutput(t, drainOp(t, op, 20), `
barrier epoch=0 final
eof`)
	})

	t.Run("closing before the end releases the rows not returned", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		sc := &fakeScanner{recs: []arrow.Record{
			batchMsg(t, mem, `{"n":1}`).Batch,
			batchMsg(t, mem, `{"n":2}`).Batch,
		}}
		op := NewTableScan(sc, opSchema)
		got := drainOp(t, op, 1)
		checkOutput(t, got, `
batch
  n=1 s=NULL ts=NULL`)
		if err := op.Close(); err != nil {
			t.Fatal(err)
		}
		if err := op.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	})

	t.Run("a scan error is returned by Open", func(t *testing.T) {
		boom := errors.New("boom")
		op := NewTableScan(&fakeScanner{err: boom}, opSchema)
		defer op.Close()
		if err := op.Open(context.Background()); !errors.Is(err, boom) {
			t.Errorf("Open returned %v, want %v", err, boom)
		}
	})
}
