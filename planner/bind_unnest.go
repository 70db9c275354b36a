package planner

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

// unnestOf recognises the derived table the parser makes of UNNEST(e) AS
// t (a, b): (SELECT TIDE_UNNEST(e, 'a', 'b')) AS t. It returns the call
// and the alias.
func unnestOf(n ast.ResultSetNode) (*ast.FuncCallExpr, string, bool) {
	ts, ok := n.(*ast.TableSource)
	if !ok {
		return nil, "", false
	}
	sel, ok := ts.Source.(*ast.SelectStmt)
	if !ok || sel.From != nil || sel.Fields == nil || len(sel.Fields.Fields) != 1 {
		return nil, "", false
	}
	fc, ok := sel.Fields.Fields[0].Expr.(*ast.FuncCallExpr)
	if !ok || (fc.FnName.L != "tide_unnest" && fc.FnName.L != "tide_unnest_ordinality") {
		return nil, "", false
	}
	return fc, ts.AsName.O, true
}

const unnestHint = "FROM orders o CROSS JOIN UNNEST(o.items) AS t (item), or LEFT JOIN UNNEST(o.items) AS t (item) ON TRUE to keep rows with no items"

// bindUnnest binds `left CROSS JOIN UNNEST(e) [WITH ORDINALITY] AS alias
// (names)` (or a comma, or LEFT JOIN ... ON TRUE): e is bound over the
// left side's columns.
func (p *Planner) bindUnnest(j *ast.Join, call *ast.FuncCallExpr, alias string, q *parser.Query, depth int) (*rel, error) {
	pos := q.Map.Pos(call.OriginTextPosition())
	left, err := p.bindFrom(&ast.Join{Left: j.Left}, q, depth)
	if err != nil {
		return nil, err
	}
	if left.update {
		return nil, &parser.Error{Pos: pos, Msg: "the input of UNNEST updates its rows; UNNEST takes append-only input"}
	}
	n := &Unnest{Ordinality: call.FnName.L == "tide_unnest_ordinality"}
	switch {
	case q.FullJoins[j], j.Tp == ast.RightJoin:
		return nil, &parser.Error{Pos: pos, Msg: "UNNEST joins only as CROSS JOIN or LEFT JOIN", Hint: unnestHint}
	case j.Tp == ast.LeftJoin:
		n.Outer = true
	}
	if j.On != nil {
		on, err := BindExpr(j.On.Expr, &Scope{Pos: q.Map.Pos, What: "ON"})
		if l, ok := on.(*Literal); err != nil || !ok || l.Value != true {
			return nil, &parser.Error{Pos: q.Map.Pos(j.On.Expr.OriginTextPosition()), Msg: "a join with UNNEST takes ON TRUE",
				Hint: "put conditions on the elements in WHERE"}
		}
	} else if n.Outer {
		return nil, &parser.Error{Pos: pos, Msg: "LEFT JOIN UNNEST(...) needs ON TRUE", Hint: unnestHint}
	}
	if len(call.Args) == 0 {
		return nil, &parser.Error{Pos: pos, Msg: "UNNEST takes an ARRAY or a MAP", Hint: unnestHint}
	}
	if n.Expr, err = BindExpr(call.Args[0], left.scope(q, "UNNEST")); err != nil {
		return nil, err
	}
	cols, fields, err := unnestColumns(n.Expr, alias)
	if err != nil {
		return nil, &parser.Error{Pos: pos, Msg: err.Error(), Hint: unnestHint}
	}
	n.Fields = fields
	if n.Ordinality {
		cols = append(cols, arrow.Field{Name: "ordinality", Type: catalog.Int64, Nullable: true})
	}
	if names := call.Args[1:]; len(names) > 0 {
		if len(names) != len(cols) {
			return nil, &parser.Error{Pos: pos, Msg: fmt.Sprintf("UNNEST(%s) AS %s (...) names %d columns, but it gives %d: %s",
				n.Expr.String(), alias, len(names), len(cols), fieldList(cols)),
				Hint: "name every column, or none to keep these names"}
		}
		for i, a := range names {
			name, ok := stringArg(a)
			if !ok {
				return nil, &parser.Error{Pos: pos, Msg: "malformed UNNEST alias"}
			}
			cols[i].Name = name
		}
	}
	if alias == "" {
		alias = "unnest"
	}
	out := &rel{node: n, wm: left.wm, streaming: left.streaming}
	fieldsOut := make([]arrow.Field, 0, len(left.cols)+len(cols))
	for _, c := range left.cols {
		out.cols = append(out.cols, c)
		fieldsOut = append(fieldsOut, arrow.Field{Name: c.Name, Type: c.Type, Nullable: true})
	}
	for _, c := range cols {
		out.cols = append(out.cols, ScopeColumn{Table: alias, Name: c.Name, Type: c.Type})
		fieldsOut = append(fieldsOut, c)
	}
	n.Input = left.node
	n.Out = arrow.NewSchema(fieldsOut, nil)
	return out, nil
}

// unnestColumns are the columns the elements of e give: a ROW element's
// fields (fields is set), a MAP entry's key and value, or the element
// itself, named after the alias as in PostgreSQL ("unnest" without one).
func unnestColumns(e Expr, alias string) (cols []arrow.Field, fields bool, err error) {
	switch t := e.Type().(type) {
	case *arrow.ListType:
		if st, ok := t.Elem().(*arrow.StructType); ok {
			for _, f := range st.Fields() {
				cols = append(cols, arrow.Field{Name: f.Name, Type: f.Type, Nullable: true})
			}
			return cols, true, nil
		}
		name := alias
		if name == "" {
			name = "unnest"
		}
		return []arrow.Field{{Name: name, Type: t.Elem(), Nullable: true}}, false, nil
	case *arrow.MapType:
		return []arrow.Field{{Name: "key", Type: t.KeyType(), Nullable: true}, {Name: "value", Type: t.ItemType(), Nullable: true}}, false, nil
	}
	return nil, false, fmt.Errorf("UNNEST takes an ARRAY or a MAP, %s is %s", e.String(), SQLTypeName(e.Type()))
}

func fieldList(fs []arrow.Field) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Name + " " + SQLTypeName(f.Type)
	}
	return strings.Join(parts, ", ")
}
