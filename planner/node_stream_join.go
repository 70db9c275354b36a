package planner

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// StreamJoin joins two streams on equal keys within a time bound (Flink's
// interval join, Spark's stream-stream join with a time constraint): a left
// row l and a right row r match when their keys are equal, Residual holds
// over the joined row, and
//
//	Lower <= l.LeftTime - r.RightTime <= Upper
//
// Each side keeps its rows only while a row of the other side, not late by
// that side's watermark, could still match them; an outer side emits its
// unmatched rows, padded with NULLs, when they leave. A join of two
// windowed aggregates on their window bounds is the bound [0, 0] on the
// window ends (a window join). A join with no time bound is allowed only
// with a state time-to-live: TTL is then set and the bound is [-TTL, TTL]
// on the sides' event times.
type StreamJoin struct {
	Left, Right Node
	// Kind is inner, left, right or full.
	Kind string
	// LeftKeys and RightKeys are the equi-join keys, over each side's own
	// columns, of equal types.
	LeftKeys, RightKeys []Expr
	// LeftTime and RightTime are each side's watermarked event-time column.
	LeftTime, RightTime int
	Lower, Upper        time.Duration
	// TTL is set when the bound comes from SET 'state.ttl' rather than the
	// ON clause.
	TTL time.Duration
	// Residual is the rest of ON, over the output columns; nil if none.
	Residual Expr
	Out      *arrow.Schema
	// Watermark is the output column that carries the output's event time
	// (the left side's for inner and left joins, the right side's for right
	// joins), -1 for a full join.
	Watermark int
}

func (*StreamJoin) node() {}

var _ Node = (*StreamJoin)(nil)

func (n *StreamJoin) Schema() *arrow.Schema { return n.Out }
func (n *StreamJoin) Children() []Node      { return []Node{n.Left, n.Right} }

func (n *StreamJoin) Describe() string {
	var b strings.Builder
	keys := make([]string, len(n.LeftKeys))
	for i := range n.LeftKeys {
		keys[i] = n.LeftKeys[i].String() + " = " + n.RightKeys[i].String()
	}
	lt := n.Left.Schema().Field(n.LeftTime).Name
	rt := n.Right.Schema().Field(n.RightTime).Name
	fmt.Fprintf(&b, "IntervalJoin kind=%s keys=[%s] bound=%s", n.Kind, strings.Join(keys, ", "), n.BoundText())
	if n.TTL > 0 {
		fmt.Fprintf(&b, " state.ttl=%s (rows expire %s after their event time, by the other side's watermark)", FormatDuration(n.TTL), FormatDuration(n.TTL))
	}
	if n.Residual != nil {
		fmt.Fprintf(&b, " residual=%s", n.Residual)
	}
	wm := "-"
	if n.Watermark >= 0 {
		wm = n.Out.Field(n.Watermark).Name
	}
	fmt.Fprintf(&b, " time=[left.%s, right.%s] watermark=%s", lt, rt, wm)
	return b.String()
}

// BoundText prints the time bound as the condition it is.
func (n *StreamJoin) BoundText() string {
	lt := "left." + n.Left.Schema().Field(n.LeftTime).Name
	rt := "right." + n.Right.Schema().Field(n.RightTime).Name
	off := func(d time.Duration) string {
		switch {
		case d == 0:
			return rt
		case d < 0:
			return rt + " - " + FormatDuration(-d)
		}
		return rt + " + " + FormatDuration(d)
	}
	if n.Lower == n.Upper {
		return lt + " = " + off(n.Lower)
	}
	return fmt.Sprintf("%s BETWEEN %s AND %s", lt, off(n.Lower), off(n.Upper))
}
