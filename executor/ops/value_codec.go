package ops

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// Rows of Go values (as executor.Value returns them) in snapshots: per
// value a tag byte and its payload.
const (
	tagNull byte = iota
	tagFalse
	tagTrue
	tagInt
	tagFloat
	tagString
	tagTime
)

var errValueCodec = errors.New("corrupt value in snapshot")

// appendValues appends vs, counted.
func appendValues(buf []byte, vs []any) ([]byte, error) {
	buf = binary.AppendUvarint(buf, uint64(len(vs)))
	for _, v := range vs {
		switch x := v.(type) {
		case nil:
			buf = append(buf, tagNull)
		case bool:
			if x {
				buf = append(buf, tagTrue)
			} else {
				buf = append(buf, tagFalse)
			}
		case int64:
			buf = binary.AppendVarint(append(buf, tagInt), x)
		case float64:
			buf = binary.LittleEndian.AppendUint64(append(buf, tagFloat), math.Float64bits(x))
		case string:
			buf = binary.AppendUvarint(append(buf, tagString), uint64(len(x)))
			buf = append(buf, x...)
		case time.Time:
			buf = binary.AppendVarint(append(buf, tagTime), x.UnixMicro())
		default:
			return nil, fmt.Errorf("snapshot: cannot store a value of type %T", v)
		}
	}
	return buf, nil
}

// valueReader reads what appendValues wrote; the first error sticks.
type valueReader struct {
	buf []byte
	err error
}

func (r *valueReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.buf)
	if n <= 0 {
		r.err, r.buf = errValueCodec, nil
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

func (r *valueReader) varint() int64 {
	v, n := binary.Varint(r.buf)
	if n <= 0 {
		r.err, r.buf = errValueCodec, nil
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

func (r *valueReader) values() []any {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.buf)) {
		r.err = errValueCodec
		return nil
	}
	vs := make([]any, n)
	for i := range vs {
		if len(r.buf) == 0 {
			r.err = errValueCodec
			return nil
		}
		tag := r.buf[0]
		r.buf = r.buf[1:]
		switch tag {
		case tagNull:
		case tagFalse:
			vs[i] = false
		case tagTrue:
			vs[i] = true
		case tagInt:
			vs[i] = r.varint()
		case tagFloat:
			if len(r.buf) < 8 {
				r.err = errValueCodec
				return nil
			}
			vs[i] = math.Float64frombits(binary.LittleEndian.Uint64(r.buf))
			r.buf = r.buf[8:]
		case tagString:
			l := r.uvarint()
			if r.err != nil || l > uint64(len(r.buf)) {
				r.err = errValueCodec
				return nil
			}
			vs[i] = string(r.buf[:l])
			r.buf = r.buf[l:]
		case tagTime:
			vs[i] = time.UnixMicro(r.varint()).UTC()
		default:
			r.err = errValueCodec
			return nil
		}
	}
	return vs
}
