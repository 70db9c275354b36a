package planner

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

// aggFuncs maps the aggregate names users write to tide's.
var aggFuncs = map[string]string{
	"count": "count", "sum": "sum", "avg": "avg", "min": "min", "max": "max",
	"approx_percentile": "approx_percentile", "percentile_approx": "approx_percentile",
}

// windowFuncs are the window functions allowed in GROUP BY.
var windowFuncs = map[string]WindowKind{"tumble": WindowTumble, "hop": WindowHop, "tide_session": WindowSession}

// isAggregateCall reports whether n is an aggregate call (TiDB's aggregate
// node, or a function call TiDB does not know as one, like PERCENTILE_APPROX).
func isAggregateCall(n ast.Node) bool {
	switch x := n.(type) {
	case *ast.AggregateFuncExpr:
		return true
	case *ast.FuncCallExpr:
		return x.FnName.L == "percentile_approx" || x.FnName.L == "approx_percentile"
	}
	return false
}

// aggCollector gathers the aggregate calls of SELECT and HAVING.
type aggCollector struct {
	found []ast.ExprNode
	depth int
}

func (c *aggCollector) Enter(n ast.Node) (ast.Node, bool) {
	if isAggregateCall(n) {
		c.found = append(c.found, n.(ast.ExprNode))
		return n, true // do not descend: nested aggregates are an error later
	}
	if _, sub := n.(*ast.SelectStmt); sub && c.depth > 0 {
		return n, true
	}
	c.depth++
	return n, false
}

func (c *aggCollector) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func collectAggregates(sel *ast.SelectStmt) []ast.ExprNode {
	c := &aggCollector{depth: 1}
	for _, f := range sel.Fields.Fields {
		if f.Expr != nil {
			f.Expr.Accept(c)
		}
	}
	if sel.Having != nil {
		sel.Having.Expr.Accept(c)
	}
	return c.found
}

// aggregateArgs returns an aggregate call's name, arguments and DISTINCT flag.
func aggregateArgs(n ast.ExprNode) (string, []ast.ExprNode, bool) {
	switch x := n.(type) {
	case *ast.AggregateFuncExpr:
		return strings.ToLower(x.F), x.Args, x.Distinct
	case *ast.FuncCallExpr:
		return x.FnName.L, x.Args, false
	}
	return "", nil, false
}

