package avrofmt

import (
	"strings"
	"testing"
)

// Avro's resolution rules with the columns as the reader: each writer type
// against each column type it may be read as, with a value written by
// hamba and the value the column must hold; and the pairs that cannot be
// read, refused when the schema is compiled.
func TestWriterTypesResolveAgainstColumnsByAvrosRules(t *testing.T) {
	for _, tc := range []struct {
		writer string // the field's Avro type
		value  any
		column string // the column's type
		want   string // JSON of the decoded value; "" if refused
	}{
		{`"int"`, 42, "BIGINT", "42"},
		{`"int"`, -3, "DOUBLE", "-3"},
		{`"long"`, int64(1) << 53, "DOUBLE", "9007199254740992"},
		{`"float"`, float32(2.5), "DOUBLE", "2.5"},
		{`"string"`, "text", "VARCHAR", `"text"`},
		{`"bytes"`, []byte("raw"), "VARCHAR", `"raw"`},
		{`{"type": "enum", "name": "E", "symbols": ["A", "B"]}`, "B", "VARCHAR", `"B"`},
		{`["null", "long"]`, int64(5), "BIGINT", "5"},
		{`["null", "long"]`, nil, "BIGINT", "null"},
		{`["long", "null"]`, nil, "BIGINT", "null"},
		{`["int", "long"]`, map[string]any{"long": int64(9)}, "DOUBLE", "9"},
		{`"null"`, nil, "VARCHAR", "null"},
		{`{"type": "int", "logicalType": "date"}`, 19844, "BIGINT", "19844"}, // a logical type is an annotation
		{`{"type": "long", "logicalType": "timestamp-micros"}`, int64(1714564800000001), "TIMESTAMP", "1714564800000001"},
		{`"int"`, 19844, "DATE", "19844"},
		// refused
		{`"long"`, nil, "VARCHAR", ""},
		{`"string"`, nil, "BIGINT", ""},
		{`"double"`, nil, "BIGINT", ""},
		{`"float"`, nil, "BIGINT", ""},
		{`"boolean"`, nil, "BIGINT", ""},
		{`"int"`, nil, "TIMESTAMP", ""},
		{`"long"`, nil, "DATE", ""},
		{`["null", "string", "long"]`, nil, "VARCHAR", ""},
		{`{"type": "fixed", "name": "F", "size": 4}`, nil, "VARCHAR", ""},
		{`{"type": "array", "items": "long"}`, nil, "BIGINT", ""},
		{`{"type": "map", "values": "long"}`, nil, "VARCHAR", ""},
		{`{"type": "record", "name": "R", "fields": []}`, nil, "VARCHAR", ""},
	} {
		schema := `{"type": "record", "name": "W", "fields": [{"name": "x", "type": ` + tc.writer + `}]}`
		tb := table(t, "x "+tc.column)
		p := compile(1, parse(t, schema), mustColumns(t, tb))
		if tc.want == "" {
			if p.err == nil || !strings.Contains(p.err.Error(), "schema id 1: field x: ") {
				t.Errorf("%s as %s: compiled (%v), want it refused naming the id and the field", tc.writer, tc.column, p.err)
			}
			continue
		}
		if p.err != nil {
			t.Errorf("%s as %s: %v", tc.writer, tc.column, p.err)
			continue
		}
		mem := checkedMem(t)
		src := registrySource(t, tb, map[int32]string{1: schema})
		d := newDecoder(src, mem)
		if err := d.Append(framed(1, encode(t, schema, map[string]any{"x": tc.value}))); err != nil {
			t.Errorf("%s as %s: %v", tc.writer, tc.column, err)
		} else {
			got, want := d.NewRecord(), expect(t, mem, tb, `[{"x": `+tc.want+`}]`)
			sameRecord(t, got, want)
			got.Release()
			want.Release()
		}
		d.Release()
	}
}

// Columns the query does not read are left out: a writer may give their
// fields any type, or drop them though they are NOT NULL; they are NULL.
func TestUnreadColumnsAreLeftOut(t *testing.T) {
	mem := checkedMem(t)
	const w = `{"type": "record", "name": "W", "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "string"}]}`
	tb := table(t, "id VARCHAR, amount DOUBLE, qty BIGINT NOT NULL")
	src := registrySource(t, tb, nil)
	src.PruneColumns([]bool{true, false, false})
	src.programs[1] = compile(1, parse(t, w), src.cols)
	d := newDecoder(src, mem)
	defer d.Release()
	if err := d.Append(framed(1, encode(t, w, map[string]any{"id": "a", "amount": "12"}))); err != nil {
		t.Fatal(err)
	}
	got, want := d.NewRecord(), expect(t, mem, tb, `[{"id": "a", "amount": null, "qty": null}]`)
	defer got.Release()
	defer want.Release()
	sameRecord(t, got, want)
}
