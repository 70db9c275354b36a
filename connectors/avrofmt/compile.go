package avrofmt

import (
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/hamba/avro/v2"
)

// compile builds the program that reads records of writer schema w (id -1
// for an inline schema) into cols, by Avro's resolution rules with the
// columns as the reader: fields match columns by name (exactly, else
// case-insensitively), fields no column names are skipped, and a column no
// field names is NULL, which a NOT NULL column cannot be. Columns the query
// does not read are left out: their fields are skipped whatever their
// type. A writer schema that cannot be read as the columns gives a program
// whose err says why.
func compile(id int32, w avro.Schema, cols []column) *program {
	p := &program{id: id}
	fail := func(field, format string, args ...any) *program {
		p.ops, p.err = nil, &DecodeError{SchemaID: id, Field: field, Msg: fmt.Sprintf(format, args...)}
		return p
	}
	rec, ok := unref(w).(*avro.RecordSchema)
	if !ok {
		return fail("", "the writer schema is %s, not a record: it cannot be read as columns", typeName(w))
	}
	fields := rec.Fields()
	target := make([]int, len(fields)) // column of each field, or -1
	claimed := make([]bool, len(cols))
	index := newColumnIndex(cols)
	for i, c := range cols {
		claimed[i] = c.unused // nothing reads into them
	}
	for i, f := range fields {
		target[i] = -1
		if c, ok := index.exact[f.Name()]; ok && !claimed[c] {
			target[i], claimed[c] = c, true
		}
	}
	for i, f := range fields {
		if target[i] >= 0 {
			continue
		}
		if c := index.find(f.Name()); c >= 0 && !claimed[c] {
			target[i], claimed[c] = c, true
		}
	}
	skips := map[string]*[]op{}
	for i, f := range fields {
		if target[i] < 0 {
			o := skipOp(f.Type(), skips)
			o.field = f.Name()
			p.ops = append(p.ops, o)
			continue
		}
		c := &cols[target[i]]
		o, err := readOp(f.Type(), c, int32(target[i]))
		if err != nil {
			return fail(f.Name(), "%v", err)
		}
		o.field = f.Name()
		p.ops = append(p.ops, o)
	}
	for i, c := range cols {
		if !claimed[i] && c.notNull && !c.unused {
			return fail("", "the writer schema (record %s) has no field %s, and column %s is NOT NULL", rec.FullName(), c.name, c.name)
		}
	}
	return p
}

// unref follows a reference to a named type.
func unref(s avro.Schema) avro.Schema {
	if r, ok := s.(*avro.RefSchema); ok {
		return r.Schema()
	}
	return s
}

// logical is the logical type of s, "" if none (also the ones hamba does
// not know, such as timestamp-nanos, which it leaves as a property).
func logical(s avro.Schema) string {
	if l, ok := s.(avro.LogicalTypeSchema); ok && l.Logical() != nil {
		return string(l.Logical().Type())
	}
	if p, ok := s.(avro.PropertySchema); ok {
		if v, ok := p.Prop("logicalType").(string); ok {
			return v
		}
	}
	return ""
}

// typeName names an Avro type in messages: "long", "long (timestamp-millis)",
// "record Order", "union [null, string]".
func typeName(s avro.Schema) string {
	s = unref(s)
	switch t := s.(type) {
	case *avro.UnionSchema:
		var names []string
		for _, b := range t.Types() {
			names = append(names, typeName(b))
		}
		return "union [" + strings.Join(names, ", ") + "]"
	case avro.NamedSchema:
		n := string(s.Type()) + " " + t.FullName()
		if l := logical(s); l != "" {
			n += " (" + l + ")"
		}
		return n
	}
	if l := logical(s); l != "" {
		return fmt.Sprintf("%s (%s)", s.Type(), l)
	}
	return string(s.Type())
}

// readOp is the op reading a value of writer type w into column c (index
// col), or why c cannot hold it.
func readOp(w avro.Schema, c *column, col int32) (op, error) {
	w = unref(w)
	cannot := func() (op, error) {
		return op{}, fmt.Errorf("the writer's %s cannot be read as column %s %s", typeName(w), c.name, c.sqlType)
	}
	lt := logical(w)
	switch t := w.(type) {
	case *avro.NullSchema:
		if c.notNull {
			return op{}, fmt.Errorf("the writer's null cannot be read as column %s, which is NOT NULL", c.name)
		}
		return op{code: opNull, col: col}, nil
	case *avro.UnionSchema:
		u := op{code: opUnion, col: col}
		for _, b := range t.Types() {
			o, err := readOp(b, c, col)
			if err != nil {
				return op{}, fmt.Errorf("%s: %v", typeName(w), err)
			}
			u.branches = append(u.branches, o)
		}
		return u, nil
	case *avro.RecordSchema, *avro.ArraySchema, *avro.MapSchema:
		return op{}, fmt.Errorf("the writer's %s is a nested type: reading records, arrays and maps into columns is not supported yet", typeName(w))
	case *avro.EnumSchema:
		if c.kind != kindString {
			return cannot()
		}
		o := op{code: opEnum, col: col}
		for _, s := range t.Symbols() {
			o.symbols = append(o.symbols, []byte(s))
		}
		return o, nil
	case *avro.FixedSchema:
		switch {
		case lt == "decimal" && c.kind == kindFloat64:
			return op{code: opDecimalFixed, col: col, size: t.Size(), scale: decimalScale(t)}, nil
		case lt == "uuid" && t.Size() == 16 && c.kind == kindString:
			return op{code: opUUIDFixed, col: col, size: 16}, nil
		}
		return cannot()
	}
	switch w.Type() {
	case avro.Boolean:
		if c.kind == kindBool {
			return op{code: opBool, col: col}, nil
		}
	case avro.Int, avro.Long:
		switch c.kind {
		case kindInt64:
			return op{code: opLong, col: col}, nil
		case kindFloat64:
			return op{code: opLongToDouble, col: col}, nil
		case kindTimestamp:
			if w.Type() == avro.Long {
				return timestampOp(lt, c, col)
			}
		case kindDate32:
			if w.Type() == avro.Int && (lt == "" || lt == "date") {
				return op{code: opDate, col: col}, nil
			}
		}
	case avro.Float:
		if c.kind == kindFloat64 {
			return op{code: opFloat, col: col}, nil
		}
	case avro.Double:
		if c.kind == kindFloat64 {
			return op{code: opDouble, col: col}, nil
		}
	case avro.String:
		if c.kind == kindString {
			return op{code: opString, col: col}, nil
		}
	case avro.Bytes:
		switch {
		case lt == "decimal" && c.kind == kindFloat64:
			return op{code: opDecimalBytes, col: col, scale: decimalScale(w)}, nil
		case lt == "" && c.kind == kindString:
			return op{code: opString, col: col}, nil
		}
	}
	return cannot()
}

