package engine_test

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/tide-sql/tide/executor/engine"
)

// testRegistry is a schema registry for a test.
type testRegistry struct {
	t   *testing.T
	url string
	reg *srfake.Registry
}

func startRegistry(t *testing.T) *testRegistry {
	t.Helper()
	reg := srfake.New()
	t.Cleanup(reg.Close)
	return &testRegistry{t: t, url: reg.URL(), reg: reg}
}

// register registers schema under subject and returns its id.
func (r *testRegistry) register(subject, schema string) int32 {
	r.t.Helper()
	id, _, err := r.reg.RegisterSchema(subject, sr.Schema{Schema: schema})
	if err != nil {
		r.t.Fatal(err)
	}
	return int32(id)
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

	// A writer whose amount is a string: bad records, counted.
	bad := reg.register("orders-changed-value", orderChanged)
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
	reg := srfake.NewRegistry()
	if id, _, err := reg.RegisterSchema("orders-value", sr.Schema{Schema: orderV1}); err != nil || id != 1 {
		t.Fatalf("id %d, %v", id, err)
	}
	if ln, err = net.Listen("tcp", addr); err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	srv := &http.Server{Handler: reg.Handler()}
	go srv.Serve(ln)
	defer srv.Close()
	x.waitRows("ids", 3)
	expectLines(t, x.rows("SELECT * FROM ids"), want)
	waitFor(t, func() bool { q, _ := x.e.Query("ids"); return q.Status == "" })
}

// CREATE SOURCE without columns takes them from the latest schema of the
// subject <topic>-value (DESCRIBE shows them), with a watermark alone in
// the parentheses; a subject with a nested field, or none at all, is a
// positioned error.
func TestAvroSourceColumnsComeFromTheRegistry(t *testing.T) {
	x := newEnv(t)
	reg := startRegistry(t)
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
	x.exec(fmt.Sprintf(`CREATE SOURCE orders (WATERMARK FOR ts AS ts - INTERVAL 10 SECOND)
WITH (connector = 'kafka', topic = 'orders', format = 'avro', schema.registry = '%s', stop = 'latest');`, reg.url))
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
		_, err := x.tryExec(fmt.Sprintf(`CREATE SOURCE s_%s WITH (connector = 'kafka', topic = '%s', format = 'avro', schema.registry = '%s');`, tc.topic, tc.topic, reg.url))
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
