// Package colbuf builds Arrow columns by writing values straight into their
// buffers, allocated from the caller's allocator: appending a value is a
// bounds check and a store, not a builder call. It is for decoders that
// append one row at a time to the columns of a batch (the message
// formats). A Column builds one array per batch (NewArray) and starts the
// next batch with room for as much as the last one held, so that batches
// of a steady stream neither grow their buffers value by value nor copy
// them; a batch without NULLs has no validity bitmap.
package colbuf

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// MaxData is the most string bytes one column of a batch can hold: the
// offsets of Arrow's String are 32-bit.
const MaxData = math.MaxInt32

// layout is how a column's values are stored.
type layout uint8

const (
	layoutBits    layout = iota // BOOL: one bit a value
	layoutWord4                 // DATE32: 4 bytes
	layoutWord8                 // INT64, FLOAT64, TIMESTAMP: 8 bytes
	layoutOffsets               // STRING: 32-bit offsets into the data buffer
)

// Column is one column of the batch being built. It is not safe for
// concurrent use.
type Column struct {
	typ    arrow.DataType
	layout layout
	rows   int
	nulls  int
	valid  buffer // validity bits; written only once a NULL comes
	vals   buffer
	data   buffer // layoutOffsets: the string bytes
}

// New returns an empty column of type t: BOOL, INT64, FLOAT64, STRING,
// TIMESTAMP or DATE32.
func New(t arrow.DataType, mem memory.Allocator) (*Column, error) {
	c := &Column{typ: t, valid: buffer{mem: mem}, vals: buffer{mem: mem}, data: buffer{mem: mem}}
	switch t.ID() {
	case arrow.BOOL:
		c.layout = layoutBits
	case arrow.DATE32:
		c.layout = layoutWord4
	case arrow.INT64, arrow.FLOAT64, arrow.TIMESTAMP:
		c.layout = layoutWord8
	case arrow.STRING:
		c.layout = layoutOffsets
		c.vals.put4(0) // the first offset
	default:
		return nil, fmt.Errorf("colbuf: type %s is not supported", t)
	}
	return c, nil
}

// Len is the number of values appended since the last NewArray.
func (c *Column) Len() int { return c.rows }

// DataLen is the number of string bytes appended since the last NewArray.
func (c *Column) DataLen() int { return c.data.n }

// AppendNull appends a NULL.
func (c *Column) AppendNull() {
	if c.nulls == 0 {
		// The first NULL of the batch: every row before it was valid.
		c.valid.fillBits(c.rows)
	}
	c.valid.putBit(c.rows, false)
	c.nulls++
	switch c.layout {
	case layoutOffsets:
		c.vals.put4(uint32(c.data.n))
	case layoutBits:
		c.vals.putBit(c.rows, false)
	case layoutWord4:
		c.vals.put4(0)
	default:
		c.vals.put8(0)
	}
	c.rows++
}

// valid marks the row being appended valid, once a NULL made a bitmap.
func (c *Column) markValid() {
	if c.nulls > 0 {
		c.valid.putBit(c.rows, true)
	}
	c.rows++
}

// AppendInt64 appends to an INT64 or TIMESTAMP column (a timestamp in the
// column's unit).
func (c *Column) AppendInt64(v int64) {
	c.vals.put8(uint64(v))
	c.markValid()
}

// AppendFloat64 appends to a FLOAT64 column.
func (c *Column) AppendFloat64(v float64) {
	c.vals.put8(math.Float64bits(v))
	c.markValid()
}

// AppendDate32 appends days since 1970-01-01 to a DATE32 column.
func (c *Column) AppendDate32(v int32) {
	c.vals.put4(uint32(v))
	c.markValid()
}

// AppendBool appends to a BOOL column.
func (c *Column) AppendBool(v bool) {
	c.vals.putBit(c.rows, v)
	c.markValid()
}

// AppendBytes appends UTF-8 text to a STRING column. The caller keeps the
// column's DataLen within MaxData.
func (c *Column) AppendBytes(v []byte) {
	c.data.putBytes(v)
	c.vals.put4(uint32(c.data.n))
	c.markValid()
}

// NewArray hands the values appended so far over as an array (the caller
// releases it) and starts the next batch.
func (c *Column) NewArray() arrow.Array {
	var valid *memory.Buffer
	if c.nulls > 0 {
		valid = c.valid.take()
	}
	bufs := []*memory.Buffer{valid, c.vals.take()}
	if c.layout == layoutOffsets {
		bufs = append(bufs, c.data.take())
		c.vals.put4(0)
	}
	data := array.NewData(c.typ, c.rows, bufs, nil, c.nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	arr := array.MakeFromData(data)
	data.Release()
	c.rows, c.nulls = 0, 0
	return arr
}

// Release frees the buffers; the column is not used afterwards.
func (c *Column) Release() {
	c.valid.release()
	c.vals.release()
	c.data.release()
}

// buffer is one Arrow buffer written in place.
type buffer struct {
	mem memory.Allocator
	b   *memory.Buffer
	raw []byte // the whole allocation
	n   int    // bytes written
}

// grow makes room for at least need bytes.
func (x *buffer) grow(need int) {
	if x.b == nil {
		x.b = memory.NewResizableBuffer(x.mem)
	}
	x.b.Reserve(max(need, 2*len(x.raw), 64))
	x.raw = x.b.Buf()
}

func (x *buffer) put8(v uint64) {
	if x.n+8 > len(x.raw) {
		x.grow(x.n + 8)
	}
	binary.LittleEndian.PutUint64(x.raw[x.n:], v)
	x.n += 8
}

func (x *buffer) put4(v uint32) {
	if x.n+4 > len(x.raw) {
		x.grow(x.n + 4)
	}
	binary.LittleEndian.PutUint32(x.raw[x.n:], v)
	x.n += 4
}

func (x *buffer) putBytes(v []byte) {
	if x.n+len(v) > len(x.raw) {
		x.grow(x.n + len(v))
	}
	x.n += copy(x.raw[x.n:], v)
}

// putBit sets bit row of a bitmap written row by row (row is the number of
// bits written so far). A new byte is cleared first: an allocator need not
// hand out zeroed memory.
func (x *buffer) putBit(row int, v bool) {
	if row&7 == 0 {
		if x.n+1 > len(x.raw) {
			x.grow(x.n + 1)
		}
		x.raw[x.n] = 0
		x.n++
	}
	if v {
		x.raw[row>>3] |= 1 << (row & 7)
	}
}

// fillBits writes rows set bits (a bitmap begun late: every row so far
// was valid).
func (x *buffer) fillBits(rows int) {
	x.n = 0
	full := rows >> 3
	if need := full + 1; need > len(x.raw) {
		x.grow(need)
	}
	for i := range full {
		x.raw[i] = 0xff
	}
	x.n = full
	if rows&7 != 0 {
		x.raw[full] = byte(1)<<(rows&7) - 1
		x.n++
	}
}

// take hands the written bytes over as a buffer and starts an empty one
// with a quarter more room, for a next batch like this one.
func (x *buffer) take() *memory.Buffer {
	b, n := x.b, x.n
	x.b, x.raw, x.n = nil, nil, 0
	if b == nil {
		return memory.NewBufferBytes([]byte{})
	}
	b.ResizeNoShrink(n)
	if n > 0 {
		x.grow(n + n/4)
	}
	return b
}

func (x *buffer) release() {
	if x.b != nil {
		x.b.Release()
	}
	x.b, x.raw, x.n = nil, nil, 0
}
