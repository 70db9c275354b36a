package engine

import (
	"strings"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// columnUse is, for each source table a plan scans, which of its columns
// the plan reads. A source missing from it, or whose flags are all set,
// is read whole.
type columnUse map[*catalog.Table][]bool

// columnsUsed finds the columns of its sources that plan root reads. It
// follows the columns only through projections and filters right above a
// scan; any other node needs every column of its input, so a column that
// is not listed is one no operator can see.
func columnsUsed(root planner.Node) columnUse {
	use := columnUse{}
	var walk func(n planner.Node, need []bool) // need: n's output columns read above it; nil: all
	walk = func(n planner.Node, need []bool) {
		switch x := n.(type) {
		case *planner.Project:
			in := make([]bool, len(x.Input.Schema().Fields()))
			for i, e := range x.Exprs {
				if need == nil || i < len(need) && need[i] {
					if !markRefs(e, in) {
						in = nil
						break
					}
				}
			}
			walk(x.Input, in)
		case *planner.Filter:
			var in []bool
			if need != nil {
				in = append([]bool(nil), need...)
				if !markRefs(x.Pred, in) {
					in = nil
				}
			}
			walk(x.Input, in)
		case *planner.SourceScan:
			use.add(x, need)
		default:
			for _, c := range n.Children() {
				walk(c, nil)
			}
		}
	}
	walk(root, nil)
	return use
}

// add records that scan's columns need are read (nil: all), with the
// event-time column, and every column if the scan sends late rows to a
// table (which takes them whole).
func (u columnUse) add(scan *planner.SourceScan, need []bool) {
	n := len(scan.Table.Columns)
	cols := make([]bool, n)
	if need != nil && len(need) == n && len(scan.Out.Fields()) == n && !strings.HasPrefix(scan.Table.Options["late"], "table:") {
		copy(cols, need)
		if scan.EventTime != nil && !markRefs(scan.EventTime, cols) {
			need = nil
		}
	} else {
		need = nil
	}
	if need == nil {
		for i := range cols {
			cols[i] = true
		}
	}
	if prev, ok := u[scan.Table]; ok { // the same source scanned twice
		for i := range cols {
			cols[i] = cols[i] || prev[i]
		}
	}
	u[scan.Table] = cols
}

// markRefs sets the flag of every column e reads; false if e reads one out
// of range.
func markRefs(e planner.Expr, cols []bool) bool {
	switch x := e.(type) {
	case *planner.ColumnRef:
		if x.Index < 0 || x.Index >= len(cols) {
			return false
		}
		cols[x.Index] = true
	case *planner.Call:
		for _, a := range x.Args {
			if !markRefs(a, cols) {
				return false
			}
		}
	}
	return true
}

// prune tells reader r of table t the columns the query reads, if it can
// leave the others out and some are unread.
func (u columnUse) prune(t *catalog.Table, r executor.SourceReader) {
	p, ok := r.(executor.ColumnPruner)
	cols := u[t]
	if !ok || cols == nil {
		return
	}
	for _, c := range cols {
		if !c {
			p.PruneColumns(cols)
			return
		}
	}
}
