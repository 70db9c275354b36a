package engine

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/ops"
	"github.com/tide-sql/tide/executor/window"
	"github.com/tide-sql/tide/planner"
)

// maxParallelism bounds SET parallelism.
const maxParallelism = 256

// parallelism is the number of tasks a new query runs as: SET parallelism,
// else half the cores. One task already keeps about one and a half cores
// busy (its reader decodes partitions in parallel, fetches overlap the
// work); on two cores a second task measured 0.9x the wall rate of one and
// 0.7-0.8x its events per CPU-second (tide bench, 1M events).
func (e *Engine) parallelism() int {
	if n, err := strconv.Atoi(e.setting("parallelism")); err == nil && n >= 1 {
		return n
	}
	return max(1, runtime.GOMAXPROCS(0)/2)
}

// parallelShape is a plan a query can run as n tasks: a source, stateless
// steps, one aggregate with group keys, stateless steps. Each task reads
// its share of the source's partitions, the rows are exchanged by the
// group key, each task aggregates its keys, and a gather brings the tasks'
// rows to the sink. Without the aggregate (a source and stateless steps
// into an append sink) each task's rows go straight to the gather.
type parallelShape struct {
	scan  *planner.SourceScan
	below []planner.Node // stateless steps between scan and aggregate, bottom up
	agg   *planner.Aggregate
	above []planner.Node // stateless steps above the aggregate, bottom up
	// dropLate: the plan's scan drops late rows; the tasks do it behind
	// the exchange instead, against every task's watermark.
	dropLate bool
	// join, instead of scan and agg: a join of two streams whose sides
	// are a source and stateless steps (build_parallel_join.go).
	join *joinShape
}

// parallelPlan finds the shape in root (the node below the Sink), or
// reports that the query runs as one task. appendOnly says the sink appends
// (an upserting sink fed by no aggregate needs its rows in one order).
func parallelPlan(root planner.Node, appendOnly bool) (parallelShape, bool) {
	var sh parallelShape
	chain, n := statelessChain(root) // top down
	for {
		switch x := n.(type) {
		case *planner.Aggregate:
			if sh.agg != nil || len(x.Keys) == 0 || x.Retract || x.EmitRetractions {
				return sh, false
			}
			sh.agg = x
			for i := len(chain) - 1; i >= 0; i-- {
				sh.above = append(sh.above, chain[i])
			}
			chain, n = statelessChain(x.Input)
			continue
		case *planner.StreamJoin:
			if sh.agg != nil {
				return sh, false
			}
			js, ok := joinShapeOf(x)
			if !ok {
				return sh, false
			}
			sh.join = js
			for i := len(chain) - 1; i >= 0; i-- {
				sh.above = append(sh.above, chain[i])
			}
			return sh, true
		case *planner.SourceScan:
			if sh.agg == nil && !appendOnly || strings.HasPrefix(x.Table.Options["late"], "table:") {
				// An upserting sink of rows no aggregate keyed needs them in
				// one order; a late table is filled by the scan, which in a
				// task sees only its own partitions' watermark.
				return sh, false
			}
			side := readerShape(x, chain)
			sh.scan, sh.below, sh.dropLate = side.scan, side.below, side.dropLate
			return sh, true
		}
		return sh, false
	}
}

// statelessChain walks down from n through the stateless steps a task can
// run (filters, projections, UNNEST) and returns them, top down, with the
// first node below them.
func statelessChain(n planner.Node) (chain []planner.Node, below planner.Node) {
	for {
		var next planner.Node
		switch x := n.(type) {
		case *planner.Filter:
			next = x.Input
		case *planner.Project:
			next = x.Input
		case *planner.Unnest:
			next = x.Input
		default:
			return chain, n
		}
		chain, n = append(chain, n), next
	}
}

// readerShape is what n readers of scan run: a copy of the scan that
// leaves late rows to an operator behind the gather of every task (each
// task's scan sees only its partitions' watermark), and the stateless
// steps above it (chain, top down).
func readerShape(scan *planner.SourceScan, chain []planner.Node) parallelShape {
	c := *scan
	sh := parallelShape{scan: &c, dropLate: scan.DropLate}
	c.DropLate = false
	for i := len(chain) - 1; i >= 0; i-- {
		sh.below = append(sh.below, chain[i])
	}
	return sh
}

