package kafka

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor"
)

// produceSpread writes ids from..to-1, id i to partition i % parts.
func produceSpread(t *testing.T, b *Broker, topic string, parts int32, from, to int) {
	t.Helper()
	var msgs []msg
	for i := from; i < to; i++ {
		msgs = append(msgs, jsonMsg(int32(i)%parts, i))
	}
	produce(t, b.Addr(), topic, msgs...)
}

func TestJSONMessagesOfThreePartitionsBecomeRowsPerPartition(t *testing.T) {
	mem := checkedMem(t)
	b := startTestBroker(t, 3, "orders")
	produceSpread(t, b, "orders", 3, 0, 30)
	r := openReader(t, mem, testTable(b.Addr(), "orders"), nil)
	f := fetchRows(t, r, 30)
	if f.count() != 30 {
		t.Fatalf("got %d rows, want 30", f.count())
	}
	for p := int32(0); p < 3; p++ {
		var want []int64
		for i := int(p); i < 30; i += 3 {
			want = append(want, int64(i))
		}
		if !reflect.DeepEqual(f.ids[p], want) {
			t.Errorf("partition %d delivered ids %v, want %v in offset order", p, f.ids[p], want)
		}
	}
	if want := (executor.Offsets{0: 10, 1: 10, 2: 10}); !reflect.DeepEqual(f.end, want) {
		t.Errorf("end offsets %v, want %v", f.end, want)
	}
	if got, want := sorted(f.rows)[0], "p0:0:n0:0.5"; got != want {
		t.Errorf("first row %q, want %q", got, want)
	}
	if f.done {
		t.Error("an unbounded source reported Done")
	}
}

func TestStartEarliestLatestAndTimestamp(t *testing.T) {
	b := startTestBroker(t, 2, "clicks")
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	var old []msg
	for i := 0; i < 6; i++ {
		m := jsonMsg(int32(i%2), i)
		m.ts = base.Add(time.Duration(i) * time.Minute)
		old = append(old, m)
	}
	produce(t, b.Addr(), "clicks", old...)

	t.Run("earliest reads what is there", func(t *testing.T) {
		r := openReader(t, checkedMem(t), testTable(b.Addr(), "clicks", "start", "earliest"), nil)
		if f := fetchRows(t, r, 6); f.count() != 6 {
			t.Fatalf("got %d rows, want 6", f.count())
		}
	})
	t.Run("timestamp starts at the first record at or after it", func(t *testing.T) {
		r := openReader(t, checkedMem(t), testTable(b.Addr(), "clicks", "start", "timestamp:2024-05-01T12:03:00Z"), nil)
		f := fetchRows(t, r, 3)
		want := append(expectedRows(0, 4), expectedRows(1, 3, 5)...)
		if got := sorted(f.rows); !reflect.DeepEqual(got, sorted(want)) {
			t.Fatalf("rows %v, want %v", got, want)
		}
	})
	t.Run("latest skips what is there and reads what comes", func(t *testing.T) {
		r := openReader(t, checkedMem(t), testTable(b.Addr(), "clicks", "start", "latest"), nil)
		f := &fetched{}
		if err := fetchOnce(t, r, f, 300*time.Millisecond, nil); err != nil {
			t.Fatal(err)
		}
		if f.count() != 0 {
			t.Fatalf("start = latest delivered old rows %v", f.rows)
		}
		if want := (executor.Offsets{0: 3, 1: 3}); !reflect.DeepEqual(f.end, want) {
			t.Errorf("end offsets before any record %v, want %v", f.end, want)
		}
		produce(t, b.Addr(), "clicks", jsonMsg(1, 100))
		f = fetchRows(t, r, 1)
		if want := expectedRows(1, 100); !reflect.DeepEqual(f.rows, want) {
			t.Fatalf("rows %v, want %v", f.rows, want)
		}
	})
}

