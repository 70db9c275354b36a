package catalog

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestNestedTypesParseToTheirArrowTypes(t *testing.T) {
	cases := []struct {
		text, canon string
		want        arrow.DataType
	}{
		{"ARRAY<BIGINT>", "ARRAY<BIGINT>", ArrayOf(Int64)},
		{"array<int>", "ARRAY<INT>", ArrayOf(Int64)},
		{"MAP<STRING, DOUBLE>", "MAP<STRING, DOUBLE>", MapOf(Float64)},
		{"ROW<name VARCHAR, ts TIMESTAMP(3)>", "ROW<name VARCHAR, ts TIMESTAMP(3)>",
			RowOf(arrow.Field{Name: "name", Type: String}, arrow.Field{Name: "ts", Type: Timestamp})},
		{"ROW(Name VARCHAR(10), qty INT UNSIGNED)", "ROW<Name VARCHAR(10), qty INT UNSIGNED>",
			RowOf(arrow.Field{Name: "Name", Type: String}, arrow.Field{Name: "qty", Type: Int64})},
		{"ROW<a DECIMAL(10,2) 'the amount', `b c` DOUBLE PRECISION>", "ROW<a DECIMAL(10, 2), `b c` DOUBLE PRECISION>",
			RowOf(arrow.Field{Name: "a", Type: Float64}, arrow.Field{Name: "b c", Type: Float64})},
		{"ARRAY<ROW<sku VARCHAR, prices MAP<VARCHAR, ARRAY<DOUBLE>>>>", "ARRAY<ROW<sku VARCHAR, prices MAP<VARCHAR, ARRAY<DOUBLE>>>>",
			ArrayOf(RowOf(arrow.Field{Name: "sku", Type: String}, arrow.Field{Name: "prices", Type: MapOf(ArrayOf(Float64))}))},
		{"ARRAY<TIMESTAMP(3) WITH LOCAL TIME ZONE>", "ARRAY<TIMESTAMP(3) WITH LOCAL TIME ZONE>", ArrayOf(Timestamp)},
		{"BIGINT", "BIGINT", Int64},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			got, canon, err := ParseType(c.text)
			if err != nil {
				t.Fatal(err)
			}
			if !arrow.TypeEqual(got, c.want) {
				t.Fatalf("type %s, want %s", got, c.want)
			}
			if canon != c.canon {
				t.Fatalf("canonical text %q, want %q", canon, c.canon)
			}
			// The canonical text and the printed type read back as the same type.
			for _, text := range []string{canon, TypeName(got)} {
				again, _, err := ParseType(text)
				if err != nil || !arrow.TypeEqual(again, got) {
					t.Fatalf("%q reads back as %v, %v", text, again, err)
				}
			}
		})
	}
}

func TestNestedTypeNamesPrintTheSQLSpelling(t *testing.T) {
	typ := RowOf(arrow.Field{Name: "id", Type: Int64}, arrow.Field{Name: "tags", Type: ArrayOf(String)},
		arrow.Field{Name: "attrs", Type: MapOf(Float64)}, arrow.Field{Name: "odd name", Type: Bool})
	want := "ROW<id BIGINT, tags ARRAY<VARCHAR>, attrs MAP<VARCHAR, DOUBLE>, `odd name` BOOLEAN>"
	if got := TypeName(typ); got != want {
		t.Fatalf("TypeName = %q, want %q", got, want)
	}
}

func TestBadNestedTypesSayWhatAndWhere(t *testing.T) {
	cases := []struct {
		text   string
		offset int
		msg    string
	}{
		{"MAP<BIGINT, VARCHAR>", 4, "MAP keys must be VARCHAR, not BIGINT"},
		{"ARRAY<BIGINT", 12, "expected '>' to close ARRAY<, found the end of the type"},
		{"ROW<a BIGINT, a VARCHAR>", 14, `field "a" appears twice in ROW`},
		{"ROW<a NOSUCH>", 6, "unknown type NOSUCH"},
		{"ARRAY<BIGINT NOT NULL>", 13, "NOT NULL inside a nested type is not supported: nested fields and elements may always be NULL"},
		{"ROW<>", 4, `expected a field name in ROW, found ">"`},
		{"ARRAY<BIGINT> x", 14, `unexpected "x" after the type ARRAY<BIGINT>`},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			_, _, err := ParseType(c.text)
			var te *TypeError
			if !errors.As(err, &te) {
				t.Fatalf("error %v, want a *TypeError", err)
			}
			if te.Msg != c.msg || te.Offset != c.offset {
				t.Fatalf("error %q at %d, want %q at %d", te.Msg, te.Offset, c.msg, c.offset)
			}
		})
	}
}

func TestNestedColumnsSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	typ, canon, err := ParseType("ROW<sku VARCHAR, tags ARRAY<VARCHAR>, attrs MAP<VARCHAR, BIGINT>>")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Put(&Table{Name: "orders", Kind: KindSource, Columns: []Column{{Name: "item", Type: typ, SQLType: canon}}}, false); err != nil {
		t.Fatal(err)
	}
	c2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c2.Get("orders")
	if err != nil {
		t.Fatal(err)
	}
	if !arrow.TypeEqual(got.Columns[0].Type, typ) || got.Columns[0].SQLType != canon {
		t.Fatalf("reloaded column %s %s, want %s %s", got.Columns[0].SQLType, got.Columns[0].Type, canon, typ)
	}
}
