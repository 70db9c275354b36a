package nexmark

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/internal/clock"
)

// Reader generates the rows of a nexmark source: the events of its table's
// kind in the partitions it reads.
type Reader struct {
	table  string
	schema *arrow.Schema
	cfg    config
	gen    *Generator
	fields []field
	mem    memory.Allocator
	used   []bool      // the columns built (PruneColumns); nil: all
	rows   *rowBuilder // nil until Open

	parts []int32 // partitions read, ascending
	next  []int64 // next offset of each of parts

	openTime  time.Time // wall clock at Open: rate_limited paces from here
	openEvent int64     // the lowest next event number at Open
	sleep     func(ctx context.Context, d time.Duration)
}

var (
	_ executor.SourceReader = (*Reader)(nil)
	_ executor.ColumnPruner = (*Reader)(nil)
)

// NewSource builds the reader of a nexmark source.
func NewSource(t *catalog.Table, _ executor.Env) (executor.SourceReader, error) {
	return NewSourceReader(t, memory.DefaultAllocator)
}

// NewSourceReader is NewSource with the allocator of the records it returns.
func NewSourceReader(t *catalog.Table, mem memory.Allocator) (*Reader, error) {
	cfg, err := parseConfig(t.Options)
	if err != nil {
		return nil, fmt.Errorf("nexmark source %s: %w", t.Name, err)
	}
	fields, err := fieldsOf(t, cfg.kind)
	if err != nil {
		return nil, fmt.Errorf("nexmark source %s: %w", t.Name, err)
	}
	r := &Reader{table: t.Name, schema: t.Schema(), cfg: cfg, fields: fields, mem: mem, sleep: clock.Sleep,
		gen: NewGenerator(cfg.seed, cfg.rate, cfg.base, cfg.events)}
	for p := 0; p < cfg.partitions; p++ {
		if p%cfg.tasks == cfg.task {
			r.parts = append(r.parts, int32(p))
		}
	}
	r.next = make([]int64, len(r.parts))
	return r, nil
}

// Schema is the schema of every record the reader returns.
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// Partitions is the number of partitions the reader reads: none in a task
// of a parallel query with more tasks than the source has partitions.
func (r *Reader) Partitions() int { return len(r.parts) }

// PruneColumns leaves out the columns not used: they are delivered as
// NULLs, and not generated.
func (r *Reader) PruneColumns(used []bool) {
	if len(used) == len(r.fields) {
		r.used = append([]bool(nil), used...)
	}
}

// Open starts each partition at its offset in start, or at 0.
func (r *Reader) Open(_ context.Context, start executor.Offsets) error {
	if r.rows != nil {
		return fmt.Errorf("nexmark source %s: already open", r.table)
	}
	r.openEvent = math.MaxInt64
	for i, p := range r.parts {
		r.next[i] = max(start[p], 0)
		r.openEvent = min(r.openEvent, r.eventNumber(p, r.next[i]))
	}
	r.openTime = time.Now()
	r.rows = newRowBuilder(r.mem, r.schema, r.fields, r.used)
	return nil
}

// eventNumber is the stream's event number of offset k of partition p.
func (r *Reader) eventNumber(p int32, k int64) int64 { return int64(p) + k*int64(r.cfg.partitions) }

// count is the number of events of partition p.
func (r *Reader) count(p int32) int64 {
	if r.cfg.events == 0 {
		return math.MaxInt64
	}
	if int64(p) >= r.cfg.events {
		return 0
	}
	return (r.cfg.events-1-int64(p))/int64(r.cfg.partitions) + 1
}

// upTo is the number of offsets of partition p whose event number is at
// most e.
func (r *Reader) upTo(p int32, e int64) int64 {
	if e < int64(p) {
		return 0
	}
	return (e-int64(p))/int64(r.cfg.partitions) + min(1, math.MaxInt64-e) // no overflow at MaxInt64
}

