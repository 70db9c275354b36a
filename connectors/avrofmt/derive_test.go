package avrofmt

import (
	"context"
	"strings"
	"testing"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
)

// Columns omitted in CREATE SOURCE come from the schema: a type that is no
// union is NOT NULL, a union with null is nullable, logical types give
// their column types; nested types are refused, saying so.
func TestColumnsComeFromTheSchema(t *testing.T) {
	cols, err := columnsOf(parse(t, allTypes))
	if err == nil || !strings.Contains(err.Error(), "field nested: record test.Inner is a nested type: records, arrays and maps are not supported yet") {
		t.Fatalf("a schema with a nested record: %v, %v", cols, err)
	}
	const course = `{"type": "record", "name": "Order", "namespace": "com.example", "fields": [
		{"name": "order_id", "type": "string"},
		{"name": "amount", "type": "double"},
		{"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}},
		{"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["PENDING", "COMPLETED", "CANCELLED"]}},
		{"name": "notes", "type": ["null", "string"], "default": null},
		{"name": "day", "type": {"type": "int", "logicalType": "date"}},
		{"name": "micros", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}]},
		{"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
		{"name": "qty", "type": "int"}, {"name": "ok", "type": "boolean"}]}`
	cols, err = columnsOf(parse(t, course))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cols {
		s := c.Name + " " + c.SQLType
		if c.NotNull {
			s += " NOT NULL"
		}
		if tn := catalog.TypeName(c.Type); !strings.HasPrefix(c.SQLType, baseType(tn)) && !(c.SQLType == "TIMESTAMP(3)" && tn == "TIMESTAMP(6)") {
			t.Errorf("column %s is %s but stored as %s", c.Name, c.SQLType, tn)
		}
		got = append(got, s)
	}
	want := "order_id VARCHAR NOT NULL, amount DOUBLE NOT NULL, timestamp TIMESTAMP(3) NOT NULL, status VARCHAR NOT NULL, notes VARCHAR, " +
		"day DATE NOT NULL, micros TIMESTAMP(6), price DOUBLE NOT NULL, qty BIGINT NOT NULL, ok BOOLEAN NOT NULL"
	if strings.Join(got, ", ") != want {
		t.Errorf("columns\n%s\nwant\n%s", strings.Join(got, ", "), want)
	}
	if _, err := columnsOf(parse(t, `{"type": "record", "name": "U", "fields": [{"name": "u", "type": ["string", "long"]}]}`)); err == nil ||
		!strings.Contains(err.Error(), "field u is a union [string, long]: only a union of null and one type maps to a column") {
		t.Errorf("a union of two types: %v", err)
	}
}

// With a registry, the columns are those of the latest schema of the
// subject <topic>-value; a subject that does not exist says so.
func TestColumnsComeFromTheSubjectsLatestSchema(t *testing.T) {
	reg := tideRegistry(t)
	registerAt(t, reg.URL(), "orders-value", `{"type": "record", "name": "O", "fields": [{"name": "a", "type": "long"}]}`)
	registerAt(t, reg.URL(), "orders-value", `{"type": "record", "name": "O", "fields": [{"name": "a", "type": "long"}, {"name": "b", "type": ["null", "string"], "default": null}]}`)
	cfg := format.Config{Name: "avro", Table: table(t, "", "schema.registry", reg.URL()), Topic: "orders"}
	cols, err := sourceColumns(context.Background(), cfg)
	if err != nil || len(cols) != 2 || cols[0].Name != "a" || cols[1].Name != "b" || cols[1].NotNull {
		t.Fatalf("columns %+v, %v", cols, err)
	}
	cfg.Topic = "nothing"
	if _, err := sourceColumns(context.Background(), cfg); err == nil ||
		!strings.Contains(err.Error(), "the columns come from the latest schema of subject nothing-value: the schema registry "+reg.URL()+" has no subject nothing-value") {
		t.Errorf("a missing subject: %v", err)
	}
}