func TestStopLatestEndsWithDoneAndTheExactCount(t *testing.T) {
	b := startTestBroker(t, 3, "bounded", "empty")
	produceSpread(t, b, "bounded", 3, 0, 25)
	mem := checkedMem(t)
	r := openReader(t, mem, testTable(b.Addr(), "bounded", "stop", "latest", "max_batch", "4"), nil)
	produceSpread(t, b, "bounded", 3, 100, 110) // after Open: past the end
	f := &fetched{}
	deadline := time.Now().Add(20 * time.Second)
	for !f.done && time.Now().Before(deadline) {
		if err := fetchOnce(t, r, f, 200*time.Millisecond, nil); err != nil {
			t.Fatal(err)
		}
	}
	if !f.done || f.count() != 25 {
		t.Fatalf("done=%v after %d rows, want done after 25", f.done, f.count())
	}
	if want := (executor.Offsets{0: 9, 1: 8, 2: 8}); !reflect.DeepEqual(f.end, want) {
		t.Errorf("end offsets %v, want %v", f.end, want)
	}
	if !slices.Equal(f.idle, []int32{0, 1, 2}) {
		t.Errorf("finished partitions should be idle, got %v", f.idle)
	}

	t.Run("an empty topic is done at once", func(t *testing.T) {
		r := openReader(t, checkedMem(t), testTable(b.Addr(), "empty", "stop", "latest"), nil)
		f := &fetched{}
		start := time.Now()
		if err := fetchOnce(t, r, f, 5*time.Second, nil); err != nil {
			t.Fatal(err)
		}
		if !f.done || f.count() != 0 {
			t.Fatalf("done=%v rows=%d, want done with no rows", f.done, f.count())
		}
		if time.Since(start) > 4*time.Second {
			t.Error("a finished source waited for records")
		}
	})
}

func TestMaxBatchIsHonoured(t *testing.T) {
	b := startTestBroker(t, 3, "many")
	produceSpread(t, b, "many", 3, 0, 60)
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "many", "max_batch", "7"), nil)
	f := fetchRows(t, r, 60)
	if f.count() != 60 || f.largest > 7 {
		t.Fatalf("%d rows in %d fetches, largest %d; want 60 rows, at most 7 per fetch", f.count(), f.fetches, f.largest)
	}
	if f.fetches < 9 {
		t.Errorf("60 rows came in %d fetches, want at least 9", f.fetches)
	}
}

func TestFairShareSplitsTheBudgetBetweenPartitions(t *testing.T) {
	for _, c := range []struct {
		counts []int
		budget int
		want   []int
	}{
		{[]int{10, 10, 10}, 7, []int{3, 2, 2}},
		{[]int{1, 50, 50}, 11, []int{1, 5, 5}},
		{[]int{2, 3}, 100, []int{2, 3}},
		{[]int{5, 5, 5}, 1, []int{1, 0, 0}},
	} {
		if got := fairShare(c.counts, c.budget); !reflect.DeepEqual(got, c.want) {
			t.Errorf("fairShare(%v, %d) = %v, want %v", c.counts, c.budget, got, c.want)
		}
	}
}

func TestResumingFromCheckpointedOffsetsHasNoDuplicatesAndNoGaps(t *testing.T) {
	b := startTestBroker(t, 3, "resume")
	produceSpread(t, b, "resume", 3, 0, 45)
	mem := checkedMem(t)
	tbl := testTable(b.Addr(), "resume", "max_batch", "5")

	first := openReader(t, mem, tbl, nil)
	f1 := &fetched{}
	for f1.count() < 20 {
		if err := fetchOnce(t, first, f1, time.Second, nil); err != nil {
			t.Fatal(err)
		}
	}
	checkpoint := f1.end.Clone()
	first.Close()

	produceSpread(t, b, "resume", 3, 45, 60) // more arrives while stopped
	second := openReader(t, mem, tbl, checkpoint)
	f2 := fetchRows(t, second, 60-f1.count())

	seen := map[int64]int{}
	for _, ids := range []map[int32][]int64{f1.ids, f2.ids} {
		for _, list := range ids {
			for _, id := range list {
				seen[id]++
			}
		}
	}
	for id := int64(0); id < 60; id++ {
		if seen[id] != 1 {
			t.Errorf("id %d delivered %d times", id, seen[id])
		}
	}
	if len(seen) != 60 {
		t.Errorf("%d distinct ids, want 60", len(seen))
	}
}

