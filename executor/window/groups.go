package window

// Group states.
const (
	groupFree  uint8 = iota
	groupKeyed       // in a pane's table: has key values and a slot
	groupLoose       // accumulators only: a session, or scratch for merging panes
)

// groups is the state of every group as struct-of-arrays storage indexed
// by group id: key values, accumulators and the bookkeeping below. Ids of
// freed groups are reused, so storage is bounded by the peak number of
// groups. The hash tables that find a row's group live in the panes (one
// table per pane, so closing a pane drops its table whole).
type groups struct {
	keys []keyCol
	accs []accumulator

	keyHash []uint64 // per group: hash of the key values
	slot    []int64  // per group: pane start (µs), or 0
	state   []uint8  // per group: groupFree, groupKeyed, groupLoose
	stamp   []uint32 // per group: epoch of the last change (EMIT CHANGES)

	free   []int32 // freed ids, reused first
	n      int     // ids ever handed out
	keyed  int     // groups in state groupKeyed
	onGrow func(n int)
}

func newGroups(keys []keyCol, accs []accumulator) *groups {
	return &groups{keys: keys, accs: accs}
}

// capacity is the length of the per-group arrays.
func (s *groups) capacity() int { return len(s.state) }

func (s *groups) growTo(n int) {
	for _, k := range s.keys {
		k.grow(n)
	}
	for _, a := range s.accs {
		a.grow(n)
	}
	s.keyHash = growTo(s.keyHash, n)
	s.slot = growTo(s.slot, n)
	s.state = growTo(s.state, n)
	s.stamp = growTo(s.stamp, n)
	if s.onGrow != nil {
		s.onGrow(n)
	}
}

// alloc returns a free group id in state st. Its accumulators are empty.
func (s *groups) alloc(st uint8) int32 {
	var g int32
	if k := len(s.free); k > 0 {
		g = s.free[k-1]
		s.free = s.free[:k-1]
	} else {
		if s.n == s.capacity() {
			s.growTo(max(64, 2*s.n))
		}
		g = int32(s.n)
		s.n++
	}
	s.state[g] = st
	if st == groupKeyed {
		s.keyed++
	}
	return g
}

// release frees group g: its key values and accumulators are reset and
// its id is reused. The caller takes it out of its table first, or drops
// the table.
func (s *groups) release(g int32) {
	if s.state[g] == groupKeyed {
		s.keyed--
	}
	for _, k := range s.keys {
		k.release(g)
	}
	for _, a := range s.accs {
		a.reset(g)
	}
	s.state[g], s.stamp[g], s.slot[g], s.keyHash[g] = groupFree, 0, 0, 0
	s.free = append(s.free, g)
}

// equalRow reports whether row of the bound batch has group g's key.
func (s *groups) equalRow(g int32, row int) bool {
	for _, k := range s.keys {
		if !k.equalRow(g, row) {
			return false
		}
	}
	return true
}

// equalKeys reports whether groups a and b have the same key.
func (s *groups) equalKeys(a, b int32) bool {
	for _, k := range s.keys {
		if !k.equalGroups(a, b) {
			return false
		}
	}
	return true
}

// hashGroupKey recomputes the key hash of group g from its stored values;
// it equals what hashRows computes for a row with that key.
func (s *groups) hashGroupKey(g int32) uint64 {
	if len(s.keys) == 0 {
		return hashSeed
	}
	h := s.keys[0].hashGroup(g)
	for _, k := range s.keys[1:] {
		h = combine(h, k.hashGroup(g))
	}
	return h
}

// hashRows computes the key hash of every row of the bound batch into h.
func (s *groups) hashRows(h []uint64) {
	if len(s.keys) == 0 {
		for i := range h {
			h[i] = hashSeed
		}
		return
	}
	s.keys[0].hashRows(h, true)
	for _, k := range s.keys[1:] {
		k.hashRows(h, false)
	}
}

// insertRow creates the group of row, whose key hash is h, in pane p.
func (s *groups) insertRow(p *pane, h uint64, row int) (int32, error) {
	g := s.alloc(groupKeyed)
	for _, k := range s.keys {
		if err := k.setRow(g, row); err != nil {
			s.release(g)
			return -1, err
		}
	}
	s.keyHash[g], s.slot[g] = h, p.start
	p.tab.insert(s, h, g)
	if p.track {
		p.gids = append(p.gids, g)
	}
	return g, nil
}

// findLike returns the group in table t with the same key as group rep,
// or -1.
func (s *groups) findLike(t *tableSet, rep int32) int32 {
	h := s.keyHash[rep]
	tag := h &^ entryIDMask
	for pos := h & t.mask; ; pos = (pos + 1) & t.mask {
		e := t.entries[pos]
		if e == 0 {
			return -1
		}
		if e&^entryIDMask == tag {
			c := int32(e&entryIDMask) - 1
			if s.equalKeys(c, rep) {
				return c
			}
		}
	}
}
