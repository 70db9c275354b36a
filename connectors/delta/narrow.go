package delta

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Tables other engines wrote have narrower columns than tide computes
// with: integer, short and byte columns (tide's BIGINT) and float ones
// (tide's DOUBLE). Appending to them, tide writes each value in the
// column's own type, so that every reader finds the type the schema
// states; a value that does not fit is an error naming it.

// writableAs reports whether a query column of type q can be written to a
// table column of type t.
func writableAs(q, t arrow.DataType) bool {
	if arrow.TypeEqual(q, t) {
		return true
	}
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32:
		return q.ID() == arrow.INT64
	case arrow.FLOAT32:
		return q.ID() == arrow.FLOAT64
	}
	return false
}

// narrowRecord returns rec with its columns in the types of sc (the
// table's; writableAs holds for each). The result is the caller's.
func narrowRecord(rec arrow.Record, sc *arrow.Schema, mem memory.Allocator) (arrow.Record, error) {
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i := range cols {
		f := sc.Field(i)
		c, err := narrowColumn(rec.Column(i), f.Type, mem)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", f.Name, err)
		}
		cols[i] = c
	}
	return array.NewRecord(sc, cols, rec.NumRows()), nil
}

func narrowColumn(arr arrow.Array, t arrow.DataType, mem memory.Allocator) (arrow.Array, error) {
	if arrow.TypeEqual(arr.DataType(), t) {
		arr.Retain()
		return arr, nil
	}
	name, _ := deltaTypeOf(t)
	b := array.NewBuilder(mem, t)
	defer b.Release()
	b.Reserve(arr.Len())
	switch src := arr.(type) {
	case *array.Int64:
		lo, hi := intRange(t)
		for i := range src.Len() {
			if src.IsNull(i) {
				b.AppendNull()
				continue
			}
			v := src.Value(i)
			if v < lo || v > hi {
				return nil, fmt.Errorf("value %d does not fit its delta type %s (%d to %d)", v, name, lo, hi)
			}
			switch bb := b.(type) {
			case *array.Int32Builder:
				bb.Append(int32(v))
			case *array.Int16Builder:
				bb.Append(int16(v))
			case *array.Int8Builder:
				bb.Append(int8(v))
			}
		}
	case *array.Float64:
		bb := b.(*array.Float32Builder)
		for i := range src.Len() {
			if src.IsNull(i) {
				bb.AppendNull()
				continue
			}
			v := src.Value(i)
			if math.Abs(v) > math.MaxFloat32 && !math.IsInf(v, 0) {
				return nil, fmt.Errorf("value %g does not fit its delta type %s", v, name)
			}
			bb.Append(float32(v))
		}
	default:
		return nil, fmt.Errorf("cannot write %s as delta type %s", arr.DataType(), name)
	}
	return b.NewArray(), nil
}

func intRange(t arrow.DataType) (int64, int64) {
	switch t.ID() {
	case arrow.INT8:
		return math.MinInt8, math.MaxInt8
	case arrow.INT16:
		return math.MinInt16, math.MaxInt16
	}
	return math.MinInt32, math.MaxInt32
}
