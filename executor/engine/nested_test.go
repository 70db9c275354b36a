package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/jackc/pgx/v5"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/parser"
)

// order is one generated order; its JSON is what the producer writes, the
// expected results are computed from these fields in Go.
type nestedOrder struct {
	ID       int64             `json:"id"`
	Customer *orderCustomer    `json:"customer"`
	Items    []*orderItem      `json:"items"`
	Tags     []*string         `json:"tags"`
	Attrs    map[string]*int64 `json:"attrs"`
	TS       time.Time         `json:"ts"`
}

type orderCustomer struct {
	Name    string `json:"name"`
	Address struct {
		City string `json:"city"`
	} `json:"address"`
}

type orderItem struct {
	SKU   string  `json:"sku"`
	Qty   int64   `json:"qty"`
	Price float64 `json:"price"`
}

const ordersDDL = `CREATE SOURCE orders (
  id BIGINT,
  customer ROW<name VARCHAR, address ROW<city VARCHAR>>,
  items ARRAY<ROW<sku VARCHAR, qty BIGINT, price DOUBLE>>,
  tags ARRAY<VARCHAR>,
  attrs MAP<VARCHAR, BIGINT>,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 5 SECOND
) WITH (connector = 'kafka', topic = 'orders', stop = 'latest', on_error = 'skip');
`

// makeOrders generates n orders over about n seconds: customers, items and
// tags present or absent, NULL elements, empty arrays and maps.
func makeOrders(rng *rand.Rand, n int, base time.Time) []nestedOrder {
	cities := []string{"Lyon", "Paris", "Nantes"}
	var out []nestedOrder
	for i := 0; i < n; i++ {
		o := nestedOrder{ID: int64(i), TS: base.Add(time.Duration(i)*time.Second - time.Duration(rng.Intn(3000))*time.Millisecond)}
		if rng.Intn(5) > 0 {
			o.Customer = &orderCustomer{Name: fmt.Sprintf("c%d", rng.Intn(7))}
			o.Customer.Address.City = cities[rng.Intn(len(cities))]
		}
		for k := rng.Intn(4); k > 0; k-- {
			if rng.Intn(8) == 0 {
				o.Items = append(o.Items, nil)
				continue
			}
			o.Items = append(o.Items, &orderItem{SKU: fmt.Sprintf("sku%d", rng.Intn(5)), Qty: int64(1 + rng.Intn(3)), Price: float64(rng.Intn(1000)) / 4})
		}
		if rng.Intn(6) > 0 {
			o.Tags = []*string{}
			for k := rng.Intn(3); k > 0; k-- {
				s := fmt.Sprintf("t%d", rng.Intn(4))
				o.Tags = append(o.Tags, &s)
			}
		}
		if rng.Intn(3) > 0 {
			o.Attrs = map[string]*int64{}
			for _, k := range []string{"clicks", "views"} {
				if rng.Intn(2) == 0 {
					v := int64(rng.Intn(100))
					o.Attrs[k] = &v
				}
			}
		}
		out = append(out, o)
	}
	return out
}

