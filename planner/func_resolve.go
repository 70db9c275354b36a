package planner

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
)

// Resolvers of the registry: each checks the argument types of one family
// of functions and says what the arguments become and what the call returns.

// sig is a fixed signature; the last parameter repeats for variadic
// functions. Arguments convert implicitly (implicitOK).
func sig(ret arrow.DataType, params ...arrow.DataType) resolver {
	return func(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
		out := make([]arrow.DataType, len(args))
		for i, a := range args {
			p := params[min(i, len(params)-1)]
			if !implicitOK(a, p) {
				names := make([]string, len(args))
				for j := range args {
					names[j] = SQLTypeName(params[min(j, len(params)-1)])
				}
				return nil, nil, cannotApply(display, args, display+" takes "+strings.Join(names, ", "))
			}
			out[i] = p
		}
		return out, ret, nil
	}
}

// anyArgs takes arguments of any type as they are.
func anyArgs(ret arrow.DataType) resolver {
	return func(_ string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
		out := make([]arrow.DataType, len(args))
		for i, a := range args {
			out[i] = a.Type()
		}
		return out, ret, nil
	}
}

// numericArgs is the common numeric type of args: BIGINT when all are
// BIGINT (or NULL), DOUBLE otherwise; ok is false if one is not numeric.
func numericArgs(args []Expr) (arrow.DataType, bool) {
	t := catalog.Int64
	for _, a := range args {
		at := a.Type()
		switch {
		case isFloat(at):
			t = catalog.Float64
		case isInt(at) || isNull(at):
		default:
			return nil, false
		}
	}
	return t, true
}

func sameTypes(t arrow.DataType, n int) []arrow.DataType {
	out := make([]arrow.DataType, n)
	for i := range out {
		out[i] = t
	}
	return out
}

// numericSame: numeric arguments, converted to their common type, which is
// also the result type.
func numericSame(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
	t, ok := numericArgs(args)
	if !ok {
		return nil, nil, cannotApply(display, args, "")
	}
	return sameTypes(t, len(args)), t, nil
}

// numericTo: numeric arguments converted to param (their common type when
// nil), returning ret.
func numericTo(param, ret arrow.DataType) resolver {
	return func(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
		t, ok := numericArgs(args)
		if !ok {
			return nil, nil, cannotApply(display, args, "")
		}
		if param != nil {
			t = param
		}
		return sameTypes(t, len(args)), ret, nil
	}
}

func resolveIntDiv(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
	params, _, err := numericSame(display, args)
	return params, catalog.Int64, err
}

func resolveRound(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
	t, ok := numericArgs(args[:1])
	if !ok || (len(args) == 2 && !implicitOK(args[1], catalog.Int64)) {
		return nil, nil, cannotApply(display, args, "ROUND takes a number and a BIGINT count of decimals")
	}
	if len(args) == 2 {
		return []arrow.DataType{t, catalog.Int64}, t, nil
	}
	return []arrow.DataType{t}, t, nil
}

func resolveNeg(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
	if t := args[0].Type(); isInterval(t) {
		return []arrow.DataType{t}, t, nil
	}
	return numericSame(display, args)
}

// resolveAddSub types + and -: numbers, TIMESTAMP ± INTERVAL → TIMESTAMP,
// INTERVAL + TIMESTAMP → TIMESTAMP, TIMESTAMP - TIMESTAMP → INTERVAL,
// INTERVAL ± INTERVAL → INTERVAL. DATEs and string literals on the time
// side count as TIMESTAMPs.
func resolveAddSub(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
	if t, ok := numericArgs(args); ok {
		return sameTypes(t, 2), t, nil
	}
	a, b := args[0].Type(), args[1].Type()
	timeLike := func(e Expr) bool { return isTemporal(e.Type()) || isStringLiteral(e) || isNull(e.Type()) }
	ts, iv := catalog.Timestamp, IntervalType
	switch {
	case timeLike(args[0]) && (isInterval(b) || isNull(b)) && !(isNull(a) && isNull(b)):
		return []arrow.DataType{ts, iv}, ts, nil
	case display == "+" && isInterval(a) && timeLike(args[1]):
		return []arrow.DataType{iv, ts}, ts, nil
	case display == "-" && timeLike(args[0]) && timeLike(args[1]) && (isTemporal(a) || isTemporal(b)):
		return []arrow.DataType{ts, ts}, iv, nil
	case (isInterval(a) || isNull(a)) && (isInterval(b) || isNull(b)):
		return []arrow.DataType{iv, iv}, iv, nil
	}
	return nil, nil, cannotApply(display, args, "")
}

// compare types comparisons, IN and BETWEEN: all arguments meet at their
// common type. BOOLEANs only compare for (in)equality when ordered is false.
func compare(ordered bool) resolver {
	return func(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
		t, ok := commonType(args, catalog.Int64)
		if !ok {
			return nil, nil, cannotApply(display, args, "convert one side with CAST(... AS type)")
		}
		if catalog.IsNested(t) {
			return nil, nil, cannotApply(display, args, "nested values are not compared; compare their fields or elements")
		}
		if ordered && isBool(t) {
			return nil, nil, cannotApply(display, args, "")
		}
		return sameTypes(t, len(args)), catalog.Bool, nil
	}
}

