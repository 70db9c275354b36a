package parser

import (
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// TestElementAccessKeepsPositionsTrue: the base and the index of arr[i],
// and what follows it, map back to where the user wrote them.
func TestElementAccessKeepsPositionsTrue(t *testing.T) {
	src := "SELECT items[idx + 1].sku, nosuch FROM orders"
	st, err := ParseOne(src)
	if err != nil {
		t.Fatal(err)
	}
	q := st.(*Select).Query
	fields := q.AST.(*ast.SelectStmt).Fields.Fields
	field := fields[0].Expr.(*ast.FuncCallExpr) // TIDE_FIELD(TIDE_ITEM(items, idx + 1), 'sku')
	item := field.Args[0].(*ast.FuncCallExpr)
	for _, c := range []struct {
		node ast.ExprNode
		want string
	}{
		{field, "items["},
		{item.Args[0], "items["},
		{item.Args[1], "idx + 1"},
		{fields[1].Expr, "nosuch"},
	} {
		got := q.Map.Pos(c.node.OriginTextPosition())
		if !strings.HasPrefix(src[got.Offset:], c.want) {
			t.Errorf("node maps to %q, want it at %q", src[got.Offset:], c.want)
		}
	}
}
