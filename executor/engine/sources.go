package engine

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/ops"
)

// builtSource is one source scan of a query, with what the driver keeps of
// it: its side tables and consumer-group committer, and its state at the
// last barrier the driver saw.
type builtSource struct {
	id    string         // planner.StateOf's id: the checkpoint keys its offsets by it
	task  int            // which task of a parallel query reads it
	tasks int            // how many tasks read the source (1: one)
	table *catalog.Table // with its options as run
	scan  *ops.SourceScan
	group *groupCommitter // nil unless the source commits to a consumer group
	mark  *sourceMark     // at the last barrier; nil before the first
}

// own returns the offsets of the partitions this scan reads (all of them,
// but in a task of a parallel query: p % tasks == task).
func (s *builtSource) own(o executor.Offsets) executor.Offsets {
	if o == nil || s.tasks <= 1 {
		return o
	}
	out := executor.Offsets{}
	for p, off := range o {
		if int(p)%s.tasks == s.task {
			out[p] = off
		}
	}
	return out
}

// logKey keys the source's end offsets in the offset log: its id, with the
// task for a parallel query (each task has its own watermark to replay).
func (s *builtSource) logKey() string {
	if s.tasks <= 1 {
		return s.id
	}
	return fmt.Sprintf("%s@%d", s.id, s.task)
}

// sourceMark is a source scan's state at one of its barriers, taken on the
// goroutine that pulls the scan, so that the driver never reads a scan that
// is running: where it is, its watermark, its counters, and the rows the
// epoch set aside for the late and dead-letter tables.
type sourceMark struct {
	offsets                      executor.Offsets
	watermarkMicros              int64     // the scan's watermark (µs), for the offset log
	watermark                    time.Time // for progress; zero without one
	hasWatermark                 bool
	input, bad, late, tombstones int64
	fetch, decode                time.Duration  // of the scan's last fetch
	wait                         time.Duration  // the scan's WaitTime
	sideLate, sideDead           []arrow.Record // taken once: see takeSideOutputs
	sideOutputsTaken             bool
}

// markOf takes s's state at the barrier it just returned.
func markOf(s *ops.SourceScan) *sourceMark {
	m := &sourceMark{
		offsets: s.Offsets(), watermarkMicros: s.WatermarkMicros(),
		input: s.InputRows, bad: s.BadRecords, late: s.LateRows, tombstones: s.Tombstones, fetch: s.FetchTime,
		wait: s.WaitTime,
	}
	if t, ok := s.Watermark(); ok {
		m.watermark, m.hasWatermark = t, true
	}
	if dr, ok := s.Reader().(interface{ LastDecodeTime() time.Duration }); ok {
		m.decode = min(dr.LastDecodeTime(), m.fetch)
	}
	m.sideLate, m.sideDead = s.TakeSideOutputs()
	return m
}

// takeSideOutputs returns the rows set aside in the epochs the mark covers,
// once: a mark that covers a quiet input again gives none the second time.
func (m *sourceMark) takeSideOutputs() (late, dead []arrow.Record) {
	if m == nil || m.sideOutputsTaken {
		return nil, nil
	}
	m.sideOutputsTaken = true
	late, dead = m.sideLate, m.sideDead
	m.sideLate, m.sideDead = nil, nil
	return late, dead
}

// scope is what one goroutine of a query pulls directly: the stateful
// operators and the source scans of its part of the tree, and the unions
// below it, whose inputs run on goroutines of their own, each in a scope.
type scope struct {
	stateful []int // indexes into built.stateful
	sources  []int // indexes into built.sources
	bounded  []int // indexes into built.bounded
	stats    []int // indexes into built.stats
	lates    []int // indexes into built.lates
	unions   []*ops.Union
}

// capture is a scope's state at a barrier: snapshots of its stateful
// operators and marks of its sources, by index, with those of the unions
// below it at the barriers they last passed.
type capture struct {
	snapshots map[int][]byte
	marks     map[int]*sourceMark
	delivered map[int]bool // bounded inputs whose rows came before the barrier
	stateRows map[int]int64
	lateRows  map[int]int64
	// bytes is each stateful operator's StateBytes at the barrier, taken
	// on the goroutine that pulls it (see stateBytesOf).
	bytes map[int]int64
}

// stateRows and lateRows sum what the capture's operators counted.
func (c *capture) totals() (stateRows, lateRows int64) {
	if c == nil {
		return 0, 0
	}
	for _, n := range c.stateRows {
		stateRows += n
	}
	for _, n := range c.lateRows {
		lateRows += n
	}
	return stateRows, lateRows
}

// capture takes sc's state; it runs on the goroutine that pulls sc, right
// after a barrier.
func (b *built) capture(sc *scope) (*capture, error) {
	c := &capture{snapshots: map[int][]byte{}, marks: map[int]*sourceMark{}, delivered: map[int]bool{},
		stateRows: map[int]int64{}, lateRows: map[int]int64{}, bytes: map[int]int64{}}
	for _, i := range sc.stats {
		c.stateRows[i] = b.stats[i].StateRows()
	}
	for _, i := range sc.lates {
		c.lateRows[i] = b.lates[i].LateRows()
	}
	for _, i := range sc.bounded {
		if b.bounded[i].Delivered() {
			c.delivered[i] = true
		}
	}
	for _, i := range sc.stateful {
		if n, ok := stateBytesOf(b.stateful[i]); ok {
			c.bytes[i] = n
		}
	}
	for _, i := range sc.stateful {
		if !b.snapshots {
			break
		}
		snap, err := b.stateful[i].Snapshot()
		if err != nil {
			return nil, err
		}
		c.snapshots[i] = snap
	}
	for _, i := range sc.sources {
		c.marks[i] = markOf(b.sources[i].scan)
	}
	for _, u := range sc.unions {
		for _, in := range u.Captured() {
			if ic, ok := in.(*capture); ok {
				for k, v := range ic.snapshots {
					c.snapshots[k] = v
				}
				for k, v := range ic.marks {
					c.marks[k] = v
				}
				for k := range ic.delivered {
					c.delivered[k] = true
				}
				for k, v := range ic.stateRows {
					c.stateRows[k] = v
				}
				for k, v := range ic.lateRows {
					c.lateRows[k] = v
				}
				for k, v := range ic.bytes {
					c.bytes[k] = v
				}
			}
		}
	}
	return c, nil
}
