package window

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// keyCol stores one GROUP BY column for every group id, and compares and
// hashes the rows of the current batch against it. bind must be called with
// the batch's column before the row methods.
type keyCol interface {
	bind(arr arrow.Array)
	// hashRows folds the hash of every row of the bound column into h,
	// or, for the first key column, sets h to it.
	hashRows(h []uint64, first bool)
	equalRow(g int32, row int) bool
	setRow(g int32, row int) error
	equalGroups(a, b int32) bool
	// hashGroup is the column hash hashRows uses for a row equal to group g.
	hashGroup(g int32) uint64
	release(g int32)
	grow(n int)
	appendTo(b array.Builder, g int32)
	encode(e *encoder, g int32)
	decode(d *decoder, g int32) error
}

// newKeyCol returns the storage for a key column of type t.
func newKeyCol(t arrow.DataType) (keyCol, error) {
	switch t.ID() {
	case arrow.INT64, arrow.TIMESTAMP, arrow.DATE32, arrow.BOOL, arrow.FLOAT64:
		return &fixedKey{}, nil
	case arrow.STRING:
		return &stringKey{}, nil
	}
	return nil, fmt.Errorf("group key of type %s is not supported", t)
}

// fixedVal is a fixed-width key value; value and NULL flag sit together so
// that comparing a group's key is one memory access.
type fixedVal struct {
	v    int64
	null bool
}

// fixedKey stores a fixed-width key (integers, timestamps, dates, booleans,
// floats as normalised bits) as one int64 per group.
type fixedKey struct {
	vals []fixedVal // per group

	rows    []int64     // values of the bound column
	conv    []int64     // scratch for types that need converting
	arr     arrow.Array // the bound column, for validity
	anyNull bool
}

func (k *fixedKey) bind(arr arrow.Array) {
	k.arr, k.anyNull = arr, arr.NullN() > 0
	n := arr.Len()
	switch a := arr.(type) {
	case *array.Int64:
		k.rows = a.Int64Values()
		return
	case *array.Timestamp:
		v := a.TimestampValues()
		k.rows = unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
		return
	}
	if cap(k.conv) < n {
		k.conv = make([]int64, n)
	}
	k.rows = k.conv[:n]
	switch a := arr.(type) {
	case *array.Date32:
		for i, v := range a.Date32Values() {
			k.rows[i] = int64(v)
		}
	case *array.Float64:
		for i, v := range a.Float64Values() {
			k.rows[i] = int64(floatBits(v))
		}
	case *array.Boolean:
		for i := range n {
			if a.Value(i) {
				k.rows[i] = 1
			} else {
				k.rows[i] = 0
			}
		}
	}
}

func (k *fixedKey) hashRows(h []uint64, first bool) {
	rows := k.rows[:len(h)]
	for i, v := range rows {
		x := mum(uint64(v), 0x8ebc6af09c88c6e3)
		if k.anyNull && k.arr.IsNull(i) {
			x = nullHash
		}
		if first {
			h[i] = x
		} else {
			h[i] = combine(h[i], x)
		}
	}
}

func (k *fixedKey) equalRow(g int32, row int) bool {
	if k.anyNull && k.arr.IsNull(row) {
		return k.vals[g].null
	}
	return k.vals[g] == fixedVal{v: k.rows[row]}
}

func (k *fixedKey) setRow(g int32, row int) error {
	if k.anyNull && k.arr.IsNull(row) {
		k.vals[g] = fixedVal{null: true}
		return nil
	}
	k.vals[g] = fixedVal{v: k.rows[row]}
	return nil
}

func (k *fixedKey) equalGroups(a, b int32) bool { return k.vals[a] == k.vals[b] }

func (k *fixedKey) hashGroup(g int32) uint64 {
	if k.vals[g].null {
		return nullHash
	}
	return mum(uint64(k.vals[g].v), 0x8ebc6af09c88c6e3)
}

func (k *fixedKey) release(g int32) { k.vals[g] = fixedVal{} }

func (k *fixedKey) grow(n int) { k.vals = growTo(k.vals, n) }

func (k *fixedKey) appendTo(b array.Builder, g int32) {
	if k.vals[g].null {
		b.AppendNull()
		return
	}
	appendFixed(b, k.vals[g].v)
}

// appendFixed appends v, a fixed-width value in fixedKey's int64 form, to b.
func appendFixed(b array.Builder, v int64) {
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(v)
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v))
	case *array.Date32Builder:
		b.Append(arrow.Date32(v))
	case *array.BooleanBuilder:
		b.Append(v != 0)
	case *array.Float64Builder:
		b.Append(math.Float64frombits(uint64(v)))
	default:
		b.AppendNull()
	}
}

func (k *fixedKey) encode(e *encoder, g int32) {
	e.boolean(k.vals[g].null)
	e.varint(k.vals[g].v)
}

func (k *fixedKey) decode(d *decoder, g int32) error {
	null := d.boolean()
	k.vals[g] = fixedVal{v: d.varint(), null: null}
	if null {
		k.vals[g].v = 0
	}
	return d.err
}

// growTo returns s extended with zero values to length n (never shrunk).
func growTo[T any](s []T, n int) []T {
	if n <= len(s) {
		return s
	}
	if n <= cap(s) {
		return s[:n]
	}
	t := make([]T, n, max(n, 2*cap(s)))
	copy(t, s)
	return t
}
