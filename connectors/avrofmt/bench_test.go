package avrofmt

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/connectors/jsonfmt"
)

// The transactions of the course, as Avro (Confluent framing, written by
// hamba) and as the JSON the course's producer writes: the same records.
const benchSchema = `{"type": "record", "name": "Transaction", "fields": [
	{"name": "transaction_id", "type": "string"},
	{"name": "customer_id", "type": "string"},
	{"name": "product", "type": "string"},
	{"name": "amount", "type": "double"},
	{"name": "event_time", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}`

const benchColumns = "transaction_id VARCHAR, customer_id VARCHAR, product VARCHAR, amount DOUBLE, event_time TIMESTAMP(3)"

const benchBatch = 8192

// benchRecords returns 4096 transactions in both encodings.
func benchRecords(b *testing.B) (avroValues, jsonValues [][]byte) {
	products := []string{"Headphones", "Laptop", "Phone", "Keyboard", "Monitor", "Mouse", "Webcam", "Speaker"}
	rng := rand.New(rand.NewSource(1))
	base := time.Date(2024, 1, 15, 10, 30, 0, 0, time.UTC)
	for i := range 4096 {
		ts := base.Add(time.Duration(rng.Int63n(int64(30 * 24 * time.Hour)))).Truncate(time.Millisecond)
		cust, prod := fmt.Sprintf("CUST-%03d", rng.Intn(1000)), products[rng.Intn(len(products))]
		amount := float64(rng.Intn(200000)) / 100
		avroValues = append(avroValues, framed(1, encode(b, benchSchema, map[string]any{
			"transaction_id": fmt.Sprintf("TXN-%06d", i), "customer_id": cust, "product": prod, "amount": amount, "event_time": ts})))
		jsonValues = append(jsonValues, fmt.Appendf(nil,
			`{"transaction_id":"TXN-%06d","customer_id":"%s","product":"%s","amount":%v,"event_time":"%s"}`,
			i, cust, prod, amount, ts.Format("2006-01-02T15:04:05.000Z07:00")))
	}
	return avroValues, jsonValues
}

func runDecode(b *testing.B, d format.Decoder, values [][]byte) {
	defer d.Release()
	total := 0
	for _, v := range values {
		total += len(v)
	}
	b.SetBytes(int64(total / len(values)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := d.Append(values[i&4095]); err != nil {
			b.Fatal(err)
		}
		if d.Len() == benchBatch {
			d.NewRecord().Release()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecodeAvro decodes the transactions from Avro on one goroutine.
func BenchmarkDecodeAvro(b *testing.B) {
	values, _ := benchRecords(b)
	src := registrySource(b, table(b, benchColumns), map[int32]string{1: benchSchema})
	runDecode(b, newDecoder(src, memory.NewGoAllocator()), values)
}

// BenchmarkDecodeJSONSameRecords decodes the same transactions from JSON
// with the json format's decoder, for comparison.
func BenchmarkDecodeJSONSameRecords(b *testing.B) {
	_, values := benchRecords(b)
	runDecode(b, jsonfmt.NewDecoder(table(b, benchColumns).Schema(), memory.NewGoAllocator()), values)
}

// BenchmarkDecodeAvroAgainstJSON alternates batches of the same records
// decoded from Avro and from JSON, so that both see the same load on the
// machine, and reports each rate and their ratio (target: 1.5 at least).
func BenchmarkDecodeAvroAgainstJSON(b *testing.B) {
	avroValues, jsonValues := benchRecords(b)
	tb := table(b, benchColumns)
	mem := memory.NewGoAllocator()
	decoders := []format.Decoder{
		newDecoder(registrySource(b, tb, map[int32]string{1: benchSchema}), mem),
		jsonfmt.NewDecoder(tb.Schema(), mem),
	}
	inputs := [][][]byte{avroValues, jsonValues}
	var spent [2]time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k, d := range decoders {
			start := time.Now()
			for _, v := range inputs[k] {
				if err := d.Append(v); err != nil {
					b.Fatal(err)
				}
			}
			d.NewRecord().Release()
			spent[k] += time.Since(start)
		}
	}
	b.StopTimer()
	for _, d := range decoders {
		d.Release()
	}
	events := float64(b.N * len(avroValues))
	b.ReportMetric(events/spent[0].Seconds(), "avro-events/s")
	b.ReportMetric(events/spent[1].Seconds(), "json-events/s")
	b.ReportMetric(spent[1].Seconds()/spent[0].Seconds(), "avro/json")
	b.ReportMetric(0, "ns/op")
}
