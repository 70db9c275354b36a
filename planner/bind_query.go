package planner

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
	"github.com/pingcap/tidb/pkg/parser/opcode"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

// Plan is a planned query.
type Plan struct {
	Root Node
	// Update is set when the root emits updates to earlier rows (EMIT
	// CHANGES aggregates); Key holds the root columns that identify a row.
	Update bool
	Key    []int
	// Streaming is set when the plan reads at least one source.
	Streaming bool
}

// Planner binds queries against a catalog.
type Planner struct {
	Catalog *catalog.Catalog
	// ShowsChanges reports whether a connector's sinks take the updates of
	// an updating query without a primary key (they show a changelog). The
	// engine fills it from the connector registry; nil: none does.
	ShowsChanges func(connector string) bool
	// Setting returns a SET value by name ("" if unset): the planner reads
	// state.ttl. Nil: none is set.
	Setting func(name string) string
	// Changelog reports whether a source table reads changes (a changelog
	// format such as debezium-json, or an upsert topic) rather than rows.
	// The engine fills it from the format registry; nil: none does.
	Changelog func(t *catalog.Table) bool
}

func (p *Planner) showsChanges(connector string) bool {
	return p.ShowsChanges != nil && p.ShowsChanges(connector)
}

// rel is a relation while binding: a plan node and the names of its columns.
type rel struct {
	node      Node
	cols      []ScopeColumn
	wm        int // column carrying the watermarked event time, -1 if none
	update    bool
	key       []int
	streaming bool
	// changes is set for a changelog: the node's schema has one more
	// column than cols, the trailing __deleted (DeletedColumn).
	changes bool
	// keyLost is set for updates whose projection left a group key out:
	// they cannot find the row they replace (see errKeyLost).
	keyLost bool
}

// errKeyLost refuses updates without their keys where they must replace rows.
func errKeyLost(q *parser.Query, r *rel) error {
	if r.update && r.keyLost {
		return &parser.Error{Pos: q.Pos(), Msg: "this query updates its rows (EMIT CHANGES) but does not select every GROUP BY key",
			Hint: "select the GROUP BY columns (and window_start) so that updates can find the row they replace"}
	}
	return nil
}

func (r *rel) scope(q *parser.Query, what string) *Scope {
	return &Scope{Columns: r.cols, Pos: q.Map.Pos, What: what}
}

// PlanQuery plans a SELECT (a push query, or a snapshot of a table).
func (p *Planner) PlanQuery(q *parser.Query) (*Plan, error) {
	r, err := p.bindQuery(q, 0)
	if err != nil {
		return nil, err
	}
	if err := errKeyLost(q, r); err != nil {
		return nil, err
	}
	return &Plan{Root: mergeProjects(r.node), Update: r.update, Key: r.key, Streaming: r.streaming}, nil
}

func (p *Planner) bindQuery(q *parser.Query, depth int) (*rel, error) {
	switch n := q.AST.(type) {
	case *ast.SelectStmt:
		return p.bindSelect(n, q, depth, true)
	case *ast.SetOprStmt:
		return p.bindSetOpr(n, q, depth, true)
	}
	return nil, &parser.Error{Pos: q.Pos(), Msg: fmt.Sprintf("unsupported query %T", q.AST)}
}

func (p *Planner) errAt(q *parser.Query, n ast.Node, format string, args ...any) *parser.Error {
	return parser.Errorf(q.Map.Pos(n.OriginTextPosition()), format, args...)
}

