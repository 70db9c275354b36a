package planner

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/parser"
)

// noBound marks a side of the time bound that ON does not give.
const (
	noLower = time.Duration(-1 << 63)
	noUpper = time.Duration(1<<63 - 1)
)

// bindStreamJoin binds a join of two streams: an interval join (a time
// bound between the sides' event times in ON), a window join (equal window
// bounds of two windowed aggregates), or, with SET 'state.ttl', a join with
// no bound whose rows expire.
func (p *Planner) bindStreamJoin(j *ast.Join, q *parser.Query, depth int) (*rel, error) {
	left, err := p.bindFrom(&ast.Join{Left: j.Left}, q, depth)
	if err != nil {
		return nil, err
	}
	right, err := p.bindFrom(&ast.Join{Left: j.Right}, q, depth)
	if err != nil {
		return nil, err
	}
	if left.changes || right.changes {
		return nil, refuseChanges(q, "a join of two streams")
	}
	kind := "inner"
	switch {
	case q.FullJoins[j]:
		kind = "full"
	case j.Tp == ast.LeftJoin:
		kind = "left"
	case j.Tp == ast.RightJoin:
		kind = "right"
	}
	onPos := q.Pos()
	if j.On != nil {
		onPos = q.Map.Pos(j.On.Expr.OriginTextPosition())
	}
	for _, side := range []struct {
		r    *rel
		name string
	}{{left, "left"}, {right, "right"}} {
		switch {
		case !side.r.streaming:
			return nil, &parser.Error{Pos: onPos, Msg: fmt.Sprintf("the %s side of this join is a table and the other a stream", side.name),
				Hint: "put the stream on the left and the table on the right (a lookup join): FROM stream s LEFT JOIN table t ON s.k = t.k"}
		case side.r.update:
			return nil, &parser.Error{Pos: onPos, Msg: fmt.Sprintf("the %s side of this join updates its rows; joins of two streams take append-only input", side.name),
				Hint: "join windowed aggregates (EMIT ON WINDOW CLOSE), or the streams before aggregating them"}
		case side.r.wm < 0:
			return nil, &parser.Error{Pos: onPos, Msg: fmt.Sprintf("the %s side of this join has no watermark: a join of two streams needs event time on both sides", side.name),
				Hint: "declare one in CREATE SOURCE: WATERMARK FOR ts AS ts - INTERVAL 5 SECOND"}
		}
	}
	if j.On == nil {
		return nil, &parser.Error{Pos: q.Pos(), Msg: "a join of two streams needs ON with an equality between the sides and a time bound",
			Hint: "ON a.k = b.k AND a.t BETWEEN b.t AND b.t + INTERVAL 1 HOUR"}
	}
	n := &StreamJoin{Left: left.node, Right: right.node, Kind: kind, LeftTime: left.wm, RightTime: right.wm}
	cols := append(append([]ScopeColumn(nil), left.cols...), right.cols...)
	jb := &joinBinder{q: q, n: n, lw: len(left.cols), cols: cols, lower: noLower, upper: noUpper}
	if err := jb.conjuncts(j.On.Expr); err != nil {
		return nil, err
	}
	if len(n.LeftKeys) == 0 {
		return nil, &parser.Error{Pos: onPos, Msg: "a join of two streams needs an equality between a column of each side in ON (a key)",
			Hint: "ON a.k = b.k AND a.t BETWEEN b.t AND b.t + INTERVAL 1 HOUR"}
	}
	if err := jb.finishBound(p.stateTTL(), onPos); err != nil {
		return nil, err
	}
	n.Residual = jb.residual
	if f := jb.sideFilter[0]; f != nil {
		n.Left = &Filter{Input: n.Left, Pred: f}
	}
	if f := jb.sideFilter[1]; f != nil {
		n.Right = &Filter{Input: n.Right, Pred: f}
	}
	markDropLate(left.node)
	markDropLate(right.node)

	out := &rel{node: n, wm: -1, streaming: true}
	var fields []arrow.Field
	for _, c := range cols {
		out.cols = append(out.cols, c)
		fields = append(fields, arrow.Field{Name: c.Name, Type: c.Type, Nullable: true})
	}
	n.Out = arrow.NewSchema(fields, nil)
	switch kind {
	case "inner", "left":
		out.wm = left.wm
	case "right":
		out.wm = len(left.cols) + right.wm
	}
	n.Watermark = out.wm
	return out, nil
}