// timestampOp reads a long into a TIMESTAMP column: timestamp-millis,
// timestamp-micros, timestamp-nanos (and their local- forms, taken as
// UTC), and a plain long as epoch milliseconds, as the json format reads
// numbers.
func timestampOp(lt string, c *column, col int32) (op, error) {
	var from arrow.TimeUnit
	switch lt {
	case "", "timestamp-millis", "local-timestamp-millis":
		from = arrow.Millisecond
	case "timestamp-micros", "local-timestamp-micros":
		from = arrow.Microsecond
	case "timestamp-nanos", "local-timestamp-nanos":
		from = arrow.Nanosecond
	default:
		return op{}, fmt.Errorf("the writer's long (%s) cannot be read as column %s %s", lt, c.name, c.sqlType)
	}
	o := op{code: opTimestamp, col: col, mul: 1, div: 1}
	if d := int(c.unit) - int(from); d > 0 { // arrow units: s, ms, µs, ns
		o.mul = pow10(3 * d)
	} else if d < 0 {
		o.div = pow10(-3 * d)
	}
	return o, nil
}

func pow10(n int) int64 {
	v := int64(1)
	for range n {
		v *= 10
	}
	return v
}

// decimalScale is 10^scale of a decimal type: the unscaled value divided
// by it is the number (a division, so that 12345 with scale 2 is exactly
// the double nearest 123.45).
func decimalScale(s avro.Schema) float64 {
	if l, ok := s.(avro.LogicalTypeSchema); ok {
		if d, ok := l.Logical().(*avro.DecimalLogicalSchema); ok {
			return math.Pow10(d.Scale())
		}
	}
	return 1
}

// zeroWidth reports whether values skipped by o take no bytes (null, a
// record of such fields).
func zeroWidth(o *op, seen map[*[]op]bool) bool {
	switch o.code {
	case opSkipNull:
		return true
	case opSkipRecord:
		if seen[o.sub] {
			return true // a recursion adds nothing
		}
		seen[o.sub] = true
		for i := range *o.sub {
			if !zeroWidth(&(*o.sub)[i], seen) {
				return false
			}
		}
		return true
	}
	return false
}

// skipOp is the op skipping a value of writer type w. skips holds the ops
// of the records met so far, by full name, so that a recursive record's
// op refers to itself.
func skipOp(w avro.Schema, skips map[string]*[]op) op {
	w = unref(w)
	switch t := w.(type) {
	case *avro.NullSchema:
		return op{code: opSkipNull}
	case *avro.RecordSchema:
		if ops, ok := skips[t.FullName()]; ok {
			return op{code: opSkipRecord, sub: ops}
		}
		ops := new([]op)
		skips[t.FullName()] = ops
		for _, f := range t.Fields() {
			*ops = append(*ops, skipOp(f.Type(), skips))
		}
		return op{code: opSkipRecord, sub: ops}
	case *avro.ArraySchema:
		o := op{code: opSkipArray, sub: &[]op{skipOp(t.Items(), skips)}}
		if zeroWidth(&(*o.sub)[0], map[*[]op]bool{}) {
			o.size = 1 // items take no bytes: a count is skipped, not looped over
		}
		return o
	case *avro.MapSchema:
		return op{code: opSkipMap, sub: &[]op{skipOp(t.Values(), skips)}}
	case *avro.UnionSchema:
		u := op{code: opUnion}
		for _, b := range t.Types() {
			u.branches = append(u.branches, skipOp(b, skips))
		}
		return u
	case *avro.EnumSchema:
		return op{code: opSkipLong}
	case *avro.FixedSchema:
		return op{code: opSkipFixed, size: t.Size()}
	}
	switch w.Type() {
	case avro.Boolean:
		return op{code: opSkipBool}
	case avro.Int, avro.Long:
		return op{code: opSkipLong}
	case avro.Float:
		return op{code: opSkipFixed, size: 4}
	case avro.Double:
		return op{code: opSkipFixed, size: 8}
	}
	return op{code: opSkipBytes} // string, bytes
}