// bindSelect binds one SELECT; top is set for the outermost SELECT of q,
// where q's WATERMARK FOR clause applies (derived tables share q).
func (p *Planner) bindSelect(sel *ast.SelectStmt, q *parser.Query, depth int, top bool) (*rel, error) {
	if depth > 16 {
		return nil, &parser.Error{Pos: q.Pos(), Msg: "views nest more than 16 deep (is a view defined in terms of itself?)"}
	}
	if sel.Kind == ast.SelectStmtKindValues {
		r, err := p.bindValues(sel, q, nil)
		if err != nil {
			return nil, err
		}
		if err := checkEmitWithoutAggregate(q, depth); err != nil {
			return nil, err
		}
		if top && q.Watermark != nil {
			if err := p.applyWatermark(r, q.Watermark); err != nil {
				return nil, err
			}
		}
		return p.bindOrderLimit(sel.OrderBy, sel.Limit, q, r)
	}
	var (
		r   *rel
		err error
	)
	if sel.From == nil {
		// SELECT without FROM: the expressions over one row of no columns.
		for _, f := range sel.Fields.Fields {
			if f.WildCard != nil {
				return nil, parser.Errorf(q.Map.Pos(f.Offset), "SELECT * needs FROM: there are no columns to select")
			}
		}
		r = oneEmptyRow()
	} else {
		p.whereIntoJoin(sel, q)
		if r, err = p.bindFrom(sel.From.TableRefs, q, depth); err != nil {
			return nil, err
		}
	}
	if top && q.Watermark != nil {
		if err := p.applyWatermark(r, q.Watermark); err != nil {
			return nil, err
		}
	}
	if sel.Where != nil {
		pred, err := BindExpr(sel.Where, r.scope(q, "WHERE"))
		if err != nil {
			return nil, err
		}
		if pred.Type().ID() != arrow.BOOL && pred.Type().ID() != arrow.NULL {
			return nil, p.errAt(q, sel.Where, "WHERE needs a boolean condition, found %s", catalog.TypeName(pred.Type()))
		}
		r.node = &Filter{Input: r.node, Pred: pred}
	}
	aggs := collectAggregates(sel)
	if sel.Distinct {
		// SELECT DISTINCT a, b is GROUP BY a, b: on a stream, a running
		// set of distinct rows (each emitted when first seen).
		if sel.GroupBy != nil || len(aggs) > 0 {
			return nil, &parser.Error{Pos: q.Pos(), Msg: "SELECT DISTINCT with GROUP BY or aggregates is not supported", Hint: "use COUNT(DISTINCT x) or GROUP BY alone"}
		}
		gb := &ast.GroupByClause{}
		for _, f := range sel.Fields.Fields {
			if f.WildCard != nil {
				return nil, &parser.Error{Pos: q.Pos(), Msg: "SELECT DISTINCT * is not supported", Hint: "name the columns"}
			}
			gb.Items = append(gb.Items, &ast.ByItem{Expr: f.Expr})
		}
		sel.GroupBy = gb
	}
	grouped := sel.GroupBy != nil || len(aggs) > 0
	if grouped {
		r, err = p.bindAggregate(sel, q, r, aggs, depth)
		if err != nil {
			return nil, err
		}
	} else {
		if sel.Having != nil {
			return nil, p.errAt(q, sel.Having.Expr, "HAVING needs GROUP BY or an aggregate")
		}
		if err := checkEmitWithoutAggregate(q, depth); err != nil {
			return nil, err
		}
		r, err = p.bindProjection(sel, q, r, nil)
		if err != nil {
			return nil, err
		}
	}
	return p.bindOrderLimit(sel.OrderBy, sel.Limit, q, r)
}

// checkEmitWithoutAggregate refuses EMIT ON WINDOW CLOSE on a query
// (not a subquery) that has no aggregate.
func checkEmitWithoutAggregate(q *parser.Query, depth int) error {
	if q.Emit == parser.EmitOnWindowClose && depth == 0 {
		return &parser.Error{Pos: q.EmitPos, Msg: "EMIT ON WINDOW CLOSE needs a windowed aggregate",
			Hint: "GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), ... or drop the EMIT clause"}
	}
	return nil
}

