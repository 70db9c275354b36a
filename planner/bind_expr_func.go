package planner

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"

	"github.com/tide-sql/tide/catalog"
)

// Binding of function calls, including the forms the dialect layer and
// TiDB produce that are not plain calls: TIDE_INTERVAL, TIDE_CAST,
// DATE_ADD with a TiDB INTERVAL, EXTRACT, TRIM(LEADING ...), ->>, DATE and
// TIMESTAMP literals, and TiDB's own CAST.

// stringArg returns the value of a string literal argument.
func stringArg(n ast.ExprNode) (string, bool) {
	v, ok := n.(ast.ValueExpr)
	if !ok {
		return "", false
	}
	s, ok := v.GetValue().(string)
	return s, ok
}

func (b *binder) funcCall(x *ast.FuncCallExpr, off int) (Expr, error) {
	name := x.FnName.L
	switch name {
	case "tide_interval":
		v, ok1 := stringArg(argAt(x.Args, 0))
		u, ok2 := stringArg(argAt(x.Args, 1))
		if len(x.Args) != 2 || !ok1 || !ok2 {
			return nil, b.errorf(off, "", "malformed INTERVAL")
		}
		return b.interval(v, u, off)
	case "tide_cast", "tide_try_cast":
		return b.cast(x, off)
	case "tide_field":
		return b.fieldCall(x, off)
	case "tide_item":
		return b.callNodes(off, "element_at", x.Args...)
	case "tide_cardinality":
		return b.callNodes(off, "cardinality", x.Args...)
	case "tide_unnest", "tide_unnest_ordinality", "unnest":
		return nil, b.errorf(off, "FROM t CROSS JOIN UNNEST(t.arr) AS u (x)", "UNNEST belongs in FROM, joined with the table whose array it unnests")
	case "date_add", "date_sub", "adddate", "subdate":
		if len(x.Args) == 3 {
			if u, ok := x.Args[2].(*ast.TimeUnitExpr); ok {
				return b.dateArith(name, x.Args[0], x.Args[1], u, off)
			}
		}
	case "timestampadd":
		if len(x.Args) == 3 {
			if u, ok := x.Args[0].(*ast.TimeUnitExpr); ok {
				return b.dateArith("date_add", x.Args[2], x.Args[1], u, off)
			}
		}
	case "extract":
		if len(x.Args) == 2 {
			if u, ok := x.Args[0].(*ast.TimeUnitExpr); ok {
				return b.extract(u, x.Args[1], off)
			}
		}
	case "trim":
		if len(x.Args) == 3 {
			if d, ok := x.Args[2].(*ast.TrimDirectionExpr); ok {
				fn := map[ast.TrimDirectionType]string{ast.TrimLeading: "ltrim", ast.TrimTrailing: "rtrim"}[d.Direction]
				if fn == "" {
					fn = "trim"
				}
				if x.Args[1] == nil {
					return b.callNodes(off, fn, x.Args[0])
				}
				return b.callNodes(off, fn, x.Args[0], x.Args[1])
			}
		}
	case "json_unquote":
		// j->>'$.a' is json_unquote(json_extract(j, '$.a')): one step.
		if len(x.Args) == 1 {
			if in, ok := x.Args[0].(*ast.FuncCallExpr); ok && in.FnName.L == "json_extract" && len(in.Args) == 2 {
				return b.callNodes(off, "json_value", in.Args...)
			}
		}
	case ast.DateLiteral, ast.TimestampLiteral:
		s, ok := stringArg(argAt(x.Args, 0))
		if !ok {
			return nil, b.errorf(off, "", "malformed literal")
		}
		to := pick(name == ast.DateLiteral, "DATE", "TIMESTAMP")
		t, _ := catalog.TypeByName(to)
		v, err := CastValue(s, catalog.String, t)
		if err != nil {
			return nil, b.errorf(off, "", "invalid %s literal %s", to, QuoteSQL(s))
		}
		return &Literal{Value: v, Typ: t}, nil
	}
	for _, a := range x.Args {
		if _, ok := a.(*ast.TimeUnitExpr); ok {
			return nil, b.errorf(off, "", "%s does not take a time unit", strings.ToUpper(x.FnName.O))
		}
	}
	args, err := b.bindAll(x.Args, off)
	if err != nil {
		return nil, err
	}
	return b.callAt(off, nodeOffsets(x.Args), x.FnName.O, args...)
}

func argAt(args []ast.ExprNode, i int) ast.ExprNode {
	if i < len(args) {
		return args[i]
	}
	return nil
}

func (b *binder) interval(value, unit string, off int) (Expr, error) {
	d, err := ParseInterval(value, unit)
	if err != nil {
		return nil, b.errorf(off, "", "%v", err)
	}
	return &Literal{Value: d, Typ: IntervalType}, nil
}

