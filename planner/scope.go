package planner

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/tide-sql/tide/parser"
)

// ScopeColumn is one column visible to an expression.
type ScopeColumn struct {
	Table string // the table or alias it comes from ("" for computed columns)
	Name  string
	Type  arrow.DataType
}

// Scope is what BindExpr resolves names against.
type Scope struct {
	// Columns are the input columns; a ColumnRef's Index is a position here.
	Columns []ScopeColumn
	// Replace, when set, is consulted first for every expression node. If it
	// returns ok, its Expr is used for the whole node (the planner uses it to
	// substitute group keys, aggregate results and window bounds).
	Replace func(n ast.ExprNode) (e Expr, ok bool, err error)
	// Pos maps an offset of the text TiDB parsed back to the user's text.
	Pos func(offset int) parser.Pos
	// What names the clause being bound, for messages ("WHERE", "SELECT").
	What string
}
