package planner

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
)

// SourceScan reads a source (Kafka topic, generator) as a stream.
type SourceScan struct {
	Table *catalog.Table
	// EventTime computes a row's event time from the source's columns (a
	// column, or an expression for a query-level watermark on a computed
	// column); nil without a watermark.
	EventTime Expr
	// EventTimeName names the watermarked column, for EXPLAIN.
	EventTimeName string
	// Delay is subtracted from the largest event time seen.
	Delay time.Duration
	// DropLate makes the scan drop (and count) rows older than the
	// watermark; set when an event-time operator is downstream.
	DropLate bool
	// Changelog is set for a source of changes (Debezium, upsert topics):
	// Out ends with the __deleted column that marks a row taken back.
	Changelog bool
	Out       *arrow.Schema
}

// TableScan reads a snapshot of a table's current contents.
type TableScan struct {
	Table *catalog.Table
	Out   *arrow.Schema
}

// Filter keeps the rows where Pred is TRUE.
type Filter struct {
	Input Node
	Pred  Expr
}

// Project computes Exprs over its input. Watermark is the output column
// that carries the input's event time, -1 if none does.
type Project struct {
	Input     Node
	Exprs     []Expr
	Out       *arrow.Schema
	Watermark int
}

// Limit stops the query after N rows.
type Limit struct {
	Input Node
	N     int64
}

// Sort orders a bounded input (a snapshot of tables) by Keys, evaluated
// over its rows; Desc[i] reverses key i. NULLs sort first, as in Spark.
type Sort struct {
	Input Node
	Keys  []Expr
	Desc  []bool
}

// LookupJoin enriches each row of Input with the rows of Table whose
// RightKeys columns equal LeftKeys (evaluated over the input). Kind is
// "inner" or "left" (unmatched rows kept, table columns NULL). Output:
// the input's columns, then the table's.
type LookupJoin struct {
	Input     Node
	Table     *catalog.Table
	LeftKeys  []Expr
	RightKeys []int
	Kind      string
	Out       *arrow.Schema
}

// Sink writes its input into a table.
type Sink struct {
	Input Node
	Table *catalog.Table
	// Upsert is set when rows replace earlier rows with the same Key.
	Upsert bool
	Key    []int
}

func (*SourceScan) node() {}
func (*TableScan) node()  {}
func (*Filter) node()     {}
func (*Project) node()    {}
func (*Aggregate) node()  {}
func (*Limit) node()      {}
func (*Sort) node()       {}
func (*LookupJoin) node() {}
func (*Sink) node()       {}

var (
	_ Node = (*SourceScan)(nil)
	_ Node = (*TableScan)(nil)
	_ Node = (*Filter)(nil)
	_ Node = (*Project)(nil)
	_ Node = (*Aggregate)(nil)
	_ Node = (*Limit)(nil)
	_ Node = (*Sort)(nil)
	_ Node = (*LookupJoin)(nil)
	_ Node = (*Sink)(nil)
)

func (n *SourceScan) Schema() *arrow.Schema { return n.Out }
func (n *TableScan) Schema() *arrow.Schema  { return n.Out }
func (n *Filter) Schema() *arrow.Schema     { return n.Input.Schema() }
func (n *Project) Schema() *arrow.Schema    { return n.Out }
func (n *Aggregate) Schema() *arrow.Schema  { return n.Out }
func (n *Limit) Schema() *arrow.Schema      { return n.Input.Schema() }
func (n *Sort) Schema() *arrow.Schema       { return n.Input.Schema() }
func (n *LookupJoin) Schema() *arrow.Schema { return n.Out }
func (n *Sink) Schema() *arrow.Schema       { return n.Input.Schema() }

func (n *SourceScan) Children() []Node { return nil }
func (n *TableScan) Children() []Node  { return nil }
func (n *Filter) Children() []Node     { return []Node{n.Input} }
func (n *Project) Children() []Node    { return []Node{n.Input} }
func (n *Aggregate) Children() []Node  { return []Node{n.Input} }
func (n *Limit) Children() []Node      { return []Node{n.Input} }
func (n *Sort) Children() []Node       { return []Node{n.Input} }
func (n *LookupJoin) Children() []Node { return []Node{n.Input} }
func (n *Sink) Children() []Node       { return []Node{n.Input} }

func (n *SourceScan) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "SourceScan source=%s connector=%s", n.Table.Name, n.Table.Connector)
	if t := n.Table.Options["topic"]; t != "" {
		fmt.Fprintf(&b, " topic=%s", t)
	}
	if n.Changelog {
		b.WriteString(" changes=changelog")
	}
	if n.EventTime != nil {
		fmt.Fprintf(&b, " watermark=%s-%s", n.EventTimeName, FormatDuration(n.Delay))
		if n.DropLate {
			late := n.Table.Options["late"]
			if late == "" {
				late = "drop"
			}
			fmt.Fprintf(&b, " late=%s", late)
		}
	} else {
		b.WriteString(" watermark=-")
	}
	return b.String()
}

