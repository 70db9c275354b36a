package engine_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/internal/kafkatest"
)

// The course starts the streaming job, then the producer: the source is
// created and its query started before the topic exists.
func TestAQueryStartedBeforeItsTopicExistsGetsItsRows(t *testing.T) {
	x := newEnv(t)
	res := x.exec(`CREATE SOURCE orders (id BIGINT, amount DOUBLE) WITH (connector = 'kafka', topic = 'orders', start = 'latest');`)
	want := fmt.Sprintf("source orders created\nNOTICE: topic \"orders\" does not exist on %s yet: queries on orders wait until it is created", x.broker.Addr())
	if res[0].Kind != engine.ResultOK || res[0].Message != want {
		t.Fatalf("CREATE SOURCE said %q, want %q", res[0].Message, want)
	}
	x.exec(`CREATE TABLE big_orders (id BIGINT, amount DOUBLE);
INSERT INTO big_orders SELECT id, amount FROM orders WHERE amount > 10;`)

	waiting := fmt.Sprintf("waiting for topic %q on %s", "orders", x.broker.Addr())
	q, _ := x.e.Query("big_orders")
	if q.State != engine.QueryRunning || q.Status != waiting {
		t.Fatalf("query %s, status %q; want RUNNING and %q", q.State, q.Status, waiting)
	}
	text := x.exec("DESCRIBE QUERY big_orders;")[0].Text
	if !strings.Contains(text, `"status": "waiting for topic \"orders\" on `+x.broker.Addr()+`"`) {
		t.Fatalf("DESCRIBE QUERY does not say what the query waits for:\n%s", text)
	}
	time.Sleep(time.Second) // the source looks for its topic a few times
	if kafkatest.TopicExists(t, x.broker.Addr(), "orders") {
		t.Fatal("the query created the topic it waits for")
	}

	// The producer creates the topic (three partitions) and writes.
	var lines, wantRows []string
	for i := 0; i < 40; i++ {
		lines = append(lines, fmt.Sprintf(`{"id": %d, "amount": %d.5}`, i, i))
		if i >= 10 { // amount > 10
			wantRows = append(wantRows, fmt.Sprintf("id=%d amount=%d.5", i, i))
		}
	}
	x.produce("orders", lines...)
	waitFor(t, func() bool { return len(x.rows("SELECT * FROM big_orders")) == len(wantRows) })
	expectLines(t, x.rows("SELECT * FROM big_orders"), wantRows)
	if q, _ := x.e.Query("big_orders"); q.Status != "" || q.State != engine.QueryRunning {
		t.Fatalf("after the topic appeared: %s, status %q", q.State, q.Status)
	}
}

func TestAnExistingTopicGivesNoNotice(t *testing.T) {
	x := newEnv(t)
	if err := x.broker.CreateTopic("here", 1); err != nil {
		t.Fatal(err)
	}
	res := x.exec(`CREATE SOURCE here (id BIGINT) WITH (connector = 'kafka', topic = 'here');`)
	if res[0].Message != "source here created" {
		t.Fatalf("CREATE SOURCE said %q", res[0].Message)
	}
}
