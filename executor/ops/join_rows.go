package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
)

// joinRows builds a join's output: rows made of a left row and a right
// row, either of which may be missing (NULLs, for an outer join).
type joinRows struct {
	b  *array.RecordBuilder
	lw int // left columns come first
}

func newJoinRows(schema *arrow.Schema, leftWidth int, mem memory.Allocator) *joinRows {
	return &joinRows{b: array.NewRecordBuilder(mem, schema), lw: leftWidth}
}

// add appends the row made of row lr of l and row rr of r; a nil record
// gives NULLs for its side.
func (j *joinRows) add(l arrow.Record, lr int, r arrow.Record, rr int) {
	for c := 0; c < j.lw; c++ {
		appendFrom(j.b.Field(c), l, c, lr)
	}
	for c := j.lw; c < len(j.b.Fields()); c++ {
		appendFrom(j.b.Field(c), r, c-j.lw, rr)
	}
}

// len is the number of rows added since the last take.
func (j *joinRows) len() int {
	if len(j.b.Fields()) == 0 {
		return 0
	}
	return j.b.Field(0).Len()
}

// take returns the rows added so far and starts again.
func (j *joinRows) take() arrow.Record { return j.b.NewRecord() }

func (j *joinRows) release() { j.b.Release() }

// appendFrom appends value row of column col of rec to b (NULL for a nil
// rec), with the common types copied directly.
func appendFrom(b array.Builder, rec arrow.Record, col, row int) {
	if rec == nil {
		b.AppendNull()
		return
	}
	arr := rec.Column(col)
	if arr.IsNull(row) {
		b.AppendNull()
		return
	}
	switch a := arr.(type) {
	case *array.Int64:
		b.(*array.Int64Builder).Append(a.Value(row))
	case *array.Float64:
		b.(*array.Float64Builder).Append(a.Value(row))
	case *array.String:
		b.(*array.StringBuilder).Append(a.Value(row))
	case *array.Timestamp:
		b.(*array.TimestampBuilder).Append(a.Value(row))
	case *array.Boolean:
		b.(*array.BooleanBuilder).Append(a.Value(row))
	case *array.Date32:
		b.(*array.Date32Builder).Append(a.Value(row))
	default:
		if err := executor.AppendValue(b, executor.Value(arr, row)); err != nil {
			b.AppendNull()
		}
	}
}
