// Package planner binds statements to the catalog and turns them into plans.
// Plan nodes are pure data: they say what runs, the executor builds
// operators from them, and Explain prints them as text.
package planner

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Node is a physical plan node. The set is sealed; the executor switches on
// the concrete types.
type Node interface {
	// Schema is the schema of the rows the node produces.
	Schema() *arrow.Schema
	// Children are the node's inputs.
	Children() []Node
	// Describe prints the node on one line for EXPLAIN (no children).
	Describe() string
	node()
}

// EmitMode says when an aggregate emits rows.
type EmitMode uint8

const (
	// EmitOnWindowClose emits each window's final row once, when the
	// watermark passes the window's end (append output).
	EmitOnWindowClose EmitMode = iota + 1
	// EmitChanges emits, at the end of every micro-batch, the current row
	// of every group the batch changed (update output keyed by the groups).
	EmitChanges
)

func (m EmitMode) String() string {
	if m == EmitChanges {
		return "changes"
	}
	return "on-window-close"
}

// WindowKind is the kind of an event-time window.
type WindowKind uint8

const (
	WindowTumble WindowKind = iota + 1
	WindowHop
	WindowSession
)

func (k WindowKind) String() string {
	switch k {
	case WindowTumble:
		return "tumble"
	case WindowHop:
		return "hop"
	case WindowSession:
		return "session"
	}
	return "?"
}

// Window is the event-time window of a windowed aggregate. Window bounds are
// aligned to the Unix epoch (UTC), as in Flink and Spark.
type Window struct {
	Kind     WindowKind
	TimeCol  int           // index of the event-time column in the aggregate's input
	TimeName string        // its name, for EXPLAIN
	Size     time.Duration // tumble and hop: window length
	Slide    time.Duration // hop: distance between window starts
	Gap      time.Duration // session: inactivity that closes a session
	// OnKey marks the window of an aggregate grouped by its input's
	// watermarked column (the window bounds of a windowed aggregate below
	// it, Flink's window cascade): each value of that key is a tumbling
	// window of one microsecond, final once the watermark passes it.
	OnKey bool
}

// AggCall is one aggregate function of an Aggregate node.
type AggCall struct {
	// Func is count_star, count, sum, avg, min, max or approx_percentile.
	Func string
	// Arg is the input column (nil for count_star). The planner always
	// projects aggregate arguments into plain columns first.
	Arg *ColumnRef
	// Distinct is set for COUNT(DISTINCT x) (and SUM/AVG DISTINCT).
	Distinct bool
	// Param is the percentile (0..1) of approx_percentile.
	Param float64
	// Name is the output column name; Typ its type.
	Name string
	Typ  arrow.DataType
}

// Aggregate groups its input by Keys (and Window, if set) and computes Aggs.
// Output columns: window_start, window_end (windowed only), the keys in
// order, then the aggregates in order.
type Aggregate struct {
	Input  Node
	Keys   []*ColumnRef // group keys, plain input columns (projected by the planner)
	Window *Window      // nil for a running (non-windowed) aggregate
	Aggs   []AggCall
	Emit   EmitMode
	// Retract is set when the input is a changelog (its last column is
	// __deleted): rows marked deleted take their values back out of their
	// group, and a group left empty is deleted downstream. Out then ends
	// with __deleted too.
	Retract bool
	// EmitRetractions is set when the output feeds another aggregate: a
	// changed group's new row is preceded by its previous row marked
	// deleted (a retract changelog, Flink's -U/+U), so that the aggregate
	// above can take the old value back. Out then ends with __deleted.
	EmitRetractions bool
	Out             *arrow.Schema
}
