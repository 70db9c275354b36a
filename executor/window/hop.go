package window

import "github.com/tide-sql/tide/planner"

// A HOP window spans size/pane panes, and its row for a key is the merge
// of that key's groups in those panes. Rows are never copied into every
// window they belong to; the merge happens once per (window, key) when the
// row is emitted.

// target is one (window, key) row being assembled.
type target struct {
	slot    int64 // window start
	rep     int32 // a group with the key
	acc     int32 // loose group holding the merged state, or -1
	changed bool  // a group merged in changed in this epoch
}

// combiner collects the distinct (window, key) targets of one emission in
// a small open-addressing table reused across emissions.
type combiner struct {
	table   []int32 // index+1 into targets, 0 when empty
	targets []target
}

func (c *combiner) reset() {
	if len(c.table) == 0 {
		c.table = make([]int32, 64)
	}
	clear(c.table)
	c.targets = c.targets[:0]
}

// find returns the index of the target (slot, key of group rep), adding it
// (with acc -1) if absent.
func (c *combiner) find(s *groups, slot int64, rep int32) int {
	if 2*(len(c.targets)+1) > len(c.table) {
		c.table = make([]int32, 2*len(c.table))
		mask := uint64(len(c.table) - 1)
		for i, t := range c.targets {
			pos := tableHash(s.keyHash[t.rep], t.slot) & mask
			for c.table[pos] != 0 {
				pos = (pos + 1) & mask
			}
			c.table[pos] = int32(i + 1)
		}
	}
	mask := uint64(len(c.table) - 1)
	pos := tableHash(s.keyHash[rep], slot) & mask
	for {
		e := c.table[pos]
		if e == 0 {
			c.targets = append(c.targets, target{slot: slot, rep: rep, acc: -1})
			c.table[pos] = int32(len(c.targets))
			return len(c.targets) - 1
		}
		if t := &c.targets[e-1]; t.slot == slot && s.equalKeys(t.rep, rep) {
			return int(e - 1)
		}
		pos = (pos + 1) & mask
	}
}

// mergeGroup adds group src's aggregates to group dst.
func (s *groups) mergeGroup(dst, src int32) {
	for _, a := range s.accs {
		a.merge(dst, src)
	}
}

// emitHopWindow emits the closing HOP window starting at s: every key in
// EMIT ON WINDOW CLOSE mode, the keys changed in the epoch in EMIT CHANGES
// mode.
func (o *aggOp) emitHopWindow(s int64) {
	changes := o.mode == planner.EmitChanges
	o.comb.reset()
	for i := o.panes.first(s); i < len(o.panes.order); i++ {
		p := o.panes.order[i]
		if p.start >= s+o.size {
			break
		}
		for _, g := range p.gids {
			if changes && o.g.stamp[g] != o.epoch {
				continue
			}
			t := &o.comb.targets[o.comb.find(o.g, s, g)]
			if changes {
				continue
			}
			if t.acc < 0 {
				t.acc = o.g.alloc(groupLoose)
			}
			o.g.mergeGroup(t.acc, g)
		}
	}
	o.emitTargets()
}

// emitHopChanges emits, at a barrier, every open HOP window's row for every
// key whose groups changed in the epoch.
func (o *aggOp) emitHopChanges() {
	o.comb.reset()
	sMin := int64(-1 << 63)
	if o.hasWM {
		sMin = (floorDiv(o.wm-o.size, o.slide) + 1) * o.slide
	}
	for _, g := range o.changed {
		if o.g.stamp[g] != o.epoch || o.g.state[g] != groupKeyed {
			continue
		}
		o.g.stamp[g] = 0
		p := o.g.slot[g]
		lo := max((floorDiv(p-o.size, o.slide)+1)*o.slide, sMin)
		for s := lo; s <= p; s += o.slide {
			o.comb.find(o.g, s, g)
		}
	}
	o.emitTargets()
}

// emitTargets emits the combiner's targets. A target without merged state
// is assembled by looking its key up in each pane of its window.
func (o *aggOp) emitTargets() {
	for i := range o.comb.targets {
		t := o.comb.targets[i]
		if t.acc < 0 {
			t.acc = o.g.alloc(groupLoose)
			for q := t.slot; q < t.slot+o.size; q += o.pane {
				p := o.panes.find(q)
				if p == nil {
					continue
				}
				if g := o.g.findLike(&p.tab, t.rep); g >= 0 {
					o.g.mergeGroup(t.acc, g)
				}
			}
		}
		o.emitRow(t.slot, t.slot+o.size, t.rep, t.acc)
		o.g.release(t.acc)
	}
}
