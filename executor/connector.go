package executor

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/planner"
)

// TaskOption is the source option through which the engine tells a reader
// that it is task i of n of a parallel query ("i/n"): it reads only the
// partitions p with p % n == i. Users never set it.
const TaskOption = "tide.task"

// ParseTask reads a TaskOption value: task i of n. An empty value is the
// only task of one.
func ParseTask(v string) (task, tasks int, err error) {
	if v == "" {
		return 0, 1, nil
	}
	if _, err := fmt.Sscanf(v, "%d/%d", &task, &tasks); err != nil || tasks < 1 || task < 0 || task >= tasks {
		return 0, 1, fmt.Errorf("bad task %q (want i/n)", v)
	}
	return task, tasks, nil
}

// Offsets are a source's read positions: partition → next offset to read.
type Offsets map[int32]int64

// Clone returns a copy of o.
func (o Offsets) Clone() Offsets {
	c := make(Offsets, len(o))
	for k, v := range o {
		c[k] = v
	}
	return c
}

// PartitionBatch is the rows one source partition delivered in one fetch.
type PartitionBatch struct {
	Partition int32
	Record    arrow.Record // owned by the receiver
}

// Fetch is what a source reader returns for one micro-batch.
type Fetch struct {
	Batches []PartitionBatch
	// End holds, for every partition read, the next offset after this fetch.
	End Offsets
	// Done is set when a bounded source has delivered all its input.
	Done bool
	// Idle lists partitions that are assigned but have had no data for the
	// idle timeout; they stop holding the watermark back.
	Idle []int32
	// Bad counts records that did not decode and were skipped or sent to the
	// dead-letter table in this fetch.
	Bad int64
}

// SourceReader is the connector side of a source: it turns an external
// stream into Arrow batches, one micro-batch per Fetch call.
type SourceReader interface {
	// Schema is the schema of every record the reader returns.
	Schema() *arrow.Schema
	// Open starts reading. start holds the offsets to resume from (from a
	// checkpoint); partitions it lacks start per the source's options.
	Open(ctx context.Context, start Offsets) error
	// Fetch returns the next micro-batch. It waits until at least one record
	// is available or until wait has passed (then it may return no batches).
	// If until is not nil, the reader stops each partition at that offset:
	// a replay of an epoch that was planned but not committed.
	Fetch(ctx context.Context, wait time.Duration, until Offsets) (Fetch, error)
	// Close releases the reader's resources. It is safe to call twice.
	Close() error
}

// DeletedColumn is the BOOLEAN column that ends the rows of a query whose
// output is a changelog (planner.DeletedColumn): TRUE takes the row back,
// so a sink with a primary key deletes its key; within an epoch the last
// row of a key decides. It is not a column of the table.
const DeletedColumn = planner.DeletedColumn

// ColumnPruner is implemented by source readers that can leave out the
// columns a query does not read (a generator that need not build them).
// PruneColumns is called before Open with one flag per column of Schema;
// the records keep the whole schema, and the columns not used may hold
// only NULLs.
type ColumnPruner interface {
	PruneColumns(used []bool)
}

// SinkMode says how a sink applies rows.
type SinkMode uint8

const (
	// SinkAppend appends every row.
	SinkAppend SinkMode = iota + 1
	// SinkUpsert replaces the row with the same primary key, or inserts it.
	SinkUpsert
)

// SinkSpec is what a sink is opened with.
type SinkSpec struct {
	QueryID    string        // stable id of the writing query (exactly-once bookkeeping)
	Schema     *arrow.Schema // schema of the rows written
	PrimaryKey []int         // key column indexes; set for SinkUpsert
	Mode       SinkMode
}

// Sink is the connector side of a table that queries write into. Writes of
// one epoch become visible atomically at Commit.
type Sink interface {
	// Open prepares the sink for a query's output.
	Open(ctx context.Context, spec SinkSpec) error
	// LastEpoch returns the last epoch this query committed to the sink, or
	// -1. The driver skips a replayed epoch the sink already holds.
	LastEpoch(ctx context.Context) (int64, error)
	// Write buffers rows of the current epoch. The sink takes a reference
	// of its own if it keeps rec (rec.Retain) and releases it later.
	Write(ctx context.Context, rec arrow.Record) error
	// Commit makes the epoch's rows durable and visible, atomically, and
	// records epoch so that a replay of it is recognised.
	Commit(ctx context.Context, epoch int64) error
	// Abort drops the rows buffered since the last commit.
	Abort(ctx context.Context) error
	// Close releases resources. It is safe to call twice.
	Close() error
}

// EpochHistory is implemented by sinks that record which queries
// committed epochs into them (Delta's txn actions, Parquet's file names).
// A query that starts without a checkpoint asks it whether it wrote there
// before, from a state directory that is gone: appending everything again
// would duplicate it.
type EpochHistory interface {
	// QueryIDs lists the SinkSpec.QueryIDs with epochs in the sink.
	QueryIDs(ctx context.Context) ([]string, error)
}

// Scanner is implemented by sinks whose contents can be read back as a
// snapshot (SELECT * FROM a memory table).
type Scanner interface {
	Scan(ctx context.Context) ([]arrow.Record, *arrow.Schema, error)
}

// PartitionLag is a source reader's position in one partition of its input.
type PartitionLag struct {
	Partition int32
	// Offset is the next offset the source delivers.
	Offset int64
	// EndOffset is the partition's log end offset (high watermark) as last
	// seen; EndOffset - Offset is the lag in records.
	EndOffset int64
	// LastRecordTime is the timestamp of the last record delivered, zero
	// before the first.
	LastRecordTime time.Time
}

// LagReporter is implemented by source readers that know how far they are
// behind their input, per partition (Kafka). Progress reports show it.
type LagReporter interface {
	// Lag reports every partition's position, ascending by partition. It
	// is safe to call while another goroutine fetches.
	Lag() []PartitionLag
}