// bindOrderLimit adds ORDER BY (over a bounded input only) and LIMIT,
// bound against r's columns.
func (p *Planner) bindOrderLimit(orderBy *ast.OrderByClause, limit *ast.Limit, q *parser.Query, r *rel) (*rel, error) {
	if orderBy != nil {
		if r.streaming {
			return nil, &parser.Error{Pos: q.Map.Pos(orderBy.Items[0].Expr.OriginTextPosition()),
				Msg:  "ORDER BY needs the whole input, which a stream never has",
				Hint: "write the query's output into a table, then SELECT ... FROM that table ORDER BY ..."}
		}
		sort := &Sort{Input: r.node}
		for _, item := range orderBy.Items {
			e, err := orderKey(item.Expr, q, r)
			if err != nil {
				return nil, err
			}
			sort.Keys = append(sort.Keys, e)
			sort.Desc = append(sort.Desc, item.Desc)
		}
		r.node = sort
	}
	if limit != nil {
		n, err := limitCount(limit, q)
		if err != nil {
			return nil, err
		}
		r.node = &Limit{Input: r.node, N: n}
	}
	return r, nil
}

// orderKey binds an ORDER BY item over r's columns; a number is a column's
// position (ORDER BY 2), as in Spark and MySQL.
func orderKey(n ast.ExprNode, q *parser.Query, r *rel) (Expr, error) {
	pe, ok := n.(*ast.PositionExpr)
	if !ok || pe.P != nil {
		return BindExpr(n, r.scope(q, "ORDER BY"))
	}
	if pe.N < 1 || pe.N > len(r.cols) {
		return nil, &parser.Error{Pos: q.Map.Pos(n.OriginTextPosition()), Msg: fmt.Sprintf("ORDER BY %d: the query has %d columns", pe.N, len(r.cols)),
			Hint: "columns are " + colNames(r.cols)}
	}
	c := r.cols[pe.N-1]
	return &ColumnRef{Index: pe.N - 1, Name: c.Name, Typ: c.Type}, nil
}

func limitCount(l *ast.Limit, q *parser.Query) (int64, error) {
	if l.Offset != nil {
		return 0, parser.Errorf(q.Map.Pos(l.Offset.OriginTextPosition()), "LIMIT with OFFSET is not supported")
	}
	v, ok := l.Count.(ast.ValueExpr)
	if !ok {
		return 0, parser.Errorf(q.Pos(), "LIMIT needs a number")
	}
	var n int64
	switch x := v.GetValue().(type) {
	case int64:
		n = x
	case uint64:
		n = int64(x)
	default:
		return 0, parser.Errorf(q.Pos(), "LIMIT needs a whole number")
	}
	return n, nil
}

// bindFrom binds the FROM clause: one source, table, view or derived table.
func (p *Planner) bindFrom(j *ast.Join, q *parser.Query, depth int) (*rel, error) {
	if j.Right != nil {
		return p.bindJoin(j, q, depth)
	}
	ts, ok := j.Left.(*ast.TableSource)
	if !ok {
		if inner, ok := j.Left.(*ast.Join); ok {
			return p.bindFrom(inner, q, depth)
		}
		return nil, &parser.Error{Pos: q.Pos(), Msg: "unsupported FROM clause"}
	}
	alias := ts.AsName.O
	switch src := ts.Source.(type) {
	case *ast.TableName:
		name := src.Name.O
		if alias == "" {
			alias = name
		}
		t, err := p.Catalog.Get(name)
		if err != nil {
			e := parser.Errorf(q.TablePos(name), "source, table or view %q not found", name)
			if names := p.names(); names != "" {
				e.Hint = "known: " + names
			} else {
				e.Hint = "create it first with CREATE SOURCE or CREATE TABLE"
			}
			return nil, e
		}
		return p.bindTable(t, alias, q, depth)
	case *ast.SelectStmt, *ast.SetOprStmt:
		inner, err := p.bindDerived(src, q, depth+1)
		if err != nil {
			return nil, err
		}
		for i := range inner.cols {
			inner.cols[i].Table = alias
		}
		return inner, nil
	}
	return nil, &parser.Error{Pos: q.Pos(), Msg: "unsupported FROM clause"}
}

