package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
)

const benchRows = 10000

// benchEpoch is epoch e of a windowed aggregate's output: 10,000 customers
// of window e/2, so that in upsert mode every odd epoch updates the rows the
// even one before it inserted.
func benchEpoch(e int64) [][]any {
	rows := make([][]any, benchRows)
	for i := range rows {
		rows[i] = stat(int(e/2), fmt.Sprintf("c%05d", i), e+int64(i%7), float64(i)*1.25+float64(e))
	}
	return rows
}

// BenchmarkPostgresCommit measures Commit of 10,000-row epochs (rows/s) in
// upsert and append mode. Interleaved with the sink's epochs, in the same
// run and on the same server (so that load on the machine hits all alike),
// it measures two baselines: the sink's alternative write method, multi-row
// INSERT ... VALUES statements of 1,000 rows pipelined in one batch (every
// iteration), and plain row-at-a-time INSERTs (with ON CONFLICT for
// upserts) in one transaction (the first 3 iterations: it is slow).
// x_values and x_rowwise are the sink's speed over each.
func BenchmarkPostgresCommit(b *testing.B) {
	for _, mode := range []string{"upsert", "append"} {
		b.Run(mode, func(b *testing.B) {
			dsn, schema := testSchema(b)
			newTable := func(name string) *catalog.Table { return statsTable(schema, name, mode == "upsert") }
			ctx := context.Background()
			b.StopTimer()
			// sinkEpoch commits epoch e through s and returns how long Write
			// and Commit took (building the record is not counted).
			sinkEpoch := func(s *Sink, sch *arrow.Schema, e int64, timed bool) time.Duration {
				rec := newRecord(b, sch, benchEpoch(e)...)
				if timed {
					b.StartTimer()
				}
				start := time.Now()
				writeCommit(b, s, e, rec)
				took := time.Since(start)
				b.StopTimer()
				return took
			}
			t := newTable("bench")
			s := openSink(b, t, dsn, specFor(t, "bench-"+mode))
			vt := newTable("byvalues")
			vs := openSink(b, vt, dsn, specFor(vt, "bench-values"))
			vs.method = writeValues
			rt := newTable("rowwise")
			rs := openSink(b, rt, dsn, specFor(rt, "bench-rowwise"))
			insert := "INSERT INTO " + rs.plan.target + " (" + rs.plan.quotedCols() + ") VALUES ($1, $2, $3, $4, $5)" +
				rs.plan.onConflict()
			conn := pgConn(b, dsn)
			rowwiseEpoch := func(e int64) time.Duration {
				rows := benchEpoch(e)
				start := time.Now()
				tx, err := conn.Begin(ctx)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range rows {
					if _, err := tx.Exec(ctx, insert, r...); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := tx.Exec(ctx, rs.plan.claimSQL, "bench-rowwise", e); err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(ctx); err != nil {
					b.Fatal(err)
				}
				return time.Since(start)
			}
			// Warm up each: connections, prepared statements, staging table.
			sinkEpoch(s, t.Schema(), 0, false)
			sinkEpoch(vs, vt.Schema(), 0, false)
			rowwiseEpoch(0)

			var copyTime, valuesTime, rowwiseTime time.Duration
			rowwiseN := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e := int64(i + 1)
				copyTime += sinkEpoch(s, t.Schema(), e, true)
				valuesTime += sinkEpoch(vs, vt.Schema(), e, false)
				if i < 3 {
					rowwiseTime += rowwiseEpoch(e)
					rowwiseN++
				}
			}
			rate := func(n int, d time.Duration) float64 { return float64(n*benchRows) / d.Seconds() }
			r := rate(b.N, copyTime)
			b.ReportMetric(r, "rows/s")
			b.ReportMetric(rate(b.N, valuesTime), "values_rows/s")
			b.ReportMetric(rate(rowwiseN, rowwiseTime), "rowwise_rows/s")
			b.ReportMetric(r/rate(b.N, valuesTime), "x_values")
			b.ReportMetric(r/rate(rowwiseN, rowwiseTime), "x_rowwise")
		})
	}
}
