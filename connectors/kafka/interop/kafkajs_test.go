package interop

import (
	"fmt"
	"testing"
)

// kafkajs' producer (acks -1) creates a new topic on first use and writes
// every order; its consumer group reads them from the beginning and, on
// disconnect, has committed the end of every partition.
func TestKafkajsProducerAndConsumerGroup(t *testing.T) {
	need(t, kafkajs)
	topic := newTopic(t, "orders")
	for _, r := range clientRecords(t, runClient(t, "", "node", script("kafkajs_client.js"), "produce", topic, "30")) {
		if r.Offset < 0 {
			t.Fatalf("kafkajs produce result %+v", r)
		}
	}
	var want []string
	for i := 0; i < 30; i++ {
		want = append(want, fmt.Sprintf("CUST-%03d ORD-%04d CUST-%03d %g PENDING", i%3, i, i%3, 100+float64(i)*10.5))
	}
	var onBroker []string
	for _, r := range readTopic(t, topic, false) {
		onBroker = append(onBroker, orderLine(t, string(r.Key), string(r.Value)))
	}
	sameLines(t, "records on the broker", onBroker, want)

	group := topic + "-group"
	var got []string
	for _, r := range clientRecords(t, runClient(t, "", "node", script("kafkajs_client.js"), "consume", topic, group, "30")) {
		got = append(got, orderLine(t, r.Key, r.Value))
	}
	sameLines(t, "records kafkajs read in group "+group, got, want)
	ends := nonEmpty(endOffsets(t, topic))
	if c := committedOffsets(t, group, topic); fmt.Sprint(c) != fmt.Sprint(ends) {
		t.Errorf("group %s committed %v, want the end offsets %v", group, c, ends)
	}
}

// kafkajs reads committed records only (its default): tide's transactional
// sink output, every row.
func TestKafkajsReadsTheTransactionalSink(t *testing.T) {
	need(t, kafkajs)
	in, out := newTopic(t, "in"), newTopic(t, "out")
	createTopic(t, in, 3)
	orders := courseOrders(0, 30)
	produceOrders(t, in, orders)
	runTide(t, t.TempDir(), sinkScript(in, out, 5, true))
	want := bigOrders(orders)
	var got []string
	for _, r := range clientRecords(t, runClient(t, "", "node", script("kafkajs_client.js"), "consume", out, out+"-group", itoa(len(want)))) {
		got = append(got, orderLine(t, r.Key, r.Value))
	}
	sameLines(t, "rows kafkajs read", got, want)
}
