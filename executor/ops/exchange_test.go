package ops

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
)

// Every row reaches exactly one output, rows of one key always the same
// one, and watermarks and barriers (with the producer's capture) reach
// every output.
func TestExchangeRoutesByKeyAndBroadcastsTheRest(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	var rows []string
	for i := 0; i < 60; i++ {
		rows = append(rows, fmt.Sprintf(`{"n":%d,"s":"k%d"}`, i, i%7))
	}
	in := &scriptOp{schema: opSchema, msgs: []executor.Msg{
		batchMsg(t, mem, rows[:30]...), watermarkMsg(t, "00:00:05"), barrierMsg(1, false),
		batchMsg(t, mem, rows[30:]...), barrierMsg(2, true),
	}}
	captures := 0
	x, err := NewExchange(in, []int{1}, 3, func() (any, error) { captures++; return captures, nil }, mem)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	keyOut := map[string]int{}
	seen := map[int64]bool{}
	for k, out := range x.Outputs() {
		if err := out.Open(ctx); err != nil {
			t.Fatal(err)
		}
		_ = k
	}
	// Read the outputs in turn, a message at a time, as the tasks would.
	done := make([]bool, 3)
	var log [3][]string
	for left := 3; left > 0; {
		for k, out := range x.Outputs() {
			if done[k] {
				continue
			}
			m, err := out.Next(ctx)
			if err == io.EOF {
				done[k] = true
				left--
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			switch m.Kind {
			case executor.MsgBatch:
				for i := 0; i < int(m.Batch.NumRows()); i++ {
					n := executor.Value(m.Batch.Column(0), i).(int64)
					key := executor.Value(m.Batch.Column(1), i).(string)
					if seen[n] {
						t.Errorf("row %d delivered twice", n)
					}
					seen[n] = true
					if prev, ok := keyOut[key]; ok && prev != k {
						t.Errorf("key %s went to outputs %d and %d", key, prev, k)
					}
					keyOut[key] = k
				}
				m.Batch.Release()
			case executor.MsgWatermark:
				log[k] = append(log[k], "watermark")
			case executor.MsgBarrier:
				c, _ := out.Capture()
				log[k] = append(log[k], fmt.Sprintf("barrier %d capture %v", m.Barrier.Epoch, c))
			}
		}
	}
	if len(seen) != 60 {
		t.Errorf("%d rows delivered, want 60", len(seen))
	}
	used := map[int]bool{}
	for _, k := range keyOut {
		used[k] = true
	}
	if len(used) < 2 {
		t.Errorf("7 keys all went to one of 3 outputs: %v", keyOut)
	}
	for k := range log {
		if got := fmt.Sprint(log[k]); got != "[watermark barrier 1 capture 1 barrier 2 capture 2]" {
			t.Errorf("output %d saw %s", k, got)
		}
	}
	for _, out := range x.Outputs() {
		out.Close()
	}
	if in.closed != 1 {
		t.Errorf("input closed %d times, want once after the last output", in.closed)
	}
}