// buildParallel builds sh as n tasks. Stateful operators are registered
// task by task for each of the plan's stateful operators in plan order
// (the scans of tasks 0..n-1, then their aggregates), so that the
// checkpoint's snapshots are the plan's operators times n.
func (e *Engine) buildParallel(sh parallelShape, n int, b *built, once bool) (executor.Operator, error) {
	var opened []executor.Operator
	fail := func(err error) (executor.Operator, error) {
		for _, op := range opened {
			op.Close()
		}
		return nil, err
	}
	if sh.join != nil {
		return e.buildParallelJoin(sh, n, b, once)
	}
	if sh.agg == nil {
		return e.buildParallelStateless(sh, n, b, once)
	}
	keys := make([]int, len(sh.agg.Keys))
	for i, k := range sh.agg.Keys {
		keys[i] = k.Index
	}
	readers, err := e.buildReaders(sh, n, b, once)
	if err != nil {
		return nil, err
	}
	exchanges := make([]*ops.Exchange, n)
	for i, r := range readers {
		x, err := ops.NewExchange(r.Op, keys, n, r.Capture, e.mem)
		if err != nil {
			for _, rest := range readers[i:] {
				rest.Op.Close()
			}
			return fail(err)
		}
		exchanges[i] = x
	}
	gather := make([]ops.UnionInput, n)
	for k := 0; k < n; k++ {
		outer, sc := b.cur, &scope{}
		b.cur = sc
		ins := make([]ops.UnionInput, n)
		for i, x := range exchanges {
			out := x.Outputs()[k]
			ins[i] = ops.UnionInput{Op: out, Capture: out.Capture}
		}
		u, err := ops.NewUnion(sh.agg.Input.Schema(), ins)
		if err != nil {
			b.cur = outer
			return fail(err)
		}
		u.Aligned()
		sc.unions = append(sc.unions, u)
		b.unions = append(b.unions, u)
		var in executor.Operator = u
		if sh.dropLate && sh.agg.Window != nil {
			lf := ops.NewLateFilter(u, sh.agg.Window.TimeCol, e.mem)
			b.addCounters(lf)
			in = lf
		}
		op, err := e.buildAggregate(sh.agg, in, b)
		if err == nil {
			op, err = e.buildChain(sh.above, op)
		}
		b.cur = outer
		if err != nil {
			u.Close()
			return fail(err)
		}
		opened = append(opened, op)
		gather[k] = ops.UnionInput{Op: op, Capture: func() (any, error) { return b.capture(sc) }}
	}
	return b.gather(gather)
}

// gather brings the tasks' outputs together in an aligned union, the
// query's n tasks.
func (b *built) gather(tasks []ops.UnionInput) (executor.Operator, error) {
	g, err := ops.NewUnion(tasks[0].Op.Schema(), tasks)
	if err != nil {
		for _, in := range tasks {
			in.Op.Close()
		}
		return nil, err
	}
	g.Aligned()
	b.cur.unions = append(b.cur.unions, g)
	b.unions = append(b.unions, g)
	b.tasks = len(tasks)
	return g, nil
}

// buildParallelStateless builds a source and stateless steps as n tasks
// gathered by an aligned union.
func (e *Engine) buildParallelStateless(sh parallelShape, n int, b *built, once bool) (executor.Operator, error) {
	readers, err := e.buildReaders(sh, n, b, once)
	if err != nil {
		return nil, err
	}
	return b.gather(readers)
}

// buildReaders builds, for each of n tasks, its scan of its partitions and
// the stateless steps above it, each on a goroutine of its own: its scope
// is captured at each of its barriers.
func (e *Engine) buildReaders(sh parallelShape, n int, b *built, once bool) ([]ops.UnionInput, error) {
	readers := make([]ops.UnionInput, 0, n)
	for i := 0; i < n; i++ {
		outer, sc := b.cur, &scope{}
		b.cur = sc
		op, err := e.buildSourceScan(sh.scan, b, once, taskTable(sh.scan.Table, i, n), true)
		if err == nil {
			op, err = e.buildChain(sh.below, op)
		}
		b.cur = outer
		if err != nil {
			for _, r := range readers {
				r.Op.Close()
			}
			return nil, err
		}
		readers = append(readers, ops.UnionInput{Op: op, Capture: func() (any, error) { return b.capture(sc) }})
	}
	return readers, nil
}

// taskTable is the source's table as task i of n reads it: its share of
// the partitions and of max_batch.
func taskTable(t *catalog.Table, i, n int) *catalog.Table {
	c := *t
	c.Options = map[string]string{}
	for k, v := range t.Options {
		c.Options[k] = v
	}
	c.Options[executor.TaskOption] = fmt.Sprintf("%d/%d", i, n)
	if mb, err := strconv.Atoi(c.Options["max_batch"]); err == nil && mb > 0 {
		c.Options["max_batch"] = strconv.Itoa(max(1, (mb+n-1)/n))
	}
	return &c
}

// buildChain builds stateless steps (bottom up) over in.
func (e *Engine) buildChain(steps []planner.Node, in executor.Operator) (executor.Operator, error) {
	for _, s := range steps {
		var err error
		switch x := s.(type) {
		case *planner.Filter:
			in, err = ops.NewFilter(x, in, e.mem)
		case *planner.Project:
			in, err = ops.NewProject(x, in, e.mem)
		case *planner.Unnest:
			in, err = ops.NewUnnest(x, in, e.mem)
		default:
			err = fmt.Errorf("no stateless operator for %T", s)
		}
		if err != nil {
			return nil, err
		}
	}
	return in, nil
}

// buildAggregate builds an aggregate over in and registers it.
func (e *Engine) buildAggregate(n *planner.Aggregate, in executor.Operator, b *built) (executor.Operator, error) {
	op, err := window.New(n, in, e.mem)
	if err != nil {
		return nil, err
	}
	if st, ok := op.(executor.Stateful); ok {
		b.addStateful(st)
	}
	b.addCounters(op)
	return op, nil
}
