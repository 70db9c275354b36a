package window

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// TestStateStaysBounded runs a few million events with event time moving
// on and the watermark following, and checks that the state held (groups,
// ids handed out, hash table and string arena) stops growing once the
// first windows have closed: windows are freed and their slots reused.
// tableEntries is the size of all the operator's hash tables.
func (o *aggOp) tableEntries() int {
	n := len(o.keyPane.tab.entries)
	for _, p := range o.panes.order {
		n += len(p.tab.entries)
	}
	for _, p := range o.panes.pool {
		n += len(p.tab.entries)
	}
	return n
}

func TestStateStaysBounded(t *testing.T) {
	const keys, rows = 2000, 8192
	cases := []struct {
		name string
		w    *planner.Window
		emit planner.EmitMode
	}{
		{"tumbling windows are freed as the watermark passes", tumbleWindow(time.Second), planner.EmitOnWindowClose},
		{"hop panes are freed when their last window closes",
			&planner.Window{Kind: planner.WindowHop, TimeCol: 2, Size: 3 * time.Second, Slide: time.Second}, planner.EmitOnWindowClose},
		{"emit changes frees closed windows too", tumbleWindow(time.Second), planner.EmitChanges},
		{"sessions are freed when they close",
			&planner.Window{Kind: planner.WindowSession, TimeCol: 2, Gap: 20 * time.Millisecond}, planner.EmitOnWindowClose},
	}
	total := 3_000_000
	if testing.Short() {
		total = 400_000
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			// 100µs per row: 10,000 rows per second of event time, so every
			// key is seen about 5 times per second.
			// Keys longer than 12 bytes live in the arena, which must not grow.
			src := newGenSourceFmt(mem, false, "customer-%010d", keys, rows, 100, 50_000, 3)
			defer src.release()
			src.batches = total / rows
			src.barrier = 4
			op, err := New(genPlan(src, c.w, c.emit), src, mem)
			if err != nil {
				t.Fatal(err)
			}
			defer op.Close()
			a := op.(*aggOp)
			var peak, peakIDs, peakTable, peakArena, emitted int
			batches := 0
			for {
				m, err := op.Next(context.Background())
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				switch m.Kind {
				case executor.MsgBatch:
					emitted += int(m.Batch.NumRows())
					m.Batch.Release()
				case executor.MsgWatermark:
					batches++
					if batches == 50 { // warmed up: from here on nothing may grow much
						peak, peakIDs = int(a.StateRows()), a.g.n
						peakTable, peakArena = a.tableEntries(), cap(a.g.keys[0].(*stringKey).arena)
					}
					if batches > 50 {
						if s := int(a.StateRows()); s > 2*peak+keys {
							t.Fatalf("after %d batches %d state rows, at warm-up %d", batches, s, peak)
						}
						if a.g.n > 2*peakIDs || a.tableEntries() > 2*peakTable ||
							cap(a.g.keys[0].(*stringKey).arena) > 4*peakArena+1<<20 {
							t.Fatalf("after %d batches: %d ids (warm-up %d), table %d (%d), arena %d (%d)",
								batches, a.g.n, peakIDs, a.tableEntries(), peakTable,
								cap(a.g.keys[0].(*stringKey).arena), peakArena)
						}
					}
				}
			}
			if emitted == 0 {
				t.Fatal("nothing was emitted")
			}
			t.Logf("%d batches, %d rows out, state rows %d at warm-up, %d at the end, %d ids",
				batches, emitted, peak, a.StateRows(), a.g.n)
		})
	}
}
