package window

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

func TestNewRejectsBadPlans(t *testing.T) {
	base := "input k:string v:int64 s:string d:date ts:timestamp\nkeys k\n"
	cases := []struct{ name, plan, want string }{
		{"a running aggregate cannot emit on window close", base + "agg count_star c\nemit close", "only EMIT CHANGES"},
		{"sum of a string is refused", base + "window tumble ts 1m\nagg sum s x", "does not take an argument of type utf8"},
		{"an unknown function is refused", base + "window tumble ts 1m\nagg median v x", "median is not supported"},
		{"a percentile outside 0..1 is refused", base + "window tumble ts 1m\nagg approx_percentile v 1.5 p", "not between 0 and 1"},
		{"the window time must be a timestamp", base + "window tumble v 1m\nagg count_star c", "not a timestamp"},
		{"a hop needs a positive slide", base + "window hop ts 0s 1m\nagg count_star c", "slide"},
		{"a window size below a microsecond is refused", base + "window tumble ts 1ns\nagg count_star c", "microseconds"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, in, err := parsePlan(c.plan)
			if err != nil {
				t.Fatal(err)
			}
			_, err = New(n, &fakeInput{schema: in}, memory.NewGoAllocator())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
	t.Run("an output schema of the wrong shape is refused", func(t *testing.T) {
		n, in, _ := parsePlan(base + "window tumble ts 1m\nagg min v lo")
		n.Out = arrow.NewSchema(append(n.Out.Fields()[:3], arrow.Field{Name: "lo", Type: catalog.Float64}), nil)
		if _, err := New(n, &fakeInput{schema: in}, nil); err == nil {
			t.Fatal("accepted min(BIGINT) as DOUBLE")
		}
	})
}

func TestOperatorContract(t *testing.T) {
	t.Run("a batch of the wrong types is an error, not a panic", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		n, in, _ := parsePlan("input k:string ts:timestamp\nkeys k\nwindow tumble ts 1m\nagg count_star c")
		src := &fakeInput{schema: in}
		op, err := New(n, src, mem)
		if err != nil {
			t.Fatal(err)
		}
		wrong := arrow.NewSchema([]arrow.Field{{Name: "k", Type: catalog.Int64}, {Name: "ts", Type: catalog.Timestamp}}, nil)
		rec, err := recordFromRows(mem, wrong, `{"k":1,"ts":"00:00:01"}`)
		if err != nil {
			t.Fatal(err)
		}
		src.pushBatch(rec)
		if _, err := op.Next(context.Background()); err == nil || !strings.Contains(err.Error(), "column 0") {
			t.Fatalf("got %v", err)
		}
		if err := op.Close(); err != nil {
			t.Fatal(err)
		}
		if err := op.Close(); err != nil {
			t.Fatalf("second close: %v", err)
		}
	})
	t.Run("output is cut into batches of at most 64K rows", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		n, in, _ := parsePlan("input k:int64 ts:timestamp\nkeys k\nwindow tumble ts 1m\nagg count_star c")
		src := &fakeInput{schema: in}
		op, _ := New(n, src, mem)
		defer op.Close()
		b := array.NewRecordBuilder(mem, in)
		const groups = 100_000
		for i := range groups {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(i))
		}
		src.pushBatch(b.NewRecordBatch())
		b.Release()
		src.push(executor.Msg{Kind: executor.MsgWatermark, Watermark: executor.MaxWatermark})
		src.eof = true
		var sizes []int64
		for {
			m, err := op.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind == executor.MsgBatch {
				sizes = append(sizes, m.Batch.NumRows())
				m.Batch.Release()
			}
		}
		if len(sizes) != 2 || sizes[0] != 65536 || sizes[0]+sizes[1] != groups {
			t.Fatalf("batch sizes %v", sizes)
		}
	})
	t.Run("a cancelled context stops Next", func(t *testing.T) {
		n, in, _ := parsePlan("input k:int64 ts:timestamp\nkeys k\nwindow tumble ts 1m\nagg count_star c")
		op, _ := New(n, &fakeInput{schema: in}, nil)
		defer op.Close()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := op.Next(ctx); err != context.Canceled {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("the window arithmetic floors negative times", func(t *testing.T) {
		for _, c := range []struct{ a, b, want int64 }{{-1, 60, -1}, {-60, 60, -1}, {-61, 60, -2}, {59, 60, 0}, {0, 60, 0}} {
			if got := floorDiv(c.a, c.b); got != c.want {
				t.Errorf("floorDiv(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
			}
		}
	})
}
