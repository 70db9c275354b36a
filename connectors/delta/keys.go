package delta

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Primary keys are compared as byte strings: each key column contributes a
// null marker and its value in a fixed or length-prefixed encoding, so two
// rows have equal encodings exactly when their keys are equal.

// keyEncoder encodes the key of rows of records with one schema.
type keyEncoder struct {
	cols []int // key column indexes
	buf  []byte
}

// key returns the encoded key of row i of rec. The string does not alias
// the encoder's buffer.
func (e *keyEncoder) key(rec arrow.Record, i int) string {
	b := e.buf[:0]
	for _, c := range e.cols {
		b = appendKeyValue(b, rec.Column(c), i)
	}
	e.buf = b
	return string(b)
}

func appendKeyValue(b []byte, arr arrow.Array, i int) []byte {
	if arr.IsNull(i) {
		return append(b, 0)
	}
	b = append(b, 1)
	switch a := arr.(type) {
	case *array.String:
		s := a.Value(i)
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	case *array.Binary:
		s := a.Value(i)
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	case *array.Float64:
		f := a.Value(i)
		if f == 0 {
			f = 0 // -0 equals 0
		}
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	case *array.Float32:
		f := float64(a.Value(i))
		if f == 0 {
			f = 0
		}
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	}
	return binary.LittleEndian.AppendUint64(b, uint64(valueAt(arr, i).i))
}
