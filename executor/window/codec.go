package window

import (
	"encoding/binary"
	"errors"
	"math"
)

// encoder appends the primitive values of a snapshot to a byte slice.
type encoder struct{ buf []byte }

func (e *encoder) u8(v byte)        { e.buf = append(e.buf, v) }
func (e *encoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *encoder) varint(v int64)   { e.buf = binary.AppendVarint(e.buf, v) }
func (e *encoder) f64(v float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v))
}
func (e *encoder) str(s string)   { e.uvarint(uint64(len(s))); e.buf = append(e.buf, s...) }
func (e *encoder) bytes(b []byte) { e.uvarint(uint64(len(b))); e.buf = append(e.buf, b...) }
func (e *encoder) boolean(v bool) { e.u8(boolByte(v)) }
func (e *encoder) count(n int)    { e.uvarint(uint64(n)) }
func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// errCorrupt is returned for a snapshot that cannot be decoded.
var errCorrupt = errors.New("window: corrupt aggregate snapshot")

// decoder reads what encoder wrote. The first error sticks: later reads
// return zero values, and err reports it.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.buf = nil
}

func (d *decoder) u8() byte {
	if len(d.buf) < 1 {
		d.fail()
		return 0
	}
	v := d.buf[0]
	d.buf = d.buf[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) f64() float64 {
	if len(d.buf) < 8 {
		d.fail()
		return 0
	}
	v := binary.LittleEndian.Uint64(d.buf)
	d.buf = d.buf[8:]
	return math.Float64frombits(v)
}

// bytes returns the next length-prefixed bytes, aliasing the input.
func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.buf)) {
		d.fail()
		return nil
	}
	b := d.buf[:n:n]
	d.buf = d.buf[n:]
	return b
}

func (d *decoder) str() string   { return string(d.bytes()) }
func (d *decoder) boolean() bool { return d.u8() != 0 }

// count reads a length and checks it against what is left, so that a
// corrupt length cannot make the caller allocate a huge slice.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.buf)) {
		d.fail()
		return 0
	}
	return int(n)
}
