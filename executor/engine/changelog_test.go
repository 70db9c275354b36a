package engine_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twmb/franz-go/pkg/kgo"
)

// customer is one row of the PostgreSQL table the changelog tests mirror.
type customer struct {
	id      int
	name    string
	country string
	credit  int
}

// debeziumEvent is a Debezium PostgreSQL change event for op on a row:
// before and after images as the connector writes them with the default
// replica identity (an update's before is null, a delete's before holds
// only the key) or with REPLICA IDENTITY FULL, with or without the JSON
// converter's schema wrapping.
func debeziumEvent(op string, before, after *customer, full, schemas bool) string {
	image := func(c *customer, keyOnly bool) string {
		if c == nil {
			return "null"
		}
		if keyOnly {
			return fmt.Sprintf(`{"id": %d, "name": null, "country": null, "credit": null}`, c.id)
		}
		return fmt.Sprintf(`{"id": %d, "name": "%s", "country": "%s", "credit": %d}`, c.id, c.name, c.country, c.credit)
	}
	var b, a string
	switch op {
	case "c", "r":
		b, a = "null", image(after, false)
	case "u":
		b, a = "null", image(after, false)
		if full {
			b = image(before, false)
		}
	case "d":
		b, a = image(before, !full), "null"
	}
	payload := fmt.Sprintf(`{"before": %s, "after": %s, "source": {"version": "2.5.0.Final", "connector": "postgresql", "name": "pg", "db": "shop", "schema": "public", "table": "customers", "lsn": 1234}, "op": "%s", "ts_ms": 1700000000000, "transaction": null}`, b, a, op)
	if schemas {
		return `{"schema": {"type": "struct", "fields": [], "optional": false, "name": "pg.public.customers.Envelope"}, "payload": ` + payload + `}`
	}
	return payload
}

const changelogSources = `CREATE SOURCE customers_cdc (id BIGINT, name VARCHAR, country VARCHAR, credit BIGINT, PRIMARY KEY (id))
  WITH (connector = 'kafka', topic = 'pg.public.customers', format = 'debezium-json', stop = 'latest', max_batch = '%d');
CREATE TABLE customers (id BIGINT, name VARCHAR, country VARCHAR, credit BIGINT, PRIMARY KEY (id));
CREATE TABLE per_country (country VARCHAR, n BIGINT, total BIGINT, low BIGINT, high BIGINT, PRIMARY KEY (country));
INSERT INTO customers SELECT id, name, country, credit FROM customers_cdc;
INSERT INTO per_country SELECT country, COUNT(*), SUM(credit), MIN(credit), MAX(credit) FROM customers_cdc GROUP BY country;
`

// modelRows prints the model table as the mirror's rows print, and its
// aggregate per country.
func modelRows(model map[int]customer) (mirror, perCountry []string) {
	type agg struct{ n, total, low, high int }
	groups := map[string]*agg{}
	for _, c := range model {
		mirror = append(mirror, fmt.Sprintf("id=%d name=%s country=%s credit=%d", c.id, c.name, c.country, c.credit))
		g := groups[c.country]
		if g == nil {
			g = &agg{low: c.credit, high: c.credit}
			groups[c.country] = g
		}
		g.n++
		g.total += c.credit
		g.low, g.high = min(g.low, c.credit), max(g.high, c.credit)
	}
	for k, g := range groups {
		perCountry = append(perCountry, fmt.Sprintf("country=%s n=%d total=%d low=%d high=%d", k, g.n, g.total, g.low, g.high))
	}
	sort.Strings(mirror)
	sort.Strings(perCountry)
	return mirror, perCountry
}

