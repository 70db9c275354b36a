package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// order is a message of the course's orders producer (section 4.2).
type order struct {
	OrderID    string  `json:"order_id"`
	CustomerID string  `json:"customer_id"`
	Amount     float64 `json:"amount"`
	Timestamp  string  `json:"timestamp"`
	Status     string  `json:"status"`
}

// courseOrders are orders from..to-1 as section 4.2's producer makes them:
// three customers, amounts growing by 10.5, a naive ISO timestamp.
func courseOrders(from, to int) []order {
	t0 := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)
	var out []order
	for i := from; i < to; i++ {
		out = append(out, order{
			OrderID:    fmt.Sprintf("ORD-%04d", i),
			CustomerID: fmt.Sprintf("CUST-%03d", i%3),
			Amount:     100 + float64(i)*10.5,
			Timestamp:  t0.Add(time.Duration(i) * 1500 * time.Millisecond).Format("2006-01-02T15:04:05.000000"),
			Status:     "PENDING",
		})
	}
	return out
}

// produceOrders writes orders to topic as JSON, keyed by customer.
func produceOrders(t *testing.T, topic string, orders []order) {
	t.Helper()
	var recs []*kgo.Record
	for _, o := range orders {
		v, _ := json.Marshal(o)
		recs = append(recs, &kgo.Record{Key: []byte(o.CustomerID), Value: v})
	}
	produce(t, topic, recs...)
}

// bigOrdersMin is the amount above which the sink script keeps an order.
const bigOrdersMin = 150

// sinkScript reads the orders of topic in and writes those above
// bigOrdersMin to topic out with tide's Kafka sink, keyed by customer, in
// micro-batches of at most maxBatch orders.
func sinkScript(in, out string, maxBatch int, transactional bool) string {
	return fmt.Sprintf(`
CREATE SOURCE orders_in (order_id VARCHAR, customer_id VARCHAR, amount DOUBLE, `+"`timestamp`"+` TIMESTAMP(3), status VARCHAR)
  WITH (connector = 'kafka', topic = '%s', format = 'json', start = 'earliest', max_batch = '%d');
CREATE TABLE big_orders (order_id VARCHAR, customer_id VARCHAR, amount DOUBLE, status VARCHAR)
  WITH (connector = 'kafka', topic = '%s', format = 'json', key = 'customer_id', transactional = '%t');
INSERT INTO big_orders SELECT order_id, customer_id, amount, status FROM orders_in WHERE amount > %d;
`, in, maxBatch, out, transactional, bigOrdersMin)
}

// bigOrders are the records the sink script writes for orders, as
// orderLine prints them.
func bigOrders(orders []order) []string {
	var out []string
	for _, o := range orders {
		if o.Amount > bigOrdersMin {
			out = append(out, fmt.Sprintf("%s %s %s %g %s", o.CustomerID, o.OrderID, o.CustomerID, o.Amount, o.Status))
		}
	}
	return out
}

// orderLine prints a record of the sink's output topic: its key, then the
// value's fields.
func orderLine(t *testing.T, key, value string) string {
	t.Helper()
	var o order
	if err := json.Unmarshal([]byte(value), &o); err != nil {
		t.Fatalf("record %s => %q is not an order: %v", key, value, err)
	}
	return fmt.Sprintf("%s %s %s %g %s", key, o.OrderID, o.CustomerID, o.Amount, o.Status)
}

// tideCommand is `tide run --once` of script on the broker with the given
// state directory: it processes what the topics hold, then stops.
func tideCommand(ctx context.Context, t *testing.T, stateDir, sql string) *exec.Cmd {
	t.Helper()
	file := filepath.Join(t.TempDir(), "pipeline.sql")
	if err := os.WriteFile(file, []byte(sql), 0o644); err != nil {
		t.Fatal(err)
	}
	return exec.CommandContext(ctx, tideBin, "run", "--once", "--brokers", brokerAddr, "--state-dir", stateDir, file)
}

// runTide runs script to its end; a failure fails the test with tide's
// output.
func runTide(t *testing.T, stateDir, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := tideCommand(ctx, t, stateDir, sql).CombinedOutput(); err != nil {
		t.Fatalf("tide run: %v\n%s", err, out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
