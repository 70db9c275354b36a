package jsonfmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var tsUTC = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// testSchema has one column of every tide type.
var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "qty", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "ts", Type: tsUTC, Nullable: true},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
}, nil)

// us is the microseconds since the epoch of an RFC 3339 timestamp.
func us(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMicro()
}

// days is the days since the epoch of a YYYY-MM-DD date.
func days(s string) int32 {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return int32(t.Unix() / 86400)
}

// recordRows converts a record to rows of Go values keyed by column name;
// NULLs are left out of the maps.
func recordRows(t *testing.T, rec arrow.Record) []map[string]any {
	t.Helper()
	rows := make([]map[string]any, rec.NumRows())
	for r := range rows {
		rows[r] = map[string]any{}
	}
	for c, col := range rec.Columns() {
		if int64(col.Len()) != rec.NumRows() {
			t.Fatalf("column %d has %d values, record has %d rows", c, col.Len(), rec.NumRows())
		}
		name := rec.ColumnName(c)
		for r := 0; r < col.Len(); r++ {
			if col.IsNull(r) {
				continue
			}
			var v any
			switch a := col.(type) {
			case *array.String:
				v = a.Value(r)
			case *array.Int64:
				v = a.Value(r)
			case *array.Float64:
				v = a.Value(r)
			case *array.Boolean:
				v = a.Value(r)
			case *array.Timestamp:
				v = int64(a.Value(r))
			case *array.Date32:
				v = int32(a.Value(r))
			default:
				t.Fatalf("unexpected array type %T", col)
			}
			rows[r][name] = v
		}
	}
	return rows
}

// decodeAll appends every message and returns the resulting rows and the
// error of each message (nil when it was appended).
func decodeAll(t *testing.T, schema *arrow.Schema, msgs ...string) ([]map[string]any, []error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := NewDecoder(schema, mem)
	defer d.Release()
	errs := make([]error, len(msgs))
	appended := 0
	for i, m := range msgs {
		errs[i] = d.Append([]byte(m))
		if errs[i] == nil {
			appended++
		}
		if d.Len() != appended {
			t.Fatalf("after message %d: Len() = %d, want %d", i, d.Len(), appended)
		}
		for c := range d.cols {
			if n := d.cols[c].builder.Len(); n != appended {
				t.Fatalf("after message %d: column %q has %d values, want %d", i, d.cols[c].name, n, appended)
			}
		}
	}
	rec := d.NewRecord()
	defer rec.Release()
	if d.Len() != 0 {
		t.Fatalf("Len() after NewRecord = %d", d.Len())
	}
	return recordRows(t, rec), errs
}

type row = map[string]any

type rowCase struct {
	name   string
	schema *arrow.Schema // nil: testSchema
	msg    string
	want   row    // expected row (NULL columns absent) when err is empty
	err    string // exact expected error message
}

func runRowCases(t *testing.T, cases []rowCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			schema := tc.schema
			if schema == nil {
				schema = testSchema
			}
			rows, errs := decodeAll(t, schema, tc.msg)
			if tc.err != "" {
				if errs[0] == nil {
					t.Fatalf("Append(%s) succeeded with %v, want error %q", tc.msg, rows, tc.err)
				}
				var de *DecodeError
				if !errors.As(errs[0], &de) {
					t.Fatalf("error %v is a %T, want *DecodeError", errs[0], errs[0])
				}
				if got := errs[0].Error(); got != tc.err {
					t.Fatalf("Append(%s) error\n got %q\nwant %q", tc.msg, got, tc.err)
				}
				if len(rows) != 0 {
					t.Fatalf("failed Append left %d rows", len(rows))
				}
				return
			}
			if errs[0] != nil {
				t.Fatalf("Append(%s): %v", tc.msg, errs[0])
			}
			if len(rows) != 1 {
				t.Fatalf("got %d rows, want 1", len(rows))
			}
			if !reflect.DeepEqual(rows[0], tc.want) {
				t.Fatalf("Append(%s)\n got %#v\nwant %#v", tc.msg, rows[0], tc.want)
			}
		})
	}
}

