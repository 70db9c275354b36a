package planner

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

// BindExpr turns a TiDB expression into a typed Expr: column names resolve
// against s.Columns, literals get types, operators and functions go through
// NewCall. s.Replace is asked first about every node. Errors caused by the
// SQL are *parser.Error at the offending node.
func BindExpr(n ast.ExprNode, s *Scope) (Expr, error) {
	b := &binder{s: s}
	return b.bind(n, 0)
}

// ParseInterval turns an interval value ("5", "1.5", "-2") and unit
// ("MINUTE", "minutes") into a duration.
func ParseInterval(value, unit string) (time.Duration, error) {
	return parser.ParseInterval(value, unit)
}

type binder struct {
	s *Scope
}

// pos maps an offset of the parsed text to the user's text.
func (b *binder) pos(off int) parser.Pos {
	if b.s.Pos != nil {
		return b.s.Pos(off)
	}
	return parser.Pos{Line: 1, Column: off + 1, Offset: off}
}

func (b *binder) errorf(off int, hint, format string, args ...any) error {
	return &parser.Error{Pos: b.pos(off), Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// at gives an error without a position (from NewCall, Replace) the
// position off.
func (b *binder) at(off int, err error) error {
	var pe *parser.Error
	if errors.As(err, &pe) && !pe.Pos.IsValid() {
		cp := *pe
		cp.Pos = b.pos(off)
		return &cp
	}
	return err
}

func (b *binder) call(off int, name string, args ...Expr) (Expr, error) {
	return b.callAt(off, nil, name, args...)
}

// callAt builds a call at offset off; argOffs, when given, are the offsets
// of the arguments, so that a literal that does not convert is reported
// where it stands.
func (b *binder) callAt(off int, argOffs []int, name string, args ...Expr) (Expr, error) {
	e, err := newCall(name, args)
	if err == nil {
		return e, nil
	}
	var le *literalError
	if errors.As(err, &le) {
		for i, a := range args {
			if a == Expr(le.lit) && i < len(argOffs) && argOffs[i] > 0 {
				off = argOffs[i]
			}
		}
		err = le.err
	}
	return nil, b.at(off, err)
}

func (b *binder) where() string {
	if b.s.What == "" {
		return "here"
	}
	return "in " + b.s.What
}

// bind binds n; parent is the offset of the nearest enclosing node, used
// when TiDB recorded none for n (0).
func (b *binder) bind(n ast.ExprNode, parent int) (Expr, error) {
	off := n.OriginTextPosition()
	if off <= 0 {
		off = parent
	}
	if b.s.Replace != nil {
		e, ok, err := b.s.Replace(n)
		if err != nil {
			return nil, b.at(off, err)
		}
		if ok {
			return e, nil
		}
	}
	switch x := n.(type) {
	case *ast.ParenthesesExpr:
		return b.bind(x.Expr, off)
	case *ast.ColumnNameExpr:
		return b.column(x.Name, off)
	case ast.ValueExpr:
		return b.literal(x, off)
	case *ast.BinaryOperationExpr:
		return b.binary(x, off)
	case *ast.UnaryOperationExpr:
		return b.unary(x, off)
	case *ast.IsNullExpr:
		return b.callNodes(off, pick(x.Not, "is_not_null", "is_null"), x.Expr)
	case *ast.IsTruthExpr:
		name := pick(x.True != 0, "is_true", "is_false")
		if x.Not {
			name = pick(x.True != 0, "is_not_true", "is_not_false")
		}
		return b.callNodes(off, name, x.Expr)
	case *ast.PatternInExpr:
		if x.Sel != nil {
			return nil, b.errorf(off, "", "subqueries are not supported")
		}
		return b.callNodes(off, pick(x.Not, "not_in", "in"), append([]ast.ExprNode{x.Expr}, x.List...)...)
	case *ast.BetweenExpr:
		return b.callNodes(off, pick(x.Not, "not_between", "between"), x.Expr, x.Left, x.Right)
	case *ast.PatternLikeOrIlikeExpr:
		return b.like(x, off)
	case *ast.PatternRegexpExpr:
		return b.callNodes(off, pick(x.Not, "not_regexp", "regexp"), x.Expr, x.Pattern)
	case *ast.CaseExpr:
		return b.caseExpr(x, off)
	case *ast.FuncCallExpr:
		return b.funcCall(x, off)
	case *ast.FuncCastExpr:
		return b.tidbCast(x, off)
	case *ast.AggregateFuncExpr:
		return nil, b.errorf(off, "", "aggregate function %s is not allowed %s", strings.ToUpper(x.F), b.where())
	case *ast.WindowFuncExpr:
		return nil, b.errorf(off, "", "window function %s is not allowed %s", strings.ToUpper(x.Name), b.where())
	case *ast.SubqueryExpr, *ast.ExistsSubqueryExpr, *ast.CompareSubqueryExpr:
		return nil, b.errorf(off, "", "subqueries are not supported")
	case *ast.VariableExpr:
		return nil, b.errorf(off, "", "variables are not supported")
	case *ast.RowExpr:
		return nil, b.errorf(off, "", "row values are not supported")
	case *ast.TimeUnitExpr:
		return nil, b.errorf(off, "", "unexpected time unit %s", x.Unit.String())
	}
	return nil, b.errorf(off, "", "this kind of expression is not supported")
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

func (b *binder) bindAll(nodes []ast.ExprNode, off int) ([]Expr, error) {
	out := make([]Expr, len(nodes))
	for i, n := range nodes {
		e, err := b.bind(n, off)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func (b *binder) callNodes(off int, name string, nodes ...ast.ExprNode) (Expr, error) {
	args, err := b.bindAll(nodes, off)
	if err != nil {
		return nil, err
	}
	return b.callAt(off, nodeOffsets(nodes), name, args...)
}

func nodeOffsets(nodes []ast.ExprNode) []int {
	offs := make([]int, len(nodes))
	for i, n := range nodes {
		if n != nil {
			offs[i] = n.OriginTextPosition()
		}
	}
	return offs
}

func qualified(c ScopeColumn) string {
	if c.Table == "" {
		return c.Name
	}
	return c.Table + "." + c.Name
}

func (b *binder) columnsHint() string {
	if len(b.s.Columns) == 0 {
		return "there are no columns here: VALUES and SELECT without FROM take constant expressions"
	}
	const max = 20
	names := make([]string, 0, min(len(b.s.Columns), max))
	for i, c := range b.s.Columns {
		if i == max {
			names = append(names, "...")
			break
		}
		names = append(names, c.Name)
	}
	return "columns are " + strings.Join(names, ", ")
}

func (b *binder) literal(x ast.ValueExpr, off int) (Expr, error) {
	switch v := x.GetValue().(type) {
	case nil:
		return &Literal{Typ: catalog.Null}, nil
	case int64:
		if mysql.HasIsBooleanFlag(x.GetType().GetFlag()) {
			return &Literal{Value: v != 0, Typ: catalog.Bool}, nil
		}
		return &Literal{Value: v, Typ: catalog.Int64}, nil
	case uint64:
		if v <= math.MaxInt64 {
			return &Literal{Value: int64(v), Typ: catalog.Int64}, nil
		}
		return &Literal{Value: float64(v), Typ: catalog.Float64}, nil
	case float64:
		return &Literal{Value: v, Typ: catalog.Float64}, nil
	case float32:
		return &Literal{Value: float64(v), Typ: catalog.Float64}, nil
	case string:
		return &Literal{Value: v, Typ: catalog.String}, nil
	case interface{ ToString() string }: // x'..' and b'..' literals
		return &Literal{Value: v.ToString(), Typ: catalog.String}, nil
	case fmt.Stringer: // DECIMAL literals
		f, err := strconv.ParseFloat(v.String(), 64)
		if err != nil {
			return nil, b.errorf(off, "", "invalid number %s", v.String())
		}
		return &Literal{Value: f, Typ: catalog.Float64}, nil
	}
	return nil, b.errorf(off, "", "unsupported literal")
}

var binaryOps = map[opcode.Op]string{
	opcode.Plus: "+", opcode.Minus: "-", opcode.Mul: "*", opcode.Div: "/", opcode.Mod: "%", opcode.IntDiv: "div",
	opcode.EQ: "=", opcode.NE: "!=", opcode.LT: "<", opcode.LE: "<=", opcode.GT: ">", opcode.GE: ">=",
	opcode.NullEQ: "<=>", opcode.LogicAnd: "and", opcode.LogicOr: "or", opcode.LogicXor: "xor",
}

func (b *binder) binary(x *ast.BinaryOperationExpr, off int) (Expr, error) {
	name, ok := binaryOps[x.Op]
	if !ok {
		return nil, b.errorf(off, "", "operator %s is not supported", opText(x.Op))
	}
	return b.callNodes(off, name, x.L, x.R)
}

func (b *binder) unary(x *ast.UnaryOperationExpr, off int) (Expr, error) {
	switch x.Op {
	case opcode.Plus:
		return b.bind(x.V, off)
	case opcode.Not, opcode.Not2:
		return b.callNodes(off, "not", x.V)
	case opcode.Minus:
		e, err := b.bind(x.V, off)
		if err != nil {
			return nil, err
		}
		if l, ok := e.(*Literal); ok { // fold -5 into a literal
			switch v := l.Value.(type) {
			case int64:
				if v != math.MinInt64 {
					return &Literal{Value: -v, Typ: l.Typ}, nil
				}
			case float64:
				return &Literal{Value: -v, Typ: l.Typ}, nil
			case time.Duration:
				return &Literal{Value: -v, Typ: l.Typ}, nil
			}
		}
		return b.call(off, "neg", e)
	}
	return nil, b.errorf(off, "", "operator %s is not supported", opText(x.Op))
}

// opText is an operator as SQL spells it (&, <<, ~).
func opText(op opcode.Op) string {
	var sb strings.Builder
	op.Format(&sb)
	return strings.TrimSpace(sb.String())
}

func (b *binder) like(x *ast.PatternLikeOrIlikeExpr, off int) (Expr, error) {
	name := pick(x.IsLike, "like", "ilike")
	if x.Not {
		name = "not_" + name
	}
	nodes := []ast.ExprNode{x.Expr, x.Pattern}
	args, err := b.bindAll(nodes, off)
	if err != nil {
		return nil, err
	}
	if x.Escape != '\\' {
		args = append(args, &Literal{Value: string([]byte{x.Escape}), Typ: catalog.String})
	}
	return b.call(off, name, args...)
}

// caseExpr binds both CASE forms to case(cond1, val1, ..., else); the
// simple form CASE x WHEN v compares x = v.
func (b *binder) caseExpr(x *ast.CaseExpr, off int) (Expr, error) {
	var subject Expr
	if x.Value != nil {
		var err error
		if subject, err = b.bind(x.Value, off); err != nil {
			return nil, err
		}
	}
	var args []Expr
	var offs []int
	for _, w := range x.WhenClauses {
		cond, err := b.bind(w.Expr, off)
		if err != nil {
			return nil, err
		}
		if subject != nil {
			if cond, err = b.call(w.Expr.OriginTextPosition(), "=", subject, cond); err != nil {
				return nil, err
			}
		}
		val, err := b.bind(w.Result, off)
		if err != nil {
			return nil, err
		}
		args = append(args, cond, val)
		offs = append(offs, w.Expr.OriginTextPosition(), w.Result.OriginTextPosition())
	}
	var els Expr = &Literal{Typ: catalog.Null}
	if x.ElseClause != nil {
		var err error
		if els, err = b.bind(x.ElseClause, off); err != nil {
			return nil, err
		}
		offs = append(offs, x.ElseClause.OriginTextPosition())
	}
	return b.callAt(off, offs, "case", append(args, els)...)
}
