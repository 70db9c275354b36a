package window

import (
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/tide-sql/tide/planner"
)

// SESSION windows: the table maps a key (slot 0) to a key group, which owns
// the key's open sessions, sorted by start and at least gap apart. Each
// session is a loose group holding its accumulators. A row joins the
// session it is within gap of, or starts one; a row within gap of two
// sessions merges them (the later session's state is merged into the
// earlier one's).

// sessionSet is the session bookkeeping, indexed by group id.
type sessionSet struct {
	start []int64   // per session: first event time
	last  []int64   // per session: last event time; the session ends at last+gap
	seq   []int64   // per session: creation number, orders ties on output
	kid   []int32   // per session: its key group
	pos   []int32   // per session: index in live
	lists [][]int32 // per key group: open sessions by start

	live    []int32 // open sessions
	minEnd  int64   // no open session ends before this
	nextSeq int64

	redirect map[int32]int32 // this batch: session merged away → where to
	dead     []int32         // this batch: sessions merged away, freed after accumulating
	lateKeys []int32         // this batch: key groups of late rows, freed if left empty
	closing  []int32         // scratch for closeSessions
}

func (ss *sessionSet) grow(n int) {
	ss.start = growTo(ss.start, n)
	ss.last = growTo(ss.last, n)
	ss.seq = growTo(ss.seq, n)
	ss.kid = growTo(ss.kid, n)
	ss.pos = growTo(ss.pos, n)
	ss.lists = growTo(ss.lists, n)
}

// consumeSessions maps every row to a session (gids[i] = session group).
func (o *aggOp) consumeSessions(rec arrow.Record, kh []uint64, slots []int64, gids []int32) error {
	ts := rec.Column(o.timeCol).(*array.Timestamp)
	vals := ts.TimestampValues()
	clear(slots)
	clear(gids)
	if ts.NullN() > 0 {
		for i := range gids {
			if ts.IsNull(i) {
				gids[i] = -1
				o.skipped++
			}
		}
	}
	o.g.hashRows(kh)
	if err := o.lookupRows(kh, slots, gids); err != nil {
		return err
	}
	ss := &o.sess
	for i, kid := range gids {
		if kid < 0 {
			continue
		}
		gids[i] = o.assignSession(kid, int64(vals[i]))
		if gids[i] < 0 {
			o.late++
			ss.lateKeys = append(ss.lateKeys, kid)
		}
	}
	if len(ss.redirect) > 0 {
		for i, g := range gids {
			for g >= 0 {
				r, ok := ss.redirect[g]
				if !ok {
					break
				}
				g = r
			}
			gids[i] = g
		}
	}
	return nil
}

// finishBatch frees what the batch merged away or left empty; it runs after
// the rows were accumulated.
func (ss *sessionSet) finishBatch(o *aggOp) {
	for _, d := range ss.dead {
		o.g.release(d)
	}
	for _, k := range ss.lateKeys {
		if o.g.state[k] == groupKeyed && len(ss.lists[k]) == 0 {
			o.keyPane.tab.remove(o.g, k)
			o.g.release(k)
		}
	}
	ss.dead, ss.lateKeys = ss.dead[:0], ss.lateKeys[:0]
	clear(ss.redirect)
}

// assignSession returns the session of a row of key group kid at time t,
// or -1 for a late row.
func (o *aggOp) assignSession(kid int32, t int64) int32 {
	ss := &o.sess
	list := ss.lists[kid]
	i := len(list) // first session starting after t
	for i > 0 && ss.start[list[i-1]] > t {
		i--
	}
	prev, next := int32(-1), int32(-1)
	if i > 0 && t < ss.last[list[i-1]]+o.gap {
		prev = list[i-1]
	}
	if i < len(list) && ss.start[list[i]]-t < o.gap {
		next = list[i]
	}
	switch {
	case prev >= 0 && next >= 0:
		// t bridges two sessions: merge next into prev. The row goes to
		// prev, so prev is marked changed along with it.
		o.g.mergeGroup(prev, next)
		ss.last[prev] = max(ss.last[next], t)
		ss.lists[kid] = slices.Delete(list, i, i+1)
		ss.unlink(next)
		if ss.redirect == nil {
			ss.redirect = make(map[int32]int32)
		}
		ss.redirect[next] = prev
		ss.dead = append(ss.dead, next)
		return prev
	case prev >= 0:
		ss.last[prev] = max(ss.last[prev], t)
		return prev
	case next >= 0:
		ss.start[next] = t
		return next
	}
	if o.hasWM && t+o.gap <= o.wm {
		return -1
	}
	s := o.g.alloc(groupLoose)
	ss.start[s], ss.last[s], ss.seq[s], ss.kid[s] = t, t, ss.nextSeq, kid
	ss.nextSeq++
	ss.lists[kid] = slices.Insert(list, i, s)
	ss.pos[s] = int32(len(ss.live))
	ss.live = append(ss.live, s)
	if len(ss.live) == 1 || t+o.gap < ss.minEnd {
		ss.minEnd = t + o.gap
	}
	return s
}

// unlink removes session s from the live list.
func (ss *sessionSet) unlink(s int32) {
	i := ss.pos[s]
	last := ss.live[len(ss.live)-1]
	ss.live[i], ss.pos[last] = last, i
	ss.live = ss.live[:len(ss.live)-1]
}

// closeSessions closes every session ending at or before t, in window_end
// order, and frees it (and its key group when it was the key's last).
func (o *aggOp) closeSessions(t int64) {
	ss := &o.sess
	if len(ss.live) == 0 || t < ss.minEnd {
		return
	}
	closing := ss.closing[:0]
	newMin := int64(math.MaxInt64)
	for _, s := range ss.live {
		if end := ss.last[s] + o.gap; end <= t {
			closing = append(closing, s)
		} else {
			newMin = min(newMin, end)
		}
	}
	ss.minEnd = newMin
	slices.SortFunc(closing, func(a, b int32) int {
		if c := (ss.last[a] - ss.last[b]); c != 0 {
			return sign(c)
		}
		if c := ss.start[a] - ss.start[b]; c != 0 {
			return sign(c)
		}
		return sign(ss.seq[a] - ss.seq[b])
	})
	changes := o.mode == planner.EmitChanges
	for _, s := range closing {
		if !changes || o.g.stamp[s] == o.epoch {
			o.emitRow(ss.start[s], ss.last[s]+o.gap, ss.kid[s], s)
		}
		kid := ss.kid[s]
		ss.lists[kid] = slices.DeleteFunc(ss.lists[kid], func(x int32) bool { return x == s })
		ss.unlink(s)
		o.g.release(s)
		if len(ss.lists[kid]) == 0 {
			o.keyPane.tab.remove(o.g, kid)
			o.g.release(kid)
		}
	}
	ss.closing = closing[:0]
}

func sign(x int64) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// emitSessionChanges emits, at a barrier, every session changed in the
// epoch.
func (o *aggOp) emitSessionChanges() {
	ss := &o.sess
	for _, s := range o.changed {
		if o.g.stamp[s] != o.epoch || o.g.state[s] != groupLoose {
			continue
		}
		o.g.stamp[s] = 0
		o.emitRow(ss.start[s], ss.last[s]+o.gap, ss.kid[s], s)
	}
}
