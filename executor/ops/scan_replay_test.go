package ops

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// TestReplayOfAWatermarkOnlyEpochEndsIt: an epoch that was only a
// watermark advance (partitions went idle, nothing was read) and was
// committed but not checkpointed must be replayed as that same epoch, with
// the watermark from the offset log, not merged into the next epoch (whose
// rows the sink would then skip as already committed).
func TestReplayOfAWatermarkOnlyEpochEndsIt(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	table := scanTable()
	node := &planner.SourceScan{Table: table, Out: table.Schema(),
		EventTime: &planner.ColumnRef{Index: 1, Name: "ts", Typ: table.Columns[1].Type}, EventTimeName: "ts", Delay: 0}
	var log []string
	// After the restart nothing is idle yet and no new rows have come.
	r := &scriptReader{schema: node.Out, log: &log, script: []executor.Fetch{{End: executor.Offsets{0: 3, 1: 5}}}}
	s, err := NewSourceScan(node, r, ScanOptions{Wait: time.Millisecond}, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Before the epoch, partition 1 (at 00:00:10) held the watermark; in the
	// epoch it went idle and the watermark moved to partition 0's 00:01:00.
	if err := s.Restore([]byte(`{"v":1,"part_max":{"0":60000000,"1":10000000},"wm":10000000}`)); err != nil {
		t.Fatal(err)
	}
	s.Resume(executor.Offsets{0: 3, 1: 5}, 7, executor.Offsets{0: 3, 1: 5})
	s.SetReplayWatermark(60000000)
	ctx := context.Background()
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := s.Next(ctx)
	if err != nil || m.Kind != executor.MsgWatermark || !m.Watermark.Time.Equal(time.UnixMicro(60000000).UTC()) {
		t.Fatalf("first message %+v (%v), want the logged watermark 00:01:00", m, err)
	}
	m, err = s.Next(ctx)
	if err != nil || m.Kind != executor.MsgBarrier || m.Barrier.Epoch != 7 {
		t.Fatalf("second message %+v (%v), want the barrier of the replayed epoch 7", m, err)
	}
}
