package engine

import (
	"fmt"
	"time"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/ops"
	"github.com/tide-sql/tide/planner"
)

// built is an operator tree with handles on the parts the driver needs.
type built struct {
	sources  []*builtSource      // source scans in build order; none for a snapshot query
	stateful []executor.Stateful // in build order (checkpointed by index)
	stats    []interface{ StateRows() int64 }
	lates    []interface{ LateRows() int64 } // rows an aggregate refused because their window had closed
	names    []string                        // every source and table read, for DROP checks
	unions   []*ops.Union                    // every union, in build order
	bounded  []boundedInput                  // VALUES inputs, in build order
	tasks    int                             // the query runs as this many tasks (0: one)

	columns columnUse // the columns of each source the plan reads

	top *scope // what the driver's goroutine pulls
	cur *scope // the scope being built

	// snapshots makes captures snapshot the stateful operators; without a
	// checkpoint to write (push queries, no state directory) only the
	// sources are marked.
	snapshots bool
}

// boundedInput is a VALUES input: it sends its rows once per query, not
// once per start.
type boundedInput interface {
	Delivered() bool
	Resumed()
}

// newBuilt starts the build of plan root.
func newBuilt(root planner.Node) *built {
	b := &built{top: &scope{}, columns: columnsUsed(root)}
	b.cur = b.top
	return b
}

// addStateful registers a stateful operator in the scope being built.
func (b *built) addStateful(st executor.Stateful) {
	b.cur.stateful = append(b.cur.stateful, len(b.stateful))
	b.stateful = append(b.stateful, st)
}

// build turns a plan (below its Sink) into operators.
func (e *Engine) build(n planner.Node, b *built, once bool) (executor.Operator, error) {
	switch n := n.(type) {
	case *planner.SourceScan:
		return e.buildSourceScan(n, b, once, n.Table, false)
	case *planner.TableScan:
		_, sink, err := e.sinkFor(n.Table.Name)
		if err != nil {
			return nil, err
		}
		sc, ok := sink.(executor.Scanner)
		if !ok {
			return nil, fmt.Errorf("table %s (connector %s) cannot be read back", n.Table.Name, n.Table.Connector)
		}
		b.names = append(b.names, n.Table.Name)
		return ops.NewTableScan(sc, n.Out), nil
	case *planner.Filter:
		in, err := e.build(n.Input, b, once)
		if err != nil {
			return nil, err
		}
		return ops.NewFilter(n, in, e.mem)
	case *planner.Project:
		in, err := e.build(n.Input, b, once)
		if err != nil {
			return nil, err
		}
		return ops.NewProject(n, in, e.mem)
	case *planner.Unnest:
		in, err := e.build(n.Input, b, once)
		if err != nil {
			return nil, err
		}
		return ops.NewUnnest(n, in, e.mem)
	case *planner.Aggregate:
		in, err := e.build(n.Input, b, once)
		if err != nil {
			return nil, err
		}
		if n.Retract || n.EmitRetractions {
			op, err := ops.NewRetractAggregate(n, in, e.mem)
			return b.addStatefulOp(op, err, in)
		}
		return e.buildAggregate(n, in, b)
	case *planner.ChangelogNormalize:
		in, err := e.build(n.Input, b, once)
		if err != nil {
			return nil, err
		}
		op, err := ops.NewChangelogNormalize(n, in, e.mem)
		return b.addStatefulOp(op, err, in)
	case *planner.LookupJoin:
		in, err := e.build(n.Input, b, once)
		if err != nil {
			return nil, err
		}
		_, sink, err := e.sinkFor(n.Table.Name)
		if err != nil {
			return nil, err
		}
		sc, ok := sink.(executor.Scanner)
		if !ok {
			return nil, fmt.Errorf("table %s (connector %s) cannot be read back for a join", n.Table.Name, n.Table.Connector)
		}
		b.names = append(b.names, n.Table.Name)
		// Volatile tables (memory) change under the join and are cheap to
		// read: see their latest rows each epoch.
		return ops.NewLookupJoin(n, in, sc, executor.Volatile(n.Table.Connector), e.mem)
	case *planner.Sort:
		in, err := e.build(n.Input, b, once)
		if err != nil {
			return nil, err
		}
		return ops.NewSort(n, in, e.mem)
	case *planner.Limit:
		in, err := e.build(n.Input, b, once)
		if err != nil {
			return nil, err
		}
		return ops.NewLimit(n.N, in), nil
	case *planner.Union:
		inputs, err := e.buildInputs(n.Inputs, b, once)
		if err != nil {
			return nil, err
		}
		u, err := ops.NewUnion(n.Out, inputs)
		if err != nil {
			return nil, err
		}
		b.addUnion(u)
		return u, nil
	case *planner.StreamJoin:
		inputs, err := e.buildInputs([]planner.Node{n.Left, n.Right}, b, once)
		if err != nil {
			return nil, err
		}
		merge, err := ops.NewMerge(inputs)
		if err != nil {
			return nil, err
		}
		b.addUnion(merge)
		j, err := ops.NewIntervalJoin(n, merge, e.mem)
		if err != nil {
			merge.Close()
			return nil, err
		}
		b.addStateful(j)
		b.addCounters(j)
		return j, nil
	case *planner.Values:
		op, err := ops.NewValues(n, e.mem)
		if err != nil {
			return nil, err
		}
		if bi, ok := op.(boundedInput); ok {
			b.cur.bounded = append(b.cur.bounded, len(b.bounded))
			b.bounded = append(b.bounded, bi)
		}
		return op, nil
	case *planner.Sink:
		return e.build(n.Input, b, once)
	}
	return nil, fmt.Errorf("no operator for plan node %T", n)
}

