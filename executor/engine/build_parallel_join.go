package engine

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/ops"
	"github.com/tide-sql/tide/planner"
)

// joinShape is a join of two streams that runs as n tasks: each side is a
// source and stateless steps, read by n tasks that exchange their rows by
// the join key, so that task k joins the rows of both sides whose keys hash
// to k.
type joinShape struct {
	join  *planner.StreamJoin
	sides [2]parallelShape // scan and below of each side
	keys  [2][]int         // the key columns of each side
}

// joinShapeOf finds the shape under a join, or reports that it runs as
// one task: both sides must be a source and stateless steps, and the keys
// plain columns of the same types on both sides (equal values hash alike).
func joinShapeOf(j *planner.StreamJoin) (*joinShape, bool) {
	js := &joinShape{join: j}
	for side, n := range []planner.Node{j.Left, j.Right} {
		chain, below := statelessChain(n)
		scan, ok := below.(*planner.SourceScan)
		if !ok || strings.HasPrefix(scan.Table.Options["late"], "table:") {
			return nil, false
		}
		js.sides[side] = readerShape(scan, chain)
	}
	for i := range j.LeftKeys {
		l, okl := j.LeftKeys[i].(*planner.ColumnRef)
		r, okr := j.RightKeys[i].(*planner.ColumnRef)
		if !okl || !okr || !arrow.TypeEqual(l.Typ, r.Typ) {
			return nil, false
		}
		js.keys[0] = append(js.keys[0], l.Index)
		js.keys[1] = append(js.keys[1], r.Index)
	}
	return js, true
}

// buildParallelJoin builds the join as n tasks: the n readers of each side
// (their scans registered side by side, left then right), each side's
// exchange by key, and per task a join of its share of both sides, whose
// late rows a filter behind each side's gather drops against the
// watermark of all of that side's tasks. Every union is aligned: the
// readers end an epoch at each fetch, and each task's join ends it once
// both of its sides have.
func (e *Engine) buildParallelJoin(sh parallelShape, n int, b *built, once bool) (executor.Operator, error) {
	js := sh.join
	var opened []executor.Operator
	fail := func(err error) (executor.Operator, error) {
		for _, op := range opened {
			op.Close()
		}
		return nil, err
	}
	var exchanges [2][]*ops.Exchange
	for side := range js.sides {
		readers, err := e.buildReaders(js.sides[side], n, b, once)
		if err != nil {
			return fail(err)
		}
		for i, r := range readers {
			x, err := ops.NewExchange(r.Op, js.keys[side], n, r.Capture, e.mem)
			if err != nil {
				for _, rest := range readers[i:] {
					rest.Op.Close()
				}
				return fail(err)
			}
			exchanges[side] = append(exchanges[side], x)
		}
	}
	timeCols := [2]int{js.join.LeftTime, js.join.RightTime}
	gather := make([]ops.UnionInput, n)
	for k := 0; k < n; k++ {
		outer, task := b.cur, &scope{}
		var inputs [2]ops.UnionInput
		for side := range js.sides {
			sc := &scope{}
			b.cur = sc
			ins := make([]ops.UnionInput, n)
			for i, x := range exchanges[side] {
				out := x.Outputs()[k]
				ins[i] = ops.UnionInput{Op: out, Capture: out.Capture}
			}
			u, err := ops.NewUnion(exchanges[side][0].Input().Schema(), ins)
			if err != nil {
				b.cur = outer
				return fail(err)
			}
			u.Aligned()
			b.addUnion(u)
			var in executor.Operator = u
			if js.sides[side].dropLate {
				lf := ops.NewLateFilter(u, timeCols[side], e.mem)
				b.addCounters(lf)
				in = lf
			}
			inputs[side] = ops.UnionInput{Op: in, Capture: func() (any, error) { return b.capture(sc) }}
		}
		b.cur = task
		merge, err := ops.NewMerge(inputs[:])
		if err != nil {
			b.cur = outer
			return fail(err)
		}
		merge.Aligned()
		b.addUnion(merge)
		j, err := ops.NewIntervalJoin(js.join, merge, e.mem)
		if err != nil {
			b.cur = outer
			merge.Close()
			return fail(err)
		}
		b.addStateful(j)
		b.addCounters(j)
		op, err := e.buildChain(sh.above, j)
		b.cur = outer
		if err != nil {
			j.Close()
			return fail(err)
		}
		opened = append(opened, op)
		gather[k] = ops.UnionInput{Op: op, Capture: func() (any, error) { return b.capture(task) }}
	}
	return b.gather(gather)
}
