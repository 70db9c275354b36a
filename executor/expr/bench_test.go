package expr

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

const benchRows = 8192

// ordersBatch is one 8192-row batch of (amount DOUBLE, customer_id
// VARCHAR): amounts 0..199.75, ten customers, about 1 row in 20 passing
// amount > 100 AND customer_id = 'CUST-003'.
func ordersBatch(mem memory.Allocator) (arrow.Record, []float64, []string) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64},
		{Name: "customer_id", Type: arrow.BinaryTypes.String},
	}, nil)
	amounts := make([]float64, benchRows)
	ids := make([]string, benchRows)
	for i := range amounts {
		amounts[i] = float64((i*7919)%800) / 4
		ids[i] = fmt.Sprintf("CUST-%03d", (i*31)%10)
	}
	fb := array.NewFloat64Builder(mem)
	fb.AppendValues(amounts, nil)
	sb := array.NewStringBuilder(mem)
	sb.AppendValues(ids, nil)
	fa, sa := fb.NewArray(), sb.NewArray()
	fb.Release()
	sb.Release()
	rec := array.NewRecord(schema, []arrow.Array{fa, sa}, benchRows)
	fa.Release()
	sa.Release()
	return rec, amounts, ids
}

// BenchmarkFilterCompare filters 8192-row batches with
// amount > 100 AND customer_id = 'CUST-003' through Compile + Filter, and
// runs a plain Go loop over []float64 / []string doing the same selection
// (both columns copied out) for as many batches. The two alternate in
// rounds of 64 batches so that a busy machine slows both alike; it reports
// both rates and tide's time as a multiple of the loop's.
func BenchmarkFilterCompare(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec, amounts, ids := ordersBatch(mem)
	defer rec.Release()
	ev, err := Compile(bind(b, "amount > 100 AND customer_id = 'CUST-003'", rec.Schema()), mem)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	outA := make([]float64, 0, benchRows)
	outS := make([]string, 0, benchRows)
	var tide, loop time.Duration
	kept := 0
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		round := min(64, b.N-done)
		start := time.Now()
		for i := 0; i < round; i++ {
			out, err := Filter(ctx, ev, rec)
			if err != nil {
				b.Fatal(err)
			}
			kept = int(out.NumRows())
			out.Release()
		}
		tide += time.Since(start)
		start = time.Now()
		for i := 0; i < round; i++ {
			outA, outS = outA[:0], outS[:0]
			for j, a := range amounts {
				if a > 100 && ids[j] == "CUST-003" {
					outA = append(outA, a)
					outS = append(outS, ids[j])
				}
			}
		}
		loop += time.Since(start)
		done += round
	}
	b.StopTimer()
	if len(outA) != kept {
		b.Fatalf("tide kept %d rows, the Go loop %d", kept, len(outA))
	}
	rows := float64(b.N) * benchRows
	b.ReportMetric(rows/tide.Seconds(), "rows/s")
	b.ReportMetric(rows/loop.Seconds(), "go-loop-rows/s")
	b.ReportMetric(tide.Seconds()/loop.Seconds(), "x-go-loop-time")
}

// BenchmarkProject evaluates a few typical projections over the same batch.
func BenchmarkProject(b *testing.B) {
	for _, e := range []string{"amount * 1.2 + 1", "UPPER(customer_id)", "SUBSTRING(customer_id, 6)", "TIDE_CAST(amount, 'STRING')"} {
		b.Run(e, func(b *testing.B) {
			mem := memory.NewGoAllocator()
			rec, _, _ := ordersBatch(mem)
			defer rec.Release()
			ev, err := Compile(bind(b, e, rec.Schema()), mem)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				arr, err := EvalArray(context.Background(), ev, rec)
				if err != nil {
					b.Fatal(err)
				}
				arr.Release()
			}
			b.ReportMetric(float64(b.N)*benchRows/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