func (n *TableScan) Describe() string {
	return fmt.Sprintf("TableScan table=%s connector=%s", n.Table.Name, n.Table.Connector)
}

func (n *Filter) Describe() string { return "Filter " + n.Pred.String() }

func (n *Project) Describe() string {
	parts := make([]string, len(n.Exprs))
	for i, e := range n.Exprs {
		name := n.Out.Field(i).Name
		s := e.String()
		if s != name {
			s += " AS " + name
		}
		parts[i] = s
	}
	wm := "-"
	if n.Watermark >= 0 {
		wm = n.Out.Field(n.Watermark).Name
	}
	return fmt.Sprintf("Project [%s] watermark=%s", strings.Join(parts, ", "), wm)
}

func (n *Aggregate) Describe() string {
	var b strings.Builder
	if n.Window != nil {
		w := n.Window
		b.WriteString("WindowAggregate window=")
		switch w.Kind {
		case WindowTumble:
			if w.OnKey {
				fmt.Fprintf(&b, "key(%s)", w.TimeName)
				break
			}
			fmt.Fprintf(&b, "tumble(%s, %s)", w.TimeName, FormatDuration(w.Size))
		case WindowHop:
			fmt.Fprintf(&b, "hop(%s, slide=%s, size=%s)", w.TimeName, FormatDuration(w.Slide), FormatDuration(w.Size))
		case WindowSession:
			fmt.Fprintf(&b, "session(%s, gap=%s)", w.TimeName, FormatDuration(w.Gap))
		}
	} else {
		b.WriteString("Aggregate")
	}
	keys := make([]string, len(n.Keys))
	for i, k := range n.Keys {
		keys[i] = k.Name
	}
	aggs := make([]string, len(n.Aggs))
	for i, a := range n.Aggs {
		aggs[i] = a.describe()
	}
	fmt.Fprintf(&b, " keys=[%s] aggs=[%s] emit=%s", strings.Join(keys, ", "), strings.Join(aggs, ", "), n.Emit)
	if n.Retract {
		b.WriteString(" input=retract")
	}
	switch {
	case n.EmitRetractions:
		b.WriteString(" changes=retract")
	case n.Retract:
		b.WriteString(" changes=upsert")
	}
	if n.Window != nil {
		b.WriteString(" watermark=window_end")
	}
	return b.String()
}

func (a AggCall) describe() string {
	arg := "*"
	if a.Arg != nil {
		arg = a.Arg.Name
	}
	if a.Distinct {
		arg = "DISTINCT " + arg
	}
	s := a.Func + "(" + arg
	if a.Func == "count_star" {
		s = "count(*"
	}
	if a.Func == "approx_percentile" {
		s += fmt.Sprintf(", %g", a.Param)
	}
	return s + ") AS " + a.Name
}

func (n *Limit) Describe() string { return fmt.Sprintf("Limit %d", n.N) }

func (n *LookupJoin) Describe() string {
	on := make([]string, len(n.LeftKeys))
	for i, k := range n.LeftKeys {
		on[i] = k.String() + " = " + n.Table.Name + "." + n.Table.Columns[n.RightKeys[i]].Name
	}
	return fmt.Sprintf("LookupJoin kind=%s table=%s connector=%s on=[%s]", n.Kind, n.Table.Name, n.Table.Connector, strings.Join(on, ", "))
}

func (n *Sort) Describe() string {
	keys := make([]string, len(n.Keys))
	for i, k := range n.Keys {
		keys[i] = k.String()
		if n.Desc[i] {
			keys[i] += " DESC"
		}
	}
	return "Sort [" + strings.Join(keys, ", ") + "]"
}

func (n *Sink) Describe() string {
	s := fmt.Sprintf("Sink table=%s connector=%s", n.Table.Name, n.Table.Connector)
	if n.Upsert {
		keys := make([]string, len(n.Key))
		for i, k := range n.Key {
			keys[i] = n.Schema().Field(k).Name
		}
		return s + " mode=upsert key=[" + strings.Join(keys, ", ") + "]"
	}
	return s + " mode=append"
}

// Explain draws the plan as a tree, one node per line.
func Explain(root Node) string {
	var b strings.Builder
	var walk func(n Node, prefix, childPrefix string)
	walk = func(n Node, prefix, childPrefix string) {
		b.WriteString(prefix)
		b.WriteString(n.Describe())
		b.WriteString("\n")
		kids := n.Children()
		for i, k := range kids {
			if i == len(kids)-1 {
				walk(k, childPrefix+"└─", childPrefix+"  ")
			} else {
				walk(k, childPrefix+"├─", childPrefix+"│ ")
			}
		}
	}
	walk(root, "", "")
	return b.String()
}
