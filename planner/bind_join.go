package planner

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

// bindJoin binds a join: with a table on the right, a lookup join
// (bindLookupJoin); otherwise a join of two streams (bindStreamJoin).
func (p *Planner) bindJoin(j *ast.Join, q *parser.Query, depth int) (*rel, error) {
	if call, alias, ok := unnestOf(j.Right); ok {
		return p.bindUnnest(j, call, alias, q, depth)
	}
	if ts, ok := j.Right.(*ast.TableSource); ok {
		if tn, ok := ts.Source.(*ast.TableName); ok {
			if t, err := p.Catalog.Get(tn.Name.O); err == nil && t.Kind == catalog.KindTable {
				return p.bindLookupJoin(j, q, depth)
			}
		}
	}
	return p.bindStreamJoin(j, q, depth)
}

// bindLookupJoin binds `stream [LEFT] JOIN table ON a = b [AND ...]`: a
// lookup join that enriches each row of the left input with the matching
// rows of a table (Spark's stream-static join, Flink's lookup join).
func (p *Planner) bindLookupJoin(j *ast.Join, q *parser.Query, depth int) (*rel, error) {
	left, err := p.bindFrom(&ast.Join{Left: j.Left}, q, depth)
	if err != nil {
		return nil, err
	}
	if left.update {
		return nil, &parser.Error{Pos: q.Pos(), Msg: "the left side of a join updates its rows; joins take append-only input"}
	}
	if left.changes {
		return nil, refuseChanges(q, "a lookup join")
	}
	ts, ok := j.Right.(*ast.TableSource)
	var tn *ast.TableName
	if ok {
		tn, ok = ts.Source.(*ast.TableName)
	}
	if !ok {
		return nil, &parser.Error{Pos: q.Pos(), Msg: "the right side of a join must be a table name",
			Hint: "join a stream with a table (a lookup join): FROM orders o LEFT JOIN customers c ON o.customer_id = c.id"}
	}
	t, err := p.Catalog.Get(tn.Name.O)
	if err != nil {
		return nil, parser.Errorf(q.TablePos(tn.Name.O), "table %q not found", tn.Name.O)
	}
	if t.Kind != catalog.KindTable {
		return nil, &parser.Error{Pos: q.TablePos(tn.Name.O), Msg: fmt.Sprintf("%s is a %s; the right side of a join must be a table", t.Name, strings.ToLower(string(t.Kind))),
			Hint: "joins of two streams are not supported yet; write one stream into a table and join with that"}
	}
	kind := "inner"
	switch j.Tp {
	case ast.LeftJoin:
		kind = "left"
	case ast.RightJoin:
		return nil, &parser.Error{Pos: q.Pos(), Msg: "RIGHT JOIN is not supported", Hint: "put the stream on the left: FROM stream LEFT JOIN table"}
	}
	if j.On == nil {
		return nil, &parser.Error{Pos: q.Pos(), Msg: "a join needs ON with equalities between the stream and the table"}
	}
	alias := ts.AsName.O
	if alias == "" {
		alias = t.Name
	}
	right := make([]ScopeColumn, len(t.Columns))
	for i, c := range t.Columns {
		right[i] = ScopeColumn{Table: alias, Name: c.Name, Type: c.Type}
	}
	n := &LookupJoin{Input: left.node, Table: t, Kind: kind}
	if err := p.bindJoinOn(j.On.Expr, q, left, right, n); err != nil {
		return nil, err
	}
	out := &rel{node: n, wm: left.wm, streaming: left.streaming}
	var fields []arrow.Field
	for _, c := range left.cols {
		out.cols = append(out.cols, c)
		fields = append(fields, arrow.Field{Name: c.Name, Type: c.Type, Nullable: true})
	}
	for _, c := range right {
		out.cols = append(out.cols, c)
		fields = append(fields, arrow.Field{Name: c.Name, Type: c.Type, Nullable: true})
	}
	n.Out = arrow.NewSchema(fields, nil)
	return out, nil
}

// bindJoinOn splits ON into equalities of a left expression and a table column.
func (p *Planner) bindJoinOn(e ast.ExprNode, q *parser.Query, left *rel, right []ScopeColumn, n *LookupJoin) error {
	if b, ok := e.(*ast.BinaryOperationExpr); ok && b.Op == opcode.LogicAnd {
		if err := p.bindJoinOn(b.L, q, left, right, n); err != nil {
			return err
		}
		return p.bindJoinOn(b.R, q, left, right, n)
	}
	b, ok := e.(*ast.BinaryOperationExpr)
	if !ok || b.Op != opcode.EQ {
		return parser.Errorf(q.Map.Pos(e.OriginTextPosition()), "a join condition must be equalities joined by AND (stream expression = table column)")
	}
	ls := &Scope{Columns: left.cols, Pos: q.Map.Pos, What: "ON"}
	rs := &Scope{Columns: right, Pos: q.Map.Pos, What: "ON"}
	// Try left = right, then right = left.
	for _, pair := range [][2]ast.ExprNode{{b.L, b.R}, {b.R, b.L}} {
		le, lerr := BindExpr(pair[0], ls)
		re, rerr := BindExpr(pair[1], rs)
		if lerr != nil || rerr != nil {
			continue
		}
		ref, ok := re.(*ColumnRef)
		if !ok {
			continue
		}
		if catalog.IsNested(ref.Typ) {
			return parser.Errorf(q.Map.Pos(e.OriginTextPosition()), "cannot join on %s (%s): nested values are not compared", ref.Name, SQLTypeName(ref.Typ))
		}
		if !arrow.TypeEqual(le.Type(), ref.Typ) {
			cast, err := NewCast(le, ref.Typ, false)
			if err != nil {
				return parser.Errorf(q.Map.Pos(e.OriginTextPosition()), "cannot compare %s (%s) with %s (%s)", le, catalog.TypeName(le.Type()), ref.Name, catalog.TypeName(ref.Typ))
			}
			le = cast
		}
		n.LeftKeys = append(n.LeftKeys, le)
		n.RightKeys = append(n.RightKeys, ref.Index)
		return nil
	}
	return parser.Errorf(q.Map.Pos(e.OriginTextPosition()), "a join condition must compare the stream with a column of table %s", n.Table.Name)
}
