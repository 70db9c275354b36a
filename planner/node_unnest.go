package planner

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Unnest joins each row of Input with the elements of the ARRAY (or the
// entries of the MAP) that Expr computes from it, as Flink's CROSS JOIN
// UNNEST does: one output row per element, made of the input row's columns
// followed by the element's columns (the fields of a ROW element, or the
// element itself; a MAP entry's key and value), then the element's 1-based
// position when Ordinality is set. An empty or NULL array gives no row;
// with Outer (LEFT JOIN UNNEST(...) ON TRUE) it gives one row whose element
// columns are NULL. Unnest keeps no state; watermarks pass unchanged, as
// the input's columns keep their positions.
type Unnest struct {
	Input      Node
	Expr       Expr
	Outer      bool
	Ordinality bool
	// Fields says how the element spreads into columns: true when the
	// element is a ROW whose fields are the columns.
	Fields bool
	Out    *arrow.Schema
}

func (*Unnest) node() {}

var _ Node = (*Unnest)(nil)

func (n *Unnest) Schema() *arrow.Schema { return n.Out }
func (n *Unnest) Children() []Node      { return []Node{n.Input} }

func (n *Unnest) Describe() string {
	kind := "cross"
	if n.Outer {
		kind = "left"
	}
	width := n.Input.Schema().NumFields()
	var cols []string
	for _, f := range n.Out.Fields()[width:] {
		cols = append(cols, f.Name)
	}
	s := fmt.Sprintf("Unnest kind=%s expr=%s columns=[%s]", kind, n.Expr.String(), strings.Join(cols, ", "))
	if n.Ordinality {
		s += " ordinality"
	}
	return s
}
