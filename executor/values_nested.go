package executor

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Nested values as Go values (what Value returns for them): a ROW is a
// RowValue, an ARRAY a []any, a MAP a MapValue, their parts the same Go
// values as top-level columns. People see them as JSON (FormatValue): the
// one text form tide reads (JSON sources) and writes (Kafka, PostgreSQL
// jsonb) for nested values, so that what the shell prints can be produced
// back. Timestamps inside are RFC 3339 strings in UTC with milliseconds,
// dates YYYY-MM-DD, NaN and infinities null.

// RowValue is a ROW value: its fields' names and values, in order.
type RowValue struct {
	Names  []string
	Values []any
}

// MapValue is a MAP value: its entries in their stored order.
type MapValue []MapEntry

// MapEntry is one entry of a MAP.
type MapEntry struct {
	Key   string
	Value any
}

// MarshalJSON writes the row as a JSON object, fields in order.
func (r RowValue) MarshalJSON() ([]byte, error) { return AppendJSON(nil, r), nil }

// MarshalJSON writes the map as a JSON object, entries in order.
func (m MapValue) MarshalJSON() ([]byte, error) { return AppendJSON(nil, m), nil }

// nestedValue returns row i of a nested array (which is not NULL there).
func nestedValue(arr arrow.Array, i int) (any, bool) {
	switch a := arr.(type) {
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		r := RowValue{Names: make([]string, st.NumFields()), Values: make([]any, st.NumFields())}
		for f := range r.Values {
			r.Names[f] = st.Field(f).Name
			r.Values[f] = partValue(a.Field(f), i)
		}
		return r, true
	case *array.Map: // before *array.List: a Map is a List
		start, end := a.ValueOffsets(i)
		keys, items := a.Keys(), a.Items()
		m := make(MapValue, 0, end-start)
		for j := start; j < end; j++ {
			k, _ := Value(keys, int(j)).(string)
			m = append(m, MapEntry{Key: k, Value: partValue(items, int(j))})
		}
		return m, true
	case *array.List:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues()
		out := make([]any, 0, end-start)
		for j := start; j < end; j++ {
			out = append(out, partValue(vals, int(j)))
		}
		return out, true
	}
	return nil, false
}

// partValue is Value for a part of a nested value: a DATE is a time.Time
// in the location dateMarker, so that AppendJSON prints it as a date.
func partValue(arr arrow.Array, i int) any {
	if d, ok := arr.(*array.Date32); ok && d.IsValid(i) {
		return d.Value(i).ToTime().In(dateMarker)
	}
	return Value(arr, i)
}

// appendNested appends a nested Go value to a builder of its type.
func appendNested(b array.Builder, v any) (bool, error) {
	switch bb := b.(type) {
	case *array.StructBuilder:
		r, ok := v.(RowValue)
		if !ok {
			return true, fmt.Errorf("expected a ROW, got %T", v)
		}
		if len(r.Values) != bb.NumField() {
			return true, fmt.Errorf("expected a ROW of %d fields, got %d", bb.NumField(), len(r.Values))
		}
		bb.Append(true)
		for f, x := range r.Values {
			if err := AppendValue(bb.FieldBuilder(f), x); err != nil {
				return true, fmt.Errorf("field %s: %w", bb.Type().(*arrow.StructType).Field(f).Name, err)
			}
		}
		return true, nil
	case *array.MapBuilder: // before *array.ListBuilder
		m, ok := v.(MapValue)
		if !ok {
			return true, fmt.Errorf("expected a MAP, got %T", v)
		}
		bb.Append(true)
		for _, e := range m {
			if err := AppendValue(bb.KeyBuilder(), e.Key); err != nil {
				return true, err
			}
			if err := AppendValue(bb.ItemBuilder(), e.Value); err != nil {
				return true, fmt.Errorf("key %q: %w", e.Key, err)
			}
		}
		return true, nil
	case *array.ListBuilder:
		l, ok := v.([]any)
		if !ok {
			return true, fmt.Errorf("expected an ARRAY, got %T", v)
		}
		bb.Append(true)
		for j, x := range l {
			if err := AppendValue(bb.ValueBuilder(), x); err != nil {
				return true, fmt.Errorf("element %d: %w", j+1, err)
			}
		}
		return true, nil
	}
	return false, nil
}

// jsonTimeLayout is how timestamps inside nested values print.
const jsonTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// AppendJSON appends a Go value (as Value returns them) as JSON: objects
// for ROW and MAP values, arrays for ARRAY values, timestamps as RFC 3339
// strings in UTC with milliseconds, NaN and infinities as null.
func AppendJSON(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return appendJSONFloat(b, x)
	case string:
		return appendJSONString(b, x)
	case time.Time:
		b = append(b, '"')
		if x.Location() == dateMarker {
			return append(x.AppendFormat(b, time.DateOnly), '"')
		}
		return append(x.UTC().AppendFormat(b, jsonTimeLayout), '"')
	case time.Duration:
		return appendJSONString(b, x.String())
	case RowValue:
		b = append(b, '{')
		for i, name := range x.Names {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendJSONString(b, name), ':')
			b = AppendJSON(b, x.Values[i])
		}
		return append(b, '}')
	case MapValue:
		b = append(b, '{')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendJSONString(b, e.Key), ':')
			b = AppendJSON(b, e.Value)
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSON(b, e)
		}
		return append(b, ']')
	}
	return appendJSONString(b, fmt.Sprint(v))
}

// dateMarker is the location of the time.Time of a DATE inside a nested
// value (partValue), so that JSON prints it without a time.
var dateMarker = time.FixedZone("DATE", 0)

// appendJSONFloat writes f as encoding/json does; NaN and infinities,
// which JSON lacks, become null.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

const jsonHex = "0123456789abcdef"

// appendJSONString writes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', jsonHex[c>>4], jsonHex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
