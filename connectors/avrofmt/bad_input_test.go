package avrofmt

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const (
	orderV1 = `{"type": "record", "name": "Order", "fields": [
		{"name": "order_id", "type": "string"},
		{"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["PENDING", "DONE"]}},
		{"name": "amount", "type": "double"},
		{"name": "paid", "type": "boolean"},
		{"name": "note", "type": ["null", "string"], "default": null},
		{"name": "lines", "type": {"type": "array", "items": "long"}}]}`
	// orderChanged has amount as a string: it cannot be read as DOUBLE.
	orderChanged = `{"type": "record", "name": "Order", "fields": [
		{"name": "order_id", "type": "string"}, {"name": "amount", "type": "string"}]}`
	// nullsArray has an array of nulls: its items take no bytes.
	nullsArray = `{"type": "record", "name": "Z", "fields": [{"name": "zs", "type": {"type": "array", "items": "null"}}, {"name": "order_id", "type": "string"}]}`
)

func orderValue(id string) map[string]any {
	return map[string]any{"order_id": id, "status": "DONE", "amount": 12.5, "paid": true, "note": "n", "lines": []any{int64(1), int64(2)}}
}

// Bad records are reported with what is wrong and where (the schema id,
// the field), append nothing, and leave the decoder reading the next good
// record into aligned columns.
func TestBadRecordsAreReportedAndAppendNothing(t *testing.T) {
	mem := checkedMem(t)
	tb := table(t, "order_id VARCHAR, status VARCHAR, amount DOUBLE, paid BOOLEAN, note VARCHAR")
	src := registrySource(t, tb, map[int32]string{1: orderV1, 8: orderChanged, 9: nullsArray})
	d := newDecoder(src, mem)
	defer d.Release()
	good := encode(t, orderV1, orderValue("good"))
	// the offsets of the fields in good: order_id "good" (5 bytes), status (1), amount (8), paid (1)
	statusAt, unionAt := 5, 5+1+8+1
	with := func(at int, b ...byte) []byte {
		v := append([]byte(nil), good...)
		copy(v[at:], b)
		return framed(1, v)
	}
	bigCount := appendLong(nil, 1<<40)
	cases := []struct {
		name  string
		value []byte
		want  string
	}{
		{"a value shorter than the header", []byte{0, 0, 1}, "the value has 3 bytes: too short for Confluent's wire format"},
		{"JSON instead of Avro", []byte(`{"order_id": "x"}`), "the magic byte is 0x7b, not 0: the value is not in Confluent's wire format (it looks like JSON"},
		{"another magic byte", append([]byte{1}, framed(1, good)[1:]...), "the magic byte is 0x01, not 0"},
		{"an unknown schema id", framed(99, good), "schema id 99: no writer schema is known by this id"},
		{"a writer schema that cannot be read as the columns", framed(8, encode(t, orderChanged, map[string]any{"order_id": "x", "amount": "12"})),
			"schema id 8: field amount: the writer's string cannot be read as column amount DOUBLE"},
		{"bytes after the record", append(framed(1, good), 0), "schema id 1: 1 bytes are left after the record"},
		{"an enum index out of range", with(statusAt, 0x08), "schema id 1: field status: enum index 4 is out of range (the enum has 2 symbols)"},
		{"a union branch that does not exist", with(unionAt, 0x06), "schema id 1: field note: union branch 3 does not exist (the union has 2)"},
		{"a boolean that is neither 0 nor 1", with(unionAt-1, 7), "schema id 1: field paid: boolean byte is 7, not 0 or 1"},
		{"a string that is not UTF-8", with(1, 0xff), "schema id 1: field order_id: the string is not valid UTF-8"},
		{"a negative string length", with(0, 0x03), "schema id 1: field order_id: the record is truncated or malformed at byte 0"},
		{"an array count beyond the record", framed(1, append(good[:len(good)-len(encode(t, `{"type":"array","items":"long"}`, []any{int64(1), int64(2)}))], bigCount...)),
			"schema id 1: field lines: the record is truncated or malformed"},
		{"a varint of more than 10 bytes", with(0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80), "field order_id: the record is truncated or malformed at byte 0"},
	}
	// Every truncation of a good record is bad.
	for n := 0; n < len(good); n++ {
		cases = append(cases, struct {
			name  string
			value []byte
			want  string
		}{fmt.Sprintf("a record cut after %d bytes", n), framed(1, good[:n]), "the record is truncated or malformed at byte"})
	}
	goods := 0
	for _, tc := range cases {
		err := d.Append(tc.value)
		var de *DecodeError
		if err == nil || !errors.As(err, &de) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
		if d.Len() != goods {
			t.Fatalf("%s: %d rows, want %d: the bad record appended something", tc.name, d.Len(), goods)
		}
		if err := d.Append(framed(1, good)); err != nil {
			t.Fatalf("the good record after %s: %v", tc.name, err)
		}
		goods++
	}
	// An array of a trillion nulls takes no bytes: skipped, not looped over.
	zs := append(append(appendLong(nil, 1<<40), 0), encode(t, `"string"`, "zeros")...)
	if err := d.Append(framed(9, zs)); err != nil {
		t.Fatalf("an array of nulls: %v", err)
	}
	got := d.NewRecord()
	defer got.Release()
	if got.NumRows() != int64(goods+1) {
		t.Fatalf("%d rows, want %d", got.NumRows(), goods+1)
	}
	for i := range goods {
		if s := got.Column(0).ValueStr(i); s != "good" || got.Column(4).ValueStr(i) != "n" || got.Column(2).ValueStr(i) != "12.5" {
			t.Fatalf("row %d is %v: the columns drifted", i, got)
		}
	}
	if got.Column(0).ValueStr(goods) != "zeros" || !got.Column(1).IsNull(goods) {
		t.Fatalf("last row: %v", got)
	}
}

