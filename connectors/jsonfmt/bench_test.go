package jsonfmt

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "transaction_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "customer_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "product", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "event_time", Type: tsUTC, Nullable: true},
}, nil)

const benchBatch = 8192

// benchMessages returns 4096 ~130-byte transaction events with varied values.
func benchMessages() ([][]byte, int) {
	products := []string{"Headphones", "Laptop", "Phone", "Keyboard", "Monitor", "Mouse", "Webcam", "Speaker"}
	rng := rand.New(rand.NewSource(1))
	base := time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)
	msgs := make([][]byte, 4096)
	total := 0
	for i := range msgs {
		ts := base.Add(time.Duration(rng.Int63n(int64(30 * 24 * time.Hour)))).Truncate(time.Millisecond)
		msgs[i] = fmt.Appendf(nil,
			`{"transaction_id":"TXN-%06d","customer_id":"CUST-%03d","product":"%s","amount":%d.%02d,"event_time":"%s"}`,
			i, rng.Intn(1000), products[rng.Intn(len(products))], rng.Intn(2000), rng.Intn(100),
			ts.Format("2006-01-02T15:04:05.000Z07:00"))
		total += len(msgs[i])
	}
	return msgs, total / len(msgs)
}

func BenchmarkDecode(b *testing.B) {
	msgs, avg := benchMessages()
	d := NewDecoder(benchSchema, memory.NewGoAllocator())
	defer d.Release()
	b.SetBytes(int64(avg))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := d.Append(msgs[i&4095]); err != nil {
			b.Fatal(err)
		}
		if d.Len() == benchBatch {
			d.NewRecord().Release()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// benchEvent is the struct encoding/json decodes the benchmark events into.
type benchEvent struct {
	TransactionID *string  `json:"transaction_id"`
	CustomerID    *string  `json:"customer_id"`
	Product       *string  `json:"product"`
	Amount        *float64 `json:"amount"`
	EventTime     *string  `json:"event_time"`
}

// BenchmarkDecodeStdlibBaseline decodes the same messages with
// encoding/json into a struct, parses the timestamp with time.Parse and
// appends to the same kind of builders, for comparison with BenchmarkDecode.
func BenchmarkDecodeStdlibBaseline(b *testing.B) {
	msgs, avg := benchMessages()
	rb := array.NewRecordBuilder(memory.NewGoAllocator(), benchSchema)
	defer rb.Release()
	txn := rb.Field(0).(*array.StringBuilder)
	cust := rb.Field(1).(*array.StringBuilder)
	prod := rb.Field(2).(*array.StringBuilder)
	amt := rb.Field(3).(*array.Float64Builder)
	ets := rb.Field(4).(*array.TimestampBuilder)
	appendStr := func(sb *array.StringBuilder, s *string) {
		if s == nil {
			sb.AppendNull()
		} else {
			sb.Append(*s)
		}
	}
	rows := 0
	b.SetBytes(int64(avg))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var ev benchEvent
		if err := json.Unmarshal(msgs[i&4095], &ev); err != nil {
			b.Fatal(err)
		}
		var ts time.Time
		if ev.EventTime != nil {
			var err error
			if ts, err = time.Parse(time.RFC3339Nano, *ev.EventTime); err != nil {
				b.Fatal(err)
			}
		}
		appendStr(txn, ev.TransactionID)
		appendStr(cust, ev.CustomerID)
		appendStr(prod, ev.Product)
		if ev.Amount == nil {
			amt.AppendNull()
		} else {
			amt.Append(*ev.Amount)
		}
		if ev.EventTime == nil {
			ets.AppendNull()
		} else {
			ets.Append(arrow.Timestamp(ts.UnixMicro()))
		}
		rows++
		if rows == benchBatch {
			rb.NewRecordBatch().Release()
			rows = 0
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