// whereIntoJoin moves the WHERE of a SELECT over an inner join of two
// streams into the join's ON, as Flink's planner does: the same rows
// match, a time bound written in WHERE (Nexmark q7) bounds the join's
// state, and conditions on one side filter that side before the join.
func (p *Planner) whereIntoJoin(sel *ast.SelectStmt, q *parser.Query) {
	j := sel.From.TableRefs
	if sel.Where == nil || j == nil || j.Right == nil || j.Tp == ast.LeftJoin || j.Tp == ast.RightJoin || q.FullJoins[j] {
		return
	}
	if _, _, ok := unnestOf(j.Right); ok {
		return // UNNEST takes ON TRUE only
	}
	if ts, ok := j.Right.(*ast.TableSource); ok {
		if tn, ok := ts.Source.(*ast.TableName); ok {
			if t, err := p.Catalog.Get(tn.Name.O); err == nil && t.Kind == catalog.KindTable {
				return // a lookup join: its ON takes equalities only
			}
		}
	}
	if j.On == nil { // FROM a, b WHERE ...: the WHERE is the condition
		j.On = &ast.OnCondition{Expr: sel.Where}
		sel.Where = nil
		return
	}
	both := &ast.BinaryOperationExpr{Op: opcode.LogicAnd, L: j.On.Expr, R: sel.Where}
	both.SetOriginTextPosition(j.On.Expr.OriginTextPosition())
	j.On = &ast.OnCondition{Expr: both}
	sel.Where = nil
}

// stateTTL is SET 'state.ttl', zero if unset.
func (p *Planner) stateTTL() time.Duration {
	if p.Setting == nil {
		return 0
	}
	d, _ := parser.ParseDurationText(p.Setting("state.ttl"))
	return d
}

// joinBinder sorts the conjuncts of a stream join's ON into keys, the time
// bound and the residual condition.
type joinBinder struct {
	q            *parser.Query
	n            *StreamJoin
	lw           int // the left side's columns come first
	cols         []ScopeColumn
	lower, upper time.Duration // on left time - right time
	residual     Expr
	sideFilter   [2]Expr // conditions on one side, over its own columns
	// offBound is the first comparison of event times that is not on
	// both watermarked columns, reported if the bound stays open.
	offBound *parser.Error
}

func (jb *joinBinder) conjuncts(e ast.ExprNode) error {
	if b, ok := e.(*ast.BinaryOperationExpr); ok && b.Op == opcode.LogicAnd {
		if err := jb.conjuncts(b.L); err != nil {
			return err
		}
		return jb.conjuncts(b.R)
	}
	if pe, ok := e.(*ast.ParenthesesExpr); ok {
		if _, and := pe.Expr.(*ast.BinaryOperationExpr); and {
			return jb.conjuncts(pe.Expr)
		}
	}
	pos := jb.q.Map.Pos(e.OriginTextPosition())
	bound, err := BindExpr(e, &Scope{Columns: jb.cols, Pos: jb.q.Map.Pos, What: "ON"})
	if err != nil {
		return err
	}
	if bound.Type().ID() != arrow.BOOL && bound.Type().ID() != arrow.NULL {
		return parser.Errorf(pos, "ON needs a boolean condition, found %s", catalog.TypeName(bound.Type()))
	}
	ok, err := jb.classify(bound, pos)
	if err != nil {
		return err
	}
	if !ok {
		jb.addCondition(bound)
	}
	return nil
}

// addCondition keeps a conjunct that is neither a key nor a bound: on one
// side only, it filters that side before the join where that keeps the
// same rows (a side whose rows an outer join keeps unmatched must see
// them all); else it is checked on the joined rows.
func (jb *joinBinder) addCondition(e Expr) {
	kind := jb.n.Kind
	switch side := jb.sideOf(e); {
	case side == 0 && (kind == "inner" || kind == "right"):
		jb.sideFilter[0] = and(jb.sideFilter[0], e)
	case side == 1 && (kind == "inner" || kind == "left"):
		jb.sideFilter[1] = and(jb.sideFilter[1], shiftRefs(e, -jb.lw))
	default:
		jb.addResidual(e)
	}
}

func and(a, b Expr) Expr {
	if a == nil {
		return b
	}
	return &Call{Func: "and", Args: []Expr{a, b}, Typ: arrow.FixedWidthTypes.Boolean}
}

func (jb *joinBinder) addResidual(e Expr) { jb.residual = and(jb.residual, e) }

