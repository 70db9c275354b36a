// Package render prints rows the way every tide command shows them: a table
// for people (box-drawing borders, NULL for missing values, timestamps as
// "2006-01-02 15:04:05.000" in UTC), JSON lines for programs (one object
// per row, column names as keys, timestamps in RFC 3339, UTC) and CSV.
//
// Rows are first turned into plain Go values (nil, bool, int64, uint64,
// float64, string, time.Time, Date, []byte, and executor's nested values,
// which print as JSON), so that the printers never see
// Arrow and callers without Arrow data (the shell's \d) can print through
// them too.
package render

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tide-sql/tide/executor"
)

// TimeLayout is how timestamps print in tables and CSV.
const TimeLayout = "2006-01-02 15:04:05.000"

// Date is a calendar date (a DATE column): it prints without a time.
type Date struct{ time.Time }

// Value returns row i of arr as a plain Go value (nil for NULL): the
// engine's executor.Value, with dates marked as Date, unsigned integers
// as uint64 and binary data as []byte for the printers.
func Value(arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Uint8:
		return uint64(a.Value(i))
	case *array.Uint16:
		return uint64(a.Value(i))
	case *array.Uint32:
		return uint64(a.Value(i))
	case *array.Uint64:
		return a.Value(i)
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Binary:
		return append([]byte(nil), a.Value(i)...)
	case *array.Date32:
		return Date{a.Value(i).ToTime().UTC()}
	case *array.Date64:
		return Date{a.Value(i).ToTime().UTC()}
	case *array.Duration:
		unit := a.DataType().(*arrow.DurationType).Unit
		return time.Duration(int64(a.Value(i)) * int64(unit.Multiplier()))
	}
	return executor.Value(arr, i)
}

// Row returns row i of rec as plain values.
func Row(rec arrow.RecordBatch, i int) []any {
	out := make([]any, rec.NumCols())
	for c := range out {
		out[c] = Value(rec.Column(c), i)
	}
	return out
}

// Rows returns every row of the records.
func Rows(recs ...arrow.RecordBatch) [][]any {
	var out [][]any
	for _, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			out = append(out, Row(rec, i))
		}
	}
	return out
}

// Text is how v prints in a table or CSV cell; NULL is "NULL".
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return formatFloat(x)
	case time.Time:
		return x.UTC().Format(TimeLayout)
	case Date:
		return x.Format(time.DateOnly)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case time.Duration:
		return x.String()
	case executor.RowValue, executor.MapValue, []any:
		return string(executor.AppendJSON(nil, x))
	}
	return fmt.Sprint(v)
}

// JSONValue is v as a value for encoding/json: timestamps become RFC 3339
// strings in UTC, non-finite floats become strings ("NaN", "+Inf").
func JSONValue(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return formatFloat(x)
		}
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case Date:
		return x.Format(time.DateOnly)
	case time.Duration:
		return x.String()
	case executor.RowValue, executor.MapValue, []any:
		return json.RawMessage(executor.AppendJSON(nil, x))
	}
	return v
}

// IsNumber reports whether columns of type t print right-aligned.
func IsNumber(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256:
		return true
	}
	return false
}

// formatFloat prints the shortest text that reads back as f, without an
// exponent for the numbers people usually look at.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// jsonObject writes {"col":value,...} in column order, with op first when
// op is not "".
func jsonObject(cols []string, vals []any, op string) ([]byte, error) {
	buf := []byte{'{'}
	if op != "" {
		buf = append(buf, `"op":`...)
		buf = strconv.AppendQuote(buf, op)
	}
	for i, c := range cols {
		if i > 0 || op != "" {
			buf = append(buf, ',')
		}
		k, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		buf = append(buf, k...)
		buf = append(buf, ':')
		var v any
		if i < len(vals) {
			v = vals[i]
		}
		b, err := json.Marshal(JSONValue(v))
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c, err)
		}
		buf = append(buf, b...)
	}
	return append(buf, '}'), nil
}

// JSONObject is one row as a JSON object with the column names as keys,
// in column order (encoding/json would sort a map's keys).
func JSONObject(cols []string, vals []any) ([]byte, error) { return jsonObject(cols, vals, "") }
