package delta

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/tide-sql/tide/catalog"
)

// withID is a Parquet field carrying a field id.
func withID(name string, t arrow.DataType, id string) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: true, Metadata: arrow.NewMetadata([]string{"PARQUET:field_id"}, []string{id})}
}

// TestForeignColumnMappingByID reads a table in column mapping mode "id":
// data columns are found by Parquet field id whatever their names (the
// files here name them so that matching by name would read the wrong
// column), partition values by physical name, and a column a file lacks
// reads as null.
func TestForeignColumnMappingByID(t *testing.T) {
	h := newHandTable(t)
	cm := func(id int, phys string) map[string]any {
		return map[string]any{"delta.columnMapping.id": id, "delta.columnMapping.physicalName": phys}
	}
	h.commit(
		protocolLine(2, 5, nil, nil),
		metaDataLine([]string{"Part"}, map[string]string{"delta.columnMapping.mode": "id", "delta.columnMapping.maxColumnId": "4"},
			field("A", "long", cm(1, "col-1a")), field("B", "string", cm(2, "col-2b")),
			field("C", "date", cm(3, "col-3c")), field("Part", "string", cm(4, "col-4p"))),
	)
	// f1: ids 2 and 1 under misleading names; no column with id 3.
	f1 := arrow.NewSchema([]arrow.Field{withID("A", arrow.BinaryTypes.String, "2"), withID("B", arrow.PrimitiveTypes.Int32, "1")}, nil)
	s1 := h.parquet("f1.parquet", f1, `[{"A":"x","B":10},{"A":null,"B":11}]`)
	// f2: physical names, with ids.
	f2 := arrow.NewSchema([]arrow.Field{withID("col-1a", arrow.PrimitiveTypes.Int64, "1"), withID("col-3c", arrow.FixedWidthTypes.Date32, "3")}, nil)
	s2 := h.parquet("f2.parquet", f2, `[{"col-1a":20,"col-3c":"2024-02-29"}]`)
	h.commit(
		addLine("f1.parquet", s1, map[string]*string{"col-4p": sp("P1")}, nil),
		addLine("f2.parquet", s2, map[string]*string{"col-4p": nil}, nil),
	)
	mem := newMem(t)
	recs, sc, _, err := ReadTable(h.dir, mem)
	if err != nil {
		t.Fatal(err)
	}
	if got := schemaText(sc); got != "A BIGINT, B VARCHAR, C DATE, Part VARCHAR" {
		t.Errorf("schema %s", got)
	}
	want := []string{"10|x|null|P1", "11|null|null|P1", "20|null|2024-02-29|null"}
	got := renderRows(recs)
	release(recs)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}

	t.Run("declared columns of a column-mapped table by logical name", func(t *testing.T) {
		recs, _, _, err := ReadColumns(context.Background(), h.dir, arrow.NewSchema([]arrow.Field{
			{Name: "part", Type: catalog.String, Nullable: true}, {Name: "a", Type: catalog.Int64, Nullable: true}}, nil), mem)
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		if got, want := renderRows(recs), []string{"P1|10", "P1|11", "null|20"}; !reflect.DeepEqual(got, want) {
			t.Errorf("rows %q, want %q", got, want)
		}
	})

	t.Run("without the protocol's support the mapping property is not honoured", func(t *testing.T) {
		// Reader version 1 cannot use column mapping: the property is
		// ignored and columns are matched by their display names.
		h2 := newHandTable(t)
		h2.commit(protocolLine(1, 2, nil, nil),
			metaDataLine(nil, map[string]string{"delta.columnMapping.mode": "name"}, field("n", "long", cm(1, "col-n"))))
		s := h2.parquet("f.parquet", arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil), `[{"n":5}]`)
		h2.commit(addLine("f.parquet", s, nil, nil))
		if got := tableRows(t, h2.dir, newMem(t)); !reflect.DeepEqual(got, []string{"5"}) {
			t.Errorf("rows %q, want [5]", got)
		}
	})
}

