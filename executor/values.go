package executor

import (
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
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
	return arr.ValueStr(i)
}

// FormatValue prints a Value the way tide shows it to people: NULL, numbers
// in their shortest form, timestamps as 2006-01-02 15:04:05.000 (UTC).
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
	}
	return fmt.Sprint(v)
}
