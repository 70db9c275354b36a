package planner

import (
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

// Type rules of scalar functions: what converts to what implicitly, the
// common type of several arguments, and folding of literals into the type
// an argument needs.

func isNull(t arrow.DataType) bool      { return t.ID() == arrow.NULL }
func isInt(t arrow.DataType) bool       { return t.ID() == arrow.INT64 }
func isFloat(t arrow.DataType) bool     { return t.ID() == arrow.FLOAT64 }
func isNumeric(t arrow.DataType) bool   { return isInt(t) || isFloat(t) }
func isString(t arrow.DataType) bool    { return t.ID() == arrow.STRING }
func isBool(t arrow.DataType) bool      { return t.ID() == arrow.BOOL }
func isTimestamp(t arrow.DataType) bool { return t.ID() == arrow.TIMESTAMP }
func isDate(t arrow.DataType) bool      { return t.ID() == arrow.DATE32 }
func isTemporal(t arrow.DataType) bool  { return isTimestamp(t) || isDate(t) }
func isInterval(t arrow.DataType) bool  { return t.ID() == arrow.DURATION }

// SQLTypeName is the name of t in messages: BIGINT, VARCHAR, INTERVAL, ...
func SQLTypeName(t arrow.DataType) string {
	switch t.ID() {
	case arrow.NULL:
		return "NULL"
	case arrow.DURATION:
		return "INTERVAL"
	}
	return typeName(t)
}

// isStringLiteral reports whether e is a string constant, which converts to
// whatever type the other side of a comparison has ('2024-01-01' against a
// TIMESTAMP column, '42' against a BIGINT).
func isStringLiteral(e Expr) bool {
	l, ok := e.(*Literal)
	if !ok {
		return false
	}
	_, ok = l.Value.(string)
	return ok
}

// implicitOK reports whether a value of type from may be converted to to
// without the user writing CAST.
func implicitOK(e Expr, to arrow.DataType) bool {
	from := e.Type()
	if arrow.TypeEqual(from, to) || isNull(from) {
		return true
	}
	if isStringLiteral(e) && !isInterval(to) {
		return true
	}
	switch to.ID() {
	case arrow.STRING:
		return !isInterval(from) && !catalog.IsNested(from)
	case arrow.INT64, arrow.FLOAT64:
		return isNumeric(from)
	case arrow.BOOL:
		return isNumeric(from)
	case arrow.TIMESTAMP, arrow.DATE32:
		return isTemporal(from)
	}
	return false
}

// commonType is the type several arguments are compared or merged as.
// NULLs take the others' type; string literals take the type of the
// non-literal arguments; BIGINT and DOUBLE meet at DOUBLE, DATE and
// TIMESTAMP at TIMESTAMP. ok is false when the types do not meet. With
// only NULLs, the type is def.
func commonType(args []Expr, def arrow.DataType) (arrow.DataType, bool) {
	var t arrow.DataType
	sawString := false
	for _, a := range args {
		at := a.Type()
		if isNull(at) {
			continue
		}
		if isStringLiteral(a) {
			sawString = true
			continue
		}
		if t == nil {
			t = at
			continue
		}
		switch {
		case arrow.TypeEqual(t, at):
		case isNumeric(t) && isNumeric(at):
			t = catalog.Float64
		case isTemporal(t) && isTemporal(at):
			t = catalog.Timestamp
		default:
			return nil, false
		}
	}
	if t == nil {
		if sawString {
			return catalog.String, true
		}
		return def, true
	}
	return t, true
}

// coerce converts e to type to: literals are converted now (a bad one is an
// error the binder positions), anything else gets a cast.
func coerce(e Expr, to arrow.DataType) (Expr, error) {
	if arrow.TypeEqual(e.Type(), to) {
		return e, nil
	}
	if l, ok := e.(*Literal); ok {
		v, err := CastValue(l.Value, l.Typ, to)
		if err != nil {
			return nil, &literalError{lit: l, err: userErr("", "%v", err)}
		}
		return &Literal{Value: v, Typ: to}, nil
	}
	return &Call{Func: "cast", Args: []Expr{e}, Typ: to}, nil
}

// literalError is a literal argument that does not convert to the type
// its place needs; the binder points at the literal rather than the call.
type literalError struct {
	lit *Literal
	err *parser.Error
}

func (e *literalError) Error() string { return e.err.Error() }
func (e *literalError) Unwrap() error { return e.err }

// castable reports whether CAST(x AS to) exists for x of type from.
func castable(from, to arrow.DataType) bool {
	if arrow.TypeEqual(from, to) || isNull(from) {
		return true
	}
	switch from.ID() {
	case arrow.BOOL, arrow.INT64, arrow.FLOAT64:
		return isNumeric(to) || isBool(to) || isString(to)
	case arrow.STRING:
		return !isInterval(to)
	case arrow.TIMESTAMP, arrow.DATE32:
		return isTemporal(to) || isString(to)
	case arrow.DURATION:
		return isString(to)
	case arrow.STRUCT, arrow.LIST, arrow.MAP:
		return isString(to) // as JSON
	}
	return false
}

// CastValue converts a literal value (nil, bool, int64, float64, string,
// time.Time, time.Duration) of type from to the Go value of type to, with
// the rules of CAST. The error names the value.
func CastValue(v any, from, to arrow.DataType) (any, error) {
	if v == nil {
		return nil, nil
	}
	bad := func() error {
		return fmt.Errorf("cannot cast %s to %s", literalText(v), SQLTypeName(to))
	}
	switch to.ID() {
	case arrow.BOOL:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case float64:
			return x != 0, nil
		case string:
			if b, ok := ParseBool(x); ok {
				return b, nil
			}
		}
	case arrow.INT64:
		switch x := v.(type) {
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case int64:
			return x, nil
		case float64:
			if i, ok := FloatToInt64(x); ok {
				return i, nil
			}
		case string:
			if i, ok := ParseInt64(x); ok {
				return i, nil
			}
		}
	case arrow.FLOAT64:
		switch x := v.(type) {
		case bool:
			if x {
				return 1.0, nil
			}
			return 0.0, nil
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		case string:
			if f, ok := ParseFloat64(x); ok {
				return f, nil
			}
		}
	case arrow.STRING:
		switch x := v.(type) {
		case bool:
			return strconv.FormatBool(x), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return string(AppendFloat(nil, x)), nil
		case string:
			return x, nil
		case time.Time:
			if isDate(from) {
				return string(AppendDate(nil, FloorDiv(x.UnixMicro(), MicrosPerDay))), nil
			}
			return string(AppendTimestamp(nil, x.UnixMicro())), nil
		case time.Duration:
			return FormatDuration(x), nil
		}
	case arrow.TIMESTAMP:
		switch x := v.(type) {
		case string:
			if us, ok := ParseTimestamp(x); ok {
				return time.UnixMicro(us).UTC(), nil
			}
		case time.Time:
			return x.UTC(), nil
		}
	case arrow.DATE32:
		switch x := v.(type) {
		case string:
			if d, ok := ParseDate(x); ok {
				return time.UnixMicro(int64(d) * MicrosPerDay).UTC(), nil
			}
		case time.Time:
			d := FloorDiv(x.UnixMicro(), MicrosPerDay)
			return time.UnixMicro(d * MicrosPerDay).UTC(), nil
		}
	case arrow.DURATION:
		if d, ok := v.(time.Duration); ok {
			return d, nil
		}
	}
	return nil, bad()
}

// literalText prints a Go literal value for messages: strings quoted.
func literalText(v any) string {
	switch x := v.(type) {
	case string:
		return QuoteSQL(x)
	case float64:
		return string(AppendFloat(nil, x))
	case time.Time:
		return string(AppendTimestamp(nil, x.UnixMicro()))
	case time.Duration:
		return "INTERVAL " + FormatDuration(x)
	}
	return fmt.Sprint(v)
}
