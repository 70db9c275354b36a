package planner

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tide-sql/tide/catalog"
)

// State describes what a plan's checkpointed state depends on: its sources
// and its stateful operators, in the order the executor builds them (inputs
// before the operator that reads them). A checkpoint stores it so that a
// restarted query can tell a change that leaves its state usable (a WHERE
// constant, an extra projected column, a renamed alias) from one that does
// not (another window size, group key or aggregate). It is pure data, and
// stable across cosmetic changes to EXPLAIN.
type State struct {
	Sources   []StateSource   `json:"sources"`
	Operators []StateOperator `json:"operators"`
}

// StateSource is one source a plan reads.
type StateSource struct {
	// ID keys the source's offsets in a checkpoint: its name in lower case,
	// with "#2", "#3"... for further reads of the same source.
	ID        string `json:"id"`
	Name      string `json:"name"`
	Connector string `json:"connector"`
	Topic     string `json:"topic,omitempty"`
}

// Operator kinds of a StateOperator.
const (
	StateSourceScan = "source"    // a source's watermark (per partition maxima)
	StateTumble     = "tumble"    // tumbling-window aggregate
	StateHop        = "hop"       // hopping-window aggregate
	StateSession    = "session"   // session-window aggregate
	StateRunning    = "aggregate" // running (unwindowed) aggregate
	StateDistinct   = "distinct"  // running set of distinct keys (SELECT DISTINCT, GROUP BY without aggregates)
	StateJoin       = "join"      // the rows of both sides of a join of two streams
	StateNormalize  = "normalize" // the current row of every key of a changelog
	StateRetracting = "retract"   // running aggregate over a changelog (values kept to retract them)
)

// StateOperator is one stateful operator. Expressions are printed over
// the columns of the sources (through projections), so that renaming an
// intermediate column does not count as a change.
type StateOperator struct {
	Kind string `json:"kind"`
	// Source is the StateSource.ID of a source scan.
	Source string `json:"source,omitempty"`
	// EventTime is what a source's watermark is computed from.
	EventTime string `json:"event_time,omitempty"`
	// TimeColumn is what a window is computed over; Size, Slide and Gap
	// its lengths (Go durations).
	TimeColumn string           `json:"time_column,omitempty"`
	Size       string           `json:"size,omitempty"`
	Slide      string           `json:"slide,omitempty"`
	Gap        string           `json:"gap,omitempty"`
	Keys       []StateColumn    `json:"keys,omitempty"`
	Aggregates []StateAggregate `json:"aggregates,omitempty"`
	Emit       string           `json:"emit,omitempty"`
	// Columns are the columns of the rows a join keeps, left then right.
	Columns []StateColumn `json:"columns,omitempty"`
}

// StateColumn is a group key: the expression it is computed from and its type.
type StateColumn struct {
	Expr string `json:"expr"`
	Type string `json:"type"`
}

// StateAggregate is one aggregate function and its input.
type StateAggregate struct {
	Func     string  `json:"func"`
	Arg      string  `json:"arg,omitempty"`
	ArgType  string  `json:"arg_type,omitempty"`
	Distinct bool    `json:"distinct,omitempty"`
	Param    float64 `json:"param,omitempty"`
}

// StateOf describes the state of the plan under root.
func StateOf(root Node) State {
	s := State{Sources: []StateSource{}, Operators: []StateOperator{}}
	seen := map[string]int{}
	var walk func(n Node)
	walk = func(n Node) {
		for _, c := range n.Children() {
			walk(c)
		}
		switch x := n.(type) {
		case *SourceScan:
			id := strings.ToLower(x.Table.Name)
			seen[id]++
			if k := seen[id]; k > 1 {
				id += "#" + strconv.Itoa(k)
			}
			s.Sources = append(s.Sources, StateSource{ID: id, Name: x.Table.Name, Connector: x.Table.Connector, Topic: x.Table.Options["topic"]})
			op := StateOperator{Kind: StateSourceScan, Source: id}
			if x.EventTime != nil {
				op.EventTime = x.EventTime.String()
			}
			s.Operators = append(s.Operators, op)
		case *Aggregate:
			s.Operators = append(s.Operators, aggregateState(x))
		case *StreamJoin:
			s.Operators = append(s.Operators, joinState(x))
		case *ChangelogNormalize:
			op := StateOperator{Kind: StateNormalize}
			for _, k := range x.Key {
				f := x.Schema().Field(k)
				op.Keys = append(op.Keys, StateColumn{Expr: f.Name, Type: catalog.TypeName(f.Type)})
			}
			for _, f := range x.Schema().Fields() {
				op.Columns = append(op.Columns, StateColumn{Expr: f.Name, Type: catalog.TypeName(f.Type)})
			}
			s.Operators = append(s.Operators, op)
		}
	}
	walk(root)
	return s
}