// classify takes a conjunct as a key or a part of the time bound; false
// leaves it to the residual.
func (jb *joinBinder) classify(e Expr, pos parser.Pos) (bool, error) {
	c, ok := e.(*Call)
	if !ok {
		return false, nil
	}
	switch c.Func {
	case "between":
		x, okx := jb.timeTerm(c.Args[0])
		lo, oklo := jb.timeTerm(c.Args[1])
		hi, okhi := jb.timeTerm(c.Args[2])
		if !okx || !oklo || !okhi || lo.side != hi.side || x.side == lo.side {
			return false, nil
		}
		if !jb.onWatermarks(x, lo) || !jb.onWatermarks(x, hi) {
			// Each half on its own: one may bound the join (Nexmark q4:
			// B.dateTime BETWEEN A.dateTime AND A.expires).
			bools := arrow.FixedWidthTypes.Boolean
			for _, half := range []*Call{{Func: ">=", Args: []Expr{c.Args[0], c.Args[1]}, Typ: bools}, {Func: "<=", Args: []Expr{c.Args[0], c.Args[2]}, Typ: bools}} {
				if ok, err := jb.classify(half, pos); err != nil {
					return false, err
				} else if !ok {
					jb.addCondition(half)
				}
			}
			return true, nil
		}
		jb.addBound(x, ">=", lo)
		jb.addBound(x, "<=", hi)
		return true, nil
	case "=", "<", "<=", ">", ">=":
	default:
		return false, nil
	}
	a, b := c.Args[0], c.Args[1]
	ta, oka := jb.timeTerm(a)
	tb, okb := jb.timeTerm(b)
	if oka && okb && ta.side != tb.side {
		if !jb.onWatermarks(ta, tb) {
			if c.Func == "=" {
				return jb.equality(a, b, pos) // window_start = window_start: a key
			}
			jb.noteOffBound(pos, ta, tb)
			return false, nil
		}
		jb.addBound(ta, c.Func, tb)
		if c.Func == "=" && ta.off == tb.off {
			return true, jb.addKey(a, b, pos) // equal event times: a key too
		}
		return true, nil
	}
	if c.Func != "=" {
		return false, nil
	}
	return jb.equality(a, b, pos)
}

// equality takes a = b as a key when one side reads only left columns and
// the other only right columns.
func (jb *joinBinder) equality(a, b Expr, pos parser.Pos) (bool, error) {
	sa, sb := jb.sideOf(a), jb.sideOf(b)
	if sa < 0 || sb < 0 || sa == sb {
		return false, nil
	}
	return true, jb.addKey(a, b, pos)
}

func (jb *joinBinder) addKey(a, b Expr, pos parser.Pos) error {
	if jb.sideOf(a) == 1 {
		a, b = b, a
	}
	b = shiftRefs(b, -jb.lw)
	if !arrow.TypeEqual(a.Type(), b.Type()) {
		if numeric(a.Type()) && numeric(b.Type()) {
			var err error
			if a, err = NewCast(a, catalog.Float64, false); err != nil {
				return err
			}
			if b, err = NewCast(b, catalog.Float64, false); err != nil {
				return err
			}
		} else {
			return &parser.Error{Pos: pos, Msg: fmt.Sprintf("join keys of different types: %s is %s, %s is %s", a, catalog.TypeName(a.Type()), b, catalog.TypeName(b.Type())),
				Hint: "CAST one side to the other's type"}
		}
	}
	jb.n.LeftKeys = append(jb.n.LeftKeys, a)
	jb.n.RightKeys = append(jb.n.RightKeys, b)
	return nil
}

func numeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT64, arrow.INT32, arrow.FLOAT64, arrow.FLOAT32:
		return true
	}
	return false
}

// sideOf says which side e reads: 0 left, 1 right, -1 both or neither.
func (jb *joinBinder) sideOf(e Expr) int {
	l, r := false, false
	visitRefs(e, func(c *ColumnRef) {
		if c.Index < jb.lw {
			l = true
		} else {
			r = true
		}
	})
	switch {
	case l && !r:
		return 0
	case r && !l:
		return 1
	}
	return -1
}

// timeTerm is an event-time column of one side plus a constant.
type timeTerm struct {
	side int // 0 left, 1 right
	col  int // over that side's columns
	name string
	off  time.Duration
}

