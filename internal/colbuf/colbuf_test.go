package colbuf

import (
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var types = []arrow.DataType{
	arrow.FixedWidthTypes.Boolean, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64, arrow.BinaryTypes.String,
	&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, arrow.FixedWidthTypes.Date32,
}

// Columns built in place equal what Arrow's builders make of the same
// values, batch after batch (with and without NULLs, NULLs first, last or
// after the first byte of the bitmap, empty batches), and leak nothing.
func TestColumnsEqualWhatArrowsBuildersMake(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewSource(3))
	for _, typ := range types {
		c, err := New(typ, mem)
		if err != nil {
			t.Fatal(err)
		}
		for batch, shape := range []struct {
			rows     int
			nullRate float64
			firstAt  int // the first NULL's row, -1: by nullRate only
		}{{0, 0, -1}, {1, 0, -1}, {5, 1, -1}, {100, 0, -1}, {100, 0.3, -1}, {17, 0, 16}, {16, 0, 8}, {9, 0, 0}, {64, 0, 63}, {1000, 0.01, -1}, {3, 0, -1}} {
			b := array.NewBuilder(mem, typ)
			for row := range shape.rows {
				if row == shape.firstAt || rng.Float64() < shape.nullRate {
					c.AppendNull()
					b.AppendNull()
					continue
				}
				switch bb := b.(type) {
				case *array.BooleanBuilder:
					v := rng.Intn(2) == 1
					c.AppendBool(v)
					bb.Append(v)
				case *array.Int64Builder:
					v := rng.Int63() - rng.Int63()
					c.AppendInt64(v)
					bb.Append(v)
				case *array.Float64Builder:
					v := rng.NormFloat64()
					c.AppendFloat64(v)
					bb.Append(v)
				case *array.StringBuilder:
					v := make([]byte, rng.Intn(20))
					for i := range v {
						v[i] = byte('a' + rng.Intn(26))
					}
					c.AppendBytes(v)
					bb.BinaryBuilder.Append(v)
				case *array.TimestampBuilder:
					v := rng.Int63()
					c.AppendInt64(v)
					bb.Append(arrow.Timestamp(v))
				case *array.Date32Builder:
					v := rng.Int31() - rng.Int31()
					c.AppendDate32(v)
					bb.Append(arrow.Date32(v))
				}
			}
			if c.Len() != shape.rows {
				t.Fatalf("%s batch %d: Len %d, want %d", typ, batch, c.Len(), shape.rows)
			}
			got, want := c.NewArray(), b.NewArray()
			if err := array.ValidateFull(got); err != nil {
				t.Fatalf("%s batch %d: %v", typ, batch, err)
			}
			if !array.Equal(got, want) || got.NullN() != want.NullN() {
				t.Fatalf("%s batch %d:\n%v\nwant\n%v", typ, batch, got, want)
			}
			got.Release()
			want.Release()
			b.Release()
		}
		c.Release()
	}
	if _, err := New(arrow.ListOf(arrow.PrimitiveTypes.Int64), mem); err == nil {
		t.Error("a list column was accepted")
	}
}