func aggregateState(n *Aggregate) StateOperator {
	op := StateOperator{Kind: StateRunning, Emit: n.Emit.String()}
	in := n.Input.Schema()
	if w := n.Window; w != nil {
		op.Kind = w.Kind.String()
		op.TimeColumn = sourceExpr(n.Input, &ColumnRef{Index: w.TimeCol, Name: w.TimeName})
		switch w.Kind {
		case WindowTumble:
			op.Size = w.Size.String()
		case WindowHop:
			op.Size, op.Slide = w.Size.String(), w.Slide.String()
		case WindowSession:
			op.Gap = w.Gap.String()
		}
	} else if len(n.Aggs) == 0 {
		op.Kind = StateDistinct
	}
	if n.Retract || n.EmitRetractions {
		op.Kind = StateRetracting
	}
	for _, k := range n.Keys {
		op.Keys = append(op.Keys, StateColumn{Expr: sourceExpr(n.Input, k), Type: catalog.TypeName(in.Field(k.Index).Type)})
	}
	for _, a := range n.Aggs {
		sa := StateAggregate{Func: a.Func, Distinct: a.Distinct, Param: a.Param}
		if a.Arg != nil {
			sa.Arg = sourceExpr(n.Input, a.Arg)
			sa.ArgType = catalog.TypeName(in.Field(a.Arg.Index).Type)
		}
		op.Aggregates = append(op.Aggregates, sa)
	}
	return op
}

// joinState describes a join of two streams: the rows it keeps are its
// inputs' rows, indexed by the keys, within the bound.
func joinState(n *StreamJoin) StateOperator {
	op := StateOperator{Kind: StateJoin, Emit: n.Kind, Size: n.BoundText()}
	for i := range n.LeftKeys {
		op.Keys = append(op.Keys,
			StateColumn{Expr: sourceExpr(n.Left, n.LeftKeys[i]), Type: catalog.TypeName(n.LeftKeys[i].Type())},
			StateColumn{Expr: sourceExpr(n.Right, n.RightKeys[i]), Type: catalog.TypeName(n.RightKeys[i].Type())})
	}
	for _, side := range []Node{n.Left, n.Right} {
		for _, f := range side.Schema().Fields() {
			op.Columns = append(op.Columns, StateColumn{Expr: f.Name, Type: catalog.TypeName(f.Type)})
		}
	}
	return op
}

// sourceExpr prints e, an expression over n's output, over the columns
// below n's projections: through Project (substituted), Filter, Limit and
// Sort (the same columns), the input side of a LookupJoin and every input
// of a Union (once if the inputs agree, else union(a, b, ...)).
func sourceExpr(n Node, e Expr) string {
	for {
		switch x := n.(type) {
		case *Union:
			var parts []string
			same := true
			for _, in := range x.Inputs {
				s := sourceExpr(in, e)
				same = same && (len(parts) == 0 || s == parts[0])
				parts = append(parts, s)
			}
			if same {
				return parts[0]
			}
			return "union(" + strings.Join(parts, ", ") + ")"
		case *Project:
			e = substitute(e, x.Exprs)
			n = x.Input
		case *Filter:
			n = x.Input
		case *Limit:
			n = x.Input
		case *Sort:
			n = x.Input
		case *Unnest:
			if refsBelow(e, x.Input.Schema().NumFields()) {
				n = x.Input
				continue
			}
			return e.String()
		case *LookupJoin:
			width := len(x.Input.Schema().Fields())
			if refsBelow(e, width) {
				n = x.Input
				continue
			}
			return e.String()
		default:
			return e.String()
		}
	}
}

// refsBelow reports whether every column e refers to is below width.
func refsBelow(e Expr, width int) bool {
	switch x := e.(type) {
	case *ColumnRef:
		return x.Index < width
	case *Call:
		for _, a := range x.Args {
			if !refsBelow(a, width) {
				return false
			}
		}
	}
	return true
}

// StateChange is one difference between the state a checkpoint was
// written for and the state of the query now, each side as SQL-like text.
type StateChange struct {
	Written string
	Now     string
}

// CompareState lists what differs between the state a checkpoint holds
// (written) and the state a plan needs (now); none means the checkpoint
// can be resumed from.
func CompareState(written, now State) []StateChange {
	var out []StateChange
	if a, b := sourceList(written.Sources), sourceList(now.Sources); a != b {
		out = append(out, StateChange{Written: a, Now: b})
	}
	if len(written.Operators) != len(now.Operators) {
		return append(out, StateChange{Written: operatorList(written.Operators), Now: operatorList(now.Operators)})
	}
	for i := range now.Operators {
		out = append(out, compareOperator(written.Operators[i], now.Operators[i])...)
	}
	return out
}

func compareOperator(w, n StateOperator) []StateChange {
	if w.Kind != n.Kind {
		return []StateChange{{Written: w.String(), Now: n.String()}}
	}
	// A source scan's source is compared with the sources.
	var out []StateChange
	for _, part := range []func(StateOperator) string{StateOperator.eventTimeText, StateOperator.windowText, StateOperator.keysText, StateOperator.aggregatesText, StateOperator.emitText} {
		if a, b := part(w), part(n); a != b {
			out = append(out, StateChange{Written: a, Now: b})
		}
	}
	return out
}