// bindAggregate plans GROUP BY: a projection computing the time column,
// keys and aggregate arguments; the Aggregate; HAVING; the SELECT list.
func (p *Planner) bindAggregate(sel *ast.SelectStmt, q *parser.Query, r *rel, aggs []ast.ExprNode, depth int) (*rel, error) {
	if r.update && !p.retractingInput(r) {
		return nil, &parser.Error{Pos: q.Pos(),
			Msg:  "this query aggregates rows that its input keeps updating (a running aggregate below it); tide retracts the rows of changelog sources, not yet an aggregate's updates",
			Hint: "aggregate the source directly, or give the inner aggregate a window so that it emits each window once"}
	}
	in := r.scope(q, "GROUP BY")
	pre := &Project{Input: r.node, Watermark: -1}
	var preFields []arrow.Field
	addPre := func(e Expr, name string) int {
		for i, x := range pre.Exprs {
			if x.String() == e.String() {
				return i
			}
		}
		pre.Exprs = append(pre.Exprs, e)
		preFields = append(preFields, arrow.Field{Name: name, Type: e.Type(), Nullable: true})
		return len(pre.Exprs) - 1
	}
	agg := &Aggregate{}
	keyIndex := map[string]int{} // restored GROUP BY text → output column
	keyByInput := map[int]int{}  // input column index → key, for keys that are plain columns
	var keyNames []string
	var winNode ast.ExprNode
	if sel.GroupBy != nil {
		for _, item := range sel.GroupBy.Items {
			if fc, ok := item.Expr.(*ast.FuncCallExpr); ok {
				if kind, isWin := windowFuncs[fc.FnName.L]; isWin {
					if agg.Window != nil {
						return nil, p.errAt(q, fc, "a second window in GROUP BY")
					}
					w, err := p.bindWindow(kind, fc, q, in, r)
					if err != nil {
						return nil, err
					}
					w.TimeCol = addPre(&ColumnRef{Index: w.TimeCol, Name: w.TimeName, Typ: catalog.Timestamp}, w.TimeName)
					pre.Watermark = w.TimeCol
					agg.Window = w
					winNode = fc
					continue
				}
			}
			if _, ok := item.Expr.(*ast.PositionExpr); ok {
				return nil, p.errAt(q, item.Expr, "GROUP BY by position is not supported; name the column")
			}
			e, err := BindExpr(item.Expr, in)
			if err != nil {
				return nil, err
			}
			if catalog.IsNested(e.Type()) {
				pe := p.errAt(q, item.Expr, "cannot group by %s (%s): nested values are not compared", e.String(), SQLTypeName(e.Type()))
				pe.Hint = "group by its fields or elements, such as " + nestedExample(e)
				return nil, pe
			}
			name := "key"
			if cn, ok := item.Expr.(*ast.ColumnNameExpr); ok {
				name = cn.Name.Name.O
			} else {
				name = fmt.Sprintf("key%d", len(agg.Keys))
			}
			idx := addPre(e, name)
			keyIndex[restore(item.Expr)] = len(agg.Keys)
			if ref, ok := e.(*ColumnRef); ok {
				keyByInput[ref.Index] = len(agg.Keys)
			}
			agg.Keys = append(agg.Keys, &ColumnRef{Index: idx, Name: name, Typ: e.Type()})
			keyNames = append(keyNames, name)
		}
	}
	if r.changes && agg.Window != nil {
		return nil, refuseChanges(q, "a windowed aggregate")
	}
	winKey := p.windowOnKey(q, r, agg, pre)
	aggIndex := map[string]int{}
	for _, a := range aggs {
		key := restore(a)
		if _, dup := aggIndex[key]; dup {
			continue
		}
		call, err := p.bindAggCall(a, q, in, addPre)
		if err != nil {
			return nil, err
		}
		call.Name = fmt.Sprintf("agg%d", len(agg.Aggs))
		aggIndex[key] = len(agg.Aggs)
		agg.Aggs = append(agg.Aggs, call)
	}
	if r.changes {
		// The aggregate retracts the rows marked deleted: the mark goes
		// last, past the keys and arguments.
		agg.Retract = true
		pre.Exprs = append(pre.Exprs, r.deletedRef())
		preFields = append(preFields, DeletedField)
	}
	pre.Out = arrow.NewSchema(preFields, nil)
	for i := range agg.Keys {
		agg.Keys[i].Typ = pre.Out.Field(agg.Keys[i].Index).Type
	}
	agg.Input = pre
	// Emit mode.
	switch {
	case q.Emit == parser.EmitChanges || depth > 0 && agg.Window == nil:
		agg.Emit = EmitChanges
	case q.Emit == parser.EmitOnWindowClose:
		if agg.Window == nil {
			return nil, &parser.Error{Pos: q.EmitPos, Msg: "EMIT ON WINDOW CLOSE needs a window in GROUP BY",
				Hint: "GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), ... or use EMIT CHANGES for running totals"}
		}
		agg.Emit = EmitOnWindowClose
	case agg.Window != nil:
		agg.Emit = EmitOnWindowClose
	default:
		agg.Emit = EmitChanges
	}
	if agg.Window != nil && agg.Window.Kind == WindowSession && agg.Emit == EmitChanges {
		return nil, &parser.Error{Pos: q.Map.Pos(winNode.OriginTextPosition()),
			Msg:  "EMIT CHANGES is not supported for SESSION windows: a merging session would have to retract rows already emitted",
			Hint: "use EMIT ON WINDOW CLOSE (the default) to get each session once, when it ends"}
	}
	if agg.Window != nil && agg.Emit == EmitOnWindowClose && r.wm < 0 {
		return nil, &parser.Error{Pos: q.Map.Pos(winNode.OriginTextPosition()),
			Msg:  fmt.Sprintf("%s on %s needs a watermark on %s to ever close a window", strings.ToUpper(agg.Window.Kind.String()), agg.Window.TimeName, agg.Window.TimeName),
			Hint: fmt.Sprintf("declare WATERMARK FOR %s AS %s - INTERVAL 10 SECOND in the source, or add it after GROUP BY; or use EMIT CHANGES", agg.Window.TimeName, agg.Window.TimeName)}
	}
	if agg.Window != nil && r.wm >= 0 {
		if pre.Exprs[agg.Window.TimeCol].(*ColumnRef).Index != r.wm {
			return nil, &parser.Error{Pos: q.Map.Pos(winNode.OriginTextPosition()),
				Msg:  fmt.Sprintf("the window is on %s but the watermark is on %s", agg.Window.TimeName, r.cols[r.wm].Name),
				Hint: "window on the watermarked column"}
		}
		markDropLate(r.node)
	}
	// Output schema: window bounds, keys, aggregates.
	var out []arrow.Field
	var cols []ScopeColumn
	if agg.Window != nil {
		out = append(out, arrow.Field{Name: "window_start", Type: catalog.Timestamp, Nullable: true}, arrow.Field{Name: "window_end", Type: catalog.Timestamp, Nullable: true})
		if agg.Window.OnKey {
			// The operator's own bounds of a key's window are not the
			// user's: they cannot be named.
			cols = append(cols, ScopeColumn{Type: catalog.Timestamp}, ScopeColumn{Type: catalog.Timestamp})
		} else {
			cols = append(cols, ScopeColumn{Name: "window_start", Type: catalog.Timestamp}, ScopeColumn{Name: "window_end", Type: catalog.Timestamp})
		}
	}
	base := len(out)
	for i, k := range agg.Keys {
		out = append(out, arrow.Field{Name: keyNames[i], Type: k.Typ, Nullable: true})
		cols = append(cols, ScopeColumn{Name: keyNames[i], Type: k.Typ})
	}
	aggBase := len(out)
	for _, a := range agg.Aggs {
		out = append(out, arrow.Field{Name: a.Name, Type: a.Typ, Nullable: true})
		cols = append(cols, ScopeColumn{Name: a.Name, Type: a.Typ})
	}
	if agg.Retract {
		out = append(out, DeletedField) // a group left empty is deleted
	}
	agg.Out = arrow.NewSchema(out, nil)
	ar := &rel{node: agg, cols: cols, wm: -1, streaming: r.streaming, changes: agg.Retract}
	if agg.Emit == EmitChanges {
		ar.update = true
		for i := 0; i < aggBase; i++ {
			ar.key = append(ar.key, i)
		}
	}
	if agg.Window != nil {
		ar.wm = 1 // window_end carries the watermark downstream
		if agg.Window.OnKey {
			ar.wm = base + winKey
		}
	}
	winBound := map[string]int{}
	if agg.Window != nil && !agg.Window.OnKey {
		winBound = map[string]int{"window_start": 0, "window_end": 1}
	}
	replace := func(n ast.ExprNode) (Expr, bool, error) {
		if isAggregateCall(n) {
			i := aggIndex[restore(n)]
			a := agg.Aggs[i]
			return &ColumnRef{Index: aggBase + i, Name: a.Name, Typ: a.Typ}, true, nil
		}
		if i, ok := keyIndex[restore(n)]; ok {
			return &ColumnRef{Index: base + i, Name: keyNames[i], Typ: agg.Keys[i].Typ}, true, nil
		}
		switch x := n.(type) {
		case *ast.FuncCallExpr:
			name := x.FnName.L
			if strings.HasSuffix(name, "_start") || strings.HasSuffix(name, "_end") || strings.HasSuffix(name, "_rowtime") {
				prefix := name[:strings.LastIndexByte(name, '_')]
				if prefix == "tumble" || prefix == "hop" || prefix == "session" || prefix == "tide_session" {
					if agg.Window == nil {
						return nil, false, p.errAt(q, x, "%s needs a window in GROUP BY", strings.ToUpper(name))
					}
					if strings.HasSuffix(name, "_start") {
						return &ColumnRef{Index: 0, Name: "window_start", Typ: catalog.Timestamp}, true, nil
					}
					return &ColumnRef{Index: 1, Name: "window_end", Typ: catalog.Timestamp}, true, nil
				}
			}
		case *ast.ColumnNameExpr:
			cn := x.Name.Name.L
			if i, ok := winBound[cn]; ok {
				return &ColumnRef{Index: i, Name: cn, Typ: catalog.Timestamp}, true, nil
			}
			// The same column written another way (qualified or not).
			if e, err := BindExpr(x, in); err == nil {
				if ref, ok := e.(*ColumnRef); ok {
					if i, ok := keyByInput[ref.Index]; ok {
						return &ColumnRef{Index: base + i, Name: keyNames[i], Typ: agg.Keys[i].Typ}, true, nil
					}
				}
			}
			return nil, false, &parser.Error{Pos: q.Map.Pos(x.OriginTextPosition()),
				Msg:  fmt.Sprintf("column %q must appear in GROUP BY or be used in an aggregate function", x.Name.Name.O),
				Hint: "add it to GROUP BY, or wrap it in an aggregate such as MAX(" + x.Name.Name.O + ")"}
		}
		return nil, false, nil
	}
	if sel.Having != nil {
		// HAVING may name a SELECT alias (Spark, Flink and MySQL allow it).
		aliases := map[string]ast.ExprNode{}
		for _, f := range sel.Fields.Fields {
			if f.AsName.L != "" && f.Expr != nil {
				aliases[f.AsName.L] = f.Expr
			}
		}
		s := ar.scope(q, "HAVING")
		var having func(n ast.ExprNode) (Expr, bool, error)
		having = func(n ast.ExprNode) (Expr, bool, error) {
			if cn, ok := n.(*ast.ColumnNameExpr); ok && cn.Name.Table.L == "" {
				if _, isKey := keyIndex[restore(n)]; !isKey {
					if def, ok := aliases[cn.Name.Name.L]; ok {
						inner := ar.scope(q, "HAVING")
						inner.Replace = replace
						e, err := BindExpr(def, inner)
						return e, err == nil, err
					}
				}
			}
			return replace(n)
		}
		s.Replace = having
		pred, err := BindExpr(sel.Having.Expr, s)
		if err != nil {
			return nil, err
		}
		ar.node = &Filter{Input: ar.node, Pred: pred}
	}
	return p.bindProjection(sel, q, ar, replace)
}

