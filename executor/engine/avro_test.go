package engine_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand"
	"net"

	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/tide-sql/tide/connectors/kafka"
	"github.com/tide-sql/tide/connectors/schemaregistry"
	"github.com/tide-sql/tide/executor/engine"
)

// testRegistry is tide's Schema Registry on 127.0.0.1 for a test, with
// franz-go's registry client to register schemas as producers do.
type testRegistry struct {
	t   *testing.T
	url string
	cl  *sr.Client
}

func startRegistry(t *testing.T) *testRegistry {
	t.Helper()
	srv, err := schemaregistry.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cl, err := sr.NewClient(sr.URLs(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	return &testRegistry{t: t, url: srv.URL(), cl: cl}
}

// register registers schema under subject and returns its id.
func (r *testRegistry) register(subject, schema string) int32 {
	r.t.Helper()
	id, err := r.cl.RegisterSchema(context.Background(), subject, sr.Schema{Schema: schema}, -1, -1)
	if err != nil {
		r.t.Fatalf("register under %s: %v", subject, err)
	}
	return int32(id)
}

// setCompatibility sets a subject's compatibility level.
func (r *testRegistry) setCompatibility(subject string, level sr.CompatibilityLevel) {
	r.t.Helper()
	for _, res := range r.cl.SetCompatibility(context.Background(), sr.SetCompatibility{Level: level}, subject) {
		if res.Err != nil {
			r.t.Fatal(res.Err)
		}
	}
}

// confluent encodes value with schema (hamba's encoder) in Confluent's
// wire format with schema id.
func confluent(t *testing.T, id int32, schema string, value map[string]any) []byte {
	t.Helper()
	s, err := avro.ParseWithCache(schema, "", &avro.SchemaCache{})
	if err != nil {
		t.Fatal(err)
	}
	body, err := avro.Marshal(s, value)
	if err != nil {
		t.Fatal(err)
	}
	return append(binary.BigEndian.AppendUint32([]byte{0}, uint32(id)), body...)
}

const (
	orderV1 = `{"type": "record", "name": "Order", "fields": [
		{"name": "order_id", "type": "string"},
		{"name": "customer_id", "type": "string"},
		{"name": "amount", "type": "double"},
		{"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}`
	// orderV2 adds a field with a default: BACKWARD compatible.
	orderV2 = `{"type": "record", "name": "Order", "fields": [
		{"name": "order_id", "type": "string"},
		{"name": "customer_id", "type": "string"},
		{"name": "amount", "type": "double"},
		{"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
		{"name": "status", "type": ["null", "string"], "default": null}]}`
	// orderChanged changes amount's type: no column DOUBLE reads a string.
	orderChanged = `{"type": "record", "name": "Order", "fields": [
		{"name": "order_id", "type": "string"},
		{"name": "customer_id", "type": "string"},
		{"name": "amount", "type": "string"},
		{"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}`
)

// produceAvro writes values to partition 0 of topic.
func (x *env) produceAvro(topic string, values [][]byte) {
	x.t.Helper()
	lines := make([]string, len(values))
	for i, v := range values {
		lines[i] = string(v)
	}
	x.produceTo(topic, 0, lines...)
}

// A SQL source with format avro reads what a producer wrote through the
// registry, straight into the query's rows.
func TestAvroSourceSQLReadsConfluentRecords(t *testing.T) {
	x := newEnv(t)
	reg := startRegistry(t)
	id := reg.register("orders-avro-value", orderV1)
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	var values [][]byte
	var want []string
	for i := range 5 {
		o := map[string]any{"order_id": fmt.Sprintf("ORD-%04d", i), "customer_id": fmt.Sprintf("CUST-%03d", i%3),
			"amount": 100.0 + float64(i)*25.5, "ts": t0.Add(time.Duration(i) * time.Second)}
		values = append(values, confluent(t, id, orderV1, o))
		want = append(want, fmt.Sprintf("order_id=%s customer_id=%s amount=%g ts=%s", o["order_id"], o["customer_id"], o["amount"],
			o["ts"].(time.Time).Format("2006-01-02 15:04:05.000")))
	}
	x.produceValues("orders-avro", values...)
	x.exec(fmt.Sprintf(`
CREATE SOURCE orders (order_id VARCHAR, customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3))
WITH (connector = 'kafka', topic = 'orders-avro', format = 'avro-confluent', 'avro-confluent.url' = '%s', stop = 'latest');
CREATE TABLE orders_out (order_id VARCHAR, customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3));
INSERT INTO orders_out SELECT * FROM orders;`, reg.url))
	x.wait()
	expectLines(t, x.rows("SELECT * FROM orders_out"), want)
}

// Evolution while a windowed query runs: v1 records, then v2 ones (a field
// added with a default) decode alike and the windows are exact; records of
// a writer schema that changed amount's type are counted as bad, and
// nothing else is lost. A second query reading the added field sees NULL
// for the v1 records, and reads the changed writer's records: it does not
// read amount.
func TestAvroSchemaEvolutionWhileAWindowedQueryRuns(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("orders", 1); err != nil {
		t.Fatal(err)
	}
	reg := startRegistry(t)
	v1 := reg.register("orders-value", orderV1)
	x.exec(fmt.Sprintf(`
CREATE SOURCE orders (order_id VARCHAR, customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 1 MINUTE)
WITH (connector = 'kafka', topic = 'orders', format = 'avro', schema.registry = '%s', on_error = 'skip');
CREATE TABLE per_minute (window_start TIMESTAMP(3), customer_id VARCHAR, n BIGINT, total DOUBLE);
INSERT INTO per_minute SELECT window_start, customer_id, COUNT(*) AS n, SUM(amount) AS total
FROM orders GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), customer_id;
CREATE SOURCE statuses (order_id VARCHAR, status VARCHAR)
WITH (connector = 'kafka', topic = 'orders', format = 'avro', schema.registry = '%s', on_error = 'skip');
CREATE TABLE seen (order_id VARCHAR, status VARCHAR);
INSERT INTO seen SELECT * FROM statuses;`, reg.url, reg.url))

	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewSource(7))
	type agg struct {
		n     int
		total float64
	}
	windows := map[string]*agg{} // "window customer" of the records that count
	var seen []string
	n := 0
	order := func(minute int, status string) map[string]any {
		n++
		o := map[string]any{"order_id": fmt.Sprintf("ORD-%04d", n), "customer_id": fmt.Sprintf("CUST-%d", rng.Intn(3)),
			"amount": float64(rng.Intn(10000)) / 100, "ts": t0.Add(time.Duration(minute)*time.Minute + time.Duration(rng.Intn(60000))*time.Millisecond)}
		if status != "" {
			o["status"] = status
		}
		return o
	}
	counted := func(o map[string]any, status string) {
		k := o["ts"].(time.Time).Truncate(time.Minute).Format("2006-01-02 15:04:05.000") + " " + o["customer_id"].(string)
		if windows[k] == nil {
			windows[k] = &agg{}
		}
		windows[k].n++
		windows[k].total += o["amount"].(float64)
		if status == "" {
			status = "NULL"
		}
		seen = append(seen, fmt.Sprintf("order_id=%s status=%s", o["order_id"], status))
	}
	var batch [][]byte
	for range 20 {
		o := order(0, "")
		batch = append(batch, confluent(t, v1, orderV1, o))
		counted(o, "")
	}
	x.produceAvro("orders", batch)
	x.waitInput("per_minute", 20)

	// The producer moves to v2 while the query runs.
	v2 := reg.register("orders-value", orderV2)
	batch = nil
	for i := range 30 {
		status := []string{"NEW", "PAID", ""}[i%3]
		o := order(i%2, status)
		if status == "" {
			delete(o, "status")
		}
		batch = append(batch, confluent(t, v2, orderV2, o))
		counted(o, status)
	}
	x.produceAvro("orders", batch)
	x.waitInput("per_minute", 50)

	// A writer whose amount is a string: the registry refuses it under
	// BACKWARD, so the producer's subject is set to NONE first. Its
	// records are bad, counted.
	if _, err := reg.cl.RegisterSchema(context.Background(), "orders-value", sr.Schema{Schema: orderChanged}, -1, -1); err == nil ||
		!strings.Contains(err.Error(), "incompatible") {
		t.Fatalf("registering a changed type under BACKWARD: %v", err)
	}
	reg.setCompatibility("orders-value", sr.CompatNone)
	bad := reg.register("orders-value", orderChanged)
	batch = nil
	for range 4 {
		o := order(1, "")
		o["amount"] = "12.50"
		batch = append(batch, confluent(t, bad, orderChanged, o))
		// The second query reads no amount: to it they are good.
		seen = append(seen, fmt.Sprintf("order_id=%s status=NULL", o["order_id"]))
	}
	// Then a v1 record in minute 3 closes minutes 0 and 1 (the watermark
	// trails by a minute, so that v2's records of minute 0 are not late).
	last := order(3, "")
	batch = append(batch, confluent(t, v1, orderV1, last))
	x.produceAvro("orders", batch)
	counted(last, "")
	waitFor(t, func() bool { return x.progress("per_minute").BadRecords == 4 })

	var want []string
	for k, a := range windows {
		if strings.HasPrefix(k, "2024-05-01 12:03") {
			continue // still open
		}
		sp := strings.SplitN(k, " ", 3)
		want = append(want, fmt.Sprintf("window_start=%s %s customer_id=%s n=%d total=%s", sp[0], sp[1], sp[2], a.n, fmtTotal(a.total)))
	}
	sort.Strings(want)
	x.waitRows("per_minute", len(want))
	expectLines(t, x.rows("SELECT * FROM per_minute"), want)
	x.waitRows("seen", len(seen))
	expectLines(t, x.rows("SELECT * FROM seen"), seen)
	x.waitInput("seen", int64(len(seen)))
	if p := x.progress("seen"); p.BadRecords != 0 || p.TotalInputRows != int64(len(seen)) {
		t.Errorf("the second query: %d bad, %d rows", p.BadRecords, p.TotalInputRows)
	}
}

// fmtTotal formats a sum as recordLines does (10 significant digits).
func fmtTotal(f float64) string { return strconv.FormatFloat(f, 'g', 10, 64) }

// A registry that cannot be reached does not lose the query: it runs,
// saying what it waits for, and reads every record once the registry
// answers on its address.
func TestAvroQueryWaitsForAnUnreachableRegistry(t *testing.T) {
	x := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	url := "http://" + addr
	var values [][]byte
	var want []string
	for i := range 3 {
		values = append(values, confluent(t, 1, orderV1, map[string]any{"order_id": fmt.Sprint(i), "customer_id": "c",
			"amount": float64(i), "ts": time.UnixMilli(int64(i)).UTC()}))
		want = append(want, fmt.Sprintf("order_id=%d", i))
	}
	x.produceValues("orders", values...)
	res := x.exec(fmt.Sprintf(`
CREATE SOURCE orders (order_id VARCHAR, amount DOUBLE) WITH (connector = 'kafka', topic = 'orders', format = 'avro', schema.registry = '%s');
CREATE TABLE ids (order_id VARCHAR);
INSERT INTO ids SELECT order_id FROM orders;`, url))
	if !strings.Contains(res[0].Message, "NOTICE: schema registry "+url+" cannot be reached") {
		t.Errorf("CREATE SOURCE said %q", res[0].Message)
	}
	waitFor(t, func() bool {
		q, _ := x.e.Query("ids")
		return strings.Contains(q.Status, "schema registry "+url+" cannot be reached")
	})
	if q, _ := x.e.Query("ids"); q.State != engine.QueryRunning || q.Progress.TotalInputRows != 0 || q.Progress.BadRecords != 0 {
		t.Fatalf("while the registry is down: %s, %d rows, %d bad", q.State, q.Progress.TotalInputRows, q.Progress.BadRecords)
	}
	srv, err := schemaregistry.Start(addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	defer srv.Close()
	reg := &testRegistry{t: t, url: srv.URL()}
	if reg.cl, err = sr.NewClient(sr.URLs(srv.URL())); err != nil {
		t.Fatal(err)
	}
	if id := reg.register("orders-value", orderV1); id != 1 {
		t.Fatalf("the registry gave id %d, the records say 1", id)
	}
	x.waitRows("ids", 3)
	expectLines(t, x.rows("SELECT * FROM ids"), want)
	waitFor(t, func() bool { q, _ := x.e.Query("ids"); return q.Status == "" })
}

// CREATE SOURCE without columns takes them from the latest schema of the
// subject <topic>-value in the engine's registry (DESCRIBE shows them),
// with a watermark alone in the parentheses; a subject with a nested
// field, or none at all, is a positioned error.
func TestAvroSourceColumnsComeFromTheRegistry(t *testing.T) {
	x, reg := newAvroEnv(t)
	reg.register("orders-value", orderV1)
	id := reg.register("orders-value", orderV2)
	reg.register("nested-value", `{"type": "record", "name": "N", "fields": [{"name": "id", "type": "long"},
		{"name": "items", "type": {"type": "array", "items": "string"}}]}`)
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	var values [][]byte
	for i := range 4 {
		values = append(values, confluent(t, id, orderV2, map[string]any{"order_id": fmt.Sprint(i), "customer_id": "c",
			"amount": float64(i), "ts": t0.Add(time.Duration(i) * time.Minute), "status": []any{"NEW", nil}[i%2]}))
	}
	x.produceValues("orders", values...)
	x.exec(`CREATE SOURCE orders (WATERMARK FOR ts AS ts - INTERVAL 10 SECOND)
WITH (connector = 'kafka', topic = 'orders', format = 'avro', stop = 'latest');`)
	expectLines(t, x.rows("DESCRIBE orders"), []string{
		"column=order_id type=VARCHAR nullable=NO extra=",
		"column=customer_id type=VARCHAR nullable=NO extra=",
		"column=amount type=DOUBLE nullable=NO extra=",
		"column=ts type=TIMESTAMP(3) nullable=NO extra=WATERMARK ts - 10s",
		"column=status type=VARCHAR nullable=YES extra=",
	})
	x.exec(`CREATE TABLE per_minute (window_start TIMESTAMP(3), n BIGINT, statuses BIGINT);
INSERT INTO per_minute SELECT window_start, COUNT(*) AS n, COUNT(status) AS statuses FROM orders GROUP BY TUMBLE(ts, INTERVAL 2 MINUTE);`)
	x.wait()
	expectLines(t, x.rows("SELECT * FROM per_minute"), []string{
		"window_start=2024-05-01 12:00:00.000 n=2 statuses=1",
		"window_start=2024-05-01 12:02:00.000 n=2 statuses=1",
	})

	for _, tc := range []struct{ topic, want string }{
		{"nested", "line 1, column 15: format avro: columns from the latest schema of subject nested-value (id 3): field items: array is a nested type: records, arrays and maps are not supported yet as columns"},
		{"nothing", "line 1, column 15: format avro: the columns come from the latest schema of subject nothing-value: the schema registry " + reg.url + " has no subject nothing-value"},
	} {
		_, err := x.tryExec(fmt.Sprintf(`CREATE SOURCE s_%s WITH (connector = 'kafka', topic = '%s', format = 'avro');`, tc.topic, tc.topic))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("topic %s: %v, want %q", tc.topic, err, tc.want)
		}
	}
}

// A query that does not read a column is not disturbed by a writer that
// changed that field's type: the source leaves the column out. A query
// that reads it counts those records as bad.
func TestAvroQueriesReadAroundAChangedFieldTheyDoNotRead(t *testing.T) {
	x := newEnv(t)
	reg := startRegistry(t)
	v1, changed := reg.register("orders-value", orderV1), reg.register("changed-value", orderChanged)
	ts := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	x.produceValues("orders",
		confluent(t, v1, orderV1, map[string]any{"order_id": "a", "customer_id": "c", "amount": 1.5, "ts": ts}),
		confluent(t, changed, orderChanged, map[string]any{"order_id": "b", "customer_id": "c", "amount": "2.5", "ts": ts}),
		confluent(t, v1, orderV1, map[string]any{"order_id": "c", "customer_id": "c", "amount": 3.5, "ts": ts}))
	x.exec(fmt.Sprintf(`
CREATE SOURCE orders (order_id VARCHAR, customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3))
WITH (connector = 'kafka', topic = 'orders', format = 'avro', schema.registry = '%s', stop = 'latest', on_error = 'skip');
CREATE TABLE ids (order_id VARCHAR);
INSERT INTO ids SELECT order_id FROM orders;
CREATE TABLE amounts (order_id VARCHAR, amount DOUBLE);
INSERT INTO amounts SELECT order_id, amount FROM orders;`, reg.url))
	x.wait()
	expectLines(t, x.rows("SELECT * FROM ids"), []string{"order_id=a", "order_id=b", "order_id=c"})
	expectLines(t, x.rows("SELECT * FROM amounts"), []string{"order_id=a amount=1.5", "order_id=c amount=3.5"})
	for q, bad := range map[string]int64{"ids": 0, "amounts": 1} {
		if got := x.progress(q).BadRecords; got != bad {
			t.Errorf("query %s: %d bad records, want %d", q, got, bad)
		}
	}
}

// newAvroEnv is an engine whose default Schema Registry (as the embedded
// broker's, or $TIDE_SCHEMA_REGISTRY) is a fresh tide registry.
func newAvroEnv(t *testing.T) (*env, *testRegistry) {
	t.Helper()
	b, err := kafka.StartBroker("127.0.0.1:0", 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	reg := startRegistry(t)
	x := &env{t: t, broker: b, registry: reg.url, dir: t.TempDir()}
	x.open()
	return x, reg
}

// A Kafka table with format avro (the engine's registry, no option naming
// it) registers its schema under <topic>-value and its key's under
// <topic>-key, and writes what an Avro source reads back; when the
// subject's compatibility refuses its schema, the query stops with the
// registry's message.
func TestAvroSinkRegistersItsSchemaAndStopsWhenRefused(t *testing.T) {
	x, reg := newAvroEnv(t)
	x.produce("orders_json",
		`{"order_id": "a", "customer_id": "c1", "amount": 1.5, "ts": "2024-05-01T12:00:00.123Z"}`,
		`{"order_id": "b", "customer_id": "c2", "amount": null, "ts": "2024-05-01T12:00:01Z"}`,
		`{"order_id": "c", "customer_id": "c1", "amount": 3, "ts": null}`)
	x.exec(`
CREATE SOURCE orders_json (order_id VARCHAR, customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3))
WITH (connector = 'kafka', topic = 'orders_json', stop = 'latest');
CREATE TABLE orders_avro (order_id VARCHAR, customer_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3))
WITH (connector = 'kafka', topic = 'orders_avro', format = 'avro', key = 'customer_id');
INSERT INTO orders_avro SELECT * FROM orders_json;`)
	x.wait()
	value, err := reg.cl.SchemaByVersion(context.Background(), "orders_avro-value", -1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(value.Schema.Schema, `"name":"ts","type":["null",{"logicalType":"timestamp-millis","type":"long"}]`) {
		t.Errorf("value schema %s", value.Schema.Schema)
	}
	if key, err := reg.cl.SchemaByVersion(context.Background(), "orders_avro-key", -1); err != nil || key.Schema.Schema != `["null","string"]` {
		t.Errorf("key schema %+v, %v", key, err)
	}
	x.exec(`
CREATE SOURCE back (ts TIMESTAMP(3), amount DOUBLE, order_id VARCHAR) WITH (connector = 'kafka', topic = 'orders_avro', format = 'avro', stop = 'latest');
CREATE TABLE read_back (order_id VARCHAR, amount DOUBLE, ts TIMESTAMP(3));
INSERT INTO read_back SELECT order_id, amount, ts FROM back;`)
	x.wait()
	expectLines(t, x.rows("SELECT * FROM read_back"), []string{
		"order_id=a amount=1.5 ts=2024-05-01 12:00:00.123",
		"order_id=b amount=NULL ts=2024-05-01 12:00:01.000",
		"order_id=c amount=3 ts=NULL",
	})

	// An earlier version of the subject has amount as a string: BACKWARD
	// refuses a schema whose amount is a double.
	reg.register("refused-value", `{"type": "record", "name": "R", "fields": [{"name": "amount", "type": "string"}]}`)
	_, err = x.tryExec(`
CREATE TABLE refused (order_id VARCHAR, amount DOUBLE) WITH (connector = 'kafka', topic = 'refused', format = 'avro');
INSERT INTO refused SELECT order_id, amount FROM orders_json;`)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err = x.e.Wait(ctx)
	}
	if err == nil || !strings.Contains(err.Error(), "the schema registry "+reg.url+" refuses the schema under subject refused-value: Schema being registered is incompatible with an earlier schema") {
		t.Fatalf("a refused schema: %v", err)
	}
}
