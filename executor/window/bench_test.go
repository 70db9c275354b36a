package window

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// Benchmark input: batches of 8192 rows, event time advancing 60µs per row
// (a million rows per one-minute window, so windows close and emit during
// the run), each batch followed by a watermark.
const (
	benchRows = 8192
	benchStep = 60
)

// BenchmarkTumbleAggregate measures COUNT(*), SUM(amount) per key over
// tumbling one-minute windows, for string and int64 keys, against a
// baseline of the same aggregation done row at a time with a Go map.
// One benchmark op is one batch; rows/s is the figure to read.
//
//	go test -run xxx -bench TumbleAggregate -cpu 1 ./executor/window/
func BenchmarkTumbleAggregate(b *testing.B) {
	for _, keys := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("keys=%d", keys), func(b *testing.B) {
			for _, kt := range []string{"string", "int64"} {
				b.Run(kt, func(b *testing.B) { benchOperator(b, kt == "int64", keys) })
				b.Run(kt+"-gomap", func(b *testing.B) { benchGoMap(b, kt == "int64", keys) })
			}
		})
	}
}

// reportRows reports rows per second of wall time and, since the machine
// may be shared, rows per second of the process's CPU time.
func reportRows(b *testing.B, cpu0 time.Duration) {
	rows := float64(b.N) * benchRows
	b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(rows/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchOperator(b *testing.B, intKeys bool, keys int) {
	mem := memory.NewGoAllocator()
	src := newGenSource(mem, intKeys, keys, benchRows, benchStep, 0, 1)
	defer src.release()
	op, err := New(genPlan(src, tumbleWindow(time.Minute), planner.EmitOnWindowClose), src, mem)
	if err != nil {
		b.Fatal(err)
	}
	defer op.Close()
	ctx := context.Background()
	var out int64
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		// One batch, then its watermark (and any rows it closed).
		for done := false; !done; {
			m, err := op.Next(ctx)
			if err != nil {
				b.Fatal(err)
			}
			switch m.Kind {
			case executor.MsgBatch:
				out += m.Batch.NumRows()
				m.Batch.Release()
			case executor.MsgWatermark:
				done = true
			}
		}
	}
	b.StopTimer()
	reportRows(b, cpu0)
	_ = out
}

// goAgg is the baseline's per-group state.
type goAgg struct {
	count int64
	sum   float64
}

// benchGoMap is the baseline: the same input and windows, aggregated row
// at a time into map[string]*goAgg (map[int64]*goAgg for int keys) per
// window, closed windows iterated once (as emitting them would) and
// deleted on each watermark.
func benchGoMap(b *testing.B, intKeys bool, keys int) {
	mem := memory.NewGoAllocator()
	src := newGenSource(mem, intKeys, keys, benchRows, benchStep, 0, 1)
	defer src.release()
	const size = int64(time.Minute / time.Microsecond)
	strWin := map[int64]map[string]*goAgg{}
	intWin := map[int64]map[int64]*goAgg{}
	ctx := context.Background()
	var sink float64
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		m, _ := src.Next(ctx)
		rec := m.Batch
		ts := rec.Column(2).(*array.Timestamp).TimestampValues()
		amount := rec.Column(1).(*array.Float64).Float64Values()
		curStart, curEnd := int64(1), int64(0)
		var sm map[string]*goAgg
		var im map[int64]*goAgg
		for i := range ts {
			t := int64(ts[i])
			if t < curStart || t >= curEnd {
				curStart = floorDiv(t, size) * size
				curEnd = curStart + size
				if intKeys {
					if im = intWin[curStart]; im == nil {
						im = map[int64]*goAgg{}
						intWin[curStart] = im
					}
				} else if sm = strWin[curStart]; sm == nil {
					sm = map[string]*goAgg{}
					strWin[curStart] = sm
				}
			}
			var a *goAgg
			if intKeys {
				k := rec.Column(0).(*array.Int64).Value(i)
				if a = im[k]; a == nil {
					a = &goAgg{}
					im[k] = a
				}
			} else {
				k := rec.Column(0).(*array.String).Value(i)
				if a = sm[k]; a == nil {
					a = &goAgg{}
					sm[strings.Clone(k)] = a
				}
			}
			a.count++
			a.sum += amount[i]
		}
		rec.Release()
		wm, _ := src.Next(ctx)
		w := wm.Watermark.Time.UnixMicro()
		for s, m := range strWin {
			if s+size <= w {
				for _, a := range m {
					sink += a.sum + float64(a.count)
				}
				delete(strWin, s)
			}
		}
		for s, m := range intWin {
			if s+size <= w {
				for _, a := range m {
					sink += a.sum + float64(a.count)
				}
				delete(intWin, s)
			}
		}
	}
	b.StopTimer()
	reportRows(b, cpu0)
	_ = sink
}
