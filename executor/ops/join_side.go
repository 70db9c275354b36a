package ops

import (
	"container/heap"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
)

// joinSide is the rows one side of a stream join keeps: the batches they
// came in (retained, not copied), an index by key, and a heap by event
// time that says which rows leave first.
type joinSide struct {
	recs    []arrow.Record // by slot; nil for a free slot
	live    []int          // rows still kept per slot
	free    []int32        // free slots
	entries []joinEntry    // by entry id
	unused  []int32        // free entry ids
	byKey   map[string][]int32
	byTime  entryHeap
	rows    int64 // rows kept
	kept    int64 // rows of the retained batches, kept or not
}

// joinEntry is one kept row.
type joinEntry struct {
	slot    int32
	row     int32
	time    int64 // event time, µs
	key     string
	matched bool // joined with at least one row of the other side
}

func newJoinSide() *joinSide {
	s := &joinSide{byKey: map[string][]int32{}}
	s.byTime.entries = &s.entries
	return s
}

// retain keeps rec (one reference is taken) and returns its slot.
func (s *joinSide) retain(rec arrow.Record) int32 {
	rec.Retain()
	s.kept += rec.NumRows()
	if n := len(s.free); n > 0 {
		slot := s.free[n-1]
		s.free = s.free[:n-1]
		s.recs[slot], s.live[slot] = rec, 0
		return slot
	}
	s.recs = append(s.recs, rec)
	s.live = append(s.live, 0)
	return int32(len(s.recs) - 1)
}

// add keeps row of the batch in slot under key.
func (s *joinSide) add(slot int32, row int, t int64, key string, matched bool) {
	e := joinEntry{slot: slot, row: int32(row), time: t, key: key, matched: matched}
	var id int32
	if n := len(s.unused); n > 0 {
		id = s.unused[n-1]
		s.unused = s.unused[:n-1]
		s.entries[id] = e
	} else {
		s.entries = append(s.entries, e)
		id = int32(len(s.entries) - 1)
	}
	s.byKey[key] = append(s.byKey[key], id)
	heap.Push(&s.byTime, id)
	s.live[slot]++
	s.rows++
}

// release frees a slot whose batch keeps no row.
func (s *joinSide) releaseIfEmpty(slot int32) {
	if s.live[slot] > 0 || s.recs[slot] == nil {
		return
	}
	s.kept -= s.recs[slot].NumRows()
	s.recs[slot].Release()
	s.recs[slot] = nil
	s.free = append(s.free, slot)
}

// evictBefore removes the rows with an event time before t, oldest first,
// and calls gone for each before it goes (the batch is still retained).
func (s *joinSide) evictBefore(t int64, gone func(e *joinEntry)) {
	for s.byTime.Len() > 0 {
		id := s.byTime.ids[0]
		e := &s.entries[id]
		if e.time >= t {
			return
		}
		heap.Pop(&s.byTime)
		if gone != nil {
			gone(e)
		}
		ids := s.byKey[e.key]
		for i, x := range ids {
			if x == id {
				ids[i] = ids[len(ids)-1]
				ids = ids[:len(ids)-1]
				break
			}
		}
		if len(ids) == 0 {
			delete(s.byKey, e.key)
		} else {
			s.byKey[e.key] = ids
		}
		s.live[e.slot]--
		s.releaseIfEmpty(e.slot)
		s.rows--
		*e = joinEntry{}
		s.unused = append(s.unused, id)
	}
}

// clear releases every batch.
func (s *joinSide) clear() {
	for i, r := range s.recs {
		if r != nil {
			r.Release()
			s.recs[i] = nil
		}
	}
	*s = joinSide{byKey: map[string][]int32{}}
	s.byTime.entries = &s.entries
}

// bytes estimates the memory the side holds: its retained batches.
func (s *joinSide) bytes() int64 {
	var n int64
	for _, r := range s.recs {
		if r == nil {
			continue
		}
		for _, c := range r.Columns() {
			for _, b := range c.Data().Buffers() {
				if b != nil {
					n += int64(b.Len())
				}
			}
		}
	}
	return n + int64(len(s.entries))*48
}

// entryHeap orders entry ids by event time.
type entryHeap struct {
	ids     []int32
	entries *[]joinEntry
}

func (h *entryHeap) Len() int { return len(h.ids) }
func (h *entryHeap) Less(i, j int) bool {
	return (*h.entries)[h.ids[i]].time < (*h.entries)[h.ids[j]].time
}
func (h *entryHeap) Swap(i, j int) { h.ids[i], h.ids[j] = h.ids[j], h.ids[i] }
func (h *entryHeap) Push(x any)    { h.ids = append(h.ids, x.(int32)) }
func (h *entryHeap) Pop() any {
	n := len(h.ids)
	x := h.ids[n-1]
	h.ids = h.ids[:n-1]
	return x
}

// addSat is a + b, saturating at the int64 bounds (watermarks use them
// for "none yet" and "ended").
func addSat(a, b int64) int64 {
	switch {
	case a == math.MinInt64 || a == math.MaxInt64:
		return a
	case b > 0 && a > math.MaxInt64-b:
		return math.MaxInt64
	case b < 0 && a < math.MinInt64-b:
		return math.MinInt64
	}
	return a + b
}
