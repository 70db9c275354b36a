package delta

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/tide-sql/tide/catalog"
)

// The table schema is stored in metaData.schemaString as Spark's JSON
// schema: {"type":"struct","fields":[{"name","type","nullable","metadata"}]}.
// tide writes its six column types and ROW, ARRAY and MAP of them
// (schema_nested.go). It reads every primitive type other engines write as
// the nearest tide type (tideTypeOf), and nested types made of them; a
// column whose type has none (binary, variant) is an error only when read.

type deltaStruct struct {
	Type   string       `json:"type"`
	Fields []deltaField `json:"fields"`
}

type deltaField struct {
	Name     string          `json:"name"`
	Type     json.RawMessage `json:"type"`
	Nullable bool            `json:"nullable"`
	Metadata map[string]any  `json:"metadata"`
}

// deltaTypeOf is the Delta type name of an Arrow type.
func deltaTypeOf(t arrow.DataType) (string, bool) {
	switch t.ID() {
	case arrow.BOOL:
		return "boolean", true
	case arrow.INT64:
		return "long", true
	case arrow.INT32:
		return "integer", true
	case arrow.INT16:
		return "short", true
	case arrow.INT8:
		return "byte", true
	case arrow.FLOAT64:
		return "double", true
	case arrow.FLOAT32:
		return "float", true
	case arrow.STRING:
		return "string", true
	case arrow.BINARY:
		return "binary", true
	case arrow.DATE32:
		return "date", true
	case arrow.TIMESTAMP:
		if t.(*arrow.TimestampType).Unit != arrow.Microsecond {
			return "", false
		}
		if t.(*arrow.TimestampType).TimeZone == "" {
			return "timestamp_ntz", true
		}
		return "timestamp", true
	}
	return "", false
}

// arrowTypeOf is the Arrow type a Delta primitive type is read as.
func arrowTypeOf(name string) (arrow.DataType, bool) {
	switch name {
	case "boolean":
		return catalog.Bool, true
	case "long":
		return catalog.Int64, true
	case "integer":
		return arrow.PrimitiveTypes.Int32, true
	case "short":
		return arrow.PrimitiveTypes.Int16, true
	case "byte":
		return arrow.PrimitiveTypes.Int8, true
	case "double":
		return catalog.Float64, true
	case "float":
		return arrow.PrimitiveTypes.Float32, true
	case "string":
		return catalog.String, true
	case "binary":
		return arrow.BinaryTypes.Binary, true
	case "date":
		return catalog.Date, true
	case "timestamp":
		return catalog.Timestamp, true
	case "timestamp_ntz":
		return &arrow.TimestampType{Unit: arrow.Microsecond}, true
	}
	return nil, false
}

