package avrofmt

import (
	"fmt"
	"math"
	"math/big"
	"unicode/utf8"
)

// step runs op o on the Avro body b at byte i and returns where the value
// ends, or a message saying why it cannot be read ("" when it can).
func (d *Decoder) step(o *op, b []byte, i int) (int, string) {
	switch o.code {
	case opLong:
		v, next, ok := readLong(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		d.set(o.col).i = v
		return next, ""
	case opString:
		v, next, ok := readBytes(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		if !utf8.Valid(v) {
			return next, "the string is not valid UTF-8"
		}
		sl := d.set(o.col)
		sl.off, sl.end, sl.scratch = next-len(v), next, false
		return next, ""
	case opDouble:
		v, next, ok := readDouble(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		d.set(o.col).f = v
		return next, ""
	case opTimestamp:
		v, next, ok := readLong(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		if o.mul != 1 {
			if v > math.MaxInt64/o.mul || v < math.MinInt64/o.mul {
				return next, fmt.Sprintf("timestamp %d is out of range", v)
			}
			v *= o.mul
		} else if o.div != 1 {
			v = floorDiv(v, o.div)
		}
		d.set(o.col).i = v
		return next, ""
	case opUnion:
		n, next, ok := readLong(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		if n < 0 || n >= int64(len(o.branches)) {
			return next, fmt.Sprintf("union branch %d does not exist (the union has %d)", n, len(o.branches))
		}
		return d.step(&o.branches[n], b, next)
	case opNull:
		d.set(o.col).null = true
		return i, ""
	case opBool:
		if i >= len(b) {
			return i, truncated(b, i)
		}
		if b[i] > 1 {
			return i + 1, fmt.Sprintf("boolean byte is %d, not 0 or 1", b[i])
		}
		d.set(o.col).i = int64(b[i])
		return i + 1, ""
	case opLongToDouble:
		v, next, ok := readLong(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		d.set(o.col).f = float64(v)
		return next, ""
	case opFloat:
		v, next, ok := readFloat(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		d.set(o.col).f = v
		return next, ""
	case opEnum:
		n, next, ok := readLong(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		if n < 0 || n >= int64(len(o.symbols)) {
			return next, fmt.Sprintf("enum index %d is out of range (the enum has %d symbols)", n, len(o.symbols))
		}
		d.setScratch(o.col, o.symbols[n])
		return next, ""
	case opDate:
		v, next, ok := readLong(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		if v < math.MinInt32 || v > math.MaxInt32 {
			return next, fmt.Sprintf("date %d is out of range", v)
		}
		d.set(o.col).i = v
		return next, ""
	case opDecimalBytes:
		v, next, ok := readBytes(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		d.set(o.col).f = decimal(v) / o.scale
		return next, ""
	case opDecimalFixed:
		if len(b)-i < o.size {
			return len(b), truncated(b, i)
		}
		d.set(o.col).f = decimal(b[i:i+o.size]) / o.scale
		return i + o.size, ""
	case opUUIDFixed:
		if len(b)-i < 16 {
			return len(b), truncated(b, i)
		}
		sl := d.set(o.col)
		sl.off, sl.scratch = len(d.scratch), true
		d.scratch = appendUUID(d.scratch, b[i:i+16])
		sl.end = len(d.scratch)
		return i + 16, ""
	}
	return d.skip(o, b, i)
}

// set marks column c as given in the current record and returns its slot.
func (d *Decoder) set(c int32) *slot {
	s := &d.slots[c]
	s.gen, s.null = d.gen, false
	return s
}

// setScratch gives column c the text v, copied to the scratch buffer.
func (d *Decoder) setScratch(c int32, v []byte) {
	sl := d.set(c)
	sl.off, sl.scratch = len(d.scratch), true
	d.scratch = append(d.scratch, v...)
	sl.end = len(d.scratch)
}

// skip runs a skip op.
func (d *Decoder) skip(o *op, b []byte, i int) (int, string) {
	switch o.code {
	case opSkipLong:
		_, next, ok := readLong(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		return next, ""
	case opSkipBytes:
		_, next, ok := readBytes(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		return next, ""
	case opSkipFixed:
		if len(b)-i < o.size {
			return len(b), truncated(b, i)
		}
		return i + o.size, ""
	case opSkipBool:
		if i >= len(b) {
			return i, truncated(b, i)
		}
		return i + 1, ""
	case opSkipNull:
		return i, ""
	case opSkipRecord:
		var msg string
		for k := range *o.sub {
			if i, msg = d.step(&(*o.sub)[k], b, i); msg != "" {
				return i, msg
			}
		}
		return i, ""
	case opSkipArray, opSkipMap:
		return d.skipBlocks(o, b, i)
	}
	return i, fmt.Sprintf("internal error: unknown op %d", o.code)
}

// skipBlocks skips an array's or a map's blocks: a count, items (a map's
// with their string keys), until a zero count. A negative count is
// followed by the block's size in bytes, which lets the block be jumped.
func (d *Decoder) skipBlocks(o *op, b []byte, i int) (int, string) {
	item := &(*o.sub)[0]
	for {
		n, next, ok := readLong(b, i)
		if !ok {
			return next, truncated(b, i)
		}
		i = next
		if n == 0 {
			return i, ""
		}
		if n < 0 {
			size, next, ok := readLong(b, i)
			if !ok || size < 0 || size > int64(len(b)-next) {
				return next, truncated(b, i)
			}
			i = next + int(size)
			continue
		}
		if o.code == opSkipArray && o.size == 1 {
			continue // items of no bytes: nothing to loop over
		}
		if n > int64(len(b)-i) { // every item takes a byte at least
			return len(b), truncated(b, i)
		}
		var msg string
		for range n {
			if o.code == opSkipMap {
				if _, i, ok = readBytes(b, i); !ok {
					return i, truncated(b, i)
				}
			}
			if i, msg = d.step(item, b, i); msg != "" {
				return i, msg
			}
		}
	}
}

func truncated(b []byte, i int) string {
	return fmt.Sprintf("the record is truncated or malformed at byte %d of %d", i, len(b))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// decimal reads a big-endian two's-complement unscaled decimal value.
func decimal(v []byte) float64 {
	if len(v) == 0 {
		return 0
	}
	if len(v) <= 8 {
		x := int64(int8(v[0])) // sign-extended
		for _, c := range v[1:] {
			x = x<<8 | int64(c)
		}
		return float64(x)
	}
	n := new(big.Int).SetBytes(v)
	if v[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(v))))
	}
	f, _ := new(big.Float).SetInt(n).Float64()
	return f
}

// appendUUID appends 16 bytes as a UUID's canonical text.
func appendUUID(dst, u []byte) []byte {
	const hex = "0123456789abcdef"
	for k, c := range u {
		if k == 4 || k == 6 || k == 8 || k == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hex[c>>4], hex[c&0xf])
	}
	return dst
}
