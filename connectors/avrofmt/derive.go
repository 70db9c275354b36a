package avrofmt

import (
	"context"
	"fmt"

	"github.com/hamba/avro/v2"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
)

// sourceColumns supplies the columns of a source declared without them:
// those of the inline schema, or of the latest schema of the values'
// subject (<topic>-value) in the registry.
func sourceColumns(ctx context.Context, cfg format.Config) ([]catalog.Column, error) {
	c, err := parseConfig(cfg)
	if err != nil {
		return nil, err
	}
	w := c.inline
	where := "option schema"
	if w == nil {
		reg, err := newRegistry(c.urls)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, registryTimeout)
		defer cancel()
		var id int
		if w, id, err = reg.latest(ctx, c.subject); err != nil {
			return nil, fmt.Errorf("the columns come from the latest schema of subject %s: %v", c.subject, err)
		}
		where = fmt.Sprintf("the latest schema of subject %s (id %d)", c.subject, id)
	}
	cols, err := columnsOf(w)
	if err != nil {
		return nil, fmt.Errorf("columns from %s: %v", where, err)
	}
	return cols, nil
}

// columnsOf maps the fields of an Avro record to columns: a type that is
// not a union gives a NOT NULL column, a union of null and one type a
// nullable one. Types map as the decoder reads them: boolean → BOOLEAN;
// int, long → BIGINT (date → DATE, timestamp-millis → TIMESTAMP(3),
// timestamp-micros → TIMESTAMP(6)); float, double, decimal → DOUBLE;
// string, bytes, enum, uuid → VARCHAR.
func columnsOf(w avro.Schema) ([]catalog.Column, error) {
	rec, ok := unref(w).(*avro.RecordSchema)
	if !ok {
		return nil, fmt.Errorf("the schema is %s, not a record", typeName(w))
	}
	var cols []catalog.Column
	for _, f := range rec.Fields() {
		t, notNull := f.Type(), true
		if u, ok := unref(t).(*avro.UnionSchema); ok {
			var kept []avro.Schema
			for _, b := range u.Types() {
				if b.Type() != avro.Null {
					kept = append(kept, b)
				}
			}
			if len(kept) != 1 {
				return nil, fmt.Errorf("field %s is a %s: only a union of null and one type maps to a column; declare the columns to read other fields", f.Name(), typeName(t))
			}
			t, notNull = kept[0], len(kept) == len(u.Types())
		}
		sql, err := sqlTypeOf(t)
		if err != nil {
			return nil, fmt.Errorf("field %s: %v", f.Name(), err)
		}
		typ, err := catalog.TypeByName(baseType(sql))
		if err != nil {
			return nil, err
		}
		cols = append(cols, catalog.Column{Name: f.Name(), Type: typ, SQLType: sql, NotNull: notNull})
	}
	return cols, nil
}

// sqlTypeOf is the SQL type a column of Avro type t gets.
func sqlTypeOf(t avro.Schema) (string, error) {
	t = unref(t)
	lt := logical(t)
	switch t.(type) {
	case *avro.RecordSchema, *avro.ArraySchema, *avro.MapSchema:
		return "", fmt.Errorf("%s is a nested type: records, arrays and maps are not supported yet as columns; declare the columns to read the other fields", typeName(t))
	case *avro.EnumSchema:
		return "VARCHAR", nil
	case *avro.FixedSchema:
		switch lt {
		case "decimal":
			return "DOUBLE", nil
		case "uuid":
			return "VARCHAR", nil
		}
		return "", fmt.Errorf("%s has no column type", typeName(t))
	}
	switch t.Type() {
	case avro.Boolean:
		return "BOOLEAN", nil
	case avro.Int:
		if lt == "date" {
			return "DATE", nil
		}
		return "BIGINT", nil
	case avro.Long:
		switch lt {
		case "timestamp-millis", "local-timestamp-millis":
			return "TIMESTAMP(3)", nil
		case "timestamp-micros", "local-timestamp-micros", "timestamp-nanos", "local-timestamp-nanos":
			return "TIMESTAMP(6)", nil
		}
		return "BIGINT", nil
	case avro.Float, avro.Double:
		return "DOUBLE", nil
	case avro.String:
		return "VARCHAR", nil
	case avro.Bytes:
		if lt == "decimal" {
			return "DOUBLE", nil
		}
		return "VARCHAR", nil
	}
	return "", fmt.Errorf("%s has no column type", typeName(t))
}

// baseType drops a type's precision: TIMESTAMP(3) → TIMESTAMP.
func baseType(sql string) string {
	for i := range len(sql) {
		if sql[i] == '(' {
			return sql[:i]
		}
	}
	return sql
}
