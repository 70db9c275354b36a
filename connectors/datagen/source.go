package datagen

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/internal/clock"
	"github.com/tide-sql/tide/internal/splitmix"
)

// partition is datagen's only partition; its offset is the row number.
const partition int32 = 0

// Reader generates the rows of a datagen source.
type Reader struct {
	table  string
	schema *arrow.Schema
	cfg    config
	gens   []generator
	mem    memory.Allocator
	b      *array.RecordBuilder

	// idle: the reader is a task of a parallel query other than the first;
	// the source's one partition is the first task's.
	idle bool

	next     int64     // next row number
	openRow  int64     // row number at Open: the rate counts from here
	openTime time.Time // wall clock at Open
	sleep    func(ctx context.Context, d time.Duration)
}

var _ executor.SourceReader = (*Reader)(nil)

// NewSource builds the reader of a datagen source.
func NewSource(t *catalog.Table, _ executor.Env) (executor.SourceReader, error) {
	return NewSourceReader(t, memory.DefaultAllocator)
}

// NewSourceReader is NewSource with the allocator of the records it returns.
func NewSourceReader(t *catalog.Table, mem memory.Allocator) (*Reader, error) {
	cfg, err := parseConfig(t.Options)
	if err != nil {
		return nil, fmt.Errorf("datagen source %s: %w", t.Name, err)
	}
	gens, err := buildGenerators(t, cfg.rate)
	if err != nil {
		return nil, fmt.Errorf("datagen source %s: %w", t.Name, err)
	}
	task, _, err := executor.ParseTask(t.Options[executor.TaskOption])
	if err != nil {
		return nil, fmt.Errorf("datagen source %s: %w", t.Name, err)
	}
	return &Reader{table: t.Name, schema: t.Schema(), cfg: cfg, gens: gens, mem: mem, sleep: clock.Sleep, idle: task != 0}, nil
}

// Partitions is the number of partitions the reader reads: the source's
// one, or none in a task of a parallel query other than the first.
func (r *Reader) Partitions() int {
	if r.idle {
		return 0
	}
	return 1
}

// Schema is the schema of every record the reader returns.
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// Open starts at the row number in start[0], or at row 0.
func (r *Reader) Open(_ context.Context, start executor.Offsets) error {
	if r.b != nil {
		return fmt.Errorf("datagen source %s: already open", r.table)
	}
	r.next = max(start[partition], 0)
	r.openRow, r.openTime = r.next, time.Now()
	r.b = array.NewRecordBuilder(r.mem, r.schema)
	return nil
}

// Fetch generates the next rows: as many as the rate allows since Open (at
// most max_batch), waiting up to wait for the next one to be due. A replay
// (until set) generates exactly the rows below until[0] at once.
func (r *Reader) Fetch(ctx context.Context, wait time.Duration, until executor.Offsets) (executor.Fetch, error) {
	if r.b == nil {
		return executor.Fetch{}, fmt.Errorf("datagen source %s: fetch before open", r.table)
	}
	if r.idle {
		// Nothing to read, ever: a bounded source is done for this task.
		f := executor.Fetch{Done: r.cfg.rows >= 0}
		if !f.Done {
			r.sleep(ctx, wait)
		}
		return f, ctx.Err()
	}
	end := r.next + int64(r.cfg.maxBatch)
	if until != nil {
		end = until[partition] // a partition missing from until delivers nothing
	} else if r.cfg.rate > 0 {
		due := r.dueBy(time.Now())
		if due <= r.next && wait > 0 {
			// Sleep until the next row is due, or for wait.
			at := r.openTime.Add(time.Duration(float64(r.next-r.openRow+1) / r.cfg.rate * float64(time.Second)))
			r.sleep(ctx, min(time.Until(at), wait))
			due = r.dueBy(time.Now())
		}
		end = min(end, due)
	}
	if r.cfg.rows >= 0 {
		end = min(end, r.cfg.rows)
	}
	f := executor.Fetch{End: executor.Offsets{partition: max(end, r.next)}}
	if end > r.next {
		f.Batches = []executor.PartitionBatch{{Partition: partition, Record: r.generate(r.next, end)}}
		r.next = end
	}
	f.Done = r.cfg.rows >= 0 && r.next >= r.cfg.rows
	if err := ctx.Err(); err != nil {
		for _, b := range f.Batches {
			b.Record.Release()
		}
		return executor.Fetch{}, err
	}
	return f, nil
}

// dueBy is the row number after the last row due at time now.
func (r *Reader) dueBy(now time.Time) int64 {
	elapsed := now.Sub(r.openTime).Seconds()
	return r.openRow + int64(elapsed*r.cfg.rate)
}

// rowTime is the wall-clock time of row: when it fell due (the rows of a
// batch spread over the time they stand for), or now when unthrottled.
func (r *Reader) rowTime(row int64, now time.Time) time.Time {
	if r.cfg.rate <= 0 || row < r.openRow {
		return now
	}
	t := r.openTime.Add(time.Duration(float64(row-r.openRow+1) / r.cfg.rate * float64(time.Second)))
	if t.After(now) {
		return now
	}
	return t
}

// generate builds rows [from, to).
func (r *Reader) generate(from, to int64) arrow.Record {
	n := int(to - from)
	r.b.Reserve(n)
	now := time.Now()
	for row := from; row < to; row++ {
		at := r.rowTime(row, now)
		for c, g := range r.gens {
			rnd := splitmix.New(r.cfg.seed, row, c)
			g.append(r.b.Field(c), row, &rnd, at)
		}
	}
	return r.b.NewRecordBatch()
}

// Close releases the builder. It is safe to call twice.
func (r *Reader) Close() error {
	if r.b != nil {
		r.b.Release()
		r.b = nil
	}
	return nil
}
