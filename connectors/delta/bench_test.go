package delta

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
	"github.com/tide-sql/tide/executor"
)

// BenchmarkDeltaCommit measures rows committed per second for a windowed
// aggregate's output (window_start, window_end, customer_id, tx_count,
// total_amount), 10,000 rows an epoch, with the default options
// (compact_every 10, checkpoint_every 10):
//
//   - pqarrow: the baseline, a plain pqarrow write of the epoch's rows to
//     one synced file, no log;
//   - append: Write + Commit in append mode;
//   - merge: Write + Commit in upsert mode, key (window_start,
//     customer_id), into a table of 100,000 keys (10 windows x 10,000
//     customers); each epoch updates 5,000 keys of the newest window and
//     inserts 5,000 of the next, as an EMIT CHANGES aggregate does.
//
// append and merge also report their rate as a fraction of the baseline's
// (x_pqarrow), measured in the same run (the pqarrow sub-benchmark just
// before them).
func BenchmarkDeltaCommit(b *testing.B) {
	const perEpoch = 10_000
	mem := memory.DefaultAllocator
	ctx := context.Background()

	b.Run("pqarrow", func(b *testing.B) {
		dir := b.TempDir()
		rec := windowBatch(mem, 0, 0, perEpoch)
		defer rec.Release()
		b.ResetTimer()
		for i := range b.N {
			if _, err := pqfile.Write(filepath.Join(dir, fmt.Sprintf("f%d.parquet", i)), windowSchema, []arrow.Record{rec}, mem); err != nil {
				b.Fatal(err)
			}
		}
		baseline = float64(perEpoch*b.N) / b.Elapsed().Seconds()
		b.ReportMetric(baseline, "rows/s")
	})

	b.Run("append", func(b *testing.B) {
		s := benchSink(b, executor.SinkSpec{QueryID: "bench", Schema: windowSchema, Mode: executor.SinkAppend})
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			rec := windowBatch(mem, i, 0, perEpoch)
			b.StartTimer()
			if err := s.Write(ctx, rec); err != nil {
				b.Fatal(err)
			}
			rec.Release()
			if err := s.Commit(ctx, int64(i)); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, perEpoch)
	})

	b.Run("merge", func(b *testing.B) {
		s := benchSink(b, executor.SinkSpec{QueryID: "bench", Schema: windowSchema, Mode: executor.SinkUpsert, PrimaryKey: []int{0, 2}})
		for w := range 10 { // 100,000 existing keys
			rec := windowBatch(mem, w, 0, perEpoch)
			s.Write(ctx, rec)
			rec.Release()
			if err := s.Commit(ctx, int64(w)); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			upd := windowBatch(mem, 9+i, 0, perEpoch/2)  // keys that exist
			ins := windowBatch(mem, 10+i, 0, perEpoch/2) // new keys
			b.StartTimer()
			s.Write(ctx, upd)
			s.Write(ctx, ins)
			upd.Release()
			ins.Release()
			if err := s.Commit(ctx, int64(10+i)); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, perEpoch)
	})
}

func benchSink(b *testing.B, spec executor.SinkSpec) *Sink {
	cfg, err := ParseConfig(map[string]string{"path": b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	s := New(cfg, nil, memory.DefaultAllocator)
	if err := s.Open(context.Background(), spec); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// reportRate reports rows/s and the ratio to the plain pqarrow write.
func reportRate(b *testing.B, perEpoch int) {
	rate := float64(perEpoch*b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "rows/s")
	b.ReportMetric(rate/baselineRate(b, perEpoch), "x_pqarrow")
}

// baseline is the rows/s of the plain pqarrow write: the newest result of
// the pqarrow sub-benchmark, or measured on first use if it did not run.
var baseline float64

func baselineRate(b *testing.B, perEpoch int) float64 {
	if baseline > 0 {
		return baseline
	}
	mem := memory.DefaultAllocator
	dir := b.TempDir()
	rec := windowBatch(mem, 0, 0, perEpoch)
	defer rec.Release()
	const n = 20
	start := time.Now()
	for i := range n {
		if _, err := pqfile.Write(filepath.Join(dir, fmt.Sprintf("f%d.parquet", i)), windowSchema, []arrow.Record{rec}, mem); err != nil {
			b.Fatal(err)
		}
	}
	baseline = float64(n*perEpoch) / time.Since(start).Seconds()
	return baseline
}

// windowBatch is the aggregate of window w for customers [from, to).
func windowBatch(mem memory.Allocator, w, from, to int) arrow.Record {
	rb := array.NewRecordBuilder(mem, windowSchema)
	defer rb.Release()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(w) * time.Minute).UnixMicro()
	ws := rb.Field(0).(*array.TimestampBuilder)
	we := rb.Field(1).(*array.TimestampBuilder)
	cust := rb.Field(2).(*array.StringBuilder)
	cnt := rb.Field(3).(*array.Int64Builder)
	amt := rb.Field(4).(*array.Float64Builder)
	for c := from; c < to; c++ {
		ws.Append(arrow.Timestamp(start))
		we.Append(arrow.Timestamp(start + 60_000_000))
		cust.Append(fmt.Sprintf("cust-%06d", c))
		cnt.Append(int64(c%17 + w))
		amt.Append(float64(c)*1.25 + float64(w))
	}
	return rb.NewRecord()
}
