package ops

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// TestTriggerIntervalSpacesFetches: with a trigger interval, the scan does
// not fetch again before the interval has passed since the last fetch
// began (here an hour, so the second fetch never starts).
func TestTriggerIntervalSpacesFetches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	table := scanTable()
	node := &planner.SourceScan{Table: table, Out: table.Schema()}
	var log []string
	r := &scriptReader{schema: node.Out, log: &log, script: []executor.Fetch{{Done: false}, {Done: true}}}
	s, err := NewSourceScan(node, r, ScanOptions{Wait: time.Millisecond, Interval: time.Hour}, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = s.Next(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next: %v, want the context's end while waiting for the interval", err)
	}
	if len(r.untils) != 1 {
		t.Fatalf("%d fetches, want 1: the second must wait for the trigger interval", len(r.untils))
	}
}
