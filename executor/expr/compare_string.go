package expr

import (
	"context"
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// String (in)equality against a constant is the most common filter on
// event streams (customer_id = 'CUST-003'); Arrow's generic binary compare
// goes through an iterator per row. This compares the length first, then
// the bytes (one 64-bit word for short keys), eight rows per output byte.

func stringEqualKernel(c *callInfo) kernel {
	neg := c.name == "!="
	fallback, err := computeKernel(compareFuncs[c.name], nil)
	return func(ctx context.Context, args []Value, n int) (Value, error) {
		a, b := args[0], args[1]
		if a.IsScalar && !b.IsScalar {
			a, b = b, a
		}
		if a.IsScalar || !b.IsScalar {
			if err != nil {
				return Value{}, err
			}
			return fallback(ctx, args, n)
		}
		if b.Scalar == nil {
			return scalarOf(nil, c.ret), nil
		}
		return equalsConst(c.mem, a.Array.(*array.String), b.Scalar.(string), neg), nil
	}
}

// equalsConst compares every row of arr with s; NULL rows stay NULL.
func equalsConst(mem memory.Allocator, arr *array.String, s string, neg bool) Value {
	n := arr.Len()
	out := newBoolOut(mem, n)
	offs := arr.ValueOffsets()
	var data []byte
	if buf := arr.Data().Buffers()[2]; buf != nil {
		data = buf.Bytes()
	}
	if len(s) > 0 && len(s) <= 8 {
		equalsShort(out.bits, data, offs, n, s)
	} else {
		equalsLong(out.bits, data, offs, n, s)
	}
	if neg {
		for i := range out.bits {
			out.bits[i] = ^out.bits[i]
		}
	}
	if arr.NullN() > 0 {
		valid := memory.NewResizableBuffer(mem)
		valid.Resize(len(out.bits))
		bitutil.CopyBitmap(arr.NullBitmapBytes(), arr.Data().Offset(), n, valid.Bytes(), 0)
		out.valid = valid
		out.nulls = arr.NullN()
	}
	return out.finish()
}

// equalsShort compares with a constant of 1 to 8 bytes as one 64-bit word.
func equalsShort(bits, data []byte, offs []int32, n int, s string) {
	want := int32(len(s))
	var word [8]byte
	copy(word[:], s)
	key := binary.LittleEndian.Uint64(word[:])
	mask := ^uint64(0) >> (64 - 8*uint(want))
	limit := int32(len(data)) - 8
	for i := 0; i < n; i += 8 {
		var b byte
		end := min(i+8, n)
		for j := i; j < end; j++ {
			lo, hi := offs[j], offs[j+1]
			if hi-lo != want {
				continue
			}
			var eq bool
			if lo <= limit {
				eq = binary.LittleEndian.Uint64(data[lo:])&mask == key
			} else {
				eq = string(data[lo:hi]) == s
			}
			if eq {
				b |= 1 << uint(j-i)
			}
		}
		bits[i/8] = b
	}
}

// equalsLong compares lengths, then bytes.
func equalsLong(bits, data []byte, offs []int32, n int, s string) {
	want := int32(len(s))
	for i := 0; i < n; i += 8 {
		var b byte
		end := min(i+8, n)
		for j := i; j < end; j++ {
			lo, hi := offs[j], offs[j+1]
			if hi-lo == want && string(data[lo:hi]) == s {
				b |= 1 << uint(j-i)
			}
		}
		bits[i/8] = b
	}
}