// retractingInput makes the running aggregate under r (through projections
// and filters) emit retractions, so that the aggregate over it can take a
// group's old value back when the group changes (Nexmark q4: the average
// of each category's highest bids). r becomes a retract changelog. It
// reports false when r's updates come from something else.
func (p *Planner) retractingInput(r *rel) bool {
	var path []*Project
	n := r.node
	for {
		switch x := n.(type) {
		case *Project:
			path = append(path, x)
			n = x.Input
			continue
		case *Filter:
			n = x.Input
			continue
		case *Aggregate:
			if x.Window != nil || x.Retract || x.EmitRetractions {
				return false
			}
			x.EmitRetractions = true
			x.Out = arrow.NewSchema(withDeleted(x.Out.Fields()), nil)
		default:
			return false
		}
		break
	}
	for i := len(path) - 1; i >= 0; i-- { // bottom up: each passes the mark on
		pr := path[i]
		pr.Exprs = append(pr.Exprs, &ColumnRef{Index: pr.Input.Schema().NumFields() - 1, Name: DeletedColumn, Typ: DeletedField.Type})
		pr.Out = arrow.NewSchema(withDeleted(pr.Out.Fields()), nil)
	}
	r.update, r.changes, r.key, r.keyLost = false, true, nil, false
	return true
}

