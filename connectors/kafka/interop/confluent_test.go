package interop

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// confluent-kafka's producer (librdkafka) with keys and acks=all creates a
// new topic on first use and writes every order where its delivery report
// says; one key always lands in one partition.
func TestConfluentProducerWithKeysAndAcksAll(t *testing.T) {
	need(t, confluent)
	topic := newTopic(t, "orders")
	sent := clientRecords(t, runClient(t, "", python, script("confluent_produce.py"), topic, "30"))
	if len(sent) != 30 {
		t.Fatalf("confluent-kafka reported %d deliveries, want 30", len(sent))
	}
	var want, got []string
	keyPartition := map[string]int32{}
	for _, r := range sent {
		want = append(want, fmt.Sprintf("%d %d %s %s", r.Partition, r.Offset, r.Key, r.Value))
		if p, seen := keyPartition[r.Key]; seen && p != r.Partition {
			t.Errorf("key %s went to partitions %d and %d", r.Key, p, r.Partition)
		}
		keyPartition[r.Key] = r.Partition
	}
	for _, r := range readTopic(t, topic, false) {
		got = append(got, fmt.Sprintf("%d %d %s %s", r.Partition, r.Offset, r.Key, r.Value))
	}
	sameLines(t, "records on the broker", got, want)
}

// A read_committed consumer (librdkafka) sees every row of tide's
// transactional sink exactly once across restarts: a first run, a second
// run killed (SIGKILL) in the middle of its epochs, and a third that
// finishes. What the killed run had written but not committed is aborted:
// a read_uncommitted reader may see it, read_committed does not.
func TestConfluentReadCommittedSeesTheTransactionalSinkOnceAcrossRestarts(t *testing.T) {
	need(t, confluent)
	in, out := newTopic(t, "in"), newTopic(t, "out")
	createTopic(t, in, 3)
	state := t.TempDir()
	// Small micro-batches at a steady pace, so that the second run is
	// killed between epochs or in one.
	sql := "SET trigger_interval = '100ms';\n" + sinkScript(in, out, 4, true)
	first, second := courseOrders(0, 60), courseOrders(60, 160)
	produceOrders(t, in, first)
	runTide(t, state, sql)
	afterFirst := len(readTopic(t, out, true))
	if want := len(bigOrders(first)); afterFirst != want {
		t.Fatalf("after the first run the topic holds %d committed rows, want %d", afterFirst, want)
	}

	produceOrders(t, in, second)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	killed := tideCommand(ctx, t, state, sql)
	var output strings.Builder
	killed.Stdout, killed.Stderr = &output, &output
	if err := killed.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it has written to the output topic.
	endAfterFirst := sumOffsets(endOffsets(t, out))
	adm := kadm.NewClient(goClient(t))
	for ctx.Err() == nil {
		ends, err := adm.ListEndOffsets(ctx, out)
		if err == nil && ends.Error() == nil {
			sum := int64(0)
			ends.Each(func(o kadm.ListedOffset) { sum += o.Offset })
			if sum > endAfterFirst {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	killed.Process.Kill()
	killed.Wait()
	t.Logf("killed the second run with %d rows written (committed or not): %s", len(readTopic(t, out, false)), output.String())

	runTide(t, state, sql)
	recs := clientRecords(t, runClient(t, "", python, script("confluent_consume.py"), out, out+"-group"))
	var got []string
	for _, r := range recs {
		got = append(got, orderLine(t, r.Key, r.Value))
	}
	sameLines(t, "rows the read_committed consumer read", got, bigOrders(append(first, second...)))
	t.Logf("read_committed: %d rows; read_uncommitted: %d", len(got), len(readTopic(t, out, false)))
}
