package window

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/tide-sql/tide/planner"
)

// pane is the groups of one pane: rows with event time in [start,
// start+pane width). For TUMBLE a pane is a window; a running aggregate has
// a single pane, start 0, that never closes.
type pane struct {
	start int64
	gids  []int32  // in creation order, which is the order rows are emitted in
	tab   tableSet // key hash → group, for the groups of this pane
	track bool     // gids is kept (not for the key table of SESSION)
}

// paneSet is the open panes, by start.
type paneSet struct {
	byStart map[int64]*pane
	order   []*pane // sorted by start
	pool    []*pane // freed panes, reused
	last    *pane   // the pane most recently looked up
}

// find returns the pane starting at start, or nil.
func (ps *paneSet) find(start int64) *pane {
	if ps.last != nil && ps.last.start == start {
		return ps.last
	}
	p := ps.byStart[start]
	if p != nil {
		ps.last = p
	}
	return p
}

// get returns the pane starting at start, creating it if need be.
func (ps *paneSet) get(start int64) *pane {
	if p := ps.find(start); p != nil {
		return p
	}
	if ps.byStart == nil {
		ps.byStart = make(map[int64]*pane)
	}
	var p *pane
	if k := len(ps.pool); k > 0 {
		p, ps.pool = ps.pool[k-1], ps.pool[:k-1]
		p.start, p.gids = start, p.gids[:0]
	} else {
		p = &pane{start: start, track: true}
		p.tab.init(minTable)
	}
	ps.byStart[start] = p
	i := len(ps.order)
	for i > 0 && ps.order[i-1].start > start {
		i--
	}
	ps.order = slices.Insert(ps.order, i, p)
	ps.last = p
	return p
}

// first returns the index of the first pane starting at or after t.
func (ps *paneSet) first(t int64) int {
	i, _ := slices.BinarySearchFunc(ps.order, t, func(p *pane, t int64) int {
		switch {
		case p.start < t:
			return -1
		case p.start > t:
			return 1
		}
		return 0
	})
	return i
}

// anyIn reports whether a pane starts in [lo, hi).
func (ps *paneSet) anyIn(lo, hi int64) bool {
	i := ps.first(lo)
	return i < len(ps.order) && ps.order[i].start < hi
}

// popFront frees the first pane and its table (its groups must be
// released already).
func (ps *paneSet) popFront() {
	p := ps.order[0]
	ps.order[0] = nil
	ps.order = ps.order[1:]
	delete(ps.byStart, p.start)
	p.tab.reset()
	if ps.last == p {
		ps.last = nil
	}
	ps.pool = append(ps.pool, p)
}

// floorDiv is a/b rounded towards minus infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// lastEnd is the end of the last window that contains pane p.
func (o *aggOp) lastEnd(p int64) int64 {
	return floorDiv(p, o.slide)*o.slide + o.size
}

// assignPanes sets slots[i] to the start of row i's pane, and gids[i] to 0,
// or to -1 for a row to skip (NULL time, late, or in no HOP window).
func (o *aggOp) assignPanes(ts *array.Timestamp, slots []int64, gids []int32) {
	vals := ts.TimestampValues()
	nulls := ts.NullN() > 0
	lo, hi := int64(1), int64(0) // the cached pane [lo, hi) is empty at first
	var verdict int32            // 0 to keep the cached pane's rows, -1 to skip
	var late bool
	for i := range gids {
		if nulls && ts.IsNull(i) {
			gids[i] = -1
			o.skipped++
			continue
		}
		t := int64(vals[i])
		if t < lo || t >= hi {
			lo = floorDiv(t, o.pane) * o.pane
			hi = lo + o.pane
			end := o.lastEnd(lo)
			late = o.hasWM && end <= o.wm
			verdict = 0
			if late || end <= lo { // closed, or in the gap between HOP windows
				verdict = -1
			}
		}
		slots[i], gids[i] = lo, verdict
		if late {
			o.late++
		}
	}
}

// closePanes closes every window that ends in (last watermark, t], in
// window_end order, then frees the panes no open window contains.
func (o *aggOp) closePanes(t int64) {
	for _, s := range o.closingWindows(t) {
		if o.pane == o.size {
			o.emitPane(s)
		} else {
			o.emitHopWindow(s)
		}
	}
	for len(o.panes.order) > 0 {
		p := o.panes.order[0]
		if o.lastEnd(p.start) > t {
			break
		}
		for _, g := range p.gids {
			o.g.release(g)
		}
		o.panes.popFront()
	}
}

// closingWindows returns the starts, ascending, of the windows with data
// that end in (last watermark, t].
func (o *aggOp) closingWindows(t int64) []int64 {
	sMax := floorDiv(t-o.size, o.slide) * o.slide
	sMin := int64(-1 << 63)
	if o.hasWM {
		sMin = (floorDiv(o.wm-o.size, o.slide) + 1) * o.slide
	}
	var out []int64
	if o.hasWM && sMax >= sMin && (sMax-sMin)/o.slide < int64(2*len(o.panes.order)+8) {
		// Few candidates: test each.
		for s := sMin; s <= sMax; s += o.slide {
			if o.panes.anyIn(s, s+o.size) {
				out = append(out, s)
			}
		}
		return out
	}
	// Many candidates (first watermark, or a big jump): derive them from
	// the panes, each in the windows that contain it.
	for _, p := range o.panes.order {
		if p.start >= t {
			break
		}
		lo := (floorDiv(p.start-o.size, o.slide) + 1) * o.slide
		hi := min(floorDiv(p.start, o.slide)*o.slide, sMax)
		for s := max(lo, sMin); s <= hi; s += o.slide {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// emitPane emits the window that is exactly pane s (TUMBLE): every group
// in EMIT ON WINDOW CLOSE mode, the groups changed in the epoch in EMIT
// CHANGES mode (their last change has not been emitted yet).
func (o *aggOp) emitPane(s int64) {
	p := o.panes.find(s)
	if p == nil {
		return
	}
	changes := o.mode == planner.EmitChanges
	if !changes {
		o.reserve(p.gids)
	}
	for _, g := range p.gids {
		if changes {
			if o.g.stamp[g] != o.epoch {
				continue
			}
			o.g.stamp[g] = 0
		}
		o.emitRow(s, s+o.size, g, g)
	}
}