func TestReplayWithUntilReturnsExactlyTheSameRecords(t *testing.T) {
	b := startTestBroker(t, 3, "replay")
	produceSpread(t, b, "replay", 3, 0, 30)
	mem := checkedMem(t)
	tbl := testTable(b.Addr(), "replay", "max_batch", "10")

	first := openReader(t, mem, tbl, nil)
	start := executor.Offsets{0: 0, 1: 0, 2: 0}
	epoch := &fetched{}
	for epoch.count() == 0 {
		if err := fetchOnce(t, first, epoch, time.Second, nil); err != nil {
			t.Fatal(err)
		}
	}
	first.Close() // "crash" before the epoch commits

	produceSpread(t, b, "replay", 3, 30, 60) // the log grows past the epoch
	second := openReader(t, mem, testTable(b.Addr(), "replay", "max_batch", "1"), start)
	replay := &fetched{}
	if err := fetchOnce(t, second, replay, 100*time.Millisecond, epoch.end); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(replay.rows, epoch.rows) {
		t.Fatalf("replay delivered %v, the epoch had %v", replay.rows, epoch.rows)
	}
	if !reflect.DeepEqual(replay.end, epoch.end) {
		t.Fatalf("replay ended at %v, the epoch at %v", replay.end, epoch.end)
	}

	// After the replay, reading goes on from the epoch's end without a gap.
	rest := fetchRows(t, second, 60-epoch.count())
	seen := map[int64]bool{}
	for _, ids := range []map[int32][]int64{replay.ids, rest.ids} {
		for _, list := range ids {
			for _, id := range list {
				if seen[id] {
					t.Errorf("id %d delivered twice", id)
				}
				seen[id] = true
			}
		}
	}
	if len(seen) != 60 {
		t.Errorf("%d distinct ids after the replay, want 60", len(seen))
	}
}

func TestReplayLeavesPartitionsMissingFromUntilAlone(t *testing.T) {
	b := startTestBroker(t, 2, "partial")
	produceSpread(t, b, "partial", 2, 0, 10)
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "partial"), nil)
	f := &fetched{}
	if err := fetchOnce(t, r, f, 100*time.Millisecond, executor.Offsets{0: 3}); err != nil {
		t.Fatal(err)
	}
	if want := expectedRows(0, 0, 2, 4); !reflect.DeepEqual(f.rows, want) {
		t.Fatalf("rows %v, want %v", f.rows, want)
	}
	if want := (executor.Offsets{0: 3, 1: 0}); !reflect.DeepEqual(f.end, want) {
		t.Fatalf("end %v, want %v", f.end, want)
	}
}

func TestStartGroupResumesAtCommittedOffsets(t *testing.T) {
	b := startTestBroker(t, 2, "grouped")
	produceSpread(t, b, "grouped", 2, 0, 10)
	mem := checkedMem(t)
	tbl := testTable(b.Addr(), "grouped", "start", "group", "group", "tide-test")

	first := openReader(t, mem, tbl, nil) // no commits yet: earliest
	f := fetchRows(t, first, 10)
	if f.count() != 10 {
		t.Fatalf("got %d rows, want all 10", f.count())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := first.CommitOffsets(ctx, executor.Offsets{0: 4, 1: 5}); err != nil {
		t.Fatal(err)
	}
	first.Close()

	second := openReader(t, mem, tbl, nil)
	g := fetchRows(t, second, 1)
	if want := expectedRows(0, 8); !reflect.DeepEqual(g.rows, want) {
		t.Fatalf("rows after the committed offsets %v, want %v", g.rows, want)
	}
}

func TestIdlePartitionIsReportedAfterIdleTimeout(t *testing.T) {
	b := startTestBroker(t, 3, "quiet")
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "quiet", "idle_timeout", "300 milliseconds"), nil)
	f := &fetched{}
	if err := fetchOnce(t, r, f, 0, nil); err != nil {
		t.Fatal(err)
	}
	if len(f.idle) != 0 {
		t.Fatalf("partitions idle right after open: %v", f.idle)
	}
	time.Sleep(400 * time.Millisecond)
	produce(t, b.Addr(), "quiet", jsonMsg(1, 1))
	f = fetchRows(t, r, 1)
	if !slices.Equal(f.idle, []int32{0, 2}) {
		t.Fatalf("idle partitions %v, want [0 2] (1 just had a record)", f.idle)
	}
}

