package planner

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

// bindSetOpr binds a UNION: its queries, then its ORDER BY and LIMIT; top
// is set for the outermost query of q, where q's WATERMARK FOR applies.
func (p *Planner) bindSetOpr(stmt *ast.SetOprStmt, q *parser.Query, depth int, top bool) (*rel, error) {
	r, err := p.bindUnionList(stmt.SelectList, q, depth)
	if err != nil {
		return nil, err
	}
	if top && q.Watermark != nil {
		if err := p.applyWatermark(r, q.Watermark); err != nil {
			return nil, err
		}
	}
	return p.bindOrderLimit(stmt.OrderBy, stmt.Limit, q, r)
}

// unionInput is one bound query of a UNION and its syntax, for positions.
type unionInput struct {
	r   *rel
	ast ast.Node // *ast.SelectStmt or *ast.SetOprSelectList
}

// bindUnionList binds the queries of a UNION, which TiDB lists left to
// right (a parenthesised group is a nested list), and unites them.
// UNION without ALL removes duplicates from every query to its left, as in
// MySQL: the union is then a running DISTINCT of all its columns.
func (p *Planner) bindUnionList(list *ast.SetOprSelectList, q *parser.Query, depth int) (*rel, error) {
	var inputs []unionInput
	distinct := false
	firstAll := -1 // the first UNION ALL after a UNION, -1 if none
	for i, n := range list.Selects {
		var (
			r   *rel
			err error
			op  *ast.SetOprType
		)
		switch x := n.(type) {
		case *ast.SelectStmt:
			op = x.AfterSetOperator
			r, err = p.bindSelect(x, q, depth, false)
		case *ast.SetOprSelectList:
			op = x.AfterSetOperator
			if r, err = p.bindUnionList(x, q, depth); err == nil {
				r, err = p.bindOrderLimit(x.OrderBy, x.Limit, q, r)
			}
		default:
			return nil, &parser.Error{Pos: q.Pos(), Msg: fmt.Sprintf("unsupported query %T in a UNION", n)}
		}
		if err != nil {
			return nil, err
		}
		if i > 0 {
			switch {
			case op == nil || *op == ast.UnionAll:
				if distinct && firstAll < 0 {
					firstAll = i
				}
			case *op == ast.Union:
				// A UNION removes the duplicates of everything to its left.
				distinct, firstAll = true, -1
			default:
				return nil, &parser.Error{Pos: p.queryPos(q, n, 0), Msg: op.String() + " is not supported",
					Hint: "UNION ALL is; for EXCEPT or INTERSECT, write the queries into tables and join them"}
			}
		}
		inputs = append(inputs, unionInput{r: r, ast: n})
	}
	if firstAll >= 0 {
		// distinct(a, b) followed by c would mix running updates and rows.
		return nil, &parser.Error{Pos: p.queryPos(q, list.Selects[firstAll], 0),
			Msg:  fmt.Sprintf("UNION ALL (query %d) after a UNION is not supported", firstAll+1),
			Hint: "write UNION throughout to remove duplicates, or UNION ALL throughout to keep them"}
	}
	if len(inputs) == 1 {
		return inputs[0].r, nil
	}
	word := "UNION ALL"
	if distinct {
		word = "UNION"
	}
	r, err := p.unite(inputs, q, word)
	if err != nil {
		return nil, err
	}
	if distinct {
		return distinctOf(r), nil
	}
	return r, nil
}

