package kafka

// The Kafka sink's record encoding: each row becomes a JSON object with the
// column names as keys; the key is the key columns' values (one column: its
// text; several: a JSON object of them), or null without key columns.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// sinkEncoder turns rows into records.
type sinkEncoder struct {
	names   [][]byte // `"name":` of each value column, the first with "{"
	cols    []int    // record columns written as values
	key     []int    // record columns of the key
	keyName [][]byte // `"name":` of each key column, the first with "{"
	deleted int      // record column of __deleted, or -1
	nfields int
	types   []arrow.DataType
}

// newSinkEncoder prepares the encoding of spec's rows, keyed by the columns
// named in key (nil: the spec's primary key).
func newSinkEncoder(spec executor.SinkSpec, key []string) (*sinkEncoder, error) {
	e := &sinkEncoder{deleted: -1, nfields: spec.Schema.NumFields()}
	for i, f := range spec.Schema.Fields() {
		e.types = append(e.types, f.Type)
		if f.Name == sinkDeletedColumn {
			if f.Type.ID() != arrow.BOOL {
				return nil, fmt.Errorf("column %s must be BOOLEAN, it is %s", sinkDeletedColumn, f.Type)
			}
			e.deleted = i
			continue
		}
		if err := sinkCheckType(f.Type); err != nil {
			return nil, fmt.Errorf("column %s: %v", f.Name, err)
		}
		e.names = append(e.names, sinkFieldName(len(e.cols) == 0, f.Name))
		e.cols = append(e.cols, i)
	}
	keyCols := spec.PrimaryKey
	if key != nil {
		keyCols = nil
		for _, name := range key {
			k := sinkColumnIndex(spec.Schema, name)
			if k < 0 || k == e.deleted {
				return nil, fmt.Errorf("key column %s is not a column of the output", name)
			}
			keyCols = append(keyCols, k)
		}
	}
	for _, k := range keyCols {
		if k < 0 || k >= e.nfields || k == e.deleted {
			return nil, fmt.Errorf("primary key column index %d is not a column", k)
		}
		e.keyName = append(e.keyName, sinkFieldName(len(e.key) == 0, spec.Schema.Field(k).Name))
		e.key = append(e.key, k)
	}
	if spec.Mode == executor.SinkUpsert && len(e.key) == 0 {
		return nil, fmt.Errorf("upsert needs a primary key")
	}
	return e, nil
}

// sinkColumnIndex is the index of the named field (case-insensitive), or -1.
func sinkColumnIndex(s *arrow.Schema, name string) int {
	for i, f := range s.Fields() {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}

func sinkFieldName(first bool, name string) []byte {
	b := []byte{','}
	if first {
		b[0] = '{'
	}
	return append(sinkAppendString(b, name), ':')
}

// records encodes every row of rec. The keys and values share a few large
// buffers.
func (e *sinkEncoder) records(topic string, rec arrow.Record) ([]*kgo.Record, error) {
	if int(rec.NumCols()) != e.nfields {
		return nil, fmt.Errorf("record has %d columns, the sink was opened with %d", rec.NumCols(), e.nfields)
	}
	for i, f := range rec.Schema().Fields() {
		if !arrow.TypeEqual(f.Type, e.types[i]) {
			return nil, fmt.Errorf("column %d (%s) is %s, the sink was opened with %s", i, f.Name, f.Type, e.types[i])
		}
	}
	n := int(rec.NumRows())
	out := make([]*kgo.Record, n)
	all := make([]kgo.Record, n)
	var del *array.Boolean
	if e.deleted >= 0 {
		del = rec.Column(e.deleted).(*array.Boolean)
	}
	var buf []byte
	cut := func(start int) []byte {
		if start == len(buf) {
			return nil
		}
		return buf[start:len(buf):len(buf)]
	}
	for row := 0; row < n; row++ {
		if cap(buf)-len(buf) < 4096 {
			buf = make([]byte, 0, 256*1024)
		}
		r := &all[row]
		r.Topic = topic
		start := len(buf)
		buf = e.appendKey(buf, rec, row)
		r.Key = cut(start)
		if del != nil && del.IsValid(row) && del.Value(row) {
			if len(e.key) == 0 {
				return nil, fmt.Errorf("row %d is a retraction (%s) but the table has no primary key to key a tombstone", row, sinkDeletedColumn)
			}
			out[row] = r // a tombstone: nil value
			continue
		}
		start = len(buf)
		for i, c := range e.cols {
			buf = append(buf, e.names[i]...)
			buf = sinkAppendJSON(buf, rec.Column(c), row)
		}
		buf = append(buf, '}')
		r.Value = cut(start)
		out[row] = r
	}
	return out, nil
}

// appendKey appends the row's key: nothing without key columns, the text
// of a one-column key (nothing if it is NULL), a JSON object otherwise.
func (e *sinkEncoder) appendKey(b []byte, rec arrow.Record, row int) []byte {
	switch len(e.key) {
	case 0:
		return b
	case 1:
		return sinkAppendText(b, rec.Column(e.key[0]), row)
	}
	for i, k := range e.key {
		b = append(b, e.keyName[i]...)
		b = sinkAppendJSON(b, rec.Column(k), row)
	}
	return append(b, '}')
}

func sinkCheckType(t arrow.DataType) error {
	if catalog.IsNested(t) {
		return sinkCheckNested(t)
	}
	switch t.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32,
		arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.LARGE_STRING, arrow.TIMESTAMP,
		arrow.DATE32, arrow.DATE64, arrow.NULL:
		return nil
	}
	return fmt.Errorf("type %s cannot be written as JSON", t)
}

const sinkTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// sinkAppendText appends row i of arr as key text (nothing for NULL).
func sinkAppendText(b []byte, arr arrow.Array, i int) []byte {
	if arr.IsNull(i) {
		return b
	}
	switch a := arr.(type) {
	case *array.String:
		return append(b, a.Value(i)...)
	case *array.LargeString:
		return append(b, a.Value(i)...)
	case *array.Timestamp, *array.Date32, *array.Date64:
		return sinkAppendTime(b, arr, i)
	}
	return sinkAppendJSON(b, arr, i)
}

// sinkAppendTime appends a timestamp as RFC 3339 with milliseconds in UTC,
// a date as YYYY-MM-DD.
func sinkAppendTime(b []byte, arr arrow.Array, i int) []byte {
	switch a := arr.(type) {
	case *array.Timestamp:
		t := a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit)
		return t.UTC().AppendFormat(b, sinkTimeLayout)
	case *array.Date32:
		return a.Value(i).ToTime().AppendFormat(b, time.DateOnly)
	case *array.Date64:
		return a.Value(i).ToTime().UTC().AppendFormat(b, time.DateOnly)
	}
	return b
}

// sinkAppendJSON appends row i of arr as a JSON value.
func sinkAppendJSON(b []byte, arr arrow.Array, i int) []byte {
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
		return sinkAppendFloat(b, a.Value(i), 64)
	case *array.Float32:
		return sinkAppendFloat(b, float64(a.Value(i)), 32)
	case *array.String:
		return sinkAppendString(b, a.Value(i))
	case *array.LargeString:
		return sinkAppendString(b, a.Value(i))
	case *array.Timestamp, *array.Date32, *array.Date64:
		return append(sinkAppendTime(append(b, '"'), arr, i), '"')
	case *array.Struct, *array.List, *array.Map:
		return executor.AppendJSON(b, executor.Value(arr, i)) // nested JSON
	}
	return sinkAppendString(b, arr.ValueStr(i))
}

// sinkAppendFloat writes f as encoding/json does; NaN and infinities, which
// JSON lacks, become null.
func sinkAppendFloat(b []byte, f float64, bits int) []byte {
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

const sinkHex = "0123456789abcdef"

// sinkAppendString appends s as a JSON string. Invalid UTF-8 becomes
// \ufffd; U+2028 and U+2029 are escaped, as encoding/json does.
func sinkAppendString(b []byte, s string) []byte {
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
				b = append(b, '\\', 'u', '0', '0', sinkHex[c>>4], sinkHex[c&0xf])
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
			b = append(b, '\\', 'u', '2', '0', '2', sinkHex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
