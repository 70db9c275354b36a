package ops

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// appendJoinKey appends the encoding of row's key values to buf: the same
// values of the same types give the same bytes, and different ones
// different bytes. null reports a NULL among them (it matches nothing).
func appendJoinKey(buf []byte, keys []arrow.Array, row int) (out []byte, null bool) {
	for _, k := range keys {
		if k.IsNull(row) {
			return buf, true
		}
		switch a := k.(type) {
		case *array.Int64:
			buf = binary.LittleEndian.AppendUint64(buf, uint64(a.Value(row)))
		case *array.Float64:
			v := a.Value(row)
			if v == 0 {
				v = 0 // -0 equals 0
			}
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		case *array.String:
			v := a.Value(row)
			buf = binary.AppendUvarint(buf, uint64(len(v)))
			buf = append(buf, v...)
		case *array.Timestamp:
			buf = binary.LittleEndian.AppendUint64(buf, uint64(a.Value(row)))
		case *array.Boolean:
			if a.Value(row) {
				buf = append(buf, 1)
			} else {
				buf = append(buf, 0)
			}
		case *array.Date32:
			buf = binary.LittleEndian.AppendUint32(buf, uint32(a.Value(row)))
		default:
			v := fmt.Sprint(a.GetOneForMarshal(row))
			buf = binary.AppendUvarint(buf, uint64(len(v)))
			buf = append(buf, v...)
		}
	}
	return buf, false
}
