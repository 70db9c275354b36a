package parser

import "github.com/pingcap/tidb/pkg/parser/ast"

// markFullJoins matches the JOIN keywords of the text (full[i] for the
// i-th) with the joins of the AST, which an in-order walk meets in the
// order of their keywords, and records those that were FULL JOIN.
func (q *Query) markFullJoins(full []bool) error {
	any := false
	for _, f := range full {
		any = any || f
	}
	if !any {
		return nil
	}
	var joins []*ast.Join
	walkJoins(q.AST, &joins)
	if len(joins) != len(full) {
		return Errorf(q.pos, "FULL JOIN cannot be combined with comma joins or joins in subqueries of WHERE")
	}
	q.FullJoins = map[*ast.Join]bool{}
	for i, j := range joins {
		if full[i] {
			q.FullJoins[j] = true
		}
	}
	return nil
}

// walkJoins appends the joins under n in the order of their keywords in
// the text: a join's keyword lies between its left and right inputs.
func walkJoins(n ast.Node, out *[]*ast.Join) {
	switch x := n.(type) {
	case *ast.SelectStmt:
		if x.From != nil {
			walkJoins(x.From.TableRefs, out)
		}
	case *ast.SetOprStmt:
		if x.SelectList != nil {
			for _, s := range x.SelectList.Selects {
				walkJoins(s, out)
			}
		}
	case *ast.Join:
		if x.Left != nil {
			walkJoins(x.Left, out)
		}
		if x.Right != nil {
			*out = append(*out, x)
			walkJoins(x.Right, out)
		}
	case *ast.TableSource:
		walkJoins(x.Source, out)
	}
}