// bindDerived binds a subquery in FROM: a SELECT, VALUES or UNION.
func (p *Planner) bindDerived(n ast.ResultSetNode, q *parser.Query, depth int) (*rel, error) {
	if sel, ok := n.(*ast.SelectStmt); ok {
		return p.bindSelect(sel, q, depth, false)
	}
	return p.bindSetOpr(n.(*ast.SetOprStmt), q, depth, false)
}

func (p *Planner) names() string {
	var out []string
	for _, t := range p.Catalog.List("") {
		out = append(out, t.Name)
	}
	return strings.Join(out, ", ")
}

func (p *Planner) bindTable(t *catalog.Table, alias string, q *parser.Query, depth int) (*rel, error) {
	switch t.Kind {
	case catalog.KindView:
		st, err := parser.ParseOne(t.SQL)
		if err != nil {
			return nil, fmt.Errorf("view %s: %w", t.Name, err)
		}
		cv, ok := st.(*parser.CreateView)
		if !ok {
			return nil, fmt.Errorf("view %s: stored statement is not CREATE VIEW", t.Name)
		}
		r, err := p.bindQuery(cv.Query, depth+1)
		if err != nil {
			// Point at the view's name in the user's query; say where in
			// the view's own text the problem is.
			msg := err.Error()
			if pe, ok := err.(*parser.Error); ok && pe.Pos.IsValid() {
				msg = fmt.Sprintf("%s (line %d, column %d of the view)", pe.Msg, pe.Pos.Line, pe.Pos.Column)
			}
			return nil, &parser.Error{Pos: q.TablePos(t.Name), Msg: fmt.Sprintf("view %s: %s", t.Name, msg), Hint: "the view is: " + t.SQL}
		}
		if lim, ok := r.node.(*Limit); ok {
			_ = lim
		}
		for i := range r.cols {
			r.cols[i].Table = alias
		}
		return r, nil
	case catalog.KindSource:
		scan := &SourceScan{Table: t, EventTime: nil, Out: t.Schema()}
		r := &rel{node: scan, wm: -1, streaming: true}
		if p.Changelog != nil && p.Changelog(t) {
			if len(t.PrimaryKey) == 0 {
				return nil, &parser.Error{Pos: q.TablePos(t.Name), Msg: fmt.Sprintf("source %s reads a changelog (%s) and needs a PRIMARY KEY: the row identity its changes apply to", t.Name, changelogKind(t)),
					Hint: "declare it in CREATE SOURCE: PRIMARY KEY (id)"}
			}
			scan.Changelog = true
			scan.Out = arrow.NewSchema(withDeleted(t.Schema().Fields()), nil)
			r.node = &ChangelogNormalize{Input: scan, Key: t.PrimaryKeyIndexes()}
			r.changes = true
		}
		for _, c := range t.Columns {
			r.cols = append(r.cols, ScopeColumn{Table: alias, Name: c.Name, Type: c.Type})
		}
		if t.EventTime != "" {
			i := t.ColumnIndex(t.EventTime)
			scan.EventTime = &ColumnRef{Index: i, Name: t.Columns[i].Name, Typ: t.Columns[i].Type}
			scan.EventTimeName = t.Columns[i].Name
			scan.Delay = t.WatermarkDelay
			r.wm = i
		}
		return r, nil
	default:
		scan := &TableScan{Table: t, Out: t.Schema()}
		r := &rel{node: scan, wm: -1}
		for _, c := range t.Columns {
			r.cols = append(r.cols, ScopeColumn{Table: alias, Name: c.Name, Type: c.Type})
		}
		return r, nil
	}
}