// dateArith binds DATE_ADD(ts, INTERVAL n unit) as TiDB parses it: the
// value and the unit are separate arguments.
func (b *binder) dateArith(name string, tsNode, valNode ast.ExprNode, unit *ast.TimeUnitExpr, off int) (Expr, error) {
	ts, err := b.bind(tsNode, off)
	if err != nil {
		return nil, err
	}
	val, err := b.bind(valNode, off)
	if err != nil {
		return nil, err
	}
	l, ok := val.(*Literal)
	if !ok || l.Value == nil {
		return nil, b.errorf(valNode.OriginTextPosition(), "", "the INTERVAL value must be a constant")
	}
	text, err := CastValue(l.Value, l.Typ, catalog.String)
	if err != nil {
		return nil, b.at(off, err)
	}
	iv, err := b.interval(text.(string), unit.Unit.String(), off)
	if err != nil {
		return nil, err
	}
	return b.call(off, name, ts, iv)
}

func (b *binder) extract(u *ast.TimeUnitExpr, node ast.ExprNode, off int) (Expr, error) {
	unit := strings.ToLower(u.Unit.String())
	for _, f := range TimeFields {
		if f == unit {
			return b.callNodes(off, f, node)
		}
	}
	return nil, b.errorf(off, "units are YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MICROSECOND",
		"EXTRACT does not support unit %s", u.Unit.String())
}

// cast binds TIDE_CAST(x, 'type text') and TIDE_TRY_CAST.
func (b *binder) cast(x *ast.FuncCallExpr, off int) (Expr, error) {
	text, ok := stringArg(argAt(x.Args, 1))
	if len(x.Args) != 2 || !ok {
		return nil, b.errorf(off, "", "malformed CAST")
	}
	to, err := TypeFromText(text)
	if err != nil {
		return nil, b.at(off, err)
	}
	arg, err := b.bind(x.Args[0], off)
	if err != nil {
		return nil, err
	}
	e, err := NewCast(arg, to, x.FnName.L == "tide_try_cast")
	if err != nil {
		return nil, b.at(off, err)
	}
	return e, nil
}

// tidbCast binds a CAST that TiDB parsed itself (MySQL target names).
func (b *binder) tidbCast(x *ast.FuncCastExpr, off int) (Expr, error) {
	var to arrow.DataType
	switch x.Tp.GetType() {
	case mysql.TypeLonglong, mysql.TypeLong, mysql.TypeShort, mysql.TypeTiny, mysql.TypeInt24, mysql.TypeYear:
		to = catalog.Int64
	case mysql.TypeDouble, mysql.TypeFloat, mysql.TypeNewDecimal:
		to = catalog.Float64
	case mysql.TypeVarchar, mysql.TypeVarString, mysql.TypeString, mysql.TypeBlob, mysql.TypeJSON:
		to = catalog.String
	case mysql.TypeDatetime, mysql.TypeTimestamp:
		to = catalog.Timestamp
	case mysql.TypeDate:
		to = catalog.Date
	default:
		return nil, b.errorf(off, typesHint, "unsupported CAST target %s", x.Tp.String())
	}
	arg, err := b.bind(x.Expr, off)
	if err != nil {
		return nil, err
	}
	e, err := NewCast(arg, to, false)
	if err != nil {
		return nil, b.at(off, err)
	}
	return e, nil
}

const typesHint = "types are BOOLEAN, BIGINT, DOUBLE, VARCHAR, TIMESTAMP and DATE (and their MySQL and Flink spellings)"

// TypeFromText maps a type as the user wrote it in CAST ("BIGINT",
// "VARCHAR(10)", "DECIMAL(10, 2)", "TIMESTAMP(3) WITH LOCAL TIME ZONE",
// "SIGNED INTEGER") to tide's type.
func TypeFromText(text string) (arrow.DataType, error) {
	if catalog.IsNestedTypeName(text) {
		t, _, err := catalog.ParseType(text)
		if err != nil {
			return nil, userErr("nested types are ROW<name TYPE, ...>, ARRAY<TYPE> and MAP<VARCHAR, TYPE>", "%v", err)
		}
		return t, nil
	}
	var sb strings.Builder
	depth := 0
	for _, r := range text {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case depth == 0:
			sb.WriteRune(r)
		}
	}
	words := strings.Fields(strings.ToUpper(sb.String()))
	for len(words) > 0 {
		if t, err := catalog.TypeByName(strings.Join(words, " ")); err == nil {
			return t, nil
		}
		words = words[:len(words)-1] // WITH LOCAL TIME ZONE, INTEGER of SIGNED INTEGER, ...
	}
	return nil, userErr(typesHint, "unknown type %s", strings.TrimSpace(text))
}