// randomChanges makes a random sequence of inserts, updates (also of the
// country, which moves a customer between groups) and deletes on a model
// table, as Debezium events, and returns the final model.
func randomChanges(rng *rand.Rand, n int) ([]string, map[int]customer) {
	model := map[int]customer{}
	var events []string
	countries := []string{"FR", "DE", "ES", "IT", "PT"}
	for i := 0; i < n; i++ {
		id := 1 + rng.Intn(40)
		full, schemas := rng.Intn(2) == 0, rng.Intn(3) == 0
		old, exists := model[id]
		switch {
		case !exists:
			c := customer{id, fmt.Sprintf("c%d_%d", id, i), countries[rng.Intn(len(countries))], rng.Intn(1000)}
			op := "c"
			if i < 20 {
				op = "r" // the snapshot
			}
			model[id] = c
			events = append(events, debeziumEvent(op, nil, &c, full, schemas))
		case rng.Intn(4) == 0:
			delete(model, id)
			events = append(events, debeziumEvent("d", &old, nil, full, schemas), "") // and its tombstone
		default:
			c := old
			c.credit = rng.Intn(1000)
			if rng.Intn(3) == 0 {
				c.country = countries[rng.Intn(len(countries))]
			}
			model[id] = c
			events = append(events, debeziumEvent("u", &old, &c, full, schemas))
		}
	}
	return events, model
}

// TestDebeziumChangelogMirrorsTheTable: a random sequence of Debezium
// events (both replica identities, schemas on and off, tombstones after
// deletes) leaves a mirror equal to the model table, and a running
// COUNT/SUM/MIN/MAX per country equal to the model's, for small and large
// micro-batches.
func TestDebeziumChangelogMirrorsTheTable(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	events, model := randomChanges(rng, 600)
	wantMirror, wantAgg := modelRows(model)
	for _, maxBatch := range []int{7, 100000} {
		t.Run(fmt.Sprintf("max_batch=%d", maxBatch), func(t *testing.T) {
			x := newEnv(t)
			x.produceChanges("pg.public.customers", events)
			lake := t.TempDir()
			sql := fmt.Sprintf(changelogSources, maxBatch) + `CREATE TABLE customers_lake (id BIGINT, name VARCHAR, country VARCHAR, credit BIGINT, PRIMARY KEY (id))
  WITH (connector = 'delta', path = '` + lake + `');
INSERT INTO customers_lake SELECT id, name, country, credit FROM customers_cdc;
`
			dsn, pgTable := pgMirror(t)
			if dsn != "" {
				sql += `CREATE TABLE customers_pg (id BIGINT, name VARCHAR, country VARCHAR, credit BIGINT, PRIMARY KEY (id))
  WITH (connector = 'postgres', dsn = '` + dsn + `', table = '` + pgTable + `');
INSERT INTO customers_pg SELECT id, name, country, credit FROM customers_cdc;
`
			}
			x.exec(sql)
			x.wait()
			expectLines(t, x.rows("SELECT * FROM customers"), wantMirror)
			expectLines(t, x.rows("SELECT * FROM per_country"), wantAgg)
			expectLines(t, deltaRows(t, lake), wantMirror)
			if dsn != "" {
				expectLines(t, pgRows(t, dsn, "SELECT id, name, country, credit FROM "+pgTable), wantMirror)
			}
		})
	}
}

// pgMirror is the PostgreSQL server of the tests and a table name of this
// test's own, dropped afterwards; no server: "" (CI always has one).
func pgMirror(t *testing.T) (dsn, table string) {
	dsn = os.Getenv("TIDE_TEST_PG_DSN")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI runs with PostgreSQL: TIDE_TEST_PG_DSN is not set")
		}
		t.Log("no TIDE_TEST_PG_DSN: the PostgreSQL mirror is not checked")
		return "", ""
	}
	table = fmt.Sprintf("mirror_%d", rand.Int63())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, dsn); err == nil {
			conn.Exec(ctx, "DROP TABLE IF EXISTS "+table)
			conn.Close(ctx)
		}
	})
	return dsn, table
}

// pgRows runs a query and prints its rows as the sink rows print.
func pgRows(t *testing.T, dsn, query string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	names := rows.FieldDescriptions()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for i, v := range vals {
			parts = append(parts, fmt.Sprintf("%s=%v", names[i].Name, v))
		}
		out = append(out, strings.Join(parts, " "))
	}
	sort.Strings(out)
	return out
}

// produceChanges writes events keyed by their row's id to one partition
// (Debezium keys by the primary key, so one key's events stay in order);
// "" is a tombstone for the key of the event before it.
func (x *env) produceChanges(topic string, events []string) {
	x.t.Helper()
	var lines, keys []string
	for i, e := range events {
		lines = append(lines, e)
		keys = append(keys, keyOf(events, i))
	}
	x.produceKeyed(topic, keys, lines)
}