// unite makes one relation of the inputs of a union. Columns match by
// position and take the first input's names. Their types must agree,
// except that BIGINT widens to DOUBLE and NULL takes the others' type (the
// narrower input casts its column). The event time survives when every
// input carries it in the same column.
func (p *Planner) unite(inputs []unionInput, q *parser.Query, word string) (*rel, error) {
	first := inputs[0].r
	width := len(first.cols)
	for i, in := range inputs {
		if i > 0 && len(in.r.cols) != width {
			return nil, &parser.Error{Pos: p.queryPos(q, in.ast, 0),
				Msg:  fmt.Sprintf("%s query %d returns %d columns but the first query returns %d", word, i+1, len(in.r.cols), width),
				Hint: "the queries of a UNION are matched by position: select the same columns in each"}
		}
		if in.r.changes && !in.r.update {
			return nil, &parser.Error{Pos: p.queryPos(q, in.ast, 0),
				Msg:  fmt.Sprintf("%s query %d reads a changelog (a source of updates and deletes); a union of changelogs is not supported yet", word, i+1),
				Hint: "INSERT each query into the same table with a PRIMARY KEY"}
		}
		if in.r.update {
			return nil, &parser.Error{Pos: p.queryPos(q, in.ast, 0),
				Msg:  fmt.Sprintf("%s query %d updates rows it already emitted (a running aggregate or DISTINCT); a union of updates is not supported", word, i+1),
				Hint: "give its aggregate a window (EMIT ON WINDOW CLOSE), or INSERT each query into the same table with a PRIMARY KEY"}
		}
	}
	types := make([]arrow.DataType, width)
	for j := range types {
		from := -1 // the input that set the column's type
		for i, in := range inputs {
			t := in.r.cols[j].Type
			switch {
			case isNull(t):
				continue
			case from < 0:
				types[j], from = t, i
			case arrow.TypeEqual(types[j], t):
			case isNumeric(types[j]) && isNumeric(t):
				types[j] = catalog.Float64 // BIGINT and DOUBLE meet at DOUBLE
			default:
				where := "the first query"
				if from > 0 {
					where = fmt.Sprintf("query %d", from+1)
				}
				return nil, &parser.Error{Pos: p.queryPos(q, in.ast, j),
					Msg: fmt.Sprintf("%s column %d (%s) is %s in %s but %s in query %d", word, j+1, first.cols[j].Name,
						SQLTypeName(types[j]), where, SQLTypeName(t), i+1),
					Hint: fmt.Sprintf("CAST it to %s in query %d", SQLTypeName(types[j]), i+1)}
			}
		}
		if types[j] == nil {
			types[j] = first.cols[j].Type // NULL in every query
		}
	}
	u := &Union{Watermark: first.wm}
	out := &rel{wm: first.wm}
	for _, in := range inputs {
		castColumns(in.r, types)
		if in.r.wm != first.wm {
			u.Watermark, out.wm = -1, -1
		}
		out.streaming = out.streaming || in.r.streaming
		if inner, ok := in.r.node.(*Union); ok {
			u.Inputs = append(u.Inputs, inner.Inputs...) // a nested UNION ALL: one union of all
		} else {
			u.Inputs = append(u.Inputs, in.r.node)
		}
	}
	fields := make([]arrow.Field, width)
	for j, c := range first.cols {
		fields[j] = arrow.Field{Name: c.Name, Type: types[j], Nullable: true}
		out.cols = append(out.cols, ScopeColumn{Name: c.Name, Type: types[j]})
	}
	u.Out = arrow.NewSchema(fields, nil)
	out.node = u
	return out, nil
}

// castColumns casts the columns of r whose type is not types' with a
// projection over r.
func castColumns(r *rel, types []arrow.DataType) {
	need := false
	for j, c := range r.cols {
		need = need || !arrow.TypeEqual(c.Type, types[j])
	}
	if !need {
		return
	}
	proj := &Project{Input: r.node, Watermark: r.wm}
	fields := make([]arrow.Field, len(r.cols))
	for j, c := range r.cols {
		var e Expr = &ColumnRef{Index: j, Name: c.Name, Typ: c.Type}
		if !arrow.TypeEqual(c.Type, types[j]) {
			e = &Call{Func: "cast", Args: []Expr{e}, Typ: types[j]}
		}
		proj.Exprs = append(proj.Exprs, e)
		fields[j] = arrow.Field{Name: c.Name, Type: types[j], Nullable: true}
		r.cols[j].Type = types[j]
	}
	proj.Out = arrow.NewSchema(fields, nil)
	r.node = proj
}

// distinctOf is a running DISTINCT of every column of r (UNION without
// ALL): each row is emitted when first seen.
func distinctOf(r *rel) *rel {
	agg := &Aggregate{Input: r.node, Emit: EmitChanges, Out: r.node.Schema()}
	out := &rel{node: agg, wm: -1, update: true, streaming: r.streaming}
	for j, c := range r.cols {
		agg.Keys = append(agg.Keys, &ColumnRef{Index: j, Name: c.Name, Typ: c.Type})
		out.cols = append(out.cols, ScopeColumn{Name: c.Name, Type: c.Type})
		out.key = append(out.key, j)
	}
	return out
}

// queryPos is where column col of one query of a union stands in the
// user's text: its SELECT list item or the value in VALUES' first row
// (the query's first item when a * makes positions unknown).
func (p *Planner) queryPos(q *parser.Query, n ast.Node, col int) parser.Pos {
	switch x := n.(type) {
	case *ast.SelectStmt:
		if x.Kind == ast.SelectStmtKindValues {
			return p.cellPos(q, x, 0, col)
		}
		fields := x.Fields.Fields
		for _, f := range fields {
			if f.WildCard != nil {
				col = 0
			}
		}
		if col >= len(fields) {
			col = len(fields) - 1
		}
		return q.Map.Pos(fields[col].Offset)
	case *ast.SetOprSelectList:
		return p.queryPos(q, x.Selects[0], col)
	}
	return q.Pos()
}
