package interop

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// avroOrder is an order of the course's Avro producer (section 4.4):
// timestamp in epoch milliseconds.
type avroOrder struct {
	OrderID    string  `json:"order_id"`
	CustomerID string  `json:"customer_id"`
	Amount     float64 `json:"amount"`
	Timestamp  int64   `json:"timestamp"`
}

// sentOrders reads what a producer script printed it sent.
func sentOrders(t *testing.T, out []byte) []avroOrder {
	t.Helper()
	var orders []avroOrder
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var line struct{ Order avroOrder }
		if err := json.Unmarshal([]byte(l), &line); err != nil {
			t.Fatalf("producer printed %q: %v", l, err)
		}
		orders = append(orders, line.Order)
	}
	return orders
}

// avroToJSONScript reads the Avro orders of topic in and writes them as
// JSON to topic out, keyed by customer.
func avroToJSONScript(in, out, registry string) string {
	return fmt.Sprintf(`
CREATE SOURCE orders_avro (order_id VARCHAR, customer_id VARCHAR, amount DOUBLE, `+"`timestamp`"+` TIMESTAMP(3))
  WITH (connector = 'kafka', topic = '%s', format = 'avro', schema.registry = '%s');
CREATE TABLE orders_json (order_id VARCHAR, customer_id VARCHAR, amount DOUBLE, `+"`timestamp`"+` TIMESTAMP(3))
  WITH (connector = 'kafka', topic = '%s', format = 'json', key = 'customer_id');
INSERT INTO orders_json SELECT * FROM orders_avro;
`, in, registry, out)
}

// readsProducedAvro checks that tide read exactly the orders a producer
// script sent in Avro: the JSON tide wrote holds each one.
func readsProducedAvro(t *testing.T, producer []string) {
	t.Helper()
	url := registryURL // tide broker's
	in, out := newTopic(t, "avro-in"), newTopic(t, "json-out")
	createTopic(t, in, 3)
	args := append(producer[1:], "produce", url, in, "30")
	sent := sentOrders(t, runClient(t, "", producer[0], args...))
	if len(sent) != 30 {
		t.Fatalf("the producer sent %d orders, want 30", len(sent))
	}
	runTide(t, t.TempDir(), avroToJSONScript(in, out, url))
	var want, got []string
	for _, o := range sent {
		ts := time.UnixMilli(o.Timestamp).UTC().Format("2006-01-02T15:04:05.000Z")
		want = append(want, fmt.Sprintf("%s %s %s %g %s", o.CustomerID, o.OrderID, o.CustomerID, o.Amount, ts))
	}
	for _, r := range readTopic(t, out, true) {
		var o struct {
			OrderID    string  `json:"order_id"`
			CustomerID string  `json:"customer_id"`
			Amount     float64 `json:"amount"`
			Timestamp  string  `json:"timestamp"`
		}
		if err := json.Unmarshal(r.Value, &o); err != nil {
			t.Fatalf("tide wrote %q: %v", r.Value, err)
		}
		got = append(got, fmt.Sprintf("%s %s %s %g %s", r.Key, o.OrderID, o.CustomerID, o.Amount, o.Timestamp))
	}
	sameLines(t, "orders tide read", got, want)
}

// kafkajs with @kafkajs/confluent-schema-registry registers the course's
// Order schema and produces Avro; tide reads every order exactly.
func TestTideReadsKafkajsAvro(t *testing.T) {
	need(t, kafkajsRegistry)
	readsProducedAvro(t, []string{"node", script("kafkajs_avro.js")})
}

// confluent-kafka-python's registry client registers the schema and
// Debian's python3-avro encodes the records in Confluent's framing; tide
// reads every order exactly.
func TestTideReadsPythonAvro(t *testing.T) {
	need(t, pythonAvro)
	readsProducedAvro(t, []string{python, script("confluent_avro.py")})
}

// jsonToAvroScript reads the JSON orders of topic in and writes those above
// bigOrdersMin as Avro to topic out, keyed by customer, through registry.
func jsonToAvroScript(in, out, registry string) string {
	return fmt.Sprintf(`
CREATE SOURCE orders_in (order_id VARCHAR, customer_id VARCHAR, amount DOUBLE, `+"`timestamp`"+` TIMESTAMP(3), status VARCHAR)
  WITH (connector = 'kafka', topic = '%s', format = 'json');
CREATE TABLE big_orders (order_id VARCHAR, customer_id VARCHAR, amount DOUBLE, `+"`timestamp`"+` TIMESTAMP(3), status VARCHAR)
  WITH (connector = 'kafka', topic = '%s', format = 'avro', schema.registry = '%s', key = 'customer_id');
INSERT INTO big_orders SELECT * FROM orders_in WHERE amount > %d;
`, in, out, registry, bigOrdersMin)
}

// decodedRecord is a record a consumer script decoded.
type decodedRecord struct {
	SchemaID int            `json:"schemaId"`
	Key      string         `json:"key"`
	Value    map[string]any `json:"value"`
}

// sinkReadBy checks that a consumer script decodes tide's Avro sink output
// to the rows tide wrote: keys, values, the schema id of every value.
func sinkReadBy(t *testing.T, consumer []string, timestamp func(v any) string) {
	t.Helper()
	url := registryURL // tide broker's
	in, out := newTopic(t, "json-in"), newTopic(t, "avro-out")
	createTopic(t, in, 3)
	orders := courseOrders(0, 30)
	produceOrders(t, in, orders)
	runTide(t, t.TempDir(), jsonToAvroScript(in, out, url))
	var want []string
	for _, o := range orders {
		if o.Amount > bigOrdersMin {
			ts, _ := time.Parse("2006-01-02T15:04:05.000000", o.Timestamp)
			want = append(want, fmt.Sprintf("%s %s %s %g %s %s", o.CustomerID, o.OrderID, o.CustomerID, o.Amount, ts.Format(time.RFC3339Nano), o.Status))
		}
	}
	args := append(consumer[1:], "consume", url, out, itoa(len(want)))
	var got []string
	ids := map[int]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(runClient(t, "", consumer[0], args...))), "\n") {
		var r decodedRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("consumer printed %q: %v", l, err)
		}
		ids[r.SchemaID] = true
		v := r.Value
		got = append(got, fmt.Sprintf("%s %s %s %g %s %s", r.Key, v["order_id"], v["customer_id"], v["amount"], timestamp(v["timestamp"]), v["status"]))
	}
	sameLines(t, "rows the consumer decoded", got, want)
	if len(ids) != 1 {
		t.Errorf("values written with schema ids %v, want one", ids)
	}
}

// kafkajs's registry client decodes tide's Avro sink output.
func TestKafkajsDecodesTheAvroSink(t *testing.T) {
	need(t, kafkajsRegistry)
	// avsc gives a timestamp-millis long as the number of milliseconds.
	sinkReadBy(t, []string{"node", script("kafkajs_avro.js")}, func(v any) string {
		ms, _ := v.(float64)
		return time.UnixMilli(int64(ms)).UTC().Format(time.RFC3339Nano)
	})
}

// python3-avro decodes tide's Avro sink output with the writer schema the
// registry gives confluent-kafka-python's client.
func TestPythonDecodesTheAvroSink(t *testing.T) {
	need(t, pythonAvro)
	// python3-avro gives a timestamp-millis as an aware datetime.
	sinkReadBy(t, []string{python, script("confluent_avro.py")}, func(v any) string {
		s, _ := v.(string)
		ts, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Sprintf("%v (%v)", v, err)
		}
		return ts.UTC().Format(time.RFC3339Nano)
	})
}