// TestForeignTypes reads data columns of every primitive type other
// engines write, and refuses the ones tide has no type for only when they
// are read.
func TestForeignTypes(t *testing.T) {
	h := newHandTable(t)
	h.commit(protocolLine(1, 2, nil, nil), metaDataLine(nil, nil,
		field("b", "byte", nil), field("s", "short", nil), field("i", "integer", nil), field("f", "float", nil),
		field("d", "decimal(38,6)", nil), field("ts_ms", "timestamp", nil), field("ts_ns", "timestamp", nil),
		field("bin_str", "string", nil), field("blob", "binary", nil),
		`{"name":"nested","type":{"type":"struct","fields":[{"name":"x","type":"integer","nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}}`,
	))
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "b", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "s", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "d", Type: &arrow.Decimal128Type{Precision: 38, Scale: 6}, Nullable: true},
		{Name: "ts_ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
		{Name: "bin_str", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "blob", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "nested", Type: arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int32, Nullable: true}), Nullable: true},
	}, nil)
	size := h.parquet("f.parquet", sc, `[
		{"b":-128,"s":-32768,"i":2147483647,"f":1.5,"d":"-12345678901234.123456","ts_ms":1577934245678,"ts_ns":1577934245678901234,"bin_str":"aGk=","blob":"AAE=","nested":{"x":1}},
		{"b":null,"s":null,"i":null,"f":null,"d":null,"ts_ms":null,"ts_ns":null,"bin_str":null,"blob":null,"nested":null}]`)
	h.commit(addLine("f.parquet", size, nil, nil))
	ctx := context.Background()

	t.Run("a column with no tide type is an error naming it and its type", func(t *testing.T) {
		_, _, _, err := ReadTable(h.dir, newMem(t))
		if err == nil || !strings.Contains(err.Error(), `column "blob" has delta type binary, which has no tide type`) {
			t.Errorf("err %v", err)
		}
		_, _, _, err = ReadColumns(ctx, h.dir, arrow.NewSchema([]arrow.Field{{Name: "nested", Type: catalog.String}}, nil), newMem(t))
		if err == nil || !strings.Contains(err.Error(), `column "nested" is declared VARCHAR, but the table stores struct<x: integer> (which reads as ROW<x BIGINT>)`) {
			t.Errorf("err %v", err)
		}
	})

	t.Run("a struct column reads as a ROW of tide types", func(t *testing.T) {
		mem := newMem(t)
		typ := catalog.RowOf(arrow.Field{Name: "x", Type: catalog.Int64})
		recs, _, _, err := ReadColumns(ctx, h.dir, arrow.NewSchema([]arrow.Field{{Name: "nested", Type: typ, Nullable: true}}, nil), mem)
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		if got := strings.Join(rowStrings(recs), " "); got != `null {"x":1}` {
			t.Errorf("rows %s", got)
		}
	})

	t.Run("the other columns read as tide types", func(t *testing.T) {
		mem := newMem(t)
		var fields []arrow.Field
		for _, c := range []struct {
			name string
			t    arrow.DataType
		}{{"b", catalog.Int64}, {"s", catalog.Int64}, {"i", catalog.Int64}, {"f", catalog.Float64}, {"d", catalog.Float64},
			{"ts_ms", catalog.Timestamp}, {"ts_ns", catalog.Timestamp}, {"bin_str", catalog.String}} {
			fields = append(fields, arrow.Field{Name: c.name, Type: c.t, Nullable: true})
		}
		recs, _, _, err := ReadColumns(ctx, h.dir, arrow.NewSchema(fields, nil), mem)
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		want := []string{
			"-128|-32768|2147483647|1.5|-1.2345678901234123e+13|2020-01-02T03:04:05.678Z|2020-01-02T03:04:05.678901Z|hi",
			"null|null|null|null|null|null|null|null",
		}
		if got := renderRows(recs); !reflect.DeepEqual(got, want) {
			t.Errorf("rows\n%q\nwant\n%q", got, want)
		}
	})
}