// windowOnKey makes an aggregate without a window in GROUP BY, grouped by
// its input's watermarked column (window_end of a windowed aggregate below
// it), a windowed aggregate: the groups of one value of that column are
// final once the watermark passes it, and are emitted once then (append
// output that a window join can take), unless the query says EMIT
// CHANGES. It returns the key's index, -1 if there is none.
func (p *Planner) windowOnKey(q *parser.Query, r *rel, agg *Aggregate, pre *Project) int {
	if agg.Window != nil || r.wm < 0 || !r.streaming || r.changes || q.Emit == parser.EmitChanges {
		return -1
	}
	for i, k := range agg.Keys {
		ref, ok := pre.Exprs[k.Index].(*ColumnRef)
		if !ok || ref.Index != r.wm || ref.Typ.ID() != arrow.TIMESTAMP {
			continue
		}
		agg.Window = &Window{Kind: WindowTumble, Size: time.Microsecond, TimeCol: k.Index, TimeName: k.Name, OnKey: true}
		pre.Watermark = k.Index
		return i
	}
	return -1
}

// markDropLate makes the source scans under n (every input of a union)
// drop rows older than the watermark: an event-time operator is downstream.
func markDropLate(n Node) {
	if s, ok := n.(*SourceScan); ok {
		s.DropLate = true
		return
	}
	for _, k := range n.Children() {
		markDropLate(k)
	}
}

