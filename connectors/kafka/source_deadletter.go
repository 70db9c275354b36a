package kafka

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
)

// DeadLetterSchema is the schema of the rows on_error = 'table:NAME' writes
// for messages that do not decode, and for rows the engine rejects after
// decoding (RejectRows: "event time is NULL"): where the message is, its raw
// value, why it was rejected and its Kafka timestamp. The table must have
// these columns, in this order.
var DeadLetterSchema = arrow.NewSchema([]arrow.Field{
	{Name: "topic", Type: catalog.String, Nullable: true},
	{Name: "partition", Type: catalog.Int64, Nullable: true},
	{Name: "offset", Type: catalog.Int64, Nullable: true},
	{Name: "value", Type: catalog.String, Nullable: true},
	{Name: "error", Type: catalog.String, Nullable: true},
	{Name: "kafka_timestamp", Type: catalog.Timestamp, Nullable: true},
}, nil)

// CheckDeadLetterTable reports whether table t can take dead letters: its
// columns must be those of DeadLetterSchema (names in any case, same order
// and types).
func CheckDeadLetterTable(t *catalog.Table) error {
	want := DeadLetterSchema.Fields()
	ok := len(t.Columns) == len(want)
	for i := 0; ok && i < len(want); i++ {
		c := t.Columns[i]
		ok = strings.EqualFold(c.Name, want[i].Name) && c.Type != nil && arrow.TypeEqual(c.Type, want[i].Type)
	}
	if ok {
		return nil
	}
	cols := make([]string, len(want))
	for i, f := range want {
		cols[i] = f.Name + " " + catalog.TypeName(f.Type)
	}
	return fmt.Errorf("dead-letter table %q must have the columns (%s)", t.Name, strings.Join(cols, ", "))
}

// deadLetterBuilder gathers dead-letter rows until the engine takes them.
type deadLetterBuilder struct {
	b    *array.RecordBuilder
	rows int
}

func newDeadLetterBuilder(mem memory.Allocator) *deadLetterBuilder {
	return &deadLetterBuilder{b: array.NewRecordBuilder(mem, DeadLetterSchema)}
}

func (d *deadLetterBuilder) add(topic string, partition int32, offset int64, value []byte, reason string, ts time.Time) {
	d.b.Field(0).(*array.StringBuilder).Append(topic)
	d.b.Field(1).(*array.Int64Builder).Append(int64(partition))
	d.b.Field(2).(*array.Int64Builder).Append(offset)
	if value == nil {
		d.b.Field(3).AppendNull()
	} else if utf8.Valid(value) {
		d.b.Field(3).(*array.StringBuilder).BinaryBuilder.Append(value)
	} else {
		d.b.Field(3).(*array.StringBuilder).Append(strings.ToValidUTF8(string(value), "\uFFFD"))
	}
	d.b.Field(4).(*array.StringBuilder).Append(reason)
	if ts.IsZero() {
		d.b.Field(5).AppendNull()
	} else {
		d.b.Field(5).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMicro()))
	}
	d.rows++
}

// take returns the rows gathered so far, or nil if there are none.
func (d *deadLetterBuilder) take() arrow.Record {
	if d.rows == 0 {
		return nil
	}
	d.rows = 0
	return d.b.NewRecordBatch()
}

func (d *deadLetterBuilder) release() { d.b.Release() }