// Fetch generates the next events of every partition read: up to
// max_batch in all, those due by now with rate_limited (waiting up to
// wait for the next one), exactly those below until in a replay.
func (r *Reader) Fetch(ctx context.Context, wait time.Duration, until executor.Offsets) (executor.Fetch, error) {
	if r.rows == nil {
		return executor.Fetch{}, fmt.Errorf("nexmark source %s: fetch before open", r.table)
	}
	f := executor.Fetch{End: executor.Offsets{}}
	if len(r.parts) == 0 {
		// A task with no partition: a bounded stream has nothing for it,
		// an unbounded one never will.
		f.Done = r.cfg.events > 0
		if !f.Done {
			r.sleep(ctx, wait)
		}
		return f, ctx.Err()
	}
	share := int64((r.cfg.maxBatch + len(r.parts) - 1) / len(r.parts))
	due := int64(math.MaxInt64) // the last event number due
	if until == nil && r.cfg.rateLimited {
		due = r.dueBy(time.Now())
		if !r.anyDue(due) && wait > 0 {
			r.sleep(ctx, min(time.Until(r.dueAt(r.lowestNext())), wait))
			due = r.dueBy(time.Now())
		}
	}
	done := r.cfg.events > 0
	for i, p := range r.parts {
		from := r.next[i]
		var to int64
		if until != nil {
			u, ok := until[p]
			if !ok {
				u = from // a partition missing from until delivers nothing
			}
			to = u
		} else {
			to = min(from+share, r.upTo(p, due))
		}
		to = max(min(to, r.count(p)), from)
		if to > from {
			if rec := r.generate(p, from, to); rec.NumRows() > 0 {
				f.Batches = append(f.Batches, executor.PartitionBatch{Partition: p, Record: rec})
			} else {
				rec.Release()
			}
		}
		r.next[i] = to
		f.End[p] = to
		done = done && to >= r.count(p)
	}
	f.Done = done
	if err := ctx.Err(); err != nil {
		for _, b := range f.Batches {
			b.Record.Release()
		}
		return executor.Fetch{}, err
	}
	return f, nil
}

// dueBy is the last event number due at now with rate_limited: event e is
// due (e - openEvent + 1) / rate seconds after Open.
func (r *Reader) dueBy(now time.Time) int64 {
	return r.openEvent + int64(now.Sub(r.openTime).Seconds()*r.cfg.rate) - 1
}

// dueAt is when event e falls due.
func (r *Reader) dueAt(e int64) time.Time {
	return r.openTime.Add(time.Duration(float64(e-r.openEvent+1) / r.cfg.rate * float64(time.Second)))
}

// lowestNext is the lowest next event number of the partitions read.
func (r *Reader) lowestNext() int64 {
	low := int64(math.MaxInt64)
	for i, p := range r.parts {
		low = min(low, r.eventNumber(p, r.next[i]))
	}
	return low
}

// anyDue reports whether a partition has an event due by event number due.
func (r *Reader) anyDue(due int64) bool {
	for i, p := range r.parts {
		if r.next[i] < r.count(p) && r.eventNumber(p, r.next[i]) <= due {
			return true
		}
	}
	return false
}

// generate builds the rows of the events at offsets [from, to) of
// partition p that are of the table's kind.
func (r *Reader) generate(p int32, from, to int64) arrow.Record {
	kind := r.cfg.kind
	n := to - from
	switch kind {
	case KindPerson:
		n = n*personProportion/totalProportion + 1
	case KindAuction:
		n = n*auctionProportion/totalProportion + 1
	}
	r.rows.reserve(int(n))
	for k := from; k < to; k++ {
		e := r.eventNumber(p, k)
		if KindOf(e) != kind {
			continue
		}
		switch kind {
		case KindBid:
			b := r.gen.Bid(e)
			r.rows.appendBid(&b)
		case KindAuction:
			a := r.gen.Auction(e)
			r.rows.appendAuction(&a)
		case KindPerson:
			ps := r.gen.Person(e)
			r.rows.appendPerson(&ps)
		}
	}
	return r.rows.finish()
}

// Close releases the builders. It is safe to call twice.
func (r *Reader) Close() error {
	if r.rows != nil {
		r.rows.release()
		r.rows = nil
	}
	return nil
}