// merge types COALESCE, NULLIF, GREATEST and LEAST: the common type.
func merge(ordered bool) resolver {
	return func(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
		t, ok := commonType(args, catalog.Int64)
		if !ok || (ordered && (isBool(t) || catalog.IsNested(t))) || (display == "NULLIF" && catalog.IsNested(t)) {
			return nil, nil, cannotApply(display, args, "all arguments must have one type; convert with CAST(... AS type)")
		}
		return sameTypes(t, len(args)), t, nil
	}
}

// resolveCase types case(cond1, val1, ..., condN, valN, else).
func resolveCase(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
	if len(args)%2 == 0 {
		return nil, nil, userErr("", "CASE needs an ELSE value (NULL if there is none)")
	}
	vals := make([]Expr, 0, len(args)/2+1)
	for i := 0; i+1 < len(args); i += 2 {
		vals = append(vals, args[i+1])
	}
	vals = append(vals, args[len(args)-1])
	t, ok := commonType(vals, catalog.Int64)
	if !ok {
		return nil, nil, userErr("convert the branches with CAST(... AS type)",
			"CASE branches have different types: %s", typeList(vals))
	}
	params := make([]arrow.DataType, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		if !implicitOK(args[i], catalog.Bool) {
			return nil, nil, userErr("", "CASE condition must be BOOLEAN, got %s", SQLTypeName(args[i].Type()))
		}
		params[i], params[i+1] = catalog.Bool, t
	}
	params[len(args)-1] = t
	return params, t, nil
}

func resolveIf(display string, args []Expr) ([]arrow.DataType, arrow.DataType, error) {
	if !implicitOK(args[0], catalog.Bool) {
		return nil, nil, userErr("", "IF condition must be BOOLEAN, got %s", SQLTypeName(args[0].Type()))
	}
	t, ok := commonType(args[1:], catalog.Int64)
	if !ok {
		return nil, nil, userErr("convert them with CAST(... AS type)",
			"IF branches have different types: %s", typeList(args[1:]))
	}
	return []arrow.DataType{catalog.Bool, t, t}, t, nil
}

func typeList(args []Expr) string {
	names := make([]string, len(args))
	for i, a := range args {
		names[i] = SQLTypeName(a.Type())
	}
	return strings.Join(names, ", ")
}

// buildNow ignores the precision argument of NOW(3) / CURRENT_TIMESTAMP(3).
func buildNow(display string, args []Expr) (Expr, error) {
	if len(args) == 1 {
		if l, ok := args[0].(*Literal); !ok || !isInt(l.Typ) {
			return nil, userErr("", "%s takes a constant precision", display)
		}
	}
	return &Call{Func: "now", Typ: catalog.Timestamp}, nil
}

// buildFromUnixtime: FROM_UNIXTIME(seconds) → TIMESTAMP;
// FROM_UNIXTIME(seconds, format) → DATE_FORMAT(FROM_UNIXTIME(seconds), format).
func buildFromUnixtime(display string, args []Expr) (Expr, error) {
	t, ok := numericArgs(args[:1])
	if !ok {
		return nil, cannotApply(display, args[:1], "FROM_UNIXTIME takes seconds since 1970-01-01 UTC")
	}
	x, err := coerce(args[0], t)
	if err != nil {
		return nil, err
	}
	ts := Expr(&Call{Func: "from_unixtime", Args: []Expr{x}, Typ: catalog.Timestamp})
	if len(args) == 1 {
		return ts, nil
	}
	return newCall("date_format", []Expr{ts, args[1]})
}

// buildToTimestamp: TO_TIMESTAMP(text [, pattern]) parses text (ISO-8601,
// or the Java-style pattern: yyyy-MM-dd HH:mm:ss.SSS); a number is taken as
// seconds since the epoch.
func buildToTimestamp(display string, args []Expr) (Expr, error) {
	at := args[0].Type()
	if len(args) == 1 && (isNumeric(at)) {
		return buildFromUnixtime(display, args)
	}
	if len(args) == 1 && isTemporal(at) {
		return coerce(args[0], catalog.Timestamp)
	}
	params, _, err := sig(catalog.Timestamp, catalog.String, catalog.String)(display, args)
	if err != nil {
		return nil, err
	}
	out := make([]Expr, len(args))
	for i := range args {
		if out[i], err = coerce(args[i], params[i]); err != nil {
			return nil, err
		}
	}
	return &Call{Func: "to_timestamp", Args: out, Typ: catalog.Timestamp}, nil
}

// buildDateArith turns DATE_ADD(ts, INTERVAL ...) into ts + INTERVAL ...
func buildDateArith(op string) func(string, []Expr) (Expr, error) {
	return func(display string, args []Expr) (Expr, error) {
		if t := args[1].Type(); !isInterval(t) && !isNull(t) {
			return nil, userErr("write "+display+"(ts, INTERVAL 5 MINUTE)",
				"%s takes an INTERVAL as its second argument, got %s", display, SQLTypeName(t))
		}
		return newCall(op, args)
	}
}
