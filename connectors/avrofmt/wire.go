package avrofmt

import (
	"encoding/binary"
	"math"
)

// Confluent's wire format: a zero magic byte, then the schema id as 4
// big-endian bytes, then the Avro binary body.
const (
	magicByte  = 0
	headerSize = 5
)

// schemaID reads the header of a Confluent-framed value; ok is false if
// the value is too short or does not start with the magic byte.
func schemaID(v []byte) (id int32, ok bool) {
	if len(v) < headerSize || v[0] != magicByte {
		return 0, false
	}
	return int32(binary.BigEndian.Uint32(v[1:headerSize])), true
}

// appendHeader appends the header of a value written with schema id.
func appendHeader(b []byte, id int32) []byte {
	return binary.BigEndian.AppendUint32(append(b, magicByte), uint32(id))
}

// readLong reads a zigzag varint (Avro int and long) at b[i]. ok is false
// when the input ends inside it or it is longer than 10 bytes.
func readLong(b []byte, i int) (v int64, next int, ok bool) {
	var u uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if i >= len(b) {
			return 0, i, false
		}
		c := b[i]
		i++
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return int64(u>>1) ^ -int64(u&1), i, true
		}
	}
	return 0, i, false
}

// appendLong appends v as a zigzag varint.
func appendLong(b []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for u >= 0x80 {
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}

// readBytes reads a length-prefixed byte sequence (Avro bytes and string).
func readBytes(b []byte, i int) (v []byte, next int, ok bool) {
	n, i, ok := readLong(b, i)
	if !ok || n < 0 || n > int64(len(b)-i) {
		return nil, i, false
	}
	return b[i : i+int(n)], i + int(n), true
}

func appendBytes(b, v []byte) []byte { return append(appendLong(b, int64(len(v))), v...) }

func appendString(b []byte, s string) []byte { return append(appendLong(b, int64(len(s))), s...) }

func readFloat(b []byte, i int) (float64, int, bool) {
	if len(b)-i < 4 {
		return 0, i, false
	}
	return float64(math.Float32frombits(binary.LittleEndian.Uint32(b[i:]))), i + 4, true
}

func readDouble(b []byte, i int) (float64, int, bool) {
	if len(b)-i < 8 {
		return 0, i, false
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b[i:])), i + 8, true
}

func appendFloat(b []byte, f float32) []byte {
	return binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
}

func appendDouble(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}