func (p *Planner) bindWindow(kind WindowKind, fc *ast.FuncCallExpr, q *parser.Query, in *Scope, r *rel) (*Window, error) {
	want := map[WindowKind]int{WindowTumble: 2, WindowHop: 3, WindowSession: 2}[kind]
	fname := strings.ToUpper(kind.String())
	if len(fc.Args) != want {
		usage := map[WindowKind]string{WindowTumble: "TUMBLE(ts, INTERVAL 5 MINUTE)", WindowHop: "HOP(ts, INTERVAL 1 MINUTE, INTERVAL 5 MINUTE) (slide, then size)", WindowSession: "SESSION(ts, INTERVAL 30 SECOND)"}[kind]
		return nil, &parser.Error{Pos: q.Map.Pos(fc.OriginTextPosition()), Msg: fmt.Sprintf("%s takes %d arguments, found %d", fname, want, len(fc.Args)), Hint: "write " + usage}
	}
	cn, ok := fc.Args[0].(*ast.ColumnNameExpr)
	if !ok {
		return nil, p.errAt(q, fc.Args[0], "the first argument of %s must be a TIMESTAMP column", fname)
	}
	tcol, err := BindExpr(cn, in)
	if err != nil {
		return nil, err
	}
	ref := tcol.(*ColumnRef)
	if ref.Typ.ID() != arrow.TIMESTAMP {
		return nil, p.errAt(q, cn, "%s needs a TIMESTAMP column, %s is %s", fname, ref.Name, catalog.TypeName(ref.Typ))
	}
	var ds []time.Duration
	for _, a := range fc.Args[1:] {
		e, err := BindExpr(a, in)
		if err != nil {
			return nil, err
		}
		lit, ok := e.(*Literal)
		d, isDur := time.Duration(0), false
		if ok {
			d, isDur = lit.Value.(time.Duration)
		}
		if !isDur || d <= 0 {
			return nil, p.errAt(q, a, "%s needs a positive INTERVAL like INTERVAL 5 MINUTE", fname)
		}
		ds = append(ds, d)
	}
	w := &Window{Kind: kind, TimeCol: ref.Index, TimeName: ref.Name}
	switch kind {
	case WindowTumble:
		w.Size = ds[0]
	case WindowHop:
		w.Slide, w.Size = ds[0], ds[1]
		if w.Slide > w.Size {
			return nil, p.errAt(q, fc, "HOP slide %s is longer than its size %s", FormatDuration(w.Slide), FormatDuration(w.Size))
		}
	case WindowSession:
		w.Gap = ds[0]
	}
	return w, nil
}

