package window

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestStateBytesFollowsTheState feeds one tumbling window new long string
// keys, each with distinct string values, and checks that StateBytes is at
// least what the rows held in the state weigh (the key bytes and the
// distinct values' bytes, counted here from the input), grows with every
// batch, and falls back to almost nothing once the watermark closes the
// window.
func TestStateBytesFollowsTheState(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	n, in, err := parsePlan(`
input k:string v:string ts:timestamp
keys k
window tumble ts 1m
agg count v distinct nv
agg min v lo
agg approx_percentile ts 0.5 mid
`)
	if err != nil {
		t.Fatal(err)
	}
	src := &fakeInput{schema: in}
	op, err := New(n, src, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	a := op.(*aggOp)
	var held int64 // bytes of the keys and distinct values in the state
	prev := a.StateBytes()
	for batch := range 5 {
		var rows strings.Builder
		for i := range 200 {
			key := fmt.Sprintf("customer-number-%06d", batch*200+i)
			for j := range 3 {
				v := fmt.Sprintf("value-%s-%d", key, j)
				fmt.Fprintf(&rows, `{"k": %q, "v": %q, "ts": "2024-01-01 00:00:%02d"}`+"\n", key, v, j)
				held += int64(len(v))
			}
			held += int64(len(key))
		}
		rec, err := recordFromRows(mem, in, rows.String())
		if err != nil {
			t.Fatal(err)
		}
		src.pushBatch(rec)
		var out []string
		if err := drain(op, &out); err != nil {
			t.Fatal(err)
		}
		got := a.StateBytes()
		if got <= prev {
			t.Fatalf("batch %d: StateBytes %d, was %d before the batch added 200 groups", batch, got, prev)
		}
		if got < held {
			t.Fatalf("batch %d: StateBytes %d is less than the %d bytes of keys and distinct values held", batch, got, held)
		}
		if got > 20*held {
			t.Fatalf("batch %d: StateBytes %d is more than 20 times the %d bytes of keys and values held", batch, got, held)
		}
		prev = got
	}
	if a.StateRows() != 1000 {
		t.Fatalf("StateRows %d, want 1000", a.StateRows())
	}
	src.pushWatermark(mustTS(t, "2024-01-01 00:01:00"))
	var out []string
	if err := drain(op, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 1001 { // the window's rows and the watermark
		t.Fatalf("closing the window emitted %d lines, want 1001", len(out))
	}
	t.Logf("state %d bytes for %d bytes held; %d after the window closed", prev, held, a.StateBytes())
	if got := a.StateBytes(); got > held/10 {
		t.Fatalf("after the window closed StateBytes is %d (held %d while open)", got, prev)
	}
}

func mustTS(t *testing.T, s string) int64 {
	t.Helper()
	us, err := parseTS(s)
	if err != nil {
		t.Fatal(err)
	}
	return us
}