func nestedOrderLines(t *testing.T, orders []nestedOrder) []string {
	var lines []string
	for _, o := range orders {
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	return lines
}

func nullable[T any](ok bool, v T) string {
	if !ok {
		return "NULL"
	}
	return fmt.Sprint(v)
}

// TestNestedFieldsElementsAndMapsFromJSON: field access, element access,
// map access and CARDINALITY over JSON orders, and the nested columns
// themselves, equal what Go computes from the generated orders.
func TestNestedFieldsElementsAndMapsFromJSON(t *testing.T) {
	x := newEnv(t)
	orders := makeOrders(rand.New(rand.NewSource(11)), 300, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	x.produce("orders", nestedOrderLines(t, orders)...)
	x.exec(ordersDDL + `
CREATE TABLE flat (id BIGINT, name VARCHAR, city VARCHAR, first_sku VARCHAR, second_qty BIGINT, last_tag VARCHAR,
  clicks BIGINT, n_items BIGINT, n_attrs BIGINT, customer ROW<name VARCHAR, address ROW<city VARCHAR>>, tags ARRAY<VARCHAR>);
INSERT INTO flat SELECT id, o.customer.name, customer.address.city, items[1].sku, o.items[2].qty,
  tags[CARDINALITY(tags)], attrs['clicks'], CARDINALITY(items), CARDINALITY(attrs), customer, tags
FROM orders o;`)
	x.wait()
	var want []string
	for _, o := range orders {
		c := o.Customer
		it := func(i int) *orderItem {
			if i < len(o.Items) {
				return o.Items[i]
			}
			return nil
		}
		var lastTag *string
		if len(o.Tags) > 0 {
			lastTag = o.Tags[len(o.Tags)-1]
		}
		clicks := "NULL"
		if v := o.Attrs["clicks"]; v != nil {
			clicks = fmt.Sprint(*v)
		}
		nItems := nullable(o.Items != nil, len(o.Items))
		nAttrs := nullable(o.Attrs != nil, len(o.Attrs))
		custJSON, tagsJSON := "NULL", "NULL"
		if c != nil {
			custJSON = fmt.Sprintf(`{"name":%q,"address":{"city":%q}}`, c.Name, c.Address.City)
		}
		if o.Tags != nil {
			b, _ := json.Marshal(o.Tags)
			tagsJSON = string(b)
		}
		name, city, firstSKU, secondQty, last := "NULL", "NULL", "NULL", "NULL", "NULL"
		if c != nil {
			name, city = c.Name, c.Address.City
		}
		if it(0) != nil {
			firstSKU = it(0).SKU
		}
		if it(1) != nil {
			secondQty = fmt.Sprint(it(1).Qty)
		}
		if lastTag != nil {
			last = *lastTag
		}
		want = append(want, fmt.Sprintf("id=%d name=%s city=%s first_sku=%s second_qty=%s last_tag=%s clicks=%s n_items=%s n_attrs=%s customer=%s tags=%s",
			o.ID, name, city, firstSKU, secondQty, last, clicks, nItems, nAttrs, custJSON, tagsJSON))
	}
	expectLines(t, x.rows("SELECT * FROM flat"), want)
}

// TestUnnestOfAStreamFeedsAWindowedAggregate: CROSS JOIN UNNEST gives one
// row per item (none for orders without items), the rows' own columns
// repeated; a tumbling window sums them per SKU, as one task and as three
// (the rows, nested columns too, exchanged between tasks by the SKU). Go
// computes the same.
func TestUnnestOfAStreamFeedsAWindowedAggregate(t *testing.T) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	orders := makeOrders(rand.New(rand.NewSource(12)), 400, base)
	type agg struct {
		n, qty, tagged int64
		rev            float64
	}
	groups := map[string]*agg{}
	var tags []string
	for _, o := range orders {
		for _, it := range o.Items {
			sku, qty, price := "NULL", int64(0), 0.0
			if it != nil {
				sku, qty, price = it.SKU, it.Qty, it.Price
			}
			k := fmt.Sprintf("window_start=%s sku=%s", o.TS.Truncate(time.Minute).Format("2006-01-02 15:04:05.000"), sku)
			if groups[k] == nil {
				groups[k] = &agg{}
			}
			g := groups[k]
			g.n++
			if o.Tags != nil {
				g.tagged++
			}
			if it != nil {
				g.qty += qty
				g.rev += float64(qty) * price
			}
		}
		if len(o.Tags) == 0 {
			tags = append(tags, fmt.Sprintf("id=%d tag=NULL pos=NULL", o.ID))
		}
		for i, tag := range o.Tags {
			tags = append(tags, fmt.Sprintf("id=%d tag=%s pos=%d", o.ID, *tag, i+1))
		}
	}
	var want []string
	for k, g := range groups {
		qty, rev := fmt.Sprint(g.qty), fmt.Sprint(strconvG(g.rev))
		if g.qty == 0 && strings.Contains(k, "sku=NULL") {
			qty, rev = "NULL", "NULL"
		}
		want = append(want, fmt.Sprintf("%s n=%d qty=%s revenue=%s tagged=%d", k, g.n, qty, rev, g.tagged))
	}
	for _, tasks := range []int{1, 3} {
		t.Run(fmt.Sprintf("parallelism=%d", tasks), func(t *testing.T) {
			x := newEnv(t)
			x.produce("orders", nestedOrderLines(t, orders)...)
			x.exec(fmt.Sprintf("SET parallelism = %d;\n", tasks) + ordersDDL + `
CREATE TABLE sku_minutes (window_start TIMESTAMP(3), sku VARCHAR, n BIGINT, qty BIGINT, revenue DOUBLE, tagged BIGINT);
INSERT INTO sku_minutes
SELECT window_start, i.sku, COUNT(*) AS n, SUM(i.qty) AS qty, SUM(i.qty * i.price) AS revenue, COUNT(o.tags) AS tagged
FROM orders o CROSS JOIN UNNEST(o.items) AS i
GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), i.sku;
CREATE TABLE tag_rows (id BIGINT, tag VARCHAR, pos BIGINT);
INSERT INTO tag_rows SELECT id, tag, pos FROM orders LEFT JOIN UNNEST(tags) WITH ORDINALITY AS t (tag, pos) ON TRUE;`)
			x.wait()
			expectLines(t, x.rows("SELECT * FROM sku_minutes"), want)
			expectLines(t, x.rows("SELECT * FROM tag_rows"), tags)
			if tasks > 1 { // it did run as tasks: its checkpoint says so
				_, err := x.tryExec(`SET parallelism = 1;
INSERT INTO sku_minutes
SELECT window_start, i.sku, COUNT(*) AS n, SUM(i.qty) AS qty, SUM(i.qty * i.price) AS revenue, COUNT(o.tags) AS tagged
FROM orders o CROSS JOIN UNNEST(o.items) AS i
GROUP BY TUMBLE(ts, INTERVAL 1 MINUTE), i.sku;`)
				if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("checkpointed running as %d tasks", tasks)) {
					t.Fatalf("resuming as one task: %v, want a refusal naming %d tasks", err, tasks)
				}
			}
		})
	}
}

