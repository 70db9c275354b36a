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
// tide writes its six column types; it reads the other flat primitive types
// too, so that ReadTable works on tables other engines wrote.

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
		name, ok := deltaTypeOf(f.Type)
		if !ok {
			return "", fmt.Errorf("column %q has type %s, which a delta table cannot store", f.Name, catalog.TypeName(f.Type))
		}
		if seen[strings.ToLower(f.Name)] {
			return "", fmt.Errorf("column %q appears twice (delta column names are case-insensitive)", f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		t, _ := json.Marshal(name)
		st.Fields = append(st.Fields, deltaField{Name: f.Name, Type: t, Nullable: f.Nullable, Metadata: map[string]any{}})
	}
	b, err := json.Marshal(st)
	return string(b), err
}

// parseSchemaString turns a Delta schema into an Arrow schema.
func parseSchemaString(s string) (*arrow.Schema, error) {
	var st deltaStruct
	if err := json.Unmarshal([]byte(s), &st); err != nil {
		return nil, fmt.Errorf("bad schemaString: %w", err)
	}
	if st.Type != "struct" {
		return nil, fmt.Errorf("bad schemaString: type is %q, not struct", st.Type)
	}
	fields := make([]arrow.Field, 0, len(st.Fields))
	for _, f := range st.Fields {
		var name string
		if err := json.Unmarshal(f.Type, &name); err != nil {
			return nil, fmt.Errorf("column %q has a nested type, which tide does not read", f.Name)
		}
		t, ok := arrowTypeOf(name)
		if !ok {
			return nil, fmt.Errorf("column %q has delta type %s, which tide does not read", f.Name, name)
		}
		fields = append(fields, arrow.Field{Name: f.Name, Type: t, Nullable: f.Nullable})
	}
	return arrow.NewSchema(fields, nil), nil
}

// checkSchema checks that a query writing query can write into a table
// with schema table: same columns in the same order (names compared without
// case, as Delta does) with the same types. Nullability is not compared.
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
		if !arrow.TypeEqual(tf.Type, qf.Type) {
			return fmt.Errorf("delta table at %s: column %q is %s in the table but %s in the query",
				path, tf.Name, catalog.TypeName(tf.Type), catalog.TypeName(qf.Type))
		}
	}
	return nil
}

func fieldNames(sc *arrow.Schema) string {
	names := make([]string, sc.NumFields())
	for i, f := range sc.Fields() {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}