// schemaString renders sc as a Delta schema.
func schemaString(sc *arrow.Schema) (string, error) {
	st := deltaStruct{Type: "struct", Fields: make([]deltaField, 0, sc.NumFields())}
	seen := map[string]bool{}
	for _, f := range sc.Fields() {
		t, err := deltaTypeJSON(f.Type)
		if err != nil {
			return "", fmt.Errorf("column %q has type %s, which a delta table cannot store", f.Name, catalog.TypeName(f.Type))
		}
		if seen[strings.ToLower(f.Name)] {
			return "", fmt.Errorf("column %q appears twice (delta column names are case-insensitive)", f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		st.Fields = append(st.Fields, deltaField{Name: f.Name, Type: t, Nullable: f.Nullable, Metadata: map[string]any{}})
	}
	b, err := json.Marshal(st)
	return string(b), err
}

// tableColumn is a top-level column of a table's schema, as the log
// states it.
type tableColumn struct {
	name      string
	deltaType string          // "integer", "decimal(10,2)", "struct<a: integer>", ...
	raw       json.RawMessage // the type as the schema states it (nested types: an object)
	nullable  bool
	physical  string // delta.columnMapping.physicalName; "" if none
	id        int64  // delta.columnMapping.id; 0 if none
	invariant bool   // the column has a delta.invariants expression
}

// parseColumns parses a Delta schema string into its top-level columns.
// Every type parses; what tide can read or write is decided per column.
func parseColumns(s string) ([]tableColumn, error) {
	var st deltaStruct
	if err := json.Unmarshal([]byte(s), &st); err != nil {
		return nil, fmt.Errorf("bad schemaString: %w", err)
	}
	if st.Type != "struct" {
		return nil, fmt.Errorf("bad schemaString: type is %q, not struct", st.Type)
	}
	cols := make([]tableColumn, 0, len(st.Fields))
	for _, f := range st.Fields {
		t, err := typeString(f.Type)
		if err != nil {
			return nil, fmt.Errorf("bad schemaString: column %q: %w", f.Name, err)
		}
		c := tableColumn{name: f.Name, deltaType: t, raw: f.Type, nullable: f.Nullable}
		if p, ok := f.Metadata["delta.columnMapping.physicalName"].(string); ok {
			c.physical = p
		}
		if id, ok := f.Metadata["delta.columnMapping.id"].(float64); ok {
			c.id = int64(id)
		}
		_, c.invariant = f.Metadata["delta.invariants"]
		cols = append(cols, c)
	}
	return cols, nil
}

// typeString renders a Delta type (a primitive's name, or a struct, array
// or map object) as text: the name itself, or struct<a: t, ...>,
// array<t>, map<k, v>.
func typeString(raw json.RawMessage) (string, error) {
	var name string
	if err := json.Unmarshal(raw, &name); err == nil {
		return name, nil
	}
	var obj struct {
		Type        string          `json:"type"`
		Fields      []deltaField    `json:"fields"`
		ElementType json.RawMessage `json:"elementType"`
		KeyType     json.RawMessage `json:"keyType"`
		ValueType   json.RawMessage `json:"valueType"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", fmt.Errorf("bad type %s", raw)
	}
	switch obj.Type {
	case "struct":
		parts := make([]string, len(obj.Fields))
		for i, f := range obj.Fields {
			t, err := typeString(f.Type)
			if err != nil {
				return "", err
			}
			parts[i] = f.Name + ": " + t
		}
		return "struct<" + strings.Join(parts, ", ") + ">", nil
	case "array":
		t, err := typeString(obj.ElementType)
		return "array<" + t + ">", err
	case "map":
		k, err := typeString(obj.KeyType)
		if err != nil {
			return "", err
		}
		v, err := typeString(obj.ValueType)
		return "map<" + k + ", " + v + ">", err
	}
	return obj.Type, nil
}

// writeSchema is the Arrow schema tide writes a table's rows with, or an
// error naming the first column whose type tide cannot write.
func writeSchema(cols []tableColumn) (*arrow.Schema, error) {
	fields := make([]arrow.Field, 0, len(cols))
	for _, c := range cols {
		t, ok := c.storedType()
		if !ok {
			return nil, fmt.Errorf("column %q has delta type %s, which tide cannot write", c.name, c.deltaType)
		}
		fields = append(fields, arrow.Field{Name: c.name, Type: t, Nullable: c.nullable})
	}
	return arrow.NewSchema(fields, nil), nil
}

// tideTypeOf is the tide type a column of Delta type t reads as: every
// integer type as BIGINT, float, double and decimal as DOUBLE (tide's
// DECIMAL), and timestamps with or without time zone as TIMESTAMP (a
// timestamp_ntz reads its wall-clock time as UTC, so it prints as stored).
func tideTypeOf(t string) (arrow.DataType, bool) {
	switch {
	case t == "boolean":
		return catalog.Bool, true
	case t == "byte" || t == "short" || t == "integer" || t == "long":
		return catalog.Int64, true
	case t == "float" || t == "double" || t == "decimal" || strings.HasPrefix(t, "decimal("):
		return catalog.Float64, true
	case t == "string":
		return catalog.String, true
	case t == "date":
		return catalog.Date, true
	case t == "timestamp" || t == "timestamp_ntz":
		return catalog.Timestamp, true
	}
	return nil, false
}

// checkSchema checks that a query writing query can write into a table
// with schema table: same columns in the same order (names compared without
// case, as Delta does) with the same types, or narrower integer and float
// types in the table (narrow.go). Nullability is not compared.
func checkSchema(path string, table, query *arrow.Schema) error {
	if table.NumFields() != query.NumFields() {
		return fmt.Errorf("delta table at %s has %d columns (%s), but the query writes %d (%s)",
			path, table.NumFields(), fieldNames(table), query.NumFields(), fieldNames(query))
	}
	for i, tf := range table.Fields() {
		qf := query.Field(i)
		if !strings.EqualFold(tf.Name, qf.Name) {
			return fmt.Errorf("delta table at %s: column %d is %q in the table but %q in the query", path, i+1, tf.Name, qf.Name)
		}
		if !writableAs(qf.Type, tf.Type) {
			in := catalog.TypeName(tf.Type)
			if name, ok := deltaTypeOf(tf.Type); ok && !isTideType(tf.Type) {
				in = name // say which Delta type it is
			}
			return fmt.Errorf("delta table at %s: column %q is %s in the table but %s in the query",
				path, tf.Name, in, catalog.TypeName(qf.Type))
		}
	}
	return nil
}

// isTideType reports whether t is one of the types tide computes with.
func isTideType(t arrow.DataType) bool {
	for _, c := range []arrow.DataType{catalog.Bool, catalog.Int64, catalog.Float64, catalog.String, catalog.Date, catalog.Timestamp} {
		if arrow.TypeEqual(t, c) {
			return true
		}
	}
	return false
}

func fieldNames(sc *arrow.Schema) string {
	names := make([]string, sc.NumFields())
	for i, f := range sc.Fields() {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}
