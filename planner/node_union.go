package planner

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Union is UNION ALL: the rows of every input, in no particular order.
// Inputs have Out's columns in order and type (the planner casts narrower
// inputs). Watermark is the output column carrying the event time, -1 if
// none: it is set when every input carries a watermarked event time in
// that column. Each input keeps its own sources' watermarks; the executor
// moves the union's to their minimum.
type Union struct {
	Inputs    []Node
	Out       *arrow.Schema
	Watermark int
}

func (*Union) node() {}

var _ Node = (*Union)(nil)

func (n *Union) Schema() *arrow.Schema { return n.Out }
func (n *Union) Children() []Node      { return n.Inputs }

func (n *Union) Describe() string {
	wm := "-"
	if n.Watermark >= 0 {
		wm = n.Out.Field(n.Watermark).Name
	}
	return fmt.Sprintf("Union all inputs=%d watermark=%s", len(n.Inputs), wm)
}
