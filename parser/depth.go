package parser

import "github.com/pingcap/tidb/pkg/parser/ast"

// MaxDepth is how deeply a statement's expressions and subqueries may nest.
// Binding and evaluation recurse over the tree, and some of their steps
// look at every level below, so a statement of 100,000 NOTs would take
// seconds of CPU; no hand-written query comes near this.
const MaxDepth = 1000

// depthCheck walks a TiDB tree and remembers the first node that lies
// deeper than MaxDepth.
type depthCheck struct {
	depth int
	deep  ast.Node
}

func (d *depthCheck) Enter(n ast.Node) (ast.Node, bool) {
	d.depth++
	if d.depth > MaxDepth && d.deep == nil {
		d.deep = n
	}
	return n, d.deep != nil // once too deep, descend no further
}

func (d *depthCheck) Leave(n ast.Node) (ast.Node, bool) {
	d.depth--
	return n, true
}

// checkDepth refuses a query whose tree nests deeper than MaxDepth, at the
// position of the first node past the limit where TiDB recorded one.
func checkDepth(q *Query, root ast.Node) error {
	d := &depthCheck{}
	root.Accept(d)
	if d.deep == nil {
		return nil
	}
	pos := q.pos
	if off := d.deep.OriginTextPosition(); off > 0 && q.Map != nil {
		pos = q.Map.Pos(off)
	}
	return &Error{Pos: pos, Msg: "the expression nests too deeply",
		Hint: "a statement may nest expressions and subqueries at most 1000 levels deep"}
}
