package catalog

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// The Arrow types tide computes with. Every integer SQL type is carried as
// Int64 and every approximate or exact numeric type as Float64, so that
// kernels exist once per family; the declared SQL type is kept on the column
// for DESCRIBE.
var (
	Bool      arrow.DataType = arrow.FixedWidthTypes.Boolean
	Int64     arrow.DataType = arrow.PrimitiveTypes.Int64
	Float64   arrow.DataType = arrow.PrimitiveTypes.Float64
	String    arrow.DataType = arrow.BinaryTypes.String
	Timestamp arrow.DataType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	Date      arrow.DataType = arrow.FixedWidthTypes.Date32
	Null      arrow.DataType = arrow.Null
)

// TypeByName maps a SQL type name (MySQL or Flink spelling, any case, without
// length or precision) to the Arrow type tide stores it as.
func TypeByName(name string) (arrow.DataType, error) {
	switch strings.ToUpper(strings.TrimSpace(name)) {
	case "BOOLEAN", "BOOL":
		return Bool, nil
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "SIGNED", "UNSIGNED":
		return Int64, nil
	case "FLOAT", "REAL", "DOUBLE", "DOUBLE PRECISION", "DECIMAL", "NUMERIC", "DEC":
		return Float64, nil
	case "VARCHAR", "CHAR", "STRING", "TEXT", "TINYTEXT", "MEDIUMTEXT", "LONGTEXT", "JSON", "NVARCHAR", "NCHAR":
		return String, nil
	case "TIMESTAMP", "TIMESTAMP_LTZ", "DATETIME":
		return Timestamp, nil
	case "DATE":
		return Date, nil
	}
	return nil, fmt.Errorf("unknown type %s", name)
}

// TypeName is the SQL name tide prints for an Arrow type.
func TypeName(t arrow.DataType) string {
	switch t.ID() {
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.INT64, arrow.INT32, arrow.INT16, arrow.INT8:
		return "BIGINT"
	case arrow.FLOAT64, arrow.FLOAT32:
		return "DOUBLE"
	case arrow.STRING, arrow.LARGE_STRING:
		return "VARCHAR"
	case arrow.TIMESTAMP:
		return "TIMESTAMP(6)"
	case arrow.DATE32:
		return "DATE"
	case arrow.NULL:
		return "NULL"
	case arrow.STRUCT, arrow.LIST, arrow.MAP:
		return NestedTypeName(t, TypeName)
	}
	return t.String()
}

// IsNumeric reports whether t is Int64 or Float64.
func IsNumeric(t arrow.DataType) bool {
	return t.ID() == arrow.INT64 || t.ID() == arrow.FLOAT64
}
