package kafka

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// produceTxn writes ids [from, to) to partition 0 in one transaction and
// commits it, or aborts it.
func produceTxn(t *testing.T, addr, topic string, from, to int, commit bool) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.TransactionalID(fmt.Sprintf("test-%s-%d", topic, from)),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	for i := from; i < to; i++ {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Partition: 0, Value: jsonMsg(0, i).value}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	if err := cl.EndTransaction(ctx, kgo.TransactionEndTry(commit)); err != nil {
		t.Fatal(err)
	}
}

// TestTransactionalTopicIsReadCommittedAndEnds checks the source against a
// topic written by an exactly-once producer (such as tide's Kafka sink): the
// rows of an aborted transaction are never read, and stop = 'latest' ends
// even though the last offset of the partition is a commit marker.
func TestTransactionalTopicIsReadCommittedAndEnds(t *testing.T) {
	b := startTestBroker(t, 1, "txn")
	produceTxn(t, b.Addr(), "txn", 0, 5, true)
	produceTxn(t, b.Addr(), "txn", 100, 103, false)
	produceTxn(t, b.Addr(), "txn", 5, 8, true)
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "txn", "stop", "latest"), nil)
	f := &fetched{}
	deadline := time.Now().Add(20 * time.Second)
	for !f.done && time.Now().Before(deadline) {
		if err := fetchOnce(t, r, f, 200*time.Millisecond, nil); err != nil {
			t.Fatal(err)
		}
	}
	if !f.done {
		t.Fatalf("the reader never finished (%d rows, end %v): stuck before a transaction marker", f.count(), f.end)
	}
	if f.count() != 8 {
		t.Fatalf("%d rows, want the 8 committed ones (aborted rows must not be read)", f.count())
	}
}
