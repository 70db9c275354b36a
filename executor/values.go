package executor

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Value returns row i of arr as a Go value: nil for NULL, bool, int64,
// float64, string, time.Time (UTC) for timestamps and dates.
func Value(arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.Float32:
		return float64(a.Value(i))
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit).UTC()
	case *array.Date32:
		return a.Value(i).ToTime().UTC()
	case *array.Duration:
		return time.Duration(a.Value(i)) * time.Microsecond
	}
	if v, ok := nestedValue(arr, i); ok {
		return v
	}
	return arr.ValueStr(i)
}

// FormatValue prints a Value the way tide shows it to people: NULL, numbers
// in their shortest form, timestamps as 2006-01-02 15:04:05.000 (UTC),
// nested values as JSON (AppendJSON).
func FormatValue(v any, t arrow.DataType) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	case time.Time:
		if t != nil && t.ID() == arrow.DATE32 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05.000")
	case RowValue, MapValue, []any:
		return string(AppendJSON(nil, v))
	}
	return fmt.Sprint(v)
}

// AppendValue appends one Go value (as Value returns them) to a builder
// of tide's types.
func AppendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch bb := b.(type) {
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return fmt.Errorf("expected a boolean, got %T", v)
		}
		bb.Append(x)
	case *array.Int64Builder:
		switch x := v.(type) {
		case int64:
			bb.Append(x)
		case float64:
			bb.Append(int64(x))
		default:
			return fmt.Errorf("expected an integer, got %T", v)
		}
	case *array.Float64Builder:
		switch x := v.(type) {
		case float64:
			bb.Append(x)
		case int64:
			bb.Append(float64(x))
		default:
			return fmt.Errorf("expected a number, got %T", v)
		}
	case *array.StringBuilder:
		bb.Append(fmt.Sprint(v))
	case *array.TimestampBuilder:
		x, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("expected a timestamp, got %T", v)
		}
		unit := bb.Type().(*arrow.TimestampType).Unit
		ts, err := arrow.TimestampFromTime(x, unit)
		if err != nil {
			return err
		}
		bb.Append(ts)
	case *array.Date32Builder:
		x, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("expected a date, got %T", v)
		}
		bb.Append(arrow.Date32FromTime(x))
	default:
		if ok, err := appendNested(b, v); ok {
			return err
		}
		return fmt.Errorf("unsupported column type %s", b.Type())
	}
	return nil
}

// RowKey encodes the values at idx of a row (as Value returns them) as a
// map key without ambiguity: a type tag, then the value's length and text,
// per column; NULL has a tag of its own. hasNull reports a NULL among them.
func RowKey(row []any, idx []int) (key string, hasNull bool) {
	var b strings.Builder
	for _, k := range idx {
		v := row[k]
		if v == nil {
			b.WriteString("n;")
			hasNull = true
			continue
		}
		s := fmt.Sprint(v)
		fmt.Fprintf(&b, "%T:%d:%s;", v, len(s), s)
	}
	return b.String(), hasNull
}

// BuildRecord turns rows of Go values (as Value returns them)
// into a record of schema.
func BuildRecord(mem memory.Allocator, schema *arrow.Schema, rows [][]any) (arrow.Record, error) {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, row := range rows {
		for c, v := range row {
			if err := AppendValue(b.Field(c), v); err != nil {
				return nil, fmt.Errorf("column %s: %w", schema.Field(c).Name, err)
			}
		}
	}
	return b.NewRecord(), nil
}