// Fields match columns by name whatever their order, exactly first, else
// case-insensitively; a NOT NULL column the writer lacks makes the writer
// schema unresolvable.
func TestFieldsMatchColumnsByName(t *testing.T) {
	mem := checkedMem(t)
	const w = `{"type": "record", "name": "R", "fields": [
		{"name": "Amount", "type": "double"}, {"name": "amount", "type": "long"}, {"name": "ID", "type": "string"}]}`
	tb := table(t, "id VARCHAR, amount DOUBLE")
	src := registrySource(t, tb, map[int32]string{3: w})
	d := newDecoder(src, mem)
	defer d.Release()
	if err := d.Append(framed(3, encode(t, w, map[string]any{"Amount": 1.5, "amount": int64(7), "ID": "a"}))); err != nil {
		t.Fatal(err)
	}
	got, want := d.NewRecord(), expect(t, mem, tb, `[{"id": "a", "amount": 7}]`)
	defer got.Release()
	defer want.Release()
	sameRecord(t, got, want)

	p := compile(4, parse(t, w), mustColumns(t, table(t, "id VARCHAR, qty BIGINT NOT NULL")))
	if p.err == nil || p.err.Error() != "schema id 4: the writer schema (record R) has no field qty, and column qty is NOT NULL" {
		t.Errorf("a NOT NULL column the writer lacks: %v", p.err)
	}
	p = compile(5, parse(t, `{"type": "record", "name": "R", "fields": [{"name": "qty", "type": ["null", "long"]}]}`),
		mustColumns(t, table(t, "qty BIGINT NOT NULL")))
	if p.err == nil || !strings.Contains(p.err.Error(), "null cannot be read as column qty, which is NOT NULL") {
		t.Errorf("a nullable field into a NOT NULL column: %v", p.err)
	}
	p = compile(6, parse(t, `"string"`), mustColumns(t, tb))
	if p.err == nil || !strings.Contains(p.err.Error(), "the writer schema is string, not a record") {
		t.Errorf("a writer schema that is no record: %v", p.err)
	}
}