// timeTerm reads e as a timestamp column of one side plus or minus an
// interval.
func (jb *joinBinder) timeTerm(e Expr) (timeTerm, bool) {
	switch x := e.(type) {
	case *ColumnRef:
		if x.Typ.ID() != arrow.TIMESTAMP {
			return timeTerm{}, false
		}
		if x.Index < jb.lw {
			return timeTerm{side: 0, col: x.Index, name: x.Name}, true
		}
		return timeTerm{side: 1, col: x.Index - jb.lw, name: x.Name}, true
	case *Call:
		if (x.Func != "+" && x.Func != "-") || len(x.Args) != 2 {
			return timeTerm{}, false
		}
		t, ok := jb.timeTerm(x.Args[0])
		d, okd := durationOf(x.Args[1])
		if !ok && x.Func == "+" { // INTERVAL 1 HOUR + ts
			t, ok = jb.timeTerm(x.Args[1])
			d, okd = durationOf(x.Args[0])
		}
		if !ok || !okd {
			return timeTerm{}, false
		}
		if x.Func == "-" {
			d = -d
		}
		t.off += d
		return t, true
	}
	return timeTerm{}, false
}

func durationOf(e Expr) (time.Duration, bool) {
	l, ok := e.(*Literal)
	if !ok {
		return 0, false
	}
	d, ok := l.Value.(time.Duration)
	return d, ok
}

// onWatermarks reports whether terms compare each side's watermarked column.
func (jb *joinBinder) onWatermarks(ts ...timeTerm) bool {
	for _, t := range ts {
		if t.side == 0 && t.col != jb.n.LeftTime || t.side == 1 && t.col != jb.n.RightTime {
			return false
		}
	}
	return true
}

func (jb *joinBinder) noteOffBound(pos parser.Pos, ts ...timeTerm) {
	if jb.offBound != nil {
		return
	}
	for _, t := range ts {
		if !jb.onWatermarks(t) {
			side, wm := "left", jb.cols[jb.n.LeftTime].Name
			if t.side == 1 {
				side, wm = "right", jb.cols[jb.lw+jb.n.RightTime].Name
			}
			jb.offBound = &parser.Error{Pos: pos, Msg: fmt.Sprintf("the time bound uses %s, which has no watermark (the %s side's event time is %s)", t.name, side, wm),
				Hint: "bound the join on each side's watermarked column, or declare the watermark on " + t.name}
			return
		}
	}
}

// addBound adds a op b to the bound on left time - right time.
func (jb *joinBinder) addBound(a timeTerm, op string, b timeTerm) {
	// a.t + a.off op b.t + b.off; turn it into l - r op c.
	c := b.off - a.off
	if a.side == 1 {
		c = a.off - b.off
		op = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}[op]
	}
	const tick = time.Microsecond // the resolution of TIMESTAMP(3) values as stored
	switch op {
	case ">=":
		jb.lower = max(jb.lower, c)
	case ">":
		jb.lower = max(jb.lower, c+tick)
	case "<=":
		jb.upper = min(jb.upper, c)
	case "<":
		jb.upper = min(jb.upper, c-tick)
	case "=":
		jb.lower, jb.upper = max(jb.lower, c), min(jb.upper, c)
	}
}

// finishBound closes an open bound with the state TTL, or refuses it.
func (jb *joinBinder) finishBound(ttl time.Duration, pos parser.Pos) error {
	if jb.lower == noLower || jb.upper == noUpper {
		if ttl <= 0 {
			if jb.offBound != nil {
				return jb.offBound
			}
			return &parser.Error{Pos: pos, Msg: "this join of two streams has no time bound on both sides: it would keep every row of both streams forever",
				Hint: "bound it by event time (AND a.t BETWEEN b.t - INTERVAL 1 HOUR AND b.t), or let rows expire: SET 'state.ttl' = '1 hour'"}
		}
		jb.n.TTL = ttl
		if jb.lower == noLower {
			jb.lower = -ttl
		}
		if jb.upper == noUpper {
			jb.upper = ttl
		}
	}
	if jb.lower > jb.upper {
		return &parser.Error{Pos: pos, Msg: "the join's time bound is empty: no pair of rows can match it"}
	}
	jb.n.Lower, jb.n.Upper = jb.lower, jb.upper
	return nil
}

// shiftRefs returns e with every column index moved by d.
func shiftRefs(e Expr, d int) Expr {
	switch x := e.(type) {
	case *ColumnRef:
		c := *x
		c.Index += d
		return &c
	case *Call:
		c := *x
		c.Args = make([]Expr, len(x.Args))
		for i, a := range x.Args {
			c.Args[i] = shiftRefs(a, d)
		}
		return &c
	}
	return e
}

// visitRefs calls f for every column reference in e.
func visitRefs(e Expr, f func(*ColumnRef)) {
	switch x := e.(type) {
	case *ColumnRef:
		f(x)
	case *Call:
		for _, a := range x.Args {
			visitRefs(a, f)
		}
	}
}
