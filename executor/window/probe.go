package window

import "github.com/tide-sql/tide/planner"

// Probing: each row's key hash is looked up in its pane's table; on a tag
// match the stored key is compared with the row's. The common cases, one
// VARCHAR or one fixed-width key, have loops of their own that compare
// inline; any other key list goes through the keyCol interface. All three
// create missing groups with insertRow.

// paneFor returns the pane whose table holds the groups of slot.
func (o *aggOp) paneFor(slot int64) *pane {
	if o.kind == 0 || o.kind == planner.WindowSession { // one table
		return &o.keyPane
	}
	return o.panes.get(slot)
}

// lookupRows sets gids[i], for every row with gids[i] >= 0, to the group of
// (slots[i], the row's key), creating groups as needed.
func (o *aggOp) lookupRows(kh []uint64, slots []int64, gids []int32) error {
	if len(o.g.keys) == 1 {
		switch k := o.g.keys[0].(type) {
		case *stringKey:
			return o.lookupString(k, kh, slots, gids)
		case *fixedKey:
			return o.lookupFixed(k, kh, slots, gids)
		}
	}
	return o.lookupGeneric(kh, slots, gids)
}

func (o *aggOp) lookupGeneric(kh []uint64, slots []int64, gids []int32) error {
	s := o.g
	var p *pane
	for i, g := range gids {
		if g < 0 {
			continue
		}
		if p == nil || slots[i] != p.start {
			p = o.paneFor(slots[i])
		}
		h := kh[i]
		tag := h &^ entryIDMask
		t := &p.tab
		for pos := h & t.mask; ; pos = (pos + 1) & t.mask {
			e := t.entries[pos]
			if e == 0 {
				ng, err := s.insertRow(p, h, i)
				if err != nil {
					return err
				}
				gids[i] = ng
				break
			}
			if e&^entryIDMask == tag {
				if c := int32(e&entryIDMask) - 1; s.equalRow(c, i) {
					gids[i] = c
					break
				}
			}
		}
	}
	return nil
}

// loadHomes returns every row's home entry in its pane's table. The loads
// are independent, so the CPU overlaps their cache misses; done inside the
// probe loop, each would wait behind the previous row's comparisons.
func (o *aggOp) loadHomes(kh []uint64, slots []int64, gids []int32) []uint64 {
	o.home = growTo(o.home, len(gids))
	home := o.home[:len(gids)]
	var p *pane
	for i, g := range gids {
		if g < 0 {
			continue
		}
		if p == nil || slots[i] != p.start {
			p = o.paneFor(slots[i])
		}
		home[i] = p.tab.entries[kh[i]&p.tab.mask]
	}
	return home
}

// lookupString probes in two passes. The first loads every row's home
// table entry; those loads are independent, so the CPU overlaps their cache
// misses. The second settles most rows by comparing the key of that entry
// alone, and probes the rest (a taken home slot, a long key, a new group).
func (o *aggOp) lookupString(k *stringKey, kh []uint64, slots []int64, gids []int32) error {
	s := o.g
	home := o.loadHomes(kh, slots, gids)
	var p *pane
	var entries []uint64
	var mask uint64
	views, rows := k.views, k.rows
	for i, g := range gids {
		if g < 0 {
			continue
		}
		if p == nil || slots[i] != p.start {
			p = o.paneFor(slots[i])
			entries, mask = p.tab.entries, p.tab.mask
		}
		h := kh[i]
		tag := h &^ entryIDMask
		want := rows[i]
		long := want.long()
		if e := home[i]; e&^entryIDMask == tag && e != 0 && !long {
			if c := int32(e&entryIDMask) - 1; views[c] == want {
				gids[i] = c
				continue
			}
		}
		for pos := h & mask; ; pos = (pos + 1) & mask {
			e := entries[pos]
			if e == 0 {
				ng, err := s.insertRow(p, h, i)
				if err != nil {
					return err
				}
				gids[i] = ng
				entries, mask = p.tab.entries, p.tab.mask
				views = k.views
				break
			}
			if e&^entryIDMask != tag {
				continue
			}
			c := int32(e&entryIDMask) - 1
			if long && k.equalView(c, want, k.rowBytes(i)) || !long && views[c] == want {
				gids[i] = c
				break
			}
		}
	}
	return nil
}

// lookupFixed is lookupString for a fixed-width key.
func (o *aggOp) lookupFixed(k *fixedKey, kh []uint64, slots []int64, gids []int32) error {
	s := o.g
	home := o.loadHomes(kh, slots, gids)
	var p *pane
	var entries []uint64
	var mask uint64
	vals, rows := k.vals, k.rows
	for i, g := range gids {
		if g < 0 {
			continue
		}
		if p == nil || slots[i] != p.start {
			p = o.paneFor(slots[i])
			entries, mask = p.tab.entries, p.tab.mask
		}
		h := kh[i]
		tag := h &^ entryIDMask
		want := fixedVal{v: rows[i]}
		if k.anyNull && k.arr.IsNull(i) {
			want = fixedVal{null: true}
		}
		if e := home[i]; e&^entryIDMask == tag && e != 0 {
			if c := int32(e&entryIDMask) - 1; vals[c] == want {
				gids[i] = c
				continue
			}
		}
		for pos := h & mask; ; pos = (pos + 1) & mask {
			e := entries[pos]
			if e == 0 {
				ng, err := s.insertRow(p, h, i)
				if err != nil {
					return err
				}
				gids[i] = ng
				entries, mask = p.tab.entries, p.tab.mask
				vals = k.vals
				break
			}
			if e&^entryIDMask == tag {
				if c := int32(e&entryIDMask) - 1; vals[c] == want {
					gids[i] = c
					break
				}
			}
		}
	}
	return nil
}