// applyWatermark sets a query-level WATERMARK FOR on the relation's
// source: the event-time expression is pushed down into the scan (so that
// watermarks stay per partition) through projections and filters.
func (p *Planner) applyWatermark(r *rel, wm *parser.WatermarkDef) error {
	idx := -1
	for i, c := range r.cols {
		if strings.EqualFold(c.Name, wm.Column) {
			idx = i
		}
	}
	if idx < 0 {
		return &parser.Error{Pos: wm.Pos, Msg: fmt.Sprintf("watermark column %q not found", wm.Column), Hint: "columns are " + colNames(r.cols)}
	}
	if r.cols[idx].Type.ID() != arrow.TIMESTAMP {
		return &parser.Error{Pos: wm.Pos, Msg: fmt.Sprintf("watermark column %s is %s, not a TIMESTAMP", wm.Column, catalog.TypeName(r.cols[idx].Type)),
			Hint: "CAST it: SELECT CAST(" + wm.Column + " AS TIMESTAMP(3)) AS " + wm.Column + " FROM ... in a subquery"}
	}
	if err := pushWatermark(r.node, &ColumnRef{Index: idx, Name: r.cols[idx].Name, Typ: r.cols[idx].Type}, idx, wm); err != nil {
		return err
	}
	r.wm = idx
	return nil
}

// pushWatermark sets the event time e (over n's output, whose column idx
// carries it) on the source scans under n, through projections, filters,
// the stream side of lookup joins and every input of a union.
func pushWatermark(n Node, e Expr, idx int, wm *parser.WatermarkDef) error {
	for {
		switch x := n.(type) {
		case *Project:
			e = substitute(e, x.Exprs)
			x.Watermark = idx
			n = x.Input
			continue
		case *Filter:
			n = x.Input
			continue
		case *LookupJoin:
			// The stream's columns come first in a join's output.
			if ref, ok := e.(*ColumnRef); ok && ref.Index >= x.Input.Schema().NumFields() {
				return &parser.Error{Pos: wm.Pos, Msg: "the watermark column must come from the stream, not from the joined table"}
			}
			n = x.Input
			continue
		case *Unnest:
			// The input's columns come first in an Unnest's output.
			if ref, ok := e.(*ColumnRef); ok && ref.Index >= x.Input.Schema().NumFields() {
				return &parser.Error{Pos: wm.Pos, Msg: "the watermark column must come from the input of UNNEST, not from its elements"}
			}
			n = x.Input
			continue
		case *Union:
			// Union columns are its inputs' columns, by position.
			for _, in := range x.Inputs {
				if err := pushWatermark(in, e, idx, wm); err != nil {
					return err
				}
			}
			x.Watermark = idx
			return nil
		case *SourceScan:
			x.EventTime = e
			x.EventTimeName = wm.Column
			x.Delay = wm.Delay
			return nil
		case *Values:
			return &parser.Error{Pos: wm.Pos, Msg: "WATERMARK FOR needs a source (a stream) under it, not VALUES",
				Hint: "VALUES rows are bounded: they need no watermark"}
		}
		return &parser.Error{Pos: wm.Pos, Msg: "WATERMARK FOR needs a source (a stream) under it, not a table or an aggregate"}
	}
}

// substitute replaces column references in e by the expressions they name.
func substitute(e Expr, exprs []Expr) Expr {
	switch x := e.(type) {
	case *ColumnRef:
		return exprs[x.Index]
	case *Call:
		args := make([]Expr, len(x.Args))
		for i, a := range x.Args {
			args[i] = substitute(a, exprs)
		}
		return &Call{Func: x.Func, Args: args, Typ: x.Typ}
	}
	return e
}

