package expr

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Typed row access to Values and typed output buffers, for the kernels
// that are hand loops. A reader serves a scalar for every row without
// materialising it; an output writes straight into Arrow buffers.

// fixed are the Go types of tide's fixed-width columns: BIGINT, DOUBLE,
// TIMESTAMP and INTERVAL (int64 µs), DATE (int32 days).
type fixed interface{ int64 | float64 | int32 }

// fixedReader reads a fixed-width Value row by row.
type fixedReader[T fixed] struct {
	vals   []T    // the array's values, from its offset
	valid  []byte // validity bitmap; nil when there are no NULLs
	off    int    // the array's offset into valid
	c      T      // the scalar
	scalar bool
	null   bool // the scalar is NULL
}

func readFixed[T fixed](v Value) fixedReader[T] {
	if v.IsScalar {
		r := fixedReader[T]{scalar: true, null: v.Scalar == nil}
		if !r.null {
			r.c = v.Scalar.(T)
		}
		return r
	}
	return fixedReader[T]{vals: rawValues[T](v.Array), valid: validity(v.Array), off: v.Array.Data().Offset()}
}

func (r *fixedReader[T]) at(i int) (T, bool) {
	if r.scalar {
		return r.c, !r.null
	}
	if r.valid != nil && !bitutil.BitIsSet(r.valid, r.off+i) {
		var z T
		return z, false
	}
	return r.vals[i], true
}

// rawValues is the value buffer of a fixed-width array as a Go slice,
// starting at the array's offset.
func rawValues[T fixed](a arrow.Array) []T {
	d := a.Data()
	buf := d.Buffers()[1]
	if buf == nil || d.Len() == 0 {
		return nil
	}
	return arrow.GetData[T](buf.Bytes())[d.Offset() : d.Offset()+d.Len()]
}

// validity is a's validity bitmap, or nil when a has no NULLs.
func validity(a arrow.Array) []byte {
	if a.NullN() == 0 {
		return nil
	}
	if a.DataType().ID() == arrow.NULL {
		return make([]byte, bitutil.BytesForBits(int64(a.Data().Offset()+a.Len())))
	}
	return a.Data().Buffers()[0].Bytes()
}

// boolReader reads a BOOLEAN Value row by row.
type boolReader struct {
	arr    *array.Boolean
	c      bool
	scalar bool
	null   bool
}

func readBool(v Value) boolReader {
	if v.IsScalar {
		r := boolReader{scalar: true, null: v.Scalar == nil}
		if !r.null {
			r.c = v.Scalar.(bool)
		}
		return r
	}
	return boolReader{arr: v.Array.(*array.Boolean)}
}

func (r *boolReader) at(i int) (bool, bool) {
	if r.scalar {
		return r.c, !r.null
	}
	if r.arr.IsNull(i) {
		return false, false
	}
	return r.arr.Value(i), true
}

// strReader reads a VARCHAR Value row by row; the strings point into the
// array's buffer and must not be kept after the batch.
type strReader struct {
	arr    *array.String
	c      string
	scalar bool
	null   bool
}

func readStr(v Value) strReader {
	if v.IsScalar {
		r := strReader{scalar: true, null: v.Scalar == nil}
		if !r.null {
			r.c = v.Scalar.(string)
		}
		return r
	}
	return strReader{arr: v.Array.(*array.String)}
}

func (r *strReader) at(i int) (string, bool) {
	if r.scalar {
		return r.c, !r.null
	}
	if r.arr.IsNull(i) {
		return "", false
	}
	return r.arr.Value(i), true
}

// fixedOut is a fixed-width result being written.
type fixedOut[T fixed] struct {
	mem   memory.Allocator
	data  *memory.Buffer
	vals  []T
	valid *memory.Buffer // allocated at the first NULL
	nulls int
	n     int
}

func newFixedOut[T fixed](mem memory.Allocator, n int) *fixedOut[T] {
	var z T
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * int(unsafe.Sizeof(z)))
	o := &fixedOut[T]{mem: mem, data: buf, n: n}
	if n > 0 {
		o.vals = arrow.GetData[T](buf.Bytes())[:n]
	}
	return o
}

func (o *fixedOut[T]) setNull(i int) {
	o.valid = setNullBit(o.mem, o.valid, o.n, i)
	o.vals[i] = 0
	o.nulls++
}

// release drops a result that will not be finished.
func (o *fixedOut[T]) release() {
	o.data.Release()
	if o.valid != nil {
		o.valid.Release()
	}
}

func (o *fixedOut[T]) finish(t arrow.DataType) Value {
	return finishArray(t, o.n, o.valid, o.data, o.nulls)
}

// boolOut is a BOOLEAN result being written.
type boolOut struct {
	mem   memory.Allocator
	data  *memory.Buffer
	bits  []byte
	valid *memory.Buffer
	nulls int
	n     int
}

func newBoolOut(mem memory.Allocator, n int) *boolOut {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(n))))
	return &boolOut{mem: mem, data: buf, bits: buf.Bytes(), n: n}
}

func (o *boolOut) set(i int, b bool) { bitutil.SetBitTo(o.bits, i, b) }

func (o *boolOut) setNull(i int) {
	o.valid = setNullBit(o.mem, o.valid, o.n, i)
	bitutil.ClearBit(o.bits, i)
	o.nulls++
}

func (o *boolOut) release() {
	o.data.Release()
	if o.valid != nil {
		o.valid.Release()
	}
}

func (o *boolOut) finish() Value {
	return finishArray(arrow.FixedWidthTypes.Boolean, o.n, o.valid, o.data, o.nulls)
}

// setNullBit clears bit i of a validity bitmap of n bits, allocating it
// (all valid) first if needed.
func setNullBit(mem memory.Allocator, valid *memory.Buffer, n, i int) *memory.Buffer {
	if valid == nil {
		valid = memory.NewResizableBuffer(mem)
		valid.Resize(int(bitutil.BytesForBits(int64(n))))
		bitutil.SetBitsTo(valid.Bytes(), 0, int64(n), true)
	}
	bitutil.ClearBit(valid.Bytes(), i)
	return valid
}

// finishArray wraps buffers into an array and gives up the buffers.
func finishArray(t arrow.DataType, n int, valid, data *memory.Buffer, nulls int) Value {
	d := array.NewData(t, n, []*memory.Buffer{valid, data}, nil, nulls, 0)
	a := array.MakeFromData(d)
	d.Release()
	data.Release()
	if valid != nil {
		valid.Release()
	}
	return arrayOf(a)
}

// newStrOut is a VARCHAR builder sized for n rows of about 8 bytes.
func newStrOut(mem memory.Allocator, n int) *array.StringBuilder {
	b := array.NewStringBuilder(mem)
	b.Reserve(n)
	b.ReserveData(n * 8)
	return b
}

func finishStr(b *array.StringBuilder) Value {
	a := b.NewArray()
	b.Release()
	return arrayOf(a)
}
