package avrofmt

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
)

// wcode is how a column's values are written.
type wcode uint8

const (
	wBool      wcode = iota + 1
	wLong            // every integer type → long
	wUint64          // uint64 → long, refused above MaxInt64
	wFloat           // float32 → float
	wDouble          // float64 → double
	wString          // string → string
	wTimestamp       // timestamp → long (timestamp-millis or timestamp-micros)
	wDate            // date → int (date)
	wNull            // the NULL type → null (nothing written)
)

// fieldWriter writes one column.
type fieldWriter struct {
	name     string
	col      int
	code     wcode
	nullable bool           // written as the union [null, T]
	unit     arrow.TimeUnit // wTimestamp: the column's
	millis   bool           // wTimestamp: timestamp-millis, else timestamp-micros
}

// writerSchema is the Avro schema rows are written with, and how.
type writerSchema struct {
	text   string
	fields []fieldWriter
	// bare: the schema is the one column's type, not a record (a key of
	// one column, as Confluent's serializers write primitive keys).
	bare bool
}

// newWriterSchema derives the Avro schema of columns cols of schema, as a
// record named name in namespace tide, or (bare) the one column's type.
// Table t, if it has them, gives the columns' declared types (TIMESTAMP(3)
// → timestamp-millis, else timestamp-micros) and NOT NULL (no union with
// null).
func newWriterSchema(schema *arrow.Schema, cols []int, name string, bare bool, t *catalog.Table) (*writerSchema, error) {
	w := &writerSchema{bare: bare && len(cols) == 1}
	var fields []map[string]any
	for _, c := range cols {
		f := schema.Field(c)
		fw := fieldWriter{name: f.Name, col: c, nullable: f.Nullable}
		var declared *catalog.Column
		if t != nil {
			if i := t.ColumnIndex(f.Name); i >= 0 {
				declared = &t.Columns[i]
				fw.nullable = !declared.NotNull && !isKey(t, f.Name)
			}
		}
		typ, err := fw.setType(f.Type, declared)
		if err != nil {
			return nil, fmt.Errorf("column %s: %v", f.Name, err)
		}
		if !w.bare && !validName(f.Name) {
			return nil, fmt.Errorf("column %q is not a valid Avro field name (a letter or _, then letters, digits or _): rename it with AS", f.Name)
		}
		field := map[string]any{"name": f.Name, "type": typ}
		if fw.nullable && fw.code != wNull {
			field["type"] = []any{"null", typ}
			field["default"] = nil
		}
		fields = append(fields, field)
		w.fields = append(w.fields, fw)
	}
	var v any = map[string]any{"type": "record", "name": avroName(name), "namespace": "tide", "fields": fields}
	if w.bare {
		v = fields[0]["type"]
	}
	text, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	w.text = string(text)
	return w, nil
}

// setType sets how a column of type t is written and returns its Avro type.
func (fw *fieldWriter) setType(t arrow.DataType, declared *catalog.Column) (any, error) {
	switch t.ID() {
	case arrow.BOOL:
		fw.code = wBool
		return "boolean", nil
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		fw.code = wLong
		return "long", nil
	case arrow.UINT64:
		fw.code = wUint64
		return "long", nil
	case arrow.FLOAT32:
		fw.code = wFloat
		return "float", nil
	case arrow.FLOAT64:
		fw.code = wDouble
		return "double", nil
	case arrow.STRING:
		fw.code = wString
		return "string", nil
	case arrow.TIMESTAMP:
		fw.code, fw.unit = wTimestamp, t.(*arrow.TimestampType).Unit
		fw.millis = declared != nil && timestampPrecision(declared.SQLType) <= 3
		if fw.millis {
			return map[string]any{"type": "long", "logicalType": "timestamp-millis"}, nil
		}
		return map[string]any{"type": "long", "logicalType": "timestamp-micros"}, nil
	case arrow.DATE32:
		fw.code = wDate
		return map[string]any{"type": "int", "logicalType": "date"}, nil
	case arrow.NULL:
		fw.code, fw.nullable = wNull, true
		return "null", nil
	}
	if catalog.IsNested(t) {
		return nil, fmt.Errorf("%s columns are not supported yet by format avro", catalog.TypeName(t))
	}
	return nil, fmt.Errorf("type %s cannot be written as Avro", catalog.TypeName(t))
}

// timestampPrecision reads TIMESTAMP(p); without one it is 6.
func timestampPrecision(sql string) int {
	open, end := strings.IndexByte(sql, '('), strings.IndexByte(sql, ')')
	if open < 0 || end < open {
		return 6
	}
	p, err := strconv.Atoi(strings.TrimSpace(sql[open+1 : end]))
	if err != nil {
		return 6
	}
	return p
}

func isKey(t *catalog.Table, name string) bool {
	for _, k := range t.PrimaryKey {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// validName reports whether s is an Avro name: [A-Za-z_][A-Za-z0-9_]*.
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

// avroName makes a record name of a table name: characters Avro names do
// not allow become _.
func avroName(s string) string {
	b := []byte(s)
	for i, c := range b {
		letter := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "row"
	}
	return string(b)
}
