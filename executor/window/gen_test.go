package window

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// genSource is an input of synthetic batches (key, amount, ts) for long
// runs: pre-built key and amount columns are reused in turn, and the
// timestamps of each batch are written into one reused column, advancing
// step µs per row with up to jitter µs of disorder. After each batch comes
// a watermark of the batch's base time minus jitter, so no row is late.
type genSource struct {
	schema  *arrow.Schema
	keys    []arrow.Array
	amounts []arrow.Array
	ts      *array.Timestamp
	jitter  []int64
	rows    int
	step    int64
	next    int64 // event time of the next batch's first row (before jitter)
	batches int   // batches left; -1 for no end
	wmDue   bool
	i       int
	barrier int64 // every this many batches a barrier (0: never)
	nb      int64
}

// newGenSource makes a source of rows-row batches over nkeys keys, string
// or int64 keyed.
func newGenSource(mem memory.Allocator, intKeys bool, nkeys, rows int, step, jitter int64, seed uint64) *genSource {
	return newGenSourceFmt(mem, intKeys, "user-%07d", nkeys, rows, step, jitter, seed)
}

// newGenSourceFmt is newGenSource with string keys formatted by keyFmt.
func newGenSourceFmt(mem memory.Allocator, intKeys bool, keyFmt string, nkeys, rows int, step, jitter int64, seed uint64) *genSource {
	// Enough pre-built batches that every key occurs in them.
	variants := min(64, max(8, 4*nkeys/rows))
	rng := rand.New(rand.NewPCG(seed, 1))
	keyType := catalog.String
	if intKeys {
		keyType = catalog.Int64
	}
	g := &genSource{
		schema: arrow.NewSchema([]arrow.Field{
			{Name: "k", Type: keyType}, {Name: "amount", Type: catalog.Float64},
			{Name: "ts", Type: catalog.Timestamp}}, nil),
		rows: rows, step: step, batches: -1,
	}
	names := make([]string, nkeys)
	for i := range names {
		names[i] = fmt.Sprintf(keyFmt, i)
	}
	for range variants {
		var kb array.Builder
		if intKeys {
			b := array.NewInt64Builder(mem)
			for range rows {
				b.Append(int64(rng.IntN(nkeys)) * 7919)
			}
			kb = b
		} else {
			b := array.NewStringBuilder(mem)
			for range rows {
				b.Append(names[rng.IntN(nkeys)])
			}
			kb = b
		}
		g.keys = append(g.keys, kb.NewArray())
		kb.Release()
		ab := array.NewFloat64Builder(mem)
		for range rows {
			ab.Append(float64(rng.IntN(10000)) / 100)
		}
		g.amounts = append(g.amounts, ab.NewArray())
		ab.Release()
	}
	tb := array.NewTimestampBuilder(mem, catalog.Timestamp.(*arrow.TimestampType))
	tb.AppendValues(make([]arrow.Timestamp, rows), nil)
	g.ts = tb.NewTimestampArray()
	tb.Release()
	g.jitter = make([]int64, rows)
	for i := range g.jitter {
		if jitter > 0 {
			g.jitter[i] = rng.Int64N(jitter)
		}
	}
	return g
}

func (g *genSource) Schema() *arrow.Schema      { return g.schema }
func (g *genSource) Open(context.Context) error { return nil }
func (g *genSource) Close() error               { return nil }

// release frees the source's columns.
func (g *genSource) release() {
	for i := range g.keys {
		g.keys[i].Release()
		g.amounts[i].Release()
	}
	g.ts.Release()
}

func (g *genSource) Next(context.Context) (executor.Msg, error) {
	if g.wmDue {
		g.wmDue = false
		return wmMsg(g.next - g.step*int64(g.rows)), nil
	}
	if g.barrier > 0 && g.nb > 0 && g.nb%g.barrier == 0 {
		g.nb++
		return executor.Msg{Kind: executor.MsgBarrier, Barrier: executor.Barrier{Epoch: g.nb}}, nil
	}
	if g.batches == 0 {
		return executor.Msg{}, io.EOF
	}
	g.batches--
	g.nb++
	// The operator released the previous batch, so the column can be
	// rewritten in place.
	ts := g.ts.TimestampValues()
	for i := range ts {
		ts[i] = arrow.Timestamp(g.next + int64(i)*g.step + g.jitter[i])
	}
	g.next += int64(g.rows) * g.step
	k := g.i % len(g.keys)
	g.i++
	g.wmDue = true
	rec := array.NewRecordBatch(g.schema, []arrow.Array{g.keys[k], g.amounts[k], g.ts}, int64(g.rows))
	return executor.Msg{Kind: executor.MsgBatch, Batch: rec}, nil
}

// genPlan is COUNT(*) and SUM(amount) grouped by k over window w.
func genPlan(g *genSource, w *planner.Window, emit planner.EmitMode) *planner.Aggregate {
	in := g.schema
	n := &planner.Aggregate{
		Keys:   []*planner.ColumnRef{{Index: 0, Name: "k", Typ: in.Field(0).Type}},
		Window: w,
		Aggs: []planner.AggCall{
			{Func: "count_star", Name: "c", Typ: catalog.Int64},
			{Func: "sum", Arg: &planner.ColumnRef{Index: 1, Name: "amount", Typ: catalog.Float64}, Name: "s", Typ: catalog.Float64},
		},
		Emit: emit,
	}
	n.Out = outSchema(n, in)
	return n
}

func tumbleWindow(size time.Duration) *planner.Window {
	return &planner.Window{Kind: planner.WindowTumble, TimeCol: 2, TimeName: "ts", Size: size}
}