// keyOf is the message key of event i: {"id": N}.
func keyOf(events []string, i int) string {
	e := events[i]
	if e == "" {
		e = events[i-1]
	}
	at := strings.Index(e, `"id": `)
	if strings.Contains(e, `"op": "d"`) || strings.Contains(e, `"op":"d"`) {
		at = strings.Index(e, `"before": {"id": `) + len(`"before": {`)
	}
	if at < 0 {
		return `{"id": 0}` // a malformed event
	}
	rest := e[at+len(`"id": `):]
	return `{"id": ` + rest[:strings.IndexAny(rest, ",}")] + `}`
}

// produceKeyed writes values with their keys, partitioned by key hash as
// Kafka producers do; an empty value is written as a tombstone (null).
func (x *env) produceKeyed(topic string, keys, values []string) {
	x.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(x.broker.Addr()), kgo.DefaultProduceTopic(topic), kgo.AllowAutoTopicCreation())
	if err != nil {
		x.t.Fatal(err)
	}
	defer cl.Close()
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		recs[i] = &kgo.Record{Key: []byte(keys[i])}
		if v != "" {
			recs[i].Value = []byte(v)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		x.t.Fatal(err)
	}
}

// TestUpsertTopicKeepsTheLastValuePerKey: keyed JSON with repeated keys
// and tombstones (mode = 'upsert', Flink's upsert-kafka) leaves the last
// value of every key, deleted keys absent, and a count per group that
// follows the updates.
func TestUpsertTopicKeepsTheLastValuePerKey(t *testing.T) {
	for _, plain := range []bool{false, true} {
		t.Run(fmt.Sprintf("plain_keys=%v", plain), func(t *testing.T) { testUpsertTopic(t, plain) })
	}
}

// testUpsertTopic runs the upsert test with keys that are JSON objects, or
// the key's value alone.
func testUpsertTopic(t *testing.T, plain bool) {
	rng := rand.New(rand.NewSource(17))
	keyOf := func(k string) string {
		if plain {
			return k
		}
		return fmt.Sprintf(`{"order_id": "%s"}`, k)
	}
	model := map[string][2]string{} // key → status, region
	var keys, values []string
	for i := 0; i < 500; i++ {
		k := fmt.Sprintf("o%d", rng.Intn(60))
		if _, ok := model[k]; ok && rng.Intn(5) == 0 {
			delete(model, k)
			keys, values = append(keys, keyOf(k)), append(values, "") // a tombstone
			continue
		}
		v := [2]string{[]string{"NEW", "PAID", "SHIPPED"}[rng.Intn(3)], []string{"eu", "us"}[rng.Intn(2)]}
		model[k] = v
		keys = append(keys, keyOf(k))
		values = append(values, fmt.Sprintf(`{"order_id": "%s", "status": "%s", "region": "%s"}`, k, v[0], v[1]))
	}
	var want []string
	counts := map[string]int{}
	for k, v := range model {
		want = append(want, fmt.Sprintf("order_id=%s status=%s region=%s", k, v[0], v[1]))
		counts[v[0]]++
	}
	var wantCounts []string
	for s, n := range counts {
		wantCounts = append(wantCounts, fmt.Sprintf("status=%s n=%d", s, n))
	}
	sort.Strings(want)
	sort.Strings(wantCounts)
	x := newEnv(t)
	x.produceKeyed("orders_latest", keys, values)
	x.exec(`CREATE SOURCE orders (order_id VARCHAR, status VARCHAR, region VARCHAR, PRIMARY KEY (order_id))
  WITH (connector = 'kafka', topic = 'orders_latest', mode = 'upsert', stop = 'latest', max_batch = '23');
CREATE TABLE latest (order_id VARCHAR, status VARCHAR, region VARCHAR, PRIMARY KEY (order_id));
CREATE TABLE by_status (status VARCHAR, n BIGINT, PRIMARY KEY (status));
INSERT INTO latest SELECT * FROM orders;
INSERT INTO by_status SELECT status, COUNT(*) FROM orders GROUP BY status;`)
	x.wait()
	expectLines(t, x.rows("SELECT * FROM latest"), want)
	expectLines(t, x.rows("SELECT * FROM by_status"), wantCounts)
}