func TestNewPartitionsAreReadFromTheEarliestOffset(t *testing.T) {
	old := discoverEvery
	discoverEvery = 100 * time.Millisecond
	t.Cleanup(func() { discoverEvery = old })

	b := startTestBroker(t, 1, "growing")
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "growing"), nil)
	addPartitions(t, b.Addr(), "growing", 1)
	produce(t, b.Addr(), "growing", jsonMsg(1, 7))
	f := fetchRows(t, r, 1)
	if want := expectedRows(1, 7); !reflect.DeepEqual(f.rows, want) {
		t.Fatalf("rows %v, want %v", f.rows, want)
	}
	if want := (executor.Offsets{0: 0, 1: 1}); !reflect.DeepEqual(f.end, want) {
		t.Fatalf("end %v, want %v", f.end, want)
	}
}

func TestLagReportsPositionsEndOffsetsAndLastRecordTime(t *testing.T) {
	b := startTestBroker(t, 2, "lagging")
	ts := time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)
	var msgs []msg
	for i := 0; i < 8; i++ {
		m := jsonMsg(0, i)
		m.ts = ts.Add(time.Duration(i) * time.Second)
		msgs = append(msgs, m)
	}
	produce(t, b.Addr(), "lagging", msgs...)
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "lagging", "max_batch", "3"), nil)
	if lag := r.Lag(); len(lag) != 2 || lag[0].EndOffset != 8 || lag[0].Offset != 0 {
		t.Fatalf("lag at open %+v, want partition 0 at 0 of 8", lag)
	}
	f := &fetched{}
	for f.count() == 0 {
		if err := fetchOnce(t, r, f, time.Second, nil); err != nil {
			t.Fatal(err)
		}
	}
	lag := r.Lag()
	want := executor.PartitionLag{Partition: 0, Offset: 3, EndOffset: 8, LastRecordTime: ts.Add(2 * time.Second)}
	if got := lag[0]; got.Partition != want.Partition || got.Offset != want.Offset || got.EndOffset != want.EndOffset || !got.LastRecordTime.Equal(want.LastRecordTime) {
		t.Fatalf("lag %+v, want %+v", got, want)
	}
	if lag[1].Offset != 0 || lag[1].EndOffset != 0 || !lag[1].LastRecordTime.IsZero() {
		t.Fatalf("empty partition lag %+v", lag[1])
	}
}

func TestLargeFetchesDecodePartitionsInParallelAndKeepOffsetOrder(t *testing.T) {
	const n = 15000 // well above parallelDecodeRecords
	b := startTestBroker(t, 3, "big")
	for from := 0; from < n; from += 3000 {
		produceSpread(t, b, "big", 3, from, from+3000)
	}
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "big", "stop", "latest"), nil)
	stopLag := make(chan struct{})
	lagDone := make(chan struct{})
	go func() { // progress reports read Lag while the engine fetches
		defer close(lagDone)
		for {
			select {
			case <-stopLag:
				return
			default:
				r.Lag()
			}
		}
	}()
	f := fetchRows(t, r, n)
	close(stopLag)
	<-lagDone
	if f.count() != n || !f.done {
		t.Fatalf("%d rows, done=%v; want %d and done", f.count(), f.done, n)
	}
	for p, ids := range f.ids {
		if !slices.IsSorted(ids) || len(ids) != n/3 {
			t.Errorf("partition %d: %d ids, sorted=%v", p, len(ids), slices.IsSorted(ids))
		}
	}
}