// buildInputs builds the inputs of a union or a join. Each runs on a
// goroutine of its own: what it pulls is its scope, captured at each of
// its barriers.
func (e *Engine) buildInputs(nodes []planner.Node, b *built, once bool) ([]ops.UnionInput, error) {
	inputs := make([]ops.UnionInput, len(nodes))
	for i, in := range nodes {
		outer, sc := b.cur, &scope{}
		b.cur = sc
		op, err := e.build(in, b, once)
		b.cur = outer
		if err != nil {
			for _, done := range inputs[:i] {
				done.Op.Close()
			}
			return nil, err
		}
		inputs[i] = ops.UnionInput{Op: op, Capture: func() (any, error) { return b.capture(sc) }}
	}
	return inputs, nil
}

// addUnion registers a union (or a join's merge) in the scope being built.
func (b *built) addUnion(u *ops.Union) {
	b.cur.unions = append(b.cur.unions, u)
	b.unions = append(b.unions, u)
}

// buildSourceScan builds a scan of table (n.Table, or a task's copy of it)
// and registers it. everyFetch makes it end an epoch at every fetch, as the
// tasks of a parallel query must.
func (e *Engine) buildSourceScan(n *planner.SourceScan, b *built, once bool, table *catalog.Table, everyFetch bool) (executor.Operator, error) {
	c, err := executor.Lookup(table.Connector)
	if err != nil {
		return nil, err
	}
	if e.setting("execution.runtime-mode") == "batch" && table.Options["stop"] != "" {
		t := *table
		t.Options = map[string]string{}
		for k, v := range table.Options {
			t.Options[k] = v
		}
		t.Options["stop"] = "latest"
		table = &t
	}
	r, err := c.NewSource(table, e.env())
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", n.Table.Name, err)
	}
	b.columns.prune(n.Table, r)
	wait, interval := 200*time.Millisecond, e.triggerInterval()
	if interval > 0 {
		wait = interval
	}
	s, err := ops.NewSourceScan(n, r, ops.ScanOptions{Wait: wait, Interval: interval, Once: once, EveryFetch: everyFetch}, e.mem)
	if err != nil {
		r.Close()
		return nil, err
	}
	b.cur.sources = append(b.cur.sources, len(b.sources))
	b.sources = append(b.sources, &builtSource{table: table, scan: s})
	b.addStateful(s)
	b.names = append(b.names, n.Table.Name)
	return s, nil
}

// addStatefulOp registers a stateful operator just built over in, with its
// counters; if building it failed, it closes in.
func (b *built) addStatefulOp(op interface {
	executor.Operator
	executor.Stateful
}, err error, in executor.Operator) (executor.Operator, error) {
	if err != nil {
		in.Close()
		return nil, err
	}
	b.addStateful(op)
	b.addCounters(op)
	return op, nil
}

// addCounters registers what an operator counts (state rows, late rows)
// in the scope being built: its goroutine reads them at each barrier.
func (b *built) addCounters(op any) {
	if st, ok := op.(interface{ StateRows() int64 }); ok {
		b.cur.stats = append(b.cur.stats, len(b.stats))
		b.stats = append(b.stats, st)
	}
	if lc, ok := op.(interface{ LateRows() int64 }); ok {
		b.cur.lates = append(b.cur.lates, len(b.lates))
		b.lates = append(b.lates, lc)
	}
}
