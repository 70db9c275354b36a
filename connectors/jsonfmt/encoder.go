package jsonfmt

// The JSON encoder: a row's value is a JSON object with the column names as
// keys (timestamps as RFC 3339 strings with milliseconds in UTC, dates as
// "YYYY-MM-DD", NULL as null, NaN and infinities as null); its key is the
// text of a one-column key (nothing when it is NULL) or a JSON object of
// several key columns.

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/executor"
)

// Encoder writes rows as JSON objects. It is safe for concurrent use.
type Encoder struct {
	value    []int
	names    [][]byte // `"name":` of each value column, the first with "{"
	key      []int
	keyNames [][]byte // `"name":` of each key column, the first with "{"
}

var _ format.Encoder = (*Encoder)(nil)

// NewEncoder returns the encoder of spec's columns, or an error naming a
// column whose type JSON cannot carry.
func NewEncoder(spec format.EncoderSpec) (*Encoder, error) {
	e := &Encoder{value: spec.Value, key: spec.Key}
	for i, c := range spec.Value {
		f := spec.Schema.Field(c)
		if err := CheckEncodable(f.Type); err != nil {
			return nil, fmt.Errorf("column %s: %v", f.Name, err)
		}
		e.names = append(e.names, fieldName(i == 0, f.Name))
	}
	for i, c := range spec.Key {
		f := spec.Schema.Field(c)
		if err := CheckEncodable(f.Type); err != nil {
			return nil, fmt.Errorf("key column %s: %v", f.Name, err)
		}
		e.keyNames = append(e.keyNames, fieldName(i == 0, f.Name))
	}
	return e, nil
}

// CheckEncodable reports whether the encoder can write values of type t.
func CheckEncodable(t arrow.DataType) error {
	if catalog.IsNested(t) {
		return checkNested(t)
	}
	switch t.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32,
		arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.LARGE_STRING, arrow.TIMESTAMP,
		arrow.DATE32, arrow.DATE64, arrow.NULL:
		return nil
	}
	return fmt.Errorf("type %s cannot be written as JSON", t)
}

// checkNested checks that every type inside a ROW, ARRAY or MAP can be
// written: rows and maps become objects, arrays arrays, the values inside
// as executor.AppendJSON writes them (timestamps as RFC 3339 with
// milliseconds in UTC, as top-level ones).
func checkNested(t arrow.DataType) error {
	switch t := t.(type) {
	case *arrow.StructType:
		for _, f := range t.Fields() {
			if err := CheckEncodable(f.Type); err != nil {
				return fmt.Errorf("field %s: %w", f.Name, err)
			}
		}
		return nil
	case *arrow.MapType:
		if t.KeyType().ID() != arrow.STRING {
			return fmt.Errorf("map keys of type %s cannot be written as JSON object keys", t.KeyType())
		}
		return CheckEncodable(t.ItemType())
	case *arrow.ListType:
		return CheckEncodable(t.Elem())
	}
	return fmt.Errorf("type %s cannot be written as JSON", t)
}

func fieldName(first bool, name string) []byte {
	b := []byte{','}
	if first {
		b[0] = '{'
	}
	return append(appendString(b, name), ':')
}

// AppendValue appends the row's value columns as one JSON object.
func (e *Encoder) AppendValue(b []byte, rec arrow.Record, row int) ([]byte, error) {
	if len(e.value) == 0 {
		return append(b, "{}"...), nil
	}
	for i, c := range e.value {
		b = append(b, e.names[i]...)
		b = appendJSON(b, rec.Column(c), row)
	}
	return append(b, '}'), nil
}

// AppendKey appends the row's key: nothing without key columns, the text
// of a one-column key (nothing if it is NULL), a JSON object otherwise.
func (e *Encoder) AppendKey(b []byte, rec arrow.Record, row int) ([]byte, error) {
	switch len(e.key) {
	case 0:
		return b, nil
	case 1:
		return appendText(b, rec.Column(e.key[0]), row), nil
	}
	for i, k := range e.key {
		b = append(b, e.keyNames[i]...)
		b = appendJSON(b, rec.Column(k), row)
	}
	return append(b, '}'), nil
}

const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// appendText appends row i of arr as text (nothing for NULL): strings as
// they are, times as in JSON without quotes, anything else as its JSON.
func appendText(b []byte, arr arrow.Array, i int) []byte {
	if arr.IsNull(i) {
		return b
	}
	switch a := arr.(type) {
	case *array.String:
		return append(b, a.Value(i)...)
	case *array.LargeString:
		return append(b, a.Value(i)...)
	case *array.Timestamp, *array.Date32, *array.Date64:
		return appendTime(b, arr, i)
	}
	return appendJSON(b, arr, i)
}

// appendTime appends a timestamp as RFC 3339 with milliseconds in UTC, a
// date as YYYY-MM-DD.
func appendTime(b []byte, arr arrow.Array, i int) []byte {
	switch a := arr.(type) {
	case *array.Timestamp:
		t := a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit)
		return t.UTC().AppendFormat(b, timeLayout)
	case *array.Date32:
		return a.Value(i).ToTime().AppendFormat(b, time.DateOnly)
	case *array.Date64:
		return a.Value(i).ToTime().UTC().AppendFormat(b, time.DateOnly)
	}
	return b
}

// appendJSON appends row i of arr as a JSON value.
func appendJSON(b []byte, arr arrow.Array, i int) []byte {
	if arr.IsNull(i) {
		return append(b, "null"...)
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return strconv.AppendBool(b, a.Value(i))
	case *array.Int64:
		return strconv.AppendInt(b, a.Value(i), 10)
	case *array.Int32:
		return strconv.AppendInt(b, int64(a.Value(i)), 10)
	case *array.Int16:
		return strconv.AppendInt(b, int64(a.Value(i)), 10)
	case *array.Int8:
		return strconv.AppendInt(b, int64(a.Value(i)), 10)
	case *array.Uint64:
		return strconv.AppendUint(b, a.Value(i), 10)
	case *array.Uint32:
		return strconv.AppendUint(b, uint64(a.Value(i)), 10)
	case *array.Uint16:
		return strconv.AppendUint(b, uint64(a.Value(i)), 10)
	case *array.Uint8:
		return strconv.AppendUint(b, uint64(a.Value(i)), 10)
	case *array.Float64:
		return appendFloat(b, a.Value(i), 64)
	case *array.Float32:
		return appendFloat(b, float64(a.Value(i)), 32)
	case *array.String:
		return appendString(b, a.Value(i))
	case *array.LargeString:
		return appendString(b, a.Value(i))
	case *array.Timestamp, *array.Date32, *array.Date64:
		return append(appendTime(append(b, '"'), arr, i), '"')
	case *array.Struct, *array.List, *array.Map:
		return executor.AppendJSON(b, executor.Value(arr, i)) // nested JSON
	}
	return appendString(b, arr.ValueStr(i))
}

// appendFloat writes f as encoding/json does; NaN and infinities, which
// JSON lacks, become null.
func appendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := f
	if abs < 0 {
		abs = -abs
	}
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' { // clean up e-09 to e-9, as encoding/json does
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes \ufffd;
// U+2028 and U+2029 are escaped, as encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0xFFFD && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
