package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tide-sql/tide/executor"
)

// groupCommitEvery is the least time between two commits of a query's
// source offsets to its consumer group (Kafka's auto.commit.interval.ms is
// 5s; a second keeps the lag that tools show close to the truth).
const groupCommitEvery = time.Second

// groupCommitTimeout bounds one commit: a broker that went away delays the
// commit, never the query.
const groupCommitTimeout = 5 * time.Second

// offsetCommitter is a source reader that can commit positions to a
// consumer group (Kafka with group = '...').
type offsetCommitter interface {
	// Group is the consumer group, "" for none.
	Group() string
	// CommitOffsets commits next offsets to read, as the checkpoint holds them.
	CommitOffsets(ctx context.Context, offsets executor.Offsets) error
}

// groupCommitter commits a query's checkpointed source offsets to the
// source's consumer group in the background, at most once every
// groupCommitEvery, so that standard Kafka tools see the query's progress
// and lag and start = 'group' can resume there. The checkpoint stays the
// truth for exactly-once: a failed commit becomes a warning in the query's
// progress, and the offsets are tried again with the next checkpoint. When
// the query ends, its last checkpointed offsets are committed once more, as
// a Kafka consumer commits when it closes.
type groupCommitter struct {
	c    offsetCommitter
	wake chan struct{} // a checkpoint came
	stop chan struct{} // closed by close
	done chan struct{} // closed when the loop has returned
	once sync.Once

	mu      sync.Mutex
	pending executor.Offsets // checkpointed, not committed yet; nil if none
	last    executor.Offsets // the latest checkpointed offsets
	warning string           // why the last commit failed; "" after a success
}

func newGroupCommitter(c offsetCommitter) *groupCommitter {
	g := &groupCommitter{c: c, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go g.loop()
	return g
}

// checkpointed hands over the offsets of a checkpointed epoch.
func (g *groupCommitter) checkpointed(offsets executor.Offsets) {
	g.mu.Lock()
	g.pending, g.last = offsets, offsets
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

func (g *groupCommitter) loop() {
	defer close(g.done)
	var last time.Time
	for {
		select {
		case <-g.wake:
		case <-g.stop:
			g.commitLast()
			return
		}
		if wait := time.Until(last.Add(groupCommitEvery)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-g.stop:
				t.Stop()
				g.commitLast()
				return
			}
		}
		last = time.Now()
		g.commitPending()
	}
}

// commitPending commits the latest checkpointed offsets, if any.
func (g *groupCommitter) commitPending() {
	g.mu.Lock()
	offsets := g.pending
	g.pending = nil
	g.mu.Unlock()
	if offsets == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), groupCommitTimeout)
	defer cancel()
	err := g.c.CommitOffsets(ctx, offsets)
	g.mu.Lock()
	defer g.mu.Unlock()
	if err == nil {
		g.warning = ""
		return
	}
	g.warning = fmt.Sprintf("%v (the query keeps its checkpoint; the next one commits again)", err)
}

// commitLast commits the latest checkpointed offsets, committed or not.
func (g *groupCommitter) commitLast() {
	g.mu.Lock()
	g.pending = g.last
	g.mu.Unlock()
	g.commitPending()
}

// warnings returns the current warning, if any. nil-safe.
func (g *groupCommitter) warnings() []string {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.warning == "" {
		return nil
	}
	return []string{g.warning}
}

// close commits the last checkpointed offsets and stops. It is nil-safe and
// safe to call twice.
func (g *groupCommitter) close() {
	if g == nil {
		return
	}
	g.once.Do(func() { close(g.stop) })
	<-g.done
}

// startGroupCommits starts committing each source's offsets to its
// consumer group, for the sources that have one: one committer per source,
// through the reader of its first task, which commits every task's
// partitions. The readers must be open.
func (d *driver) startGroupCommits() {
	for _, src := range d.b.sources {
		if src.task != 0 {
			continue
		}
		if c, ok := src.scan.Reader().(offsetCommitter); ok && c.Group() != "" {
			src.group = newGroupCommitter(c)
		}
	}
}

// commitGroups hands the offsets of the epoch just checkpointed, those of
// every task of a source together, to the source's group committer.
func (d *driver) commitGroups() {
	for _, src := range d.b.sources {
		if src.group == nil {
			continue
		}
		all := executor.Offsets{}
		for _, t := range d.b.sources {
			if t.id == src.id && t.mark != nil {
				for p, o := range t.mark.offsets {
					all[p] = o
				}
			}
		}
		src.group.checkpointed(all)
	}
}
