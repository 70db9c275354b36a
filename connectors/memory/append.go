package memory

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// appendValue appends one Go value to a builder of tide's types.
func appendValue(b array.Builder, v any) error {
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
		return fmt.Errorf("unsupported column type %s", b.Type())
	}
	return nil
}