func strconvG(f float64) string { return strconv.FormatFloat(f, 'g', 10, 64) }

// TestNestedValuesOfTheWrongShapeAreBadRecords: a nested value that does
// not fit its type is a bad record whose reason names the path to it.
func TestNestedValuesOfTheWrongShapeAreBadRecords(t *testing.T) {
	x := newEnv(t)
	x.produceValues("shapes",
		[]byte(`{"id": 1, "items": [{"sku": "a", "qty": 1}], "attrs": {"k": 1}}`),
		[]byte(`{"id": 2, "items": [{"sku": "b", "qty": 1}, {"sku": "c", "qty": "many"}]}`),
		[]byte(`{"id": 3, "items": {"sku": "d"}}`),
		[]byte(`{"id": 4, "attrs": {"k": [1]}}`),
		[]byte(`{"id": 5, "customer": {"name": "e", "address": "somewhere"}}`),
		[]byte(`{"id": 6, "items": [], "attrs": {}}`))
	x.exec(`CREATE TABLE dead (topic VARCHAR, ` + "`partition`" + ` BIGINT, ` + "`offset`" + ` BIGINT, value VARCHAR, error VARCHAR, kafka_timestamp TIMESTAMP(3));
CREATE SOURCE shapes (id BIGINT, customer ROW<name VARCHAR, address ROW<city VARCHAR>>,
  items ARRAY<ROW<sku VARCHAR, qty BIGINT>>, attrs MAP<VARCHAR, BIGINT>)
WITH (connector = 'kafka', topic = 'shapes', stop = 'latest', on_error = 'table:dead');
CREATE TABLE ok (id BIGINT, n BIGINT); INSERT INTO ok SELECT id, CARDINALITY(items) AS n FROM shapes;`)
	x.wait()
	expectLines(t, x.rows("SELECT * FROM ok"), []string{"id=1 n=1", "id=6 n=0"})
	got := x.rows("SELECT `offset`, error FROM dead")
	expectLines(t, got, []string{
		`offset=1 error=field "items[2].qty": expected an integer, got string "many"`,
		`offset=2 error=field "items": expected an array, got object`,
		`offset=3 error=field "attrs['k']": expected an integer, got array`,
		`offset=4 error=field "customer.address": expected an object (a ROW), got string "somewhere"`,
	})
}