func colNames(cols []ScopeColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// restore prints an AST expression canonically, to compare GROUP BY items
// with SELECT expressions.
func restore(n ast.Node) string {
	var b strings.Builder
	ctx := format.NewRestoreCtx(format.RestoreStringSingleQuotes|format.RestoreKeyWordLowercase|format.RestoreNameLowercase, &b)
	if err := n.Restore(ctx); err != nil {
		return fmt.Sprintf("%p", n)
	}
	return b.String()
}

// fieldName is the output name of a select field.
func fieldName(f *ast.SelectField, i int) string {
	if f.AsName.O != "" {
		return f.AsName.O
	}
	switch e := f.Expr.(type) {
	case *ast.ColumnNameExpr:
		return e.Name.Name.O
	case *ast.FuncCallExpr:
		switch e.FnName.L {
		case "tumble_start", "hop_start", "tide_session_start", "session_start":
			return "window_start"
		case "tumble_end", "hop_end", "session_end":
			return "window_end"
		case "tide_field": // a.b.c.d and f(x).d are named d, as a.b.d is
			if name, ok := stringArg(argAt(e.Args, 1)); ok && len(e.Args) == 2 {
				return name
			}
		}
	case *ast.AggregateFuncExpr:
		if strings.EqualFold(e.F, "count") && len(e.Args) == 1 {
			if _, lit := e.Args[0].(ast.ValueExpr); lit {
				return "count"
			}
		}
	}
	if t := strings.TrimSpace(f.Text()); t != "" && !strings.Contains(t, "TIDE_") {
		return t
	}
	return fmt.Sprintf("EXPR$%d", i)
}

// bindProjection binds the SELECT list over r (replace substitutes group
// keys and aggregates after a GROUP BY).
func (p *Planner) bindProjection(sel *ast.SelectStmt, q *parser.Query, r *rel,
	replace func(ast.ExprNode) (Expr, bool, error)) (*rel, error) {
	proj := &Project{Input: r.node, Watermark: -1}
	out := &rel{wm: -1, update: r.update, streaming: r.streaming}
	var fields []arrow.Field
	for i, f := range sel.Fields.Fields {
		if f.WildCard != nil {
			if replace != nil {
				return nil, &parser.Error{Pos: q.Pos(), Msg: "SELECT * cannot be used with GROUP BY", Hint: "name the columns"}
			}
			for j, c := range r.cols {
				if f.WildCard.Table.O != "" && !strings.EqualFold(f.WildCard.Table.O, c.Table) {
					continue
				}
				if j == r.wm {
					proj.Watermark = len(proj.Exprs)
					out.wm = len(proj.Exprs)
				}
				proj.Exprs = append(proj.Exprs, &ColumnRef{Index: j, Name: c.Name, Typ: c.Type})
				fields = append(fields, arrow.Field{Name: c.Name, Type: c.Type, Nullable: true})
				out.cols = append(out.cols, ScopeColumn{Name: c.Name, Type: c.Type})
			}
			continue
		}
		s := r.scope(q, "SELECT")
		s.Replace = replace
		e, err := BindExpr(f.Expr, s)
		if err != nil {
			return nil, err
		}
		name := fieldName(f, i)
		if ref, ok := e.(*ColumnRef); ok && ref.Index == r.wm && r.wm >= 0 {
			proj.Watermark = len(proj.Exprs)
			out.wm = len(proj.Exprs)
		}
		proj.Exprs = append(proj.Exprs, e)
		fields = append(fields, arrow.Field{Name: name, Type: e.Type(), Nullable: true})
		out.cols = append(out.cols, ScopeColumn{Name: name, Type: e.Type()})
	}
	if r.changes {
		// A changelog's rows keep their mark.
		proj.Exprs = append(proj.Exprs, r.deletedRef())
		fields = append(fields, DeletedField)
		out.changes = true
	}
	proj.Out = arrow.NewSchema(fields, nil)
	// Update keys follow the key columns through the projection.
	for _, k := range r.key {
		for j, e := range proj.Exprs {
			if ref, ok := e.(*ColumnRef); ok && ref.Index == k {
				out.key = append(out.key, j)
				break
			}
		}
	}
	if r.update && (r.keyLost || len(out.key) < len(r.key)) {
		// Fine under an aggregate, which makes the updates retractions
		// (retractingInput); refused where they must find their row.
		out.keyLost = true
	}
	out.node = proj
	return out, nil
}

var _ = opcode.Plus
var _ = time.Second
