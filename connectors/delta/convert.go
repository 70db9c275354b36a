package delta

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/catalog"
)

// convertColumn converts a column read from a data file to the type a scan
// returns (a tide type): integers of every width to BIGINT, float and
// decimal to DOUBLE, timestamps of every unit to microseconds in UTC,
// binary strings to VARCHAR; type widening (a file written before the
// column's type was widened) is the same conversions. An all-null column of
// Parquet's null type reads as nulls. Anything else is an error.
func convertColumn(ctx context.Context, arr arrow.Array, to arrow.DataType, mem memory.Allocator) (arrow.Array, error) {
	from := arr.DataType()
	if arrow.TypeEqual(from, to) {
		arr.Retain()
		return arr, nil
	}
	if from.ID() == arrow.NULL {
		return array.MakeArrayOfNull(mem, to, arr.Len()), nil
	}
	if !convertible(from, to) {
		return nil, fmt.Errorf("the data file holds %s, which does not read as %s", from, catalog.TypeName(to))
	}
	if from.ID() == arrow.TIMESTAMP && to.ID() == arrow.TIMESTAMP && from.(*arrow.TimestampType).Unit == arrow.Microsecond {
		// Only the time zone label differs.
		d := arr.Data()
		nd := array.NewData(to, d.Len(), d.Buffers(), d.Children(), d.NullN(), d.Offset())
		defer nd.Release()
		return array.MakeFromData(nd), nil
	}
	// Nanoseconds to microseconds drops digits: not an error.
	safe := !(from.ID() == arrow.TIMESTAMP && from.(*arrow.TimestampType).Unit == arrow.Nanosecond)
	out, err := compute.CastArray(compute.WithAllocator(ctx, mem), arr, compute.NewCastOptions(to, safe))
	if err != nil {
		return nil, fmt.Errorf("convert %s to %s: %w", from, catalog.TypeName(to), err)
	}
	return out, nil
}

// convertible lists the file types each tide type reads from. A nested
// type reads from the same shape (fields by name, in order) whose parts
// read as its parts.
func convertible(from, to arrow.DataType) bool {
	if arrow.TypeEqual(from, to) {
		return true
	}
	switch to := to.(type) {
	case *arrow.StructType:
		f, ok := from.(*arrow.StructType)
		if !ok || f.NumFields() != to.NumFields() {
			return false
		}
		for i := range to.Fields() {
			if f.Field(i).Name != to.Field(i).Name || !convertible(f.Field(i).Type, to.Field(i).Type) {
				return false
			}
		}
		return true
	case *arrow.MapType:
		f, ok := from.(*arrow.MapType)
		return ok && convertible(f.KeyType(), to.KeyType()) && convertible(f.ItemType(), to.ItemType())
	case *arrow.ListType:
		f, ok := from.(*arrow.ListType)
		return ok && convertible(f.Elem(), to.Elem())
	}
	switch to.ID() {
	case arrow.INT64:
		switch from.ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
			return true
		}
	case arrow.FLOAT64:
		switch from.ID() {
		case arrow.FLOAT16, arrow.FLOAT32, arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256,
			arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
			return true
		}
	case arrow.STRING:
		switch from.ID() {
		case arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY, arrow.STRING_VIEW, arrow.BINARY_VIEW:
			return true
		}
	case arrow.DATE32:
		return from.ID() == arrow.DATE64
	case arrow.TIMESTAMP:
		return from.ID() == arrow.TIMESTAMP || from.ID() == arrow.DATE32
	}
	return false
}
