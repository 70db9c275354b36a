package window

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/executor"
)

func TestSnapshotRestore(t *testing.T) {
	windows := map[string]string{"running": ""}
	for k, v := range diffWindows {
		windows[k] = v
	}
	for name, window := range windows {
		for _, mode := range []string{"close", "changes"} {
			if window == "" && mode == "close" {
				continue
			}
			t.Run(name+" emit "+mode+" restored half-way gives the output of an uninterrupted run", func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				plan := "input k:string amount:int64 ts:timestamp\nkeys k\n" + window + "\nemit " + mode + diffAggs
				for seed := range uint64(4) {
					rng := rand.New(rand.NewPCG(seed, 11))
					evs := randomEvents(rng, 3000, 1+rng.IntN(20))
					s := randomSplit(rng, mem, evs)
					want, _ := runScript(t, mem, plan, cloneScript(s))
					got := runRestored(t, mem, plan, s)
					if !slices.Equal(got, want) {
						t.Fatalf("seed %d: restored run differs:\n%s", seed, firstDiff(want, got))
					}
				}
			})
		}
	}
}

// cloneScript retains every batch, so a script can be run twice.
func cloneScript(s script) script {
	for _, m := range s {
		if m.Batch != nil {
			m.Batch.Retain()
		}
	}
	return s
}

// runRestored runs s up to its middle barrier, snapshots the operator,
// restores the snapshot into a new operator and runs the rest there.
func runRestored(t *testing.T, mem memory.Allocator, plan string, s script) []string {
	t.Helper()
	var barriers []int
	for i, m := range s {
		if m.Kind == executor.MsgBarrier {
			barriers = append(barriers, i)
		}
	}
	cut := barriers[len(barriers)/2] + 1
	n, in, err := parsePlan(plan)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	src := &fakeInput{schema: in}
	op, err := New(n, src, mem)
	if err != nil {
		t.Fatal(err)
	}
	src.push(s[:cut]...)
	if err := drain(op, &out); err != nil {
		t.Fatal(err)
	}
	state, err := op.(executor.Stateful).Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Close(); err != nil {
		t.Fatal(err)
	}

	src = &fakeInput{schema: in}
	op, err = New(n, src, mem)
	if err != nil {
		t.Fatal(err)
	}
	if err := op.(executor.Stateful).Restore(state); err != nil {
		t.Fatal(err)
	}
	src.push(s[cut:]...)
	src.eof = true
	if err := drain(op, &out); err.Error() != "EOF" {
		t.Fatalf("run ended with %v", err)
	}
	if err := op.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSnapshotRejectsBadInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	build := func(plan string) executor.Operator {
		n, in, err := parsePlan(plan)
		if err != nil {
			t.Fatal(err)
		}
		op, err := New(n, &fakeInput{schema: in}, mem)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { op.Close() })
		return op
	}
	tumble := "input k:string amount:int64 ts:timestamp\nkeys k\nwindow tumble ts 10s" + diffAggs
	src := build(tumble)
	src.(*aggOp).input.(*fakeInput).push(oneBatch(mem, randomEvents(rand.New(rand.NewPCG(1, 2)), 100, 5))[0])
	var out []string
	if err := drain(src, &out); err != nil {
		t.Fatal(err)
	}
	state, err := src.(executor.Stateful).Snapshot()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a snapshot of another aggregate is refused", func(t *testing.T) {
		op := build("input k:string amount:int64 ts:timestamp\nkeys k\nwindow tumble ts 20s" + diffAggs)
		if err := op.(executor.Stateful).Restore(state); err == nil {
			t.Fatal("restored a snapshot of a different window size")
		}
	})
	t.Run("an unknown version is refused", func(t *testing.T) {
		bad := slices.Clone(state)
		bad[len(snapshotMagic)] = 99
		if err := build(tumble).(executor.Stateful).Restore(bad); err == nil {
			t.Fatal("restored version 99")
		}
	})
	t.Run("every truncation is an error, not a panic", func(t *testing.T) {
		for n := 0; n < len(state); n += 1 + n/50 {
			if err := build(tumble).(executor.Stateful).Restore(state[:n]); err == nil {
				t.Fatalf("restored a snapshot cut to %d of %d bytes", n, len(state))
			}
		}
	})
	t.Run("the full snapshot restores", func(t *testing.T) {
		op := build(tumble)
		if err := op.(executor.Stateful).Restore(state); err != nil {
			t.Fatal(err)
		}
		if got, want := op.(Stats).StateRows(), src.(Stats).StateRows(); got != want {
			t.Fatalf("restored %d groups, want %d", got, want)
		}
	})
}
