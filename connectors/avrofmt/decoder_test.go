package avrofmt

import (
	"math/big"
	"strings"
	"testing"
	"time"
)

// allTypes has a field of every Avro type the decoder reads into a column,
// and nested ones it skips.
const allTypes = `{"type": "record", "name": "All", "namespace": "test", "fields": [
	{"name": "b", "type": "boolean"},
	{"name": "i", "type": "int"},
	{"name": "l", "type": "long"},
	{"name": "f", "type": "float"},
	{"name": "d", "type": "double"},
	{"name": "s", "type": "string"},
	{"name": "by", "type": "bytes"},
	{"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
	{"name": "nested", "type": {"type": "record", "name": "Inner", "fields": [
		{"name": "x", "type": "long"},
		{"name": "tags", "type": {"type": "array", "items": "string"}},
		{"name": "next", "type": ["null", "Inner"]}]}},
	{"name": "ts_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
	{"name": "ts_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
	{"name": "day", "type": {"type": "int", "logicalType": "date"}},
	{"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
	{"name": "decf", "type": {"type": "fixed", "name": "D8", "size": 8, "logicalType": "decimal", "precision": 12, "scale": 3}},
	{"name": "u", "type": {"type": "string", "logicalType": "uuid"}},
	{"name": "uf", "type": {"type": "fixed", "name": "U16", "size": 16, "logicalType": "uuid"}},
	{"name": "m", "type": {"type": "map", "values": "double"}},
	{"name": "opt", "type": ["null", "string"], "default": null},
	{"name": "fx", "type": {"type": "fixed", "name": "F3", "size": 3}}
]}`

const allColumns = `b BOOLEAN, i BIGINT, l BIGINT, f DOUBLE, d DOUBLE, s VARCHAR, by VARCHAR, e VARCHAR,
	ts_ms TIMESTAMP(3), ts_us TIMESTAMP, day DATE, dec DOUBLE, decf DOUBLE, u VARCHAR, uf VARCHAR, opt VARCHAR, absent BIGINT`

func allTypesValue(i int, opt any) map[string]any {
	return map[string]any{
		"b": i%2 == 0, "i": i * -7, "l": int64(i) << 40, "f": float32(i) + 0.5, "d": float64(i) / 4,
		"s": "naïve " + strings.Repeat("x", i), "by": []byte("bytes"), "e": []string{"RED", "GREEN", "BLUE"}[i%3],
		"nested": map[string]any{"x": int64(i), "tags": []any{"a", "b"}, "next": map[string]any{"test.Inner": map[string]any{"x": int64(2), "tags": []any{}, "next": nil}}},
		"ts_ms":  time.UnixMilli(1714564800123 + int64(i)).UTC(), "ts_us": time.UnixMicro(1714564800123456 - int64(i)).UTC(),
		"day": time.Date(2024, 5, 1+i, 0, 0, 0, 0, time.UTC),
		"dec": big.NewRat(-12345-int64(i), 100), "decf": big.NewRat(987654321, 1000),
		"u":   "123e4567-e89b-12d3-a456-42661417400" + string(rune('0'+i)),
		"uf":  [16]byte{0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, byte(i)},
		"m":   map[string]any{"k": 1.5},
		"opt": opt,
		"fx":  [3]byte{1, 2, 3},
	}
}

// Every type maps to its column as the brief lists: promotions, enums and
// uuids as text, timestamps to microseconds, dates, decimals as doubles,
// nullable unions; nested fields no column names are skipped, and a column
// the writer lacks is NULL. The records are written by hamba's encoder.
func TestEveryAvroTypeDecodesIntoItsColumn(t *testing.T) {
	mem := checkedMem(t)
	tb := table(t, allColumns)
	src := registrySource(t, tb, map[int32]string{7: allTypes})
	d := newDecoder(src, mem)
	defer d.Release()
	for i, opt := range []any{"set", nil} {
		if err := d.Append(framed(7, encode(t, allTypes, allTypesValue(i, opt)))); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	got := d.NewRecord()
	defer got.Release()
	want := expect(t, mem, tb, `[
		{"b": true, "i": 0, "l": 0, "f": 0.5, "d": 0, "s": "naïve ", "by": "bytes", "e": "RED",
		 "ts_ms": 1714564800123000, "ts_us": 1714564800123456, "day": 19844, "dec": -123.45, "decf": 987654.321,
		 "u": "123e4567-e89b-12d3-a456-426614174000", "uf": "123e4567-e89b-12d3-a456-426614174000", "opt": "set", "absent": null},
		{"b": false, "i": -7, "l": 1099511627776, "f": 1.5, "d": 0.25, "s": "naïve x", "by": "bytes", "e": "GREEN",
		 "ts_ms": 1714564800124000, "ts_us": 1714564800123455, "day": 19845, "dec": -123.46, "decf": 987654.321,
		 "u": "123e4567-e89b-12d3-a456-426614174001", "uf": "123e4567-e89b-12d3-a456-426614174001", "opt": null, "absent": null}]`)
	defer want.Release()
	sameRecord(t, got, want)
}

// Raw Avro with an inline schema decodes the same way, without framing.
func TestRawAvroWithAnInlineSchemaDecodes(t *testing.T) {
	mem := checkedMem(t)
	const schema = `{"type": "record", "name": "Order", "fields": [
		{"name": "order_id", "type": "string"}, {"name": "amount", "type": "double"},
		{"name": "timestamp", "type": "long"}]}`
	tb := table(t, "order_id VARCHAR, amount DOUBLE, timestamp TIMESTAMP(3)")
	d := newDecoder(inlineSource(t, tb, schema), mem)
	defer d.Release()
	for i := range 3 {
		v := map[string]any{"order_id": "ORD-000" + string(rune('0'+i)), "amount": 100.0 + float64(i)*25.5, "timestamp": int64(1714564800000 + i)}
		if err := d.Append(encode(t, schema, v)); err != nil {
			t.Fatal(err)
		}
	}
	got := d.NewRecord()
	defer got.Release()
	// A plain long read as a TIMESTAMP is epoch milliseconds, as the json
	// format reads numbers.
	want := expect(t, mem, tb, `[
		{"order_id": "ORD-0000", "amount": 100, "timestamp": 1714564800000000},
		{"order_id": "ORD-0001", "amount": 125.5, "timestamp": 1714564800001000},
		{"order_id": "ORD-0002", "amount": 151, "timestamp": 1714564800002000}]`)
	defer want.Release()
	sameRecord(t, got, want)
}
