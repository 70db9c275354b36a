package delta

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Partition values are strings in the log (the protocol's partition value
// serialization) and directory names col=value/ on disk (Hive's escaping).
// A null partition value is a JSON null in the log and
// __HIVE_DEFAULT_PARTITION__ on disk; as in Spark, an empty string is
// stored as null.

const nullPartitionDir = "__HIVE_DEFAULT_PARTITION__"

// partitionTimeFormat is how tide writes timestamp partition values: ISO
// 8601 in UTC, the protocol's recommended form.
const partitionTimeFormat = "2006-01-02T15:04:05.000000Z"

// partitionString serializes row i of arr as a partition value.
func partitionString(arr arrow.Array, i int) *string {
	if arr.IsNull(i) {
		return nil
	}
	var s string
	switch a := arr.(type) {
	case *array.Boolean:
		s = strconv.FormatBool(a.Value(i))
	case *array.Int8, *array.Int16, *array.Int32, *array.Int64:
		s = strconv.FormatInt(valueAt(arr, i).i, 10)
	case *array.Float32:
		s = strconv.FormatFloat(float64(a.Value(i)), 'g', -1, 32)
	case *array.Float64:
		s = strconv.FormatFloat(a.Value(i), 'g', -1, 64)
	case *array.String:
		s = a.Value(i)
	case *array.Date32:
		s = formatDate(int32(a.Value(i)))
	case *array.Timestamp:
		s = time.UnixMicro(int64(a.Value(i))).UTC().Format(partitionTimeFormat)
	default:
		s = arr.ValueStr(i)
	}
	if s == "" {
		return nil
	}
	return &s
}

// constantColumn builds a column of n copies of a partition value.
func constantColumn(t arrow.DataType, v *string, n int, mem memory.Allocator) (arrow.Array, error) {
	b := array.NewBuilder(mem, t)
	defer b.Release()
	b.Reserve(n)
	if v == nil || *v == "" {
		b.AppendNulls(n)
		return b.NewArray(), nil
	}
	s := *v
	var err error
	switch bb := b.(type) {
	case *array.BooleanBuilder:
		var x bool
		if x, err = strconv.ParseBool(s); err == nil {
			for j := 0; j < n; j++ {
				bb.Append(x)
			}
		}
	case *array.Int64Builder:
		var x int64
		if x, err = strconv.ParseInt(s, 10, 64); err == nil {
			for j := 0; j < n; j++ {
				bb.Append(x)
			}
		}
	case *array.Float64Builder:
		var x float64
		if x, err = strconv.ParseFloat(s, 64); err == nil {
			for j := 0; j < n; j++ {
				bb.Append(x)
			}
		}
	case *array.StringBuilder:
		for j := 0; j < n; j++ {
			bb.Append(s)
		}
	case *array.Date32Builder:
		var d time.Time
		if d, err = time.Parse(time.DateOnly, s); err == nil {
			x := arrow.Date32(d.Unix() / 86400)
			for j := 0; j < n; j++ {
				bb.Append(x)
			}
		}
	case *array.TimestampBuilder:
		var ts time.Time
		if ts, err = parseTimestamp(s); err == nil {
			x := arrow.Timestamp(ts.UnixMicro())
			for j := 0; j < n; j++ {
				bb.Append(x)
			}
		}
	default:
		// Other types: let the builder parse the string.
		for j := 0; j < n && err == nil; j++ {
			err = b.AppendValueFromString(s)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("bad partition value %q for type %s: %w", s, t, err)
	}
	return b.NewArray(), nil
}

// partitionDir is the relative directory of a partition: col=value/...
func partitionDir(cols []string, vals map[string]*string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		v := nullPartitionDir
		if p := vals[c]; p != nil && *p != "" {
			v = hiveEscape(*p)
		}
		parts[i] = hiveEscape(c) + "=" + v
	}
	return strings.Join(parts, "/")
}

// hiveEscape percent-encodes the characters Hive escapes in a partition
// directory name.
func hiveEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte("\"#%'*/:=?\\{[]^", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// partitionKey is a map key for a set of partition values.
func partitionKey(cols []string, vals map[string]*string) string {
	var b strings.Builder
	for _, c := range cols {
		if p := vals[c]; p != nil {
			b.WriteByte(1)
			b.WriteString(strconv.Quote(*p))
		} else {
			b.WriteByte(0)
		}
	}
	return b.String()
}

// logPath encodes a relative file path as the URI the log holds.
func logPath(rel string) string {
	return (&url.URL{Path: rel}).EscapedPath()
}

// filePath decodes a log path to a relative file path.
func filePath(p string) (string, error) {
	s, err := url.PathUnescape(p)
	if err != nil {
		return "", fmt.Errorf("bad file path %q in the log: %w", p, err)
	}
	return s, nil
}