// TestBadChangesAreCountedNotFatal: an event without op, an unknown op, an
// update without its after image and a delete of a key never seen are
// bad records or harmless; the good changes still apply.
func TestBadChangesAreCountedNotFatal(t *testing.T) {
	x := newEnv(t)
	a := customer{1, "Ann", "FR", 10}
	b := customer{2, "Bob", "DE", 20}
	ghost := customer{9, "Gus", "IT", 1}
	events := []string{
		debeziumEvent("c", nil, &a, false, false),
		`{"before": null, "after": {"id": 3, "name": "x", "country": "ES", "credit": 1}, "ts_ms": 1}`, // no op
		`{"before": null, "after": null, "op": "u", "ts_ms": 1}`,                                      // no after image
		`{"before": null, "after": {"id": 4}, "op": "x", "ts_ms": 1}`,                                 // unknown op
		`not json`,
		debeziumEvent("d", &ghost, nil, false, false), // a key never seen: harmless
		debeziumEvent("c", nil, &b, false, true),
	}
	x.produceChanges("pg.public.customers", events)
	x.exec(strings.Replace(fmt.Sprintf(changelogSources, 100), "max_batch = '100')", "max_batch = '100', on_error = 'skip')", 1))
	x.wait()
	if p := x.progress("customers"); p.BadRecords != 4 {
		t.Fatalf("%d bad records, want 4", p.BadRecords)
	}
	expectLines(t, x.rows("SELECT * FROM customers"), []string{"id=1 name=Ann country=FR credit=10", "id=2 name=Bob country=DE credit=20"})
	// A changelog into a table without a primary key is refused at plan time.
	_, err := x.tryExec("CREATE TABLE log (id BIGINT, name VARCHAR); INSERT INTO log SELECT id, name FROM customers_cdc;")
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("a changelog into an append table: %v, want an append-only error", err)
	}
	_, err = x.tryExec("CREATE SOURCE plain (id BIGINT, PRIMARY KEY (id)) WITH (connector = 'kafka', topic = 'plain');")
	if err == nil || !strings.Contains(err.Error(), "reads rows, not changes") {
		t.Fatalf("a PRIMARY KEY on a json source: %v", err)
	}
}

// TestUnwrappedDebeziumTopicAsUpserts: the course's Debezium configuration
// (ExtractNewRecordState, tombstones kept, the JSON converter's schema
// wrapping on keys and values) read with mode = 'upsert': the table ends
// as the database's; a rewrite-mode delete ("__deleted": "true") deletes too.
func TestUnwrappedDebeziumTopicAsUpserts(t *testing.T) {
	wrap := func(payload string) string {
		return `{"schema": {"type": "struct", "optional": false, "fields": []}, "payload": ` + payload + `}`
	}
	key := func(id int) string { return wrap(fmt.Sprintf(`{"id": %d}`, id)) }
	row := func(id int, name, country string) string {
		return wrap(fmt.Sprintf(`{"id": %d, "name": "%s", "country": "%s", "__deleted": "false"}`, id, name, country))
	}
	keys := []string{key(1), key(2), key(3), key(2), key(1), key(1), key(3)}
	values := []string{row(1, "Ann", "FR"), row(2, "Bob", "DE"), row(3, "Cid", "ES"), row(2, "Bob", "AT"),
		wrap(`{"id": 1, "name": "Ann", "country": "FR", "__deleted": "true"}`), "", ""}
	x := newEnv(t)
	x.produceKeyed("dbserver1.public.customers", keys, values)
	x.exec(`CREATE SOURCE customers_rows (id BIGINT, name VARCHAR, country VARCHAR, PRIMARY KEY (id))
  WITH (connector = 'kafka', topic = 'dbserver1.public.customers', mode = 'upsert', stop = 'latest');
CREATE TABLE customers (id BIGINT, name VARCHAR, country VARCHAR, PRIMARY KEY (id));
INSERT INTO customers SELECT * FROM customers_rows;`)
	x.wait()
	expectLines(t, x.rows("SELECT * FROM customers"), []string{"id=2 name=Bob country=AT"})
}