// TestNestedSQLErrorsPointAtTheExpression: unknown fields, indexing what
// is not an array and misplaced UNNEST are SQL errors with a position.
func TestNestedSQLErrorsPointAtTheExpression(t *testing.T) {
	x := newEnv(t)
	x.exec(`CREATE SOURCE s (id BIGINT, r ROW<a BIGINT>, tags ARRAY<VARCHAR>) WITH (connector = 'kafka', topic = 's');`)
	for _, c := range []struct{ sql, want string }{
		{"SELECT r.x FROM s;", "line 1, column 8: unknown field x of ROW<a BIGINT>"},
		{"SELECT id,\n  id[1] FROM s;", "line 2, column 3: cannot index id: BIGINT is not an ARRAY or a MAP"},
		{"SELECT tags[1 FROM s;", "line 1, column 12: expected ']' to close '['"},
		{"SELECT * FROM s CROSS JOIN UNNEST(id) AS t (x);", "line 1, column 28: UNNEST takes an ARRAY or a MAP, id is BIGINT"},
		{"SELECT COUNT(*) FROM s GROUP BY tags;", "line 1, column 33: cannot group by tags (ARRAY<VARCHAR>): nested values are not compared"},
		{"CREATE SOURCE t (m MAP<BIGINT, VARCHAR>) WITH (connector = 'kafka', topic = 't');", "line 1, column 24: MAP keys must be VARCHAR, not BIGINT"},
	} {
		_, err := x.tryExec(c.sql)
		var pe *parser.Error
		if !errors.As(err, &pe) || !strings.Contains(pe.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.sql, err, c.want)
		}
	}
}

// TestNestedColumnsShowInDescribeAndSurviveARestart: DESCRIBE prints the
// declared nested types; after a restart the catalog still has them and a
// query over them plans.
func TestNestedColumnsShowInDescribeAndSurviveARestart(t *testing.T) {
	x := newEnv(t)
	x.exec(ordersDDL)
	describe := func() string {
		var b strings.Builder
		res := x.exec("DESCRIBE orders;")
		for _, r := range res {
			b.WriteString(r.Text)
			for _, rec := range r.Records {
				for i := 0; i < int(rec.NumRows()); i++ {
					b.WriteString(fmt.Sprint(executor.Value(rec.Column(0), i), " ", executor.Value(rec.Column(1), i), "\n"))
				}
			}
			r.Release()
		}
		return b.String()
	}
	before := describe()
	for _, want := range []string{"customer ROW<name VARCHAR, address ROW<city VARCHAR>>", "items ARRAY<ROW<sku VARCHAR, qty BIGINT, price DOUBLE>>", "attrs MAP<VARCHAR, BIGINT>"} {
		if !strings.Contains(before, want) {
			t.Fatalf("DESCRIBE does not show %q:\n%s", want, before)
		}
	}
	x.e.Close()
	x.open()
	if after := describe(); after != before {
		t.Fatalf("after a restart DESCRIBE shows\n%s\nbefore\n%s", after, before)
	}
	x.exec("EXPLAIN SELECT customer.address.city, items[1].sku FROM orders;")
}

