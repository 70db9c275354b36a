package kafka

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/executor"
)

// minReplayWait is the least a replay (a Fetch with until) waits for the
// records of the epoch it repeats: they are in Kafka already, and returning
// part of them would change the epoch.
const minReplayWait = 10 * time.Second

// Fetch returns the next micro-batch: one record per partition that has
// rows. Without until it returns as soon as records are available (at most
// max_batch, shared fairly between partitions) or when wait has passed.
// With until it is a replay: it returns every record from the current
// positions up to until (exclusive) and nothing beyond, whatever max_batch
// says, and partitions missing from until deliver nothing.
func (r *Reader) Fetch(ctx context.Context, wait time.Duration, until executor.Offsets) (executor.Fetch, error) {
	if r.cl == nil {
		return executor.Fetch{}, fmt.Errorf("source %s: fetch before open", r.table)
	}
	r.addDiscovered()
	var err error
	if until != nil {
		err = r.fillUntil(ctx, max(wait, minReplayWait), until)
	} else {
		err = r.fillNext(ctx, wait)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return executor.Fetch{}, err
	}
	return r.deliver(ctx, wait, until)
}

// fillNext polls until some record can be delivered or wait has passed.
func (r *Reader) fillNext(ctx context.Context, wait time.Duration) error {
	r.setPaused(nil)
	budget := r.cfg.maxBatch
	ready := r.deliverable(nil)
	if ready >= budget || r.finished() {
		return nil
	}
	if ready > 0 || wait <= 0 {
		return r.poll(nil, budget-ready) // what the client holds already; no waiting
	}
	deadline := time.Now().Add(wait)
	for {
		pctx, cancel := context.WithDeadline(ctx, deadline)
		err := r.poll(pctx, budget)
		cancel()
		if err != nil || r.deliverable(nil) > 0 || r.finished() || !time.Now().Before(deadline) || ctx.Err() != nil {
			return err
		}
	}
}

// fillUntil polls until every partition holds its records up to until, or
// wait has passed.
func (r *Reader) fillUntil(ctx context.Context, wait time.Duration, until executor.Offsets) error {
	deadline := time.Now().Add(wait)
	for {
		r.setPaused(until)
		missing := int64(0)
		for _, id := range r.order {
			p := r.parts[id]
			if !p.done && !p.holds(until) {
				missing += p.limit(until) - p.fetched()
			}
		}
		if missing == 0 {
			return nil
		}
		pctx, cancel := context.WithDeadline(ctx, deadline)
		err := r.poll(pctx, int(min(missing, math.MaxInt32)))
		cancel()
		if err != nil || !time.Now().Before(deadline) || ctx.Err() != nil {
			return err
		}
	}
}

// poll takes up to n records from the client (nil ctx: only those it holds
// already) into the partitions' pending buffers.
func (r *Reader) poll(ctx context.Context, n int) error {
	fs := r.cl.PollRecords(ctx, n)
	var err error
	fs.EachError(func(topic string, p int32, e error) {
		var loss *kgo.ErrDataLoss
		switch {
		case errors.Is(e, context.Canceled), errors.Is(e, context.DeadlineExceeded):
			// the poll's own deadline, or the caller's (Fetch checks it)
		case errors.As(e, &loss):
			// the log no longer holds our offset; the client resumed at
			// the earliest one and the offsets we deliver show the jump
		case err != nil:
			// keep the first error
		case errors.Is(e, kgo.ErrClientClosed):
			err = fmt.Errorf("source %s: kafka client closed", r.table)
		default:
			err = fmt.Errorf("source %s: topic %s partition %d: %w", r.table, topic, p, e)
		}
	})
	now := time.Now()
	fs.EachPartition(func(fp kgo.FetchTopicPartition) {
		p := r.parts[fp.Partition]
		if fp.Topic != r.cfg.topic || p == nil || p.done {
			return
		}
		if fp.HighWatermark > 0 {
			r.mu.Lock()
			p.highWater = max(p.highWater, fp.HighWatermark)
			r.mu.Unlock()
		}
		for _, rec := range fp.Records {
			if rec.Offset < p.fetched() {
				continue // delivered or buffered already
			}
			if rec.Attrs.IsControl() {
				// A transaction marker holds no data; the offsets up to it
				// are consumed once the records before it are delivered.
				if len(p.pending) == 0 {
					p.next = max(p.next, rec.Offset+1)
				} else {
					p.ctrlNext = max(p.ctrlNext, rec.Offset+1)
				}
				continue
			}
			p.pending = append(p.pending, rec)
			p.lastRec = now
		}
	})
	return err
}

// setPaused pauses the partitions that must not fetch now (a replay holds
// all it needs of them, or plenty is buffered) and resumes the others.
func (r *Reader) setPaused(until executor.Offsets) {
	var pause, resume []int32
	for _, id := range r.order {
		p := r.parts[id]
		if p.done {
			continue
		}
		want := (until != nil && p.holds(until)) || len(p.pending) >= r.cfg.maxBatch
		if want == r.paused[id] {
			continue
		}
		r.paused[id] = want
		if want {
			pause = append(pause, id)
		} else {
			resume = append(resume, id)
		}
	}
	if len(pause) > 0 {
		r.cl.PauseFetchPartitions(map[string][]int32{r.cfg.topic: pause})
	}
	if len(resume) > 0 {
		r.cl.ResumeFetchPartitions(map[string][]int32{r.cfg.topic: resume})
	}
}

// deliverable counts the buffered records that may be delivered now.
func (r *Reader) deliverable(until executor.Offsets) int {
	n := 0
	for _, id := range r.order {
		p := r.parts[id]
		if !p.done {
			n += p.deliverable(p.limit(until))
		}
	}
	return n
}

// finished reports whether a bounded source has delivered everything.
func (r *Reader) finished() bool {
	if !r.bounded() {
		return false
	}
	for _, p := range r.parts {
		if !p.done {
			return false
		}
	}
	return true
}

// bounded reports whether the reader stops at the end offsets seen at Open
// (stop = 'latest', or ReadAvailableNow).
func (r *Reader) bounded() bool { return r.cfg.stopLatest || r.availableNow }

// limit is the offset the partition may not deliver at or beyond now.
func (p *partition) limit(until executor.Offsets) int64 {
	lim := int64(math.MaxInt64)
	if until != nil {
		u, ok := until[p.id]
		if !ok {
			u = p.next // not part of the epoch being replayed
		}
		lim = u
	}
	if p.stop >= 0 && p.stop < lim {
		lim = p.stop
	}
	return lim
}

// fetched is the offset after the last record fetched.
func (p *partition) fetched() int64 {
	if n := len(p.pending); n > 0 {
		return p.pending[n-1].Offset + 1
	}
	return p.next
}

// holds reports whether every record below the partition's limit is
// delivered or buffered.
func (p *partition) holds(until executor.Offsets) bool {
	return p.fetched() >= p.limit(until)
}

// deliverable counts the buffered records below lim.
func (p *partition) deliverable(lim int64) int {
	return sort.Search(len(p.pending), func(i int) bool { return p.pending[i].Offset >= lim })
}
