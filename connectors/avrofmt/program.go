package avrofmt

import "fmt"

// opcode is one step of a decode program.
type opcode uint8

const (
	// Read a value into column op.col.
	opBool         opcode = iota + 1
	opLong                // int or long → BIGINT
	opLongToDouble        // int or long → DOUBLE
	opFloat               // float → DOUBLE
	opDouble              // double → DOUBLE
	opString              // string or bytes → VARCHAR (UTF-8 checked)
	opEnum                // enum → VARCHAR (the symbol)
	opTimestamp           // long → TIMESTAMP: times mul, divided by div
	opDate                // int (days) → DATE
	opDecimalBytes        // bytes decimal → DOUBLE, divided by scale
	opDecimalFixed        // fixed(size) decimal → DOUBLE, divided by scale
	opUUIDFixed           // fixed(16) uuid → VARCHAR (canonical text)
	opNull                // null → NULL (a NOT NULL column: a bad record)
	opUnion               // a union: the branch's op
	opSkipBool            // skip a boolean
	opSkipLong            // skip an int, a long or an enum
	opSkipFixed           // skip size bytes (float 4, double 8, fixed)
	opSkipBytes           // skip a string or bytes
	opSkipRecord          // skip a record: its fields' ops
	opSkipArray           // skip an array: blocks of items
	opSkipMap             // skip a map: blocks of string keys and values
	opSkipNull            // nothing to skip
)

// op is one step: a writer field (or union branch, array item, map value)
// read into a column or skipped.
type op struct {
	code  opcode
	col   int32   // target column (read ops)
	size  int     // opSkipFixed, opDecimalFixed: bytes; opSkipArray: 1 if items take no bytes
	mul   int64   // opTimestamp: factor to the column's unit
	div   int64   // opTimestamp: divisor to the column's unit
	scale float64 // decimals: 10^scale, the divisor of the unscaled value
	// field names the writer field, for errors.
	field string
	// symbols are an enum's symbols (opEnum).
	symbols [][]byte
	// branches are a union's, by index (opUnion; skipping: each a skip).
	branches []op
	// sub holds a record's field ops (opSkipRecord; a pointer, so that a
	// recursive record refers to itself), an array's item op or a map's
	// value op (one element).
	sub *[]op
}

// program decodes the records of one writer schema into the columns.
type program struct {
	id  int32 // schema id; -1 for an inline schema
	ops []op  // the top-level record's fields, in writer order
	// err, if set, makes every record of this writer schema bad: it cannot
	// be read as the columns, or it could not be found.
	err error
}

// DecodeError is why a record did not decode: a record that is not in the
// wire format, names an unknown or unresolvable writer schema, or is
// truncated or ill-formed. Field is the writer field at fault, if any.
type DecodeError struct {
	SchemaID int32 // -1 for raw Avro with an inline schema, or when no id was read
	Field    string
	Msg      string
}

func (e *DecodeError) Error() string {
	s := ""
	if e.SchemaID >= 0 {
		s = fmt.Sprintf("schema id %d: ", e.SchemaID)
	}
	if e.Field != "" {
		s += fmt.Sprintf("field %s: ", e.Field)
	}
	return s + e.Msg
}