// TestNestedColumnsIntoDeltaAndParquetReadBack: the orders' nested columns
// (and a ROW built from UNNEST's rows) written by queries into a Delta
// table and a Parquet directory read back, by SELECT, as the rows Go
// expects; the data files' Parquet schemas give back the declared types.
func TestNestedColumnsIntoDeltaAndParquetReadBack(t *testing.T) {
	x := newEnv(t)
	orders := makeOrders(rand.New(rand.NewSource(13)), 200, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	x.produce("orders", nestedOrderLines(t, orders)...)
	deltaDir, parquetDir := filepath.Join(x.dir, "delta_orders"), filepath.Join(x.dir, "parquet_orders")
	cols := `id BIGINT, customer ROW<name VARCHAR, address ROW<city VARCHAR>>,
  items ARRAY<ROW<sku VARCHAR, qty BIGINT, price DOUBLE>>, tags ARRAY<VARCHAR>, attrs MAP<VARCHAR, BIGINT>`
	x.exec(ordersDDL + fmt.Sprintf(`
CREATE TABLE delta_orders (%[1]s, PRIMARY KEY (id)) WITH (connector = 'delta', path = '%[2]s');
CREATE TABLE parquet_orders (%[1]s) WITH (connector = 'parquet', path = '%[3]s');
INSERT INTO delta_orders SELECT id, customer, items, tags, attrs FROM orders;
INSERT INTO parquet_orders SELECT id, customer, items, tags, attrs FROM orders;`, cols, deltaDir, parquetDir))
	x.wait()
	var want []string
	for _, o := range orders {
		js := func(v any) string {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) == "null" {
				return "NULL"
			}
			return string(b)
		}
		var attrs any
		if o.Attrs != nil {
			// Go's encoding/json sorts map keys; the map keeps the
			// message's order, which is the same here.
			attrs = o.Attrs
		}
		var items any
		if o.Items != nil {
			items = o.Items
		}
		var cust any
		if o.Customer != nil {
			cust = o.Customer
		}
		want = append(want, fmt.Sprintf("id=%d customer=%s items=%s tags=%s attrs=%s", o.ID, js(cust), js(items), js(o.Tags), js(attrs)))
	}
	expectLines(t, x.rows("SELECT * FROM delta_orders"), want)
	expectLines(t, x.rows("SELECT * FROM parquet_orders"), want)
	// A query over the table reads the nested values back as values.
	var cities []string
	for _, o := range orders {
		if o.Customer != nil && len(o.Items) > 0 && o.Items[0] != nil {
			cities = append(cities, fmt.Sprintf("city=%s sku=%s", o.Customer.Address.City, o.Items[0].SKU))
		}
	}
	expectLines(t, x.rows("SELECT customer.address.city AS city, items[1].sku AS sku FROM delta_orders WHERE items[1] IS NOT NULL AND customer IS NOT NULL"), cities)

	declared, err := x.e.Catalog().Get("delta_orders")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{deltaDir, parquetDir} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.parquet"))
		if len(files) == 0 {
			t.Fatalf("no data files in %s", dir)
		}
		for _, f := range files {
			pr, err := file.OpenParquetFile(f, false)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := pqarrow.FromParquet(pr.MetaData().Schema, &pqarrow.ArrowReadProperties{}, nil)
			pr.Close()
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range declared.Columns {
				if !arrow.TypeEqual(sc.Field(i).Type, c.Type) {
					t.Fatalf("%s: column %s is %s in the Parquet schema, declared %s", f, c.Name, sc.Field(i).Type, c.SQLType)
				}
			}
		}
	}
}

