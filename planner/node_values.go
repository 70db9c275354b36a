package planner

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Values is a bounded input of constant rows: VALUES (...), (...), or the
// single row of a SELECT without FROM. Each row has one expression per
// column of Out, of that column's type; expressions refer to no column
// (literals, casts, functions of constants). The executor evaluates them
// once.
type Values struct {
	Rows [][]Expr
	Out  *arrow.Schema
}

func (*Values) node() {}

var _ Node = (*Values)(nil)

func (n *Values) Schema() *arrow.Schema { return n.Out }
func (n *Values) Children() []Node      { return nil }

// valuesShown is how many rows EXPLAIN prints before "...".
const valuesShown = 3

func (n *Values) Describe() string {
	names := make([]string, n.Out.NumFields())
	for i, f := range n.Out.Fields() {
		names[i] = f.Name
	}
	var rows []string
	for i, row := range n.Rows {
		if i == valuesShown {
			rows = append(rows, "...")
			break
		}
		vals := make([]string, len(row))
		for j, e := range row {
			vals[j] = e.String()
		}
		rows = append(rows, "("+strings.Join(vals, ", ")+")")
	}
	return fmt.Sprintf("Values rows=%d columns=[%s] %s", len(n.Rows), strings.Join(names, ", "), strings.Join(rows, ", "))
}
