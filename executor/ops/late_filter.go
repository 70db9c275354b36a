package ops

import (
	"context"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
)

// LateFilter drops (and counts) rows whose event time is older than the
// watermark its input last sent, as a source scan does for the event-time
// operator above it. A task of a parallel query needs it behind the gather
// of every task's rows: a task's scan sees only its own partitions'
// watermark, the gather the minimum of all of them.
type LateFilter struct {
	input   executor.Operator
	timeCol int
	mem     memory.Allocator
	wm      int64 // µs; math.MinInt64 before any watermark
	late    int64
}

var _ executor.Operator = (*LateFilter)(nil)

// NewLateFilter filters input on its TIMESTAMP column timeCol.
func NewLateFilter(input executor.Operator, timeCol int, mem memory.Allocator) *LateFilter {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return &LateFilter{input: input, timeCol: timeCol, mem: mem, wm: math.MinInt64}
}

// LateRows counts the rows dropped.
func (f *LateFilter) LateRows() int64 { return f.late }

func (f *LateFilter) Schema() *arrow.Schema          { return f.input.Schema() }
func (f *LateFilter) Open(ctx context.Context) error { return f.input.Open(ctx) }
func (f *LateFilter) Close() error                   { return f.input.Close() }
func (f *LateFilter) Children() []executor.Operator  { return []executor.Operator{f.input} }

func (f *LateFilter) Next(ctx context.Context) (executor.Msg, error) {
	for {
		m, err := f.input.Next(ctx)
		if err != nil {
			return m, err
		}
		switch m.Kind {
		case executor.MsgWatermark:
			if !m.Watermark.Idle {
				f.wm = max(f.wm, micros(m.Watermark.Time))
			}
			return m, nil
		case executor.MsgBatch:
			out, err := f.keep(ctx, m.Batch)
			m.Batch.Release()
			if err != nil {
				return executor.Msg{}, err
			}
			if out == nil {
				continue
			}
			return executor.Msg{Kind: executor.MsgBatch, Batch: out}, nil
		default:
			return m, nil
		}
	}
}

// keep returns the rows of rec that are not late (nil if none), counting
// the others. Rows without an event time pass: the scan has dealt with them.
func (f *LateFilter) keep(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	if f.wm == math.MinInt64 {
		rec.Retain()
		return rec, nil
	}
	ts, ok := rec.Column(f.timeCol).(*array.Timestamp)
	if !ok {
		rec.Retain()
		return rec, nil
	}
	unit := ts.DataType().(*arrow.TimestampType).Unit
	var rows []int64
	for i := 0; i < ts.Len(); i++ {
		if ts.IsNull(i) || toMicros(int64(ts.Value(i)), unit) >= f.wm {
			rows = append(rows, int64(i))
		}
	}
	f.late += int64(ts.Len() - len(rows))
	switch len(rows) {
	case 0:
		return nil, nil
	case ts.Len():
		rec.Retain()
		return rec, nil
	}
	return executor.TakeRows(ctx, rec, rows, f.mem)
}

func toMicros(v int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return v * 1e6
	case arrow.Millisecond:
		return v * 1e3
	case arrow.Nanosecond:
		return v / 1e3
	}
	return v
}