// TestNestedColumnsIntoKafkaAsNestedJSON: the Kafka sink writes nested
// columns as nested JSON (objects and arrays, not strings), which any JSON
// reader decodes to the orders' values, and which tide reads back into
// the same nested columns.
func TestNestedColumnsIntoKafkaAsNestedJSON(t *testing.T) {
	x := newEnv(t)
	orders := makeOrders(rand.New(rand.NewSource(14)), 150, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	x.produce("orders", nestedOrderLines(t, orders)...)
	cols := `id BIGINT, customer ROW<name VARCHAR, address ROW<city VARCHAR>>,
  items ARRAY<ROW<sku VARCHAR, qty BIGINT, price DOUBLE>>, tags ARRAY<VARCHAR>, attrs MAP<VARCHAR, BIGINT>`
	x.exec(ordersDDL + fmt.Sprintf(`
CREATE TABLE nested_out (%[1]s) WITH (connector = 'kafka', topic = 'nested_out');
INSERT INTO nested_out SELECT id, customer, items, tags, attrs FROM orders;`, cols))
	x.wait()
	generic := func(v any) any {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var out any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := map[float64]any{}
	for _, o := range orders {
		want[float64(o.ID)] = generic(map[string]any{"id": o.ID, "customer": o.Customer, "items": o.Items, "tags": o.Tags, "attrs": o.Attrs})
	}
	got := topicRows(t, x, "nested_out")
	if len(got) != len(orders) {
		t.Fatalf("%d records, want %d", len(got), len(orders))
	}
	for _, r := range got {
		var v map[string]any
		if err := json.Unmarshal([]byte(strings.TrimPrefix(r, " => ")), &v); err != nil {
			t.Fatalf("record %s: %v", r, err)
		}
		if w := want[v["id"].(float64)]; !reflect.DeepEqual(v, w) {
			t.Fatalf("record %s\nwant %v", r, w)
		}
	}
	x.exec(fmt.Sprintf(`CREATE SOURCE again (%s) WITH (connector = 'kafka', topic = 'nested_out', stop = 'latest');
CREATE TABLE from_kafka (%[1]s); INSERT INTO from_kafka SELECT * FROM again;
CREATE TABLE from_orders (%[1]s); INSERT INTO from_orders SELECT id, customer, items, tags, attrs FROM orders;`, cols))
	x.wait()
	expectLines(t, x.rows("SELECT * FROM from_kafka"), x.rows("SELECT * FROM from_orders"))
}

// TestNestedColumnsIntoPostgreSQLAsJSONB: a query writes the orders'
// nested columns into PostgreSQL, where they are jsonb that PostgreSQL's
// own operators read; SELECT over the table reads them back. It needs
// TIDE_TEST_PG_DSN (eval "$(bash .ci/pg.sh)").
func TestNestedColumnsIntoPostgreSQLAsJSONB(t *testing.T) {
	dsn := os.Getenv("TIDE_TEST_PG_DSN")
	if dsn == "" {
		t.Skip("set TIDE_TEST_PG_DSN (see .ci/pg.sh)")
	}
	x := newEnv(t)
	orders := makeOrders(rand.New(rand.NewSource(15)), 120, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	x.produce("orders", nestedOrderLines(t, orders)...)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	table := fmt.Sprintf("nested_orders_%d", time.Now().UnixNano())
	defer conn.Exec(ctx, "DROP TABLE IF EXISTS "+table)
	x.exec(ordersDDL + fmt.Sprintf(`
CREATE TABLE pg_orders (id BIGINT, customer ROW<name VARCHAR, address ROW<city VARCHAR>>,
  items ARRAY<ROW<sku VARCHAR, qty BIGINT, price DOUBLE>>, attrs MAP<VARCHAR, BIGINT>, PRIMARY KEY (id))
WITH (connector = 'postgres', dsn = '%s', table = '%s');
INSERT INTO pg_orders SELECT id, customer, items, attrs FROM orders;`, dsn, table))
	x.wait()
	rows, err := conn.Query(ctx, `SELECT id, customer #>> '{address,city}', jsonb_array_length(items), items->0->>'sku', attrs->>'clicks' FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id int64
		var city, sku, clicks *string
		var n *int32
		if err := rows.Scan(&id, &city, &n, &sku, &clicks); err != nil {
			t.Fatal(err)
		}
		str := func(p *string) string {
			if p == nil {
				return "NULL"
			}
			return *p
		}
		nn := "NULL"
		if n != nil {
			nn = fmt.Sprint(*n)
		}
		got = append(got, fmt.Sprintf("id=%d city=%s n=%s sku=%s clicks=%s", id, str(city), nn, str(sku), str(clicks)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, o := range orders {
		city, n, sku, clicks := "NULL", "NULL", "NULL", "NULL"
		if o.Customer != nil {
			city = o.Customer.Address.City
		}
		if o.Items != nil {
			n = fmt.Sprint(len(o.Items))
		}
		if len(o.Items) > 0 && o.Items[0] != nil {
			sku = o.Items[0].SKU
		}
		if v := o.Attrs["clicks"]; v != nil {
			clicks = fmt.Sprint(*v)
		}
		want = append(want, fmt.Sprintf("id=%d city=%s n=%s sku=%s clicks=%s", o.ID, city, n, sku, clicks))
	}
	sort.Strings(got)
	expectLines(t, got, want)
	x.exec(`CREATE TABLE from_orders (id BIGINT, customer ROW<name VARCHAR, address ROW<city VARCHAR>>,
  items ARRAY<ROW<sku VARCHAR, qty BIGINT, price DOUBLE>>);
INSERT INTO from_orders SELECT id, customer, items FROM orders;`)
	x.wait()
	expectLines(t, x.rows("SELECT id, customer, items FROM pg_orders"), x.rows("SELECT * FROM from_orders"))
}

// TestNestedColumnsThroughJoinsAndSorts: nested columns pass through a
// lookup join (from the table's side), an interval join of two streams
// (whose state, nested columns included, is checkpointed every epoch) and
// ORDER BY over a table.
func TestNestedColumnsThroughJoinsAndSorts(t *testing.T) {
	x := newEnv(t)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	orders := makeOrders(rand.New(rand.NewSource(16)), 120, base)
	x.produce("orders", nestedOrderLines(t, orders)...)
	var profiles, payments []string
	for id := 0; id < 7; id++ {
		profiles = append(profiles, fmt.Sprintf(`{"id": %d, "profile": {"tier": "t%d", "tags": ["a%d", null]}}`, id, id%3, id))
	}
	for _, o := range orders {
		if o.ID%4 == 0 {
			payments = append(payments, fmt.Sprintf(`{"order_id": %d, "info": {"method": "m%d", "cents": [%d, %d]}, "ts": %q}`,
				o.ID, o.ID%2, o.ID, o.ID*2, o.TS.Add(30*time.Second).Format(time.RFC3339Nano)))
		}
	}
	x.produce("profiles", profiles...)
	x.produce("payments", payments...)
	x.exec(ordersDDL + `
CREATE SOURCE profiles_in (id BIGINT, profile ROW<tier VARCHAR, tags ARRAY<VARCHAR>>) WITH (connector = 'kafka', topic = 'profiles', stop = 'latest');
CREATE TABLE profiles (id BIGINT, profile ROW<tier VARCHAR, tags ARRAY<VARCHAR>>);
INSERT INTO profiles SELECT * FROM profiles_in;`)
	x.wait()
	x.exec(`CREATE SOURCE payments (order_id BIGINT, info ROW<method VARCHAR, cents ARRAY<BIGINT>>, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL 5 SECOND) WITH (connector = 'kafka', topic = 'payments', stop = 'latest');
CREATE TABLE enriched (id BIGINT, tags ARRAY<VARCHAR>, profile ROW<tier VARCHAR, tags ARRAY<VARCHAR>>);
INSERT INTO enriched SELECT o.id, o.tags, p.profile FROM orders o LEFT JOIN profiles p ON o.id % 7 = p.id;
CREATE TABLE paid (id BIGINT, items ARRAY<ROW<sku VARCHAR, qty BIGINT, price DOUBLE>>, info ROW<method VARCHAR, cents ARRAY<BIGINT>>);
INSERT INTO paid SELECT o.id, o.items, p.info FROM orders o JOIN payments p
  ON o.id = p.order_id AND p.ts BETWEEN o.ts AND o.ts + INTERVAL 1 MINUTE;`)
	x.wait()
	js := func(v any) string {
		b, _ := json.Marshal(v)
		if string(b) == "null" {
			return "NULL"
		}
		return string(b)
	}
	var enriched, paid []string
	for _, o := range orders {
		k := o.ID % 7
		enriched = append(enriched, fmt.Sprintf(`id=%d tags=%s profile={"tier":"t%d","tags":["a%d",null]}`, o.ID, js(o.Tags), k%3, k))
		if o.ID%4 == 0 {
			paid = append(paid, fmt.Sprintf(`id=%d items=%s info={"method":"m%d","cents":[%d,%d]}`, o.ID, js(o.Items), o.ID%2, o.ID, o.ID*2))
		}
	}
	expectLines(t, x.rows("SELECT * FROM enriched"), enriched)
	expectLines(t, x.rows("SELECT * FROM paid"), paid)
	// ORDER BY over a table takes the nested columns along with the keys.
	res := x.exec("SELECT id, info FROM paid ORDER BY id DESC LIMIT 3;")
	r := res[len(res)-1]
	defer r.Release()
	var got []string
	for _, rec := range r.Records {
		for i := 0; i < int(rec.NumRows()); i++ {
			got = append(got, executor.FormatValue(executor.Value(rec.Column(0), i), nil)+" "+
				executor.FormatValue(executor.Value(rec.Column(1), i), rec.Column(1).DataType()))
		}
	}
	var top []string
	for i := len(orders) - 1; i >= 0 && len(top) < 3; i-- {
		if id := orders[i].ID; id%4 == 0 {
			top = append(top, fmt.Sprintf(`%d {"method":"m%d","cents":[%d,%d]}`, id, id%2, id, id*2))
		}
	}
	if strings.Join(got, "\n") != strings.Join(top, "\n") {
		t.Fatalf("ORDER BY gave\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(top, "\n"))
	}
}
