// Package format is the seam between the connectors that carry messages
// (Kafka) and the message formats (json, avro). A format turns message
// values into Arrow rows (a Source makes one Decoder per partition) and
// rows into message keys and values (a Sink makes an Encoder when the sink
// opens). A connector names a format by its table's format option and gets
// it from the registry here, so a new format touches no connector: it
// registers itself from an init function, declares its own options (which
// the connector accepts and hands over untouched), and connectors/formats
// links it in.
package format

import (
	"context"
	"iter"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// Config is a table as a format sees it.
type Config struct {
	// Name is the format as the table spells it: an alias keeps its
	// spelling (Flink's avro-confluent), for what it implies and for errors.
	Name string
	// Table is the source or sink table: its name, its columns (none when
	// CREATE SOURCE omitted them and asks Format.Columns) and its options,
	// under canonical names.
	Table *catalog.Table
	// Topic is the topic the table reads or writes; schema registry
	// subjects are named after it (<topic>-value, <topic>-key).
	Topic string
	// Hosts confines the hosts a format connects to (a schema registry);
	// nil allows any.
	Hosts *executor.HostPolicy
	// Registry is the default Schema Registry URL (executor.Env.Registry:
	// $TIDE_SCHEMA_REGISTRY or the embedded broker's), for a table that
	// names none; "" when none is known.
	Registry string
}

// Decoder appends message values as rows of Arrow builders. It is not safe
// for concurrent use.
type Decoder interface {
	// Append decodes one message value into one row. On error nothing is
	// appended and the error says why the message is bad.
	Append(value []byte) error
	// Len is the number of rows appended since the last NewRecord.
	Len() int
	// NewRecord returns the rows appended so far and resets the builders;
	// the caller owns the record.
	NewRecord() arrow.Record
	// Release releases the builders; the decoder is not used afterwards.
	Release()
}

// Source is a format bound to one source table. It is safe for concurrent
// use: partitions decode in parallel, each with its own Decoder.
type Source interface {
	// Schema is the schema of the records its decoders return.
	Schema() *arrow.Schema
	// NewDecoder returns a decoder whose records are allocated from mem.
	NewDecoder(mem memory.Allocator) Decoder
}

// Preparer is implemented by sources whose messages refer to something
// that must be looked up before they decode (Avro: the writer schema of a
// schema id). The connector calls Prepare with the values it is about to
// decode; Prepare looks up what they refer to and is not known yet.
type Preparer interface {
	// Prepare returns nil when every value can be decoded (or found bad)
	// without waiting. An error means a lookup failed for a reason that
	// may pass (a registry that cannot be reached): the values stay
	// undecoded and the connector tries again later. Prepare gives up at
	// ctx's end. Values that refer to nothing known are no error here:
	// their decoder reports them as bad.
	Prepare(ctx context.Context, values iter.Seq[[]byte]) error
}

// ColumnPruner is implemented by sources that can leave out the columns a
// query does not read (their values stay NULL). The connector calls it
// before it makes any decoder, with one flag per column of Schema.
type ColumnPruner interface {
	PruneColumns(used []bool)
}

// Noticer is implemented by sources that can tell, when the table is
// created, what would hold its queries up without being an error in the
// statement (a schema registry that cannot be reached).
type Noticer interface {
	// Notice returns "" when nothing would; it gives up at ctx's end.
	Notice(ctx context.Context) string
}

// Encoder writes rows as message keys and values.
type Encoder interface {
	// AppendValue appends the value of one row (the spec's Value columns).
	AppendValue(dst []byte, rec arrow.Record, row int) ([]byte, error)
	// AppendKey appends the key of one row (the spec's Key columns);
	// without key columns it appends nothing.
	AppendKey(dst []byte, rec arrow.Record, row int) ([]byte, error)
}

// EncoderSpec is what an encoder writes: columns of records of Schema.
type EncoderSpec struct {
	Schema *arrow.Schema
	Value  []int // the columns of the value, in order
	Key    []int // the columns of the key, in order; none: no key
}

// Sink is a format bound to one sink table.
type Sink interface {
	// NewEncoder prepares the encoding of spec's rows when the sink opens
	// (a registry format registers its schemas here). The error says why
	// the rows cannot be written in this format.
	NewEncoder(ctx context.Context, spec EncoderSpec) (Encoder, error)
}
