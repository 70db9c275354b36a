package window

// entryIDMask selects the group id (+1) in a table entry; the high 32 bits
// hold the top of the group's key hash, compared before the keys.
const entryIDMask = 1<<32 - 1

// tableSet is a linear-probing hash table of group ids, indexed by key
// hash. An entry is 0 when empty, else hashTop | (id+1). Deletion shifts
// later entries back instead of leaving tombstones, so a long run of
// inserts and deletes does not degrade probing.
type tableSet struct {
	entries []uint64
	mask    uint64
	used    int
}

// minTable is the initial number of entries of a table.
const minTable = 256

func (t *tableSet) init(n int) {
	t.entries = make([]uint64, n)
	t.mask = uint64(n - 1)
	t.used = 0
}

// reset empties the table, keeping its memory for reuse.
func (t *tableSet) reset() {
	if t.used > 0 {
		clear(t.entries)
	}
	t.used = 0
}

// home is the position an entry's probe sequence starts from.
func (t *tableSet) home(s *groups, e uint64) uint64 {
	return s.keyHash[int32(e&entryIDMask)-1] & t.mask
}

// insert adds group g, whose key hash is h; g must not be present.
func (t *tableSet) insert(s *groups, h uint64, g int32) {
	if len(t.entries) == 0 {
		t.init(minTable)
	} else if (t.used+1)*2 > len(t.entries) {
		t.rehash(s, 2*len(t.entries))
	}
	pos := h & t.mask
	for t.entries[pos] != 0 {
		pos = (pos + 1) & t.mask
	}
	t.entries[pos] = h&^entryIDMask | uint64(g+1)
	t.used++
}

func (t *tableSet) rehash(s *groups, n int) {
	old := t.entries
	t.init(n)
	for _, e := range old {
		if e == 0 {
			continue
		}
		pos := t.home(s, e)
		for t.entries[pos] != 0 {
			pos = (pos + 1) & t.mask
		}
		t.entries[pos] = e
		t.used++
	}
}

// remove deletes group g if present.
func (t *tableSet) remove(s *groups, g int32) {
	if len(t.entries) == 0 {
		return
	}
	id := uint64(g + 1)
	pos := s.keyHash[g] & t.mask
	for t.entries[pos]&entryIDMask != id {
		if t.entries[pos] == 0 {
			return
		}
		pos = (pos + 1) & t.mask
	}
	t.used--
	// Shift back every later entry of the run whose home is not in
	// (pos, j], so that probing from its home still reaches it.
	for j := pos; ; {
		j = (j + 1) & t.mask
		e := t.entries[j]
		if e == 0 {
			t.entries[pos] = 0
			return
		}
		k := t.home(s, e)
		var stays bool
		if pos <= j {
			stays = pos < k && k <= j
		} else {
			stays = pos < k || k <= j
		}
		if !stays {
			t.entries[pos] = e
			pos = j
		}
	}
}