// TestChangelogIntoKafkaWritesTombstones: a changelog written to a Kafka
// table with a primary key ends with the current row of every key, and a
// tombstone for each deleted one; read as an upsert topic again, it gives
// the source's table back.
func TestChangelogIntoKafkaWritesTombstones(t *testing.T) {
	rng := rand.New(rand.NewSource(29))
	events, model := randomChanges(rng, 200)
	wantMirror, _ := modelRows(model)
	x := newEnv(t)
	x.produceChanges("pg.public.customers", events)
	x.exec(fmt.Sprintf(changelogSources, 50) + `CREATE TABLE customers_out (id BIGINT, name VARCHAR, country VARCHAR, credit BIGINT, PRIMARY KEY (id))
  WITH (connector = 'kafka', topic = 'customers_out');
INSERT INTO customers_out SELECT id, name, country, credit FROM customers_cdc;`)
	x.wait()
	last := map[string]string{} // key → last value ("" for a tombstone)
	for _, r := range topicRowsInOrder(t, x, "customers_out") {
		last[r[0]] = r[1]
	}
	tombstones := 0
	for _, v := range last {
		if v == "" {
			tombstones++
		}
	}
	if tombstones == 0 || len(last)-tombstones != len(model) {
		t.Fatalf("%d keys, %d of them deleted; the model holds %d rows", len(last), tombstones, len(model))
	}
	x.exec(`CREATE SOURCE again (id BIGINT, name VARCHAR, country VARCHAR, credit BIGINT, PRIMARY KEY (id))
  WITH (connector = 'kafka', topic = 'customers_out', mode = 'upsert', stop = 'latest');
CREATE TABLE again_table (id BIGINT, name VARCHAR, country VARCHAR, credit BIGINT, PRIMARY KEY (id));
INSERT INTO again_table SELECT * FROM again;`)
	x.wait()
	expectLines(t, x.rows("SELECT * FROM again_table"), wantMirror)
}

// topicRowsInOrder reads a topic's committed records as key and value, in
// offset order within each partition (a key stays in one partition).
func topicRowsInOrder(t *testing.T, x *env, topic string) [][2]string {
	cl, err := kgo.NewClient(kgo.SeedBrokers(x.broker.Addr()), kgo.ConsumeTopics(topic),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var rows [][2]string
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			break
		}
		fs.EachRecord(func(r *kgo.Record) { rows = append(rows, [2]string{string(r.Key), string(r.Value)}) })
	}
	return rows
}

// TestLookupJoinSeesATableKeptFromAChangelog: orders enriched from a
// memory table that a Debezium changelog keeps up to date see each
// customer's row as of the epoch they arrive in: renamed, then deleted.
func TestLookupJoinSeesATableKeptFromAChangelog(t *testing.T) {
	x := newEnv(t)
	for _, topic := range []string{"pg.public.customers", "orders"} {
		if err := x.broker.CreateTopic(topic, 1); err != nil {
			t.Fatal(err)
		}
	}
	x.exec(strings.ReplaceAll(fmt.Sprintf(changelogSources, 100), "stop = 'latest', ", "") + `CREATE SOURCE orders (order_id VARCHAR, customer BIGINT)
  WITH (connector = 'kafka', topic = 'orders');
CREATE TABLE enriched (order_id VARCHAR, name VARCHAR);
INSERT INTO enriched SELECT o.order_id, c.name FROM orders o LEFT JOIN customers c ON o.customer = c.id;`)
	ann := customer{1, "Ann", "FR", 10}
	renamed := customer{1, "Anne", "FR", 10}
	// Each order goes in once the table shows the change before it.
	step := func(change, table, order string, wantRows int) {
		x.produceChanges("pg.public.customers", []string{change})
		waitFor(t, func() bool { return strings.Join(x.rows("SELECT * FROM customers"), ";") == table })
		x.produce("orders", order)
		waitFor(t, func() bool { return len(x.rows("SELECT * FROM enriched")) >= wantRows })
	}
	step(debeziumEvent("c", nil, &ann, false, false), "id=1 name=Ann country=FR credit=10", `{"order_id": "o1", "customer": 1}`, 1)
	step(debeziumEvent("u", &ann, &renamed, false, false), "id=1 name=Anne country=FR credit=10", `{"order_id": "o2", "customer": 1}`, 2)
	step(debeziumEvent("d", &renamed, nil, false, false), "", `{"order_id": "o3", "customer": 1}`, 3)
	expectLines(t, x.rows("SELECT * FROM enriched"), []string{"order_id=o1 name=Ann", "order_id=o2 name=Anne", "order_id=o3 name=NULL"})
}
