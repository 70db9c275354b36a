package kafka

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/executor"
)

// openTransaction writes ids [from, to) to partition 0 in a transaction it
// leaves open; the returned function commits it.
func openTransaction(t *testing.T, addr, topic string, from, to int) (commit func()) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.TransactionalID("open-"+topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
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
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := cl.EndTransaction(ctx, kgo.TransactionEndTry(true)); err != nil {
			t.Fatal(err)
		}
	}
}

// fetchUntilDone fetches until Done, failing the test after a while.
func fetchUntilDone(t *testing.T, r *Reader, wait time.Duration) *fetched {
	t.Helper()
	f := &fetched{}
	deadline := time.Now().Add(30 * time.Second)
	for !f.done {
		if time.Now().After(deadline) {
			t.Fatalf("not done after %d rows, end %v", f.count(), f.end)
		}
		if err := fetchOnce(t, r, f, wait, nil); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestReadAvailableNowStopsAtTheLastStableOffsetsSeenAtOpen(t *testing.T) {
	b := startTestBroker(t, 3, "now")
	produceSpread(t, b, "now", 3, 0, 30)
	commit := openTransaction(t, b.Addr(), "now", 100, 105) // not stable yet: beyond the end
	r, err := NewSourceReader(testTable(b.Addr(), "now", "idle_timeout", "0"), executor.Env{}, checkedMem(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if complete := r.ReadAvailableNow(); complete {
		t.Fatal("an unbounded source said its input ends at the available offsets")
	}
	if err := r.Open(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	produceSpread(t, b, "now", 3, 30, 45) // after Open: for the next run
	commit()
	f := fetchUntilDone(t, r, 100*time.Millisecond)
	if f.count() != 30 {
		t.Fatalf("%d rows, want the 30 there at Open", f.count())
	}
	for p, ids := range f.ids {
		for _, id := range ids {
			if id >= 30 {
				t.Fatalf("partition %d delivered id %d, written after Open", p, id)
			}
		}
	}
	if len(f.idle) != 0 {
		t.Errorf("partitions at the end of this run reported idle: %v", f.idle)
	}
}

func TestReadAvailableNowOfAStopLatestSourceIsComplete(t *testing.T) {
	b := startTestBroker(t, 1, "both")
	produceSpread(t, b, "both", 1, 0, 5)
	r, err := NewSourceReader(testTable(b.Addr(), "both", "stop", "latest"), executor.Env{}, checkedMem(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if complete := r.ReadAvailableNow(); !complete {
		t.Fatal("stop = 'latest' ends at the available offsets, but ReadAvailableNow says not")
	}
	if err := r.Open(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if f := fetchUntilDone(t, r, 100*time.Millisecond); f.count() != 5 || len(f.idle) != 1 {
		t.Fatalf("%d rows, idle %v; want 5 rows and the finished partition idle", f.count(), f.idle)
	}
}