// bindAggCall binds one aggregate call; its argument is projected first.
func (p *Planner) bindAggCall(n ast.ExprNode, q *parser.Query, in *Scope, addPre func(Expr, string) int) (AggCall, error) {
	name, args, distinct := aggregateArgs(n)
	fn, ok := aggFuncs[name]
	if !ok {
		return AggCall{}, p.errAt(q, n, "aggregate %s is not supported (supported: COUNT, SUM, AVG, MIN, MAX, APPROX_PERCENTILE)", strings.ToUpper(name))
	}
	for _, a := range args {
		if isAggregateCall(a) || containsAggregate(a) {
			return AggCall{}, p.errAt(q, a, "aggregate calls cannot be nested")
		}
	}
	call := AggCall{Func: fn, Distinct: distinct}
	if fn == "count" && len(args) == 1 && !distinct {
		if v, ok := args[0].(ast.ValueExpr); ok && v.GetValue() != nil {
			call.Func = "count_star"
			call.Typ = catalog.Int64
			return call, nil
		}
	}
	want := 1
	if fn == "approx_percentile" {
		want = 2
	}
	if len(args) != want {
		return AggCall{}, p.errAt(q, n, "%s takes %d argument(s)", strings.ToUpper(name), want)
	}
	e, err := BindExpr(args[0], in)
	if err != nil {
		return AggCall{}, err
	}
	idx := addPre(e, fmt.Sprintf("arg_%s", sanitize(e.String())))
	call.Arg = &ColumnRef{Index: idx, Name: e.String(), Typ: e.Type()}
	if distinct && catalog.IsNested(e.Type()) {
		return AggCall{}, p.errAt(q, args[0], "DISTINCT needs values that compare, %s is %s", e.String(), SQLTypeName(e.Type()))
	}
	switch fn {
	case "count":
		call.Typ = catalog.Int64
	case "sum":
		if !catalog.IsNumeric(e.Type()) {
			return AggCall{}, p.errAt(q, args[0], "SUM needs a number, %s is %s", e.String(), catalog.TypeName(e.Type()))
		}
		call.Typ = e.Type()
	case "avg":
		if !catalog.IsNumeric(e.Type()) {
			return AggCall{}, p.errAt(q, args[0], "AVG needs a number, %s is %s", e.String(), catalog.TypeName(e.Type()))
		}
		call.Typ = catalog.Float64
	case "min", "max":
		if catalog.IsNested(e.Type()) {
			return AggCall{}, p.errAt(q, args[0], "%s needs values that compare, %s is %s", strings.ToUpper(fn), e.String(), SQLTypeName(e.Type()))
		}
		call.Typ = e.Type()
	case "approx_percentile":
		if !catalog.IsNumeric(e.Type()) {
			return AggCall{}, p.errAt(q, args[0], "APPROX_PERCENTILE needs a number, %s is %s", e.String(), catalog.TypeName(e.Type()))
		}
		pe, err := BindExpr(args[1], in)
		if err != nil {
			return AggCall{}, err
		}
		lit, ok := pe.(*Literal)
		var pct float64
		var value any
		if ok {
			value = lit.Value
		}
		switch v := value.(type) {
		case float64:
			pct = v
		case int64:
			pct = float64(v)
		default:
			ok = false
		}
		if pct > 1 && pct <= 100 {
			pct /= 100
		}
		if !ok || pct < 0 || pct > 1 {
			return AggCall{}, p.errAt(q, args[1], "the percentile must be a number between 0 and 1, like 0.95")
		}
		call.Param = pct
		call.Typ = catalog.Float64
	}
	return call, nil
}

func containsAggregate(n ast.ExprNode) bool {
	c := &aggCollector{depth: 1}
	n.Accept(c)
	return len(c.found) > 0
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