func TestObjects(t *testing.T) {
	caseSchema := arrow.NewSchema([]arrow.Field{
		{Name: "Name", Type: arrow.BinaryTypes.String},
		{Name: "qty", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	runRowCases(t, []rowCase{
		{name: "every type decodes from its natural JSON form",
			msg: `{"name":"Headphones","qty":3,"amount":123.45,"ok":true,"ts":"2024-01-15T10:30:00.123Z","day":"2024-01-15"}`,
			want: row{"name": "Headphones", "qty": int64(3), "amount": 123.45, "ok": true,
				"ts": us("2024-01-15T10:30:00.123Z"), "day": days("2024-01-15")}},
		{name: "fields in any order map to their columns",
			msg:  `{"day":"2024-01-15","ok":false,"amount":1.5,"qty":-7,"name":"x"}`,
			want: row{"name": "x", "qty": int64(-7), "amount": 1.5, "ok": false, "day": days("2024-01-15")}},
		{name: "missing field is null",
			msg:  `{"name":"only"}`,
			want: row{"name": "only"}},
		{name: "JSON null is null for every type",
			msg:  `{"name":null,"qty":null,"amount":null,"ok":null,"ts":null,"day":null}`,
			want: row{}},
		{name: "empty object is a row of nulls",
			msg:  `{}`,
			want: row{}},
		{name: "whitespace around every token is allowed",
			msg:  " \t\r\n{ \"name\" : \"a\" ,\n\t\"qty\"\n:\n1 } \n",
			want: row{"name": "a", "qty": int64(1)}},
		{name: "unknown scalar fields are skipped",
			msg:  `{"extra":1,"name":"a","more":"x","flag":true,"nothing":null,"neg":-1.5e3}`,
			want: row{"name": "a"}},
		{name: "unknown nested object with braces and quotes in strings is skipped",
			msg:  `{"meta":{"a":"}{","b":{"c":["]",{"d":"\"}"}]},"e":"\\"},"name":"after"}`,
			want: row{"name": "after"}},
		{name: "unknown nested array of arrays is skipped",
			msg:  `{"tags":[[1,2],[],[{"x":[]}],"[[",true,null],"qty":5}`,
			want: row{"qty": int64(5)}},
		{name: "unknown field with unicode escapes is skipped",
			msg:  `{"note":"\u007d\ud83d\ude00\\","qty":6}`,
			want: row{"qty": int64(6)}},
		{name: "field names fall back to case-insensitive match",
			msg:  `{"NAME":"upper","Qty":2,"AMOUNT":2.5}`,
			want: row{"name": "upper", "qty": int64(2), "amount": 2.5}},
		{name: "exact field name wins over a case-insensitive one before it",
			msg:  `{"NAME":"folded","name":"exact"}`,
			want: row{"name": "exact"}},
		{name: "exact field name wins over a case-insensitive one after it",
			msg:  `{"name":"exact","NAME":"folded"}`,
			want: row{"name": "exact"}},
		{name: "schema column names with capitals match lower-case keys",
			schema: caseSchema,
			msg:    `{"name":"n","QTY":4}`,
			want:   row{"Name": "n", "qty": int64(4)}},
		{name: "duplicate field keeps the last value",
			msg:  `{"qty":1,"name":"first","qty":2,"name":"second"}`,
			want: row{"qty": int64(2), "name": "second"}},
		{name: "duplicate field with a later null is null",
			msg:  `{"qty":1,"qty":null}`,
			want: row{}},
		{name: "keys with escapes are unescaped before matching",
			msg:  `{"n\u0061me":"escaped key","q\u0074y":9}`,
			want: row{"name": "escaped key", "qty": int64(9)}},
		{name: "keys differing only by an escape-looking suffix are unknown",
			msg:  `{"name\n":"x"}`,
			want: row{}},
	})
}

func TestStrings(t *testing.T) {
	runRowCases(t, []rowCase{
		{name: "simple escapes are unescaped",
			msg:  `{"name":"a\"b\\c\/d\ne\tf\rg\bh\fi"}`,
			want: row{"name": "a\"b\\c/d\ne\tf\rg\bh\fi"}},
		{name: "unicode escapes decode to UTF-8",
			msg:  `{"name":"caf\u00e9 \u20AC \u0041"}`,
			want: row{"name": "café € A"}},
		{name: "surrogate pairs decode to one rune",
			msg:  `{"name":"\ud83d\ude00!"}`,
			want: row{"name": "😀!"}},
		{name: "a lone high surrogate becomes the replacement character",
			msg:  `{"name":"\ud83dx"}`,
			want: row{"name": "\uFFFDx"}},
		{name: "a high surrogate followed by a non-low escape keeps the second escape",
			msg:  `{"name":"\ud83d\u0041"}`,
			want: row{"name": "\uFFFDA"}},
		{name: "a lone low surrogate becomes the replacement character",
			msg:  `{"name":"\ude00"}`,
			want: row{"name": "\uFFFD"}},
		{name: "raw UTF-8 passes through",
			msg:  `{"name":"日本語 ✓ ünïcödé"}`,
			want: row{"name": "日本語 ✓ ünïcödé"}},
		{name: "long strings cross the eight-byte fast path",
			msg:  `{"name":"0123456789abcdefghijklmnopqrstuvwxyz\"0123456789é0123456789"}`,
			want: row{"name": "0123456789abcdefghijklmnopqrstuvwxyz\"0123456789é0123456789"}},
		{name: "empty string is not null",
			msg:  `{"name":""}`,
			want: row{"name": ""}},
		{name: "a number stored in a string column keeps its raw text",
			msg:  `{"name":-12.50e+3}`,
			want: row{"name": "-12.50e+3"}},
		{name: "a boolean stored in a string column keeps its raw text",
			msg:  `{"name":false}`,
			want: row{"name": "false"}},
		{name: "an object stored in a string column keeps its raw text",
			msg:  `{"name":{"a": [1, "}"]} , "qty":1}`,
			want: row{"name": `{"a": [1, "}"]}`, "qty": int64(1)}},
		{name: "an array stored in a string column keeps its raw text",
			msg:  `{"name":[1,"two",null]}`,
			want: row{"name": `[1,"two",null]`}},
		{name: "a control character in a string is an error",
			msg: "{\"name\":\"a\nb\"}",
			err: `invalid JSON at byte 10: control character 0x0a in string`},
		{name: "an invalid escape is an error",
			msg: `{"name":"a\qb"}`,
			err: `invalid JSON at byte 11: invalid escape \q`},
		{name: "a short unicode escape is an error",
			msg: `{"name":"\u12"}`,
			err: `invalid JSON at byte 13: invalid \u escape: unexpected '"'`},
		{name: "invalid UTF-8 in a string column is an error",
			msg: "{\"name\":\"a\xffb\"}",
			err: `field "name": invalid UTF-8 in string`},
		{name: "invalid UTF-8 in a skipped field is ignored",
			msg:  "{\"other\":\"a\xffb\",\"qty\":1}",
			want: row{"qty": int64(1)}},
		{name: "an unterminated string is an error",
			msg: `{"name":"abc`,
			err: `invalid JSON at byte 12: unexpected end of input`},
	})
}

func TestNumbers(t *testing.T) {
	runRowCases(t, []rowCase{
		{name: "integer column accepts a JSON integer",
			msg:  `{"qty":1234567}`,
			want: row{"qty": int64(1234567)}},
		{name: "integer column accepts the largest int64",
			msg:  `{"qty":9223372036854775807}`,
			want: row{"qty": int64(math.MaxInt64)}},
		{name: "integer column accepts the smallest int64",
			msg:  `{"qty":-9223372036854775808}`,
			want: row{"qty": int64(math.MinInt64)}},
		{name: "integer column accepts a quoted integer",
			msg:  `{"qty":"42"}`,
			want: row{"qty": int64(42)}},
		{name: "integer column accepts a quoted negative integer",
			msg:  `{"qty":"-42"}`,
			want: row{"qty": int64(-42)}},
		{name: "integer overflow is an error",
			msg: `{"qty":9223372036854775808}`,
			err: `field "qty": integer out of range: number 9223372036854775808`},
		{name: "a long integer overflow is an error",
			msg: `{"qty":-123456789012345678901234567890}`,
			err: `field "qty": integer out of range: number -123456789012345678901234567890`},
		{name: "integer column rejects a fraction",
			msg: `{"qty":1.5}`,
			err: `field "qty": expected an integer, got number 1.5`},
		{name: "integer column rejects a fraction of zero",
			msg: `{"qty":2.0}`,
			err: `field "qty": expected an integer, got number 2.0`},
		{name: "integer column rejects an exponent",
			msg: `{"qty":1e3}`,
			err: `field "qty": expected an integer, got number 1e3`},
		{name: "integer column rejects a quoted fraction",
			msg: `{"qty":"1.5"}`,
			err: `field "qty": expected an integer, got string "1.5"`},
		{name: "integer column rejects a non-numeric string",
			msg: `{"qty":"12abc"}`,
			err: `field "qty": expected an integer, got string "12abc"`},
		{name: "integer column rejects a string with spaces",
			msg: `{"qty":" 12"}`,
			err: `field "qty": expected an integer, got string " 12"`},
		{name: "integer column rejects a boolean",
			msg: `{"qty":true}`,
			err: `field "qty": expected an integer, got true`},
		{name: "integer column rejects an object",
			msg: `{"qty":{"v":1}}`,
			err: `field "qty": expected an integer, got object`},
		{name: "float column accepts a decimal",
			msg:  `{"amount":123.45}`,
			want: row{"amount": 123.45}},
		{name: "float column accepts an integer",
			msg:  `{"amount":7}`,
			want: row{"amount": 7.0}},
		{name: "float column accepts exponents",
			msg:  `{"amount":-1.25E-3}`,
			want: row{"amount": -0.00125}},
		{name: "float column accepts numbers beyond the fast path",
			msg:  `{"amount":1.7976931348623157e308}`,
			want: row{"amount": math.MaxFloat64}},
		{name: "float column rounds long mantissas correctly",
			msg:  `{"amount":0.1000000000000000055511151231257827}`,
			want: row{"amount": 0.1}},
		{name: "float column keeps tiny numbers",
			msg:  `{"amount":5e-324}`,
			want: row{"amount": 5e-324}},
		{name: "float column accepts leading zeros in the fraction",
			msg:  `{"amount":0.000000000000000000000000123}`,
			want: row{"amount": 1.23e-25}},
		{name: "float column accepts a numeric string",
			msg:  `{"amount":"99.5"}`,
			want: row{"amount": 99.5}},
		{name: "float column accepts quoted infinity",
			msg:  `{"amount":"-Infinity"}`,
			want: row{"amount": math.Inf(-1)}},
		{name: "float column rejects a non-numeric string",
			msg: `{"amount":"abc"}`,
			err: `field "amount": expected a number, got string "abc"`},
		{name: "float column rejects an array",
			msg: `{"amount":[1]}`,
			err: `field "amount": expected a number, got array`},
		{name: "float overflow is an error",
			msg: `{"amount":1e400}`,
			err: `field "amount": number out of range: 1e400`},
		{name: "error messages shorten long values",
			msg: `{"amount":"` + strings.Repeat("x", 100) + `"}`,
			err: `field "amount": expected a number, got string "` + strings.Repeat("x", 40) + `"...`},
		{name: "a leading zero is invalid JSON",
			msg: `{"qty":012}`,
			err: `invalid JSON at byte 8: unexpected '1'`},
		{name: "a lone minus is invalid JSON",
			msg: `{"qty":-}`,
			err: `invalid JSON at byte 8: unexpected '}'`},
		{name: "a fraction without digits is invalid JSON",
			msg: `{"amount":1.}`,
			err: `invalid JSON at byte 12: unexpected '}'`},
		{name: "a plus sign is invalid JSON",
			msg: `{"amount":+1}`,
			err: `invalid JSON at byte 10: unexpected '+'`},
	})

	t.Run("negative zero keeps its sign", func(t *testing.T) {
		rows, errs := decodeAll(t, testSchema, `{"amount":-0.0}`)
		if errs[0] != nil {
			t.Fatal(errs[0])
		}
		if f := rows[0]["amount"].(float64); f != 0 || !math.Signbit(f) {
			t.Fatalf("got %v, want -0", f)
		}
	})
	t.Run("quoted NaN is NaN", func(t *testing.T) {
		rows, errs := decodeAll(t, testSchema, `{"amount":"NaN"}`)
		if errs[0] != nil {
			t.Fatal(errs[0])
		}
		if f := rows[0]["amount"].(float64); !math.IsNaN(f) {
			t.Fatalf("got %v, want NaN", f)
		}
	})
}

func TestBooleans(t *testing.T) {
	runRowCases(t, []rowCase{
		{name: "boolean column accepts true", msg: `{"ok":true}`, want: row{"ok": true}},
		{name: "boolean column accepts false", msg: `{"ok":false}`, want: row{"ok": false}},
		{name: "boolean column accepts quoted true", msg: `{"ok":"true"}`, want: row{"ok": true}},
		{name: "boolean column accepts quoted FALSE in any case", msg: `{"ok":"FALSE"}`, want: row{"ok": false}},
		{name: "boolean column rejects numbers",
			msg: `{"ok":1}`,
			err: `field "ok": expected a boolean, got number 1`},
		{name: "boolean column rejects other strings",
			msg: `{"ok":"yes"}`,
			err: `field "ok": expected a boolean, got string "yes"`},
		{name: "a misspelt literal is invalid JSON",
			msg: `{"ok":tru}`,
			err: `invalid JSON at byte 9: unexpected '}'`},
	})
}

func TestTimestamps(t *testing.T) {
	runRowCases(t, []rowCase{
		{name: "timestamp with Z",
			msg:  `{"ts":"2024-01-15T10:30:00Z"}`,
			want: row{"ts": us("2024-01-15T10:30:00Z")}},
		{name: "timestamp with milliseconds and Z",
			msg:  `{"ts":"2024-01-15T10:30:00.123Z"}`,
			want: row{"ts": us("2024-01-15T10:30:00.123Z")}},
		{name: "timestamp with microseconds and no zone is UTC",
			msg:  `{"ts":"2024-01-15T10:30:00.123456"}`,
			want: row{"ts": us("2024-01-15T10:30:00.123456Z")}},
		{name: "timestamp with a space separator and no zone is UTC",
			msg:  `{"ts":"2024-01-15 10:30:00"}`,
			want: row{"ts": us("2024-01-15T10:30:00Z")}},
		{name: "timestamp with a positive offset is converted to UTC",
			msg:  `{"ts":"2024-01-15T10:30:00+02:00"}`,
			want: row{"ts": us("2024-01-15T08:30:00Z")}},
		{name: "timestamp with a negative half-hour offset is converted to UTC",
			msg:  `{"ts":"2024-01-15T22:00:00.5-05:30"}`,
			want: row{"ts": us("2024-01-16T03:30:00.5Z")}},
		{name: "timestamp offset without a colon",
			msg:  `{"ts":"2024-01-15T10:30:00+0530"}`,
			want: row{"ts": us("2024-01-15T05:00:00Z")}},
		{name: "timestamp offset crossing midnight and a year",
			msg:  `{"ts":"2024-01-01T01:00:00+02:00"}`,
			want: row{"ts": us("2023-12-31T23:00:00Z")}},
		{name: "timestamp with nanoseconds is truncated to microseconds",
			msg:  `{"ts":"2024-01-15T10:30:00.123456789Z"}`,
			want: row{"ts": us("2024-01-15T10:30:00.123456Z")}},
		{name: "timestamp without seconds",
			msg:  `{"ts":"2024-01-15T10:30Z"}`,
			want: row{"ts": us("2024-01-15T10:30:00Z")}},
		{name: "a date alone is midnight UTC",
			msg:  `{"ts":"2024-02-29"}`,
			want: row{"ts": us("2024-02-29T00:00:00Z")}},
		{name: "timestamp before the epoch",
			msg:  `{"ts":"1969-12-31T23:59:59.999999Z"}`,
			want: row{"ts": int64(-1)}},
		{name: "a number is epoch milliseconds",
			msg:  `{"ts":1705314600123}`,
			want: row{"ts": us("2024-01-15T10:30:00.123Z")}},
		{name: "a negative number is epoch milliseconds before 1970",
			msg:  `{"ts":-1500}`,
			want: row{"ts": int64(-1500000)}},
		{name: "a fractional number is epoch milliseconds with microseconds",
			msg:  `{"ts":1705314600123.456}`,
			want: row{"ts": us("2024-01-15T10:30:00.123456Z")}},
		{name: "a quoted number is epoch milliseconds",
			msg:  `{"ts":"1705314600123"}`,
			want: row{"ts": us("2024-01-15T10:30:00.123Z")}},
		{name: "timestamp with month 13 is an error",
			msg: `{"ts":"2024-13-15T10:30:00Z"}`,
			err: `field "ts": invalid timestamp "2024-13-15T10:30:00Z": month out of range`},
		{name: "timestamp on February 30 is an error",
			msg: `{"ts":"2023-02-29T10:30:00Z"}`,
			err: `field "ts": invalid timestamp "2023-02-29T10:30:00Z": day out of range`},
		{name: "timestamp at hour 24 is an error",
			msg: `{"ts":"2024-01-15T24:00:00Z"}`,
			err: `field "ts": invalid timestamp "2024-01-15T24:00:00Z": hour out of range`},
		{name: "timestamp with a bad offset is an error",
			msg: `{"ts":"2024-01-15T10:30:00+2"}`,
			err: `field "ts": invalid timestamp "2024-01-15T10:30:00+2": bad zone offset`},
		{name: "timestamp with trailing text is an error",
			msg: `{"ts":"2024-01-15T10:30:00Z tomorrow"}`,
			err: `field "ts": invalid timestamp "2024-01-15T10:30:00Z tomorrow": want YYYY-MM-DD[Thh:mm[:ss[.fraction]]][Z|±hh:mm]`},
		{name: "a free-text timestamp is an error",
			msg: `{"ts":"yesterday"}`,
			err: `field "ts": invalid timestamp "yesterday": want YYYY-MM-DD[Thh:mm[:ss[.fraction]]][Z|±hh:mm]`},
		{name: "a boolean timestamp is an error",
			msg: `{"ts":true}`,
			err: `field "ts": expected a timestamp (RFC 3339 string or epoch milliseconds), got true`},
		{name: "an epoch beyond the range of microseconds is an error",
			msg: `{"ts":9223372036854775807}`,
			err: `field "ts": timestamp out of range: number 9223372036854775807`},
	})

	t.Run("timestamp columns in other units are scaled", func(t *testing.T) {
		schema := arrow.NewSchema([]arrow.Field{
			{Name: "s", Type: arrow.FixedWidthTypes.Timestamp_s},
			{Name: "ms", Type: arrow.FixedWidthTypes.Timestamp_ms},
			{Name: "ns", Type: arrow.FixedWidthTypes.Timestamp_ns},
		}, nil)
		const v = `"2024-01-15T10:30:00.123456789+01:00"`
		rows, errs := decodeAll(t, schema, `{"s":`+v+`,"ms":`+v+`,"ns":`+v+`}`)
		if errs[0] != nil {
			t.Fatal(errs[0])
		}
		tm := time.Date(2024, 1, 15, 9, 30, 0, 123456789, time.UTC)
		want := row{"s": tm.Unix(), "ms": tm.UnixMilli(), "ns": tm.UnixNano()}
		if !reflect.DeepEqual(rows[0], want) {
			t.Fatalf("got %v, want %v", rows[0], want)
		}
	})
}

func TestDates(t *testing.T) {
	runRowCases(t, []rowCase{
		{name: "date column accepts YYYY-MM-DD",
			msg:  `{"day":"2024-01-15"}`,
			want: row{"day": days("2024-01-15")}},
		{name: "date column accepts a leap day",
			msg:  `{"day":"2000-02-29"}`,
			want: row{"day": days("2000-02-29")}},
		{name: "date column accepts dates before the epoch",
			msg:  `{"day":"1900-03-01"}`,
			want: row{"day": days("1900-03-01")}},
		{name: "date column accepts integer days",
			msg:  `{"day":19737}`,
			want: row{"day": int32(19737)}},
		{name: "date column accepts negative integer days",
			msg:  `{"day":-1}`,
			want: row{"day": int32(-1)}},
		{name: "date column accepts quoted integer days",
			msg:  `{"day":"19737"}`,
			want: row{"day": int32(19737)}},
		{name: "date column takes the UTC date of a timestamp",
			msg:  `{"day":"2024-01-15T23:30:00-02:00"}`,
			want: row{"day": days("2024-01-16")}},
		{name: "date column rejects February 29 of a common year",
			msg: `{"day":"1900-02-29"}`,
			err: `field "day": invalid date "1900-02-29": day out of range`},
		{name: "date column rejects a fraction",
			msg: `{"day":1.5}`,
			err: `field "day": expected a date (YYYY-MM-DD string or days since 1970-01-01), got number 1.5`},
		{name: "date column rejects days beyond int32",
			msg: `{"day":2147483648}`,
			err: `field "day": date out of range: number 2147483648`},
		{name: "date column rejects a slash-separated date",
			msg: `{"day":"2024/01/15"}`,
			err: `field "day": invalid date "2024/01/15": want YYYY-MM-DD[Thh:mm[:ss[.fraction]]][Z|±hh:mm]`},
	})
}

func TestMessageErrors(t *testing.T) {
	runRowCases(t, []rowCase{
		{name: "an empty message is an error", msg: ``, err: `empty message`},
		{name: "a whitespace-only message is an error", msg: " \n\t", err: `empty message`},
		{name: "a top-level array is an error", msg: `[{"name":"a"}]`, err: `expected a JSON object, got array`},
		{name: "a top-level string is an error", msg: `"name"`, err: `expected a JSON object, got string`},
		{name: "a top-level number is an error", msg: `42`, err: `expected a JSON object, got number`},
		{name: "a top-level null is an error", msg: `null`, err: `expected a JSON object, got null`},
		{name: "a non-JSON message is an error", msg: `hello`, err: `invalid JSON at byte 0: unexpected 'h'`},
		{name: "a misspelt top-level literal is an error", msg: `nul`, err: `invalid JSON at byte 3: unexpected end of input`},
		{name: "a key without a value is an error",
			msg: `{"name":"a","qty"}`,
			err: `invalid JSON at byte 17: unexpected '}'`},
		{name: "trailing garbage after the object is an error",
			msg: `{"name":"a"} x`,
			err: `invalid JSON at byte 13: unexpected 'x' after the top-level object`},
		{name: "a second object in the message is an error",
			msg: `{"name":"a"}{"name":"b"}`,
			err: `invalid JSON at byte 12: unexpected '{' after the top-level object`},
		{name: "an unterminated object is an error",
			msg: `{"name":"a"`,
			err: `invalid JSON at byte 11: unexpected end of input`},
		{name: "a trailing comma is an error",
			msg: `{"name":"a",}`,
			err: `invalid JSON at byte 12: unexpected '}'`},
		{name: "an unquoted key is an error",
			msg: `{name:"a"}`,
			err: `invalid JSON at byte 1: unexpected 'n'`},
		{name: "a single-quoted string is an error",
			msg: `{"name":'a'}`,
			err: `invalid JSON at byte 8: unexpected '\''`},
		{name: "a mismatched bracket in a skipped value is an error",
			msg: `{"x":[1,2},"name":"a"}`,
			err: `invalid JSON at byte 9: unexpected '}'`},
		{name: "a missing comma between fields is an error",
			msg: `{"name":"a" "qty":1}`,
			err: `invalid JSON at byte 12: unexpected '"'`},
		{name: "a control byte is described by its code",
			msg: "{\x01}",
			err: `invalid JSON at byte 1: unexpected byte 0x01`},
		{name: "deep nesting in a skipped value is an error",
			msg: `{"x":` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + `}`,
			err: fmt.Sprintf(`invalid JSON at byte %d: nesting too deep`, 5+maxDepth-1)},
	})

	t.Run("a field error without a field prints only the message", func(t *testing.T) {
		if got := (&DecodeError{Msg: "empty message"}).Error(); got != "empty message" {
			t.Fatalf("got %q", got)
		}
		if got := (&DecodeError{Field: "a", Msg: "bad"}).Error(); got != `field "a": bad` {
			t.Fatalf("got %q", got)
		}
	})
}

func TestRollback(t *testing.T) {
	t.Run("a bad row in the middle does not shift columns", func(t *testing.T) {
		rows, errs := decodeAll(t, testSchema,
			`{"name":"first","qty":1,"amount":1.5,"ok":true,"ts":"2024-01-15T10:30:00Z","day":"2024-01-15"}`,
			// Every field before amount is fine and would have been appended
			// by a decoder that writes as it goes.
			`{"name":"bad","qty":2,"amount":"abc","ok":false,"ts":"2024-01-15T10:30:00Z","day":"2024-01-15"}`,
			`{"name":"bad syntax","qty":3,"amount":3`,
			`{"ts":"2024-01-15T10:30:00Z","name":"bad ts last","qty":4,"day":"2024-02-30"}`,
			`{"name":"second","qty":5,"ok":false}`,
		)
		if errs[0] != nil || errs[4] != nil {
			t.Fatalf("good rows failed: %v, %v", errs[0], errs[4])
		}
		for i := 1; i <= 3; i++ {
			if errs[i] == nil {
				t.Fatalf("bad row %d was accepted", i)
			}
		}
		want := []map[string]any{
			{"name": "first", "qty": int64(1), "amount": 1.5, "ok": true, "ts": us("2024-01-15T10:30:00Z"), "day": days("2024-01-15")},
			{"name": "second", "qty": int64(5), "ok": false},
		}
		if !reflect.DeepEqual(rows, want) {
			t.Fatalf("got %v\nwant %v", rows, want)
		}
	})

	t.Run("NewRecord resets the builders and later batches decode correctly", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		d := NewDecoder(testSchema, mem)
		defer d.Release()
		for batch := 0; batch < 3; batch++ {
			n := 100 + batch*50
			for i := 0; i < n; i++ {
				msg := fmt.Sprintf(`{"name":"n%d-%d","qty":%d,"amount":%d.25}`, batch, i, i, i)
				if err := d.Append([]byte(msg)); err != nil {
					t.Fatal(err)
				}
			}
			if d.Len() != n {
				t.Fatalf("Len() = %d, want %d", d.Len(), n)
			}
			rec := d.NewRecord()
			rows := recordRows(t, rec)
			rec.Release()
			if len(rows) != n {
				t.Fatalf("batch %d: %d rows, want %d", batch, len(rows), n)
			}
			for i, r := range rows {
				want := row{"name": fmt.Sprintf("n%d-%d", batch, i), "qty": int64(i), "amount": float64(i) + 0.25}
				if !reflect.DeepEqual(r, want) {
					t.Fatalf("batch %d row %d: got %v, want %v", batch, i, r, want)
				}
			}
		}
	})

	t.Run("NewRecord with no rows is an empty record", func(t *testing.T) {
		rows, _ := decodeAll(t, testSchema)
		if len(rows) != 0 {
			t.Fatalf("got %d rows", len(rows))
		}
	})
}

func TestSchema(t *testing.T) {
	t.Run("unsupported column types are reported by CheckSchema", func(t *testing.T) {
		s := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int32}}, nil)
		err := CheckSchema(s)
		if err == nil || !strings.Contains(err.Error(), `column "x": unsupported type int32`) {
			t.Fatalf("CheckSchema = %v", err)
		}
		defer func() {
			if recover() == nil {
				t.Fatal("NewDecoder did not panic")
			}
		}()
		NewDecoder(s, memory.NewGoAllocator())
	})
	t.Run("every tide type is supported", func(t *testing.T) {
		if err := CheckSchema(testSchema); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("non-ASCII column names match case-insensitively", func(t *testing.T) {
		s := arrow.NewSchema([]arrow.Field{
			{Name: "Größe", Type: arrow.PrimitiveTypes.Int64},
			{Name: "ÉTAT", Type: arrow.BinaryTypes.String},
		}, nil)
		rows, errs := decodeAll(t, s, `{"größe":3,"état":"ok"}`)
		if errs[0] != nil {
			t.Fatal(errs[0])
		}
		want := row{"Größe": int64(3), "ÉTAT": "ok"}
		if !reflect.DeepEqual(rows[0], want) {
			t.Fatalf("got %v, want %v", rows[0], want)
		}
	})
}

func TestAllocations(t *testing.T) {
	msgs := [][]byte{
		[]byte(`{"name":"Headphones","qty":3,"amount":123.45,"ok":true,"ts":"2024-01-15T10:30:00.123Z","day":"2024-01-15"}`),
		[]byte(`{"NAME":"esc\"aped \u00e9","extra":{"a":[1,2,{"b":"}"}]},"qty":"7","ts":1705314600123}`),
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := NewDecoder(testSchema, mem)
	defer d.Release()
	for i := 0; i < 1000; i++ {
		if err := d.Append(msgs[i%2]); err != nil {
			t.Fatal(err)
		}
	}
	d.NewRecord().Release() // reserves room for another 1000 rows
	for i, m := range msgs {
		m := m
		allocs := testing.AllocsPerRun(200, func() {
			if err := d.Append(m); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("message %d: %v allocations per Append, want 0", i, allocs)
		}
	}
}

// FuzzDecoder checks that Append never panics, keeps the builders aligned,
// accepts only valid JSON, and, for a schema of string columns, agrees with
// encoding/json on every valid object.
func FuzzDecoder(f *testing.F) {
	seeds := []string{
		`{"name":"Headphones","qty":3,"amount":123.45,"ok":true,"ts":"2024-01-15T10:30:00.123Z","day":"2024-01-15"}`,
		`{"name":"a\"b\\c\u00e9\ud83d\ude00","qty":"42","amount":"1e3","ok":"false","ts":1705314600123,"day":19737}`,
		`{"x":{"y":[1,{"z":"}]"}]},"NAME":null,"Qty":-0,"ts":"2024-01-15 10:30:00+02:00"}`,
		`{"name":{"nested":true},"amount":[1,2],"ts":"2024-13-01"}`,
		`{"qty":1.5}`, `[]`, `{}`, ``, `{"a":1}x`, `{"a":"\u12"}`, `{"name":"a","name":"b"}`,
		`{"amount":0.1000000000000000055511151231257827,"qty":-9223372036854775808}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	strSchema := arrow.NewSchema([]arrow.Field{
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "qty", Type: arrow.BinaryTypes.String},
		{Name: "x", Type: arrow.BinaryTypes.String},
		{Name: "a", Type: arrow.BinaryTypes.String},
	}, nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)

		typed := NewDecoder(testSchema, mem)
		defer typed.Release()
		for rep := 0; rep < 2; rep++ {
			err := typed.Append(data)
			if err != nil {
				var de *DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("error %v is a %T", err, err)
				}
			} else if !json.Valid(data) {
				t.Fatalf("accepted invalid JSON %q", data)
			}
			for c := range typed.cols {
				if n := typed.cols[c].builder.Len(); n != typed.Len() {
					t.Fatalf("column %q has %d values, decoder has %d rows", typed.cols[c].name, n, typed.Len())
				}
			}
		}
		rec := typed.NewRecord()
		recordRows(t, rec)
		rec.Release()

		strs := NewDecoder(strSchema, mem)
		defer strs.Release()
		err := strs.Append(data)
		want, ok := stdlibStrings(data, strSchema)
		if !ok {
			if err == nil && !json.Valid(data) {
				t.Fatalf("accepted invalid JSON %q", data)
			}
			return
		}
		if err != nil {
			t.Fatalf("rejected valid object %q: %v", data, err)
		}
		rec = strs.NewRecord()
		defer rec.Release()
		got := recordRows(t, rec)
		if !reflect.DeepEqual(got[0], want) {
			t.Fatalf("decoding %q\n got %#v\nwant %#v", data, got[0], want)
		}
	})
}

// stdlibStrings decodes data with encoding/json the way a Decoder with an
// all-string schema should: ok is false when data is not a valid, UTF-8
// JSON object.
func stdlibStrings(data []byte, schema *arrow.Schema) (row, bool) {
	if !json.Valid(data) || !utf8.Valid(data) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	out := row{}
	exact := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		col, isExact := "", false
		for _, f := range schema.Fields() {
			if f.Name == key {
				col, isExact = f.Name, true
				break
			}
		}
		if col == "" {
			for _, f := range schema.Fields() {
				if strings.EqualFold(f.Name, key) {
					col = f.Name
					break
				}
			}
		}
		if col == "" || (!isExact && exact[col]) {
			continue
		}
		if isExact {
			exact[col] = true
		}
		switch {
		case string(raw) == "null":
			delete(out, col)
		case raw[0] == '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, false
			}
			out[col] = s
		default:
			out[col] = string(raw)
		}
	}
	return out, true
}

func TestAgreesWithStdlib(t *testing.T) {
	t.Run("float parsing agrees with strconv on random numbers", func(t *testing.T) {
		rng := rand.New(rand.NewSource(7))
		for i := 0; i < 200000; i++ {
			var s string
			switch i % 4 {
			case 0:
				s = strconv.FormatFloat(rng.NormFloat64()*math.Pow(10, float64(rng.Intn(40)-20)), 'g', -1, 64)
			case 1:
				s = fmt.Sprintf("%d.%0*d", rng.Intn(1000000), rng.Intn(12)+1, rng.Int63n(1000000000000))
			case 2:
				s = fmt.Sprintf("%de%d", rng.Int63n(1<<60), rng.Intn(60)-30)
			default:
				s = fmt.Sprintf("-%d.%de-%d", rng.Intn(100), rng.Int63(), rng.Intn(320))
			}
			n, ok := parseNumberString([]byte(s))
			if !ok {
				t.Fatalf("%q does not scan as a number", s)
			}
			got, ok := n.float([]byte(s))
			want, err := strconv.ParseFloat(s, 64)
			if !ok || err != nil || math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%q: got %v (%v), want %v (%v)", s, got, ok, want, err)
			}
		}
	})
	t.Run("timestamp parsing agrees with time.Parse on random instants", func(t *testing.T) {
		rng := rand.New(rand.NewSource(9))
		layouts := []string{
			"2006-01-02T15:04:05Z07:00",
			"2006-01-02T15:04:05.000Z07:00",
			"2006-01-02T15:04:05.000000Z07:00",
			"2006-01-02T15:04:05.999999999Z07:00",
			"2006-01-02 15:04:05-0700",
		}
		for i := 0; i < 100000; i++ {
			zone := time.FixedZone("", (rng.Intn(48)-24)*1800)
			tm := time.Unix(rng.Int63n(400*365*86400)-200*365*86400, rng.Int63n(1e9)).In(zone)
			layout := layouts[i%len(layouts)]
			s := tm.Format(layout)
			want, err := time.Parse(layout, s)
			if err != nil {
				t.Fatal(err)
			}
			sec, nsec, reason := parseTimestamp([]byte(s))
			if reason != "" || sec != want.Unix() || nsec != int64(want.Nanosecond()) {
				t.Fatalf("%q: got %d.%09d (%s), want %d.%09d", s, sec, nsec, reason, want.Unix(), want.Nanosecond())
			}
		}
	})
}