func sourceList(srcs []StateSource) string {
	parts := make([]string, len(srcs))
	for i, s := range srcs {
		parts[i] = s.String()
	}
	if len(parts) == 0 {
		return "no source"
	}
	return strings.Join(parts, ", ")
}

func operatorList(ops []StateOperator) string {
	parts := make([]string, len(ops))
	for i, o := range ops {
		parts[i] = o.String()
	}
	return fmt.Sprintf("%d stateful operators (%s)", len(ops), strings.Join(parts, "; "))
}

func (s StateSource) String() string {
	str := fmt.Sprintf("source %s (connector %s", s.Name, s.Connector)
	if s.Topic != "" {
		str += ", topic " + s.Topic
	}
	return str + ")"
}

// String prints the operator the way a query would say it.
func (o StateOperator) String() string {
	if o.Kind == StateSourceScan {
		s := "scan of " + o.Source
		if o.EventTime != "" {
			s += " with " + o.eventTimeText()
		}
		return s
	}
	var parts []string
	switch o.Kind {
	case StateJoin:
		return fmt.Sprintf("the %s join on %s within %s", strings.ToUpper(o.Emit), o.keysJoined(), o.Size)
	case StateNormalize:
		return "the changelog of key " + o.keyList()
	case StateDistinct:
		parts = append(parts, "DISTINCT "+o.keyList())
	case StateRunning:
		parts = append(parts, "running aggregate", o.keysText())
	default:
		parts = append(parts, o.windowText(), o.keysText())
	}
	if len(o.Aggregates) > 0 {
		parts = append(parts, o.aggregatesText())
	}
	return strings.Join(append(parts, o.emitText()), " ")
}

// keysJoined prints a join's keys, which come in pairs (left, right).
func (o StateOperator) keysJoined() string {
	var parts []string
	for i := 0; i+1 < len(o.Keys); i += 2 {
		parts = append(parts, o.Keys[i].Expr+" = "+o.Keys[i+1].Expr)
	}
	return strings.Join(parts, " AND ")
}

func (o StateOperator) eventTimeText() string {
	if o.EventTime == "" {
		return "no watermark"
	}
	return "WATERMARK FOR " + o.EventTime
}

func (o StateOperator) windowText() string {
	switch o.Kind {
	case StateTumble:
		return fmt.Sprintf("TUMBLE(%s, %s)", o.TimeColumn, intervalText(o.Size))
	case StateHop:
		return fmt.Sprintf("HOP(%s, %s, %s)", o.TimeColumn, intervalText(o.Slide), intervalText(o.Size))
	case StateSession:
		return fmt.Sprintf("SESSION(%s, %s)", o.TimeColumn, intervalText(o.Gap))
	}
	return "no window"
}

func (o StateOperator) keyList() string {
	keys := make([]string, len(o.Keys))
	for i, k := range o.Keys {
		keys[i] = k.Expr + " " + k.Type
	}
	return strings.Join(keys, ", ")
}

func (o StateOperator) keysText() string {
	if len(o.Keys) == 0 {
		return "no GROUP BY key"
	}
	return "GROUP BY " + o.keyList()
}

func (o StateOperator) aggregatesText() string {
	if len(o.Aggregates) == 0 {
		return "no aggregate"
	}
	aggs := make([]string, len(o.Aggregates))
	for i, a := range o.Aggregates {
		aggs[i] = a.String()
	}
	return "aggregates " + strings.Join(aggs, ", ")
}

func (o StateOperator) emitText() string {
	if o.Emit == "" {
		return ""
	}
	if o.Emit == EmitChanges.String() {
		return "EMIT CHANGES"
	}
	return "EMIT ON WINDOW CLOSE"
}

func (a StateAggregate) String() string {
	if a.Func == "count_star" {
		return "COUNT(*)"
	}
	arg := a.Arg + " " + a.ArgType
	if a.Distinct {
		arg = "DISTINCT " + arg
	}
	if a.Func == "approx_percentile" {
		arg += ", " + strconv.FormatFloat(a.Param, 'g', -1, 64)
	}
	return strings.ToUpper(a.Func) + "(" + arg + ")"
}

// intervalText prints a Go duration as an SQL interval in its largest
// whole unit: "5m0s" → INTERVAL 5 MINUTE, "90s" → INTERVAL 90 SECOND.
func intervalText(s string) string {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return "INTERVAL " + s
	}
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "DAY"}, {time.Hour, "HOUR"}, {time.Minute, "MINUTE"}, {time.Second, "SECOND"}, {time.Millisecond, "MILLISECOND"}, {time.Microsecond, "MICROSECOND"}}
	for _, u := range units {
		if d%u.d == 0 {
			return fmt.Sprintf("INTERVAL %d %s", d/u.d, u.name)
		}
	}
	return "INTERVAL " + s
}
