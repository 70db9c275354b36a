package window

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// event is one input row of the randomised tests.
type event struct {
	key    string
	amount int64 // -1 stands for NULL
	ts     int64 // µs; nullTS stands for NULL
}

const nullTS = -1 << 62

var eventSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: catalog.String, Nullable: true},
	{Name: "amount", Type: catalog.Int64, Nullable: true},
	{Name: "ts", Type: catalog.Timestamp, Nullable: true},
}, nil)

// randomEvents returns n events over a few keys, event time advancing about
// 100ms per event with up to 2s of disorder, some NULL amounts and times.
func randomEvents(rng *rand.Rand, n, keys int) []event {
	evs := make([]event, n)
	for i := range evs {
		e := event{key: fmt.Sprintf("k%d", rng.IntN(keys)), amount: rng.Int64N(20), ts: -20e6 + int64(i)*100e3 + rng.Int64N(2e6)}
		if rng.IntN(15) == 0 {
			e.amount = -1
		}
		if rng.IntN(40) == 0 {
			e.ts = nullTS
		}
		evs[i] = e
	}
	return evs
}

func eventBatch(mem memory.Allocator, evs []event) arrow.Record {
	b := array.NewRecordBuilder(mem, eventSchema)
	defer b.Release()
	k := b.Field(0).(*array.StringBuilder)
	a := b.Field(1).(*array.Int64Builder)
	ts := b.Field(2).(*array.TimestampBuilder)
	for _, e := range evs {
		k.Append(e.key)
		if e.amount < 0 {
			a.AppendNull()
		} else {
			a.Append(e.amount)
		}
		if e.ts == nullTS {
			ts.AppendNull()
		} else {
			ts.Append(arrow.Timestamp(e.ts))
		}
	}
	return b.NewRecordBatch()
}

// script is a sequence of input messages, made of events.
type script []executor.Msg

// oneBatch is all events in one batch, then MaxWatermark.
func oneBatch(mem memory.Allocator, evs []event) script {
	return script{{Kind: executor.MsgBatch, Batch: eventBatch(mem, evs)},
		{Kind: executor.MsgWatermark, Watermark: executor.MaxWatermark}}
}

// randomSplit is the events in random batches, with watermarks that never
// pass an event still to come, barriers, then MaxWatermark.
func randomSplit(rng *rand.Rand, mem memory.Allocator, evs []event) script {
	suffixMin := make([]int64, len(evs)+1)
	suffixMin[len(evs)] = 1 << 62
	for i := len(evs) - 1; i >= 0; i-- {
		suffixMin[i] = suffixMin[i+1]
		if evs[i].ts != nullTS {
			suffixMin[i] = min(suffixMin[i], evs[i].ts)
		}
	}
	var s script
	wm, epoch := int64(-1<<62), int64(0)
	for pos := 0; pos < len(evs); {
		n := 1 + rng.IntN(len(evs)/8+1)
		end := min(pos+n, len(evs))
		s = append(s, executor.Msg{Kind: executor.MsgBatch, Batch: eventBatch(mem, evs[pos:end])})
		pos = end
		// A watermark strictly below every event still to come.
		if safe := suffixMin[pos] - 1; rng.IntN(2) == 0 && safe > wm && pos < len(evs) {
			wm = safe - rng.Int64N(min(safe-wm, 3e6))
			s = append(s, wmMsg(wm))
		}
		if rng.IntN(3) == 0 {
			epoch++
			s = append(s, executor.Msg{Kind: executor.MsgBarrier, Barrier: executor.Barrier{Epoch: epoch}})
		}
	}
	epoch++
	return append(s, executor.Msg{Kind: executor.MsgWatermark, Watermark: executor.MaxWatermark},
		executor.Msg{Kind: executor.MsgBarrier, Barrier: executor.Barrier{Epoch: epoch, Final: true}})
}

// runScript feeds a script through a new operator and returns its output
// rows (and watermark/barrier lines).
func runScript(t *testing.T, mem memory.Allocator, plan string, s script) ([]string, executor.Operator) {
	t.Helper()
	n, in, err := parsePlan(plan)
	if err != nil {
		t.Fatal(err)
	}
	src := &fakeInput{schema: in}
	op, err := New(n, src, mem)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	src.push(s...)
	src.eof = true
	if err := drain(op, &out); err.Error() != "EOF" {
		t.Fatalf("run ended with %v", err)
	}
	if err := op.Close(); err != nil {
		t.Fatal(err)
	}
	return out, op
}

// rowsOnly keeps the output rows, sorted.
func rowsOnly(out []string) []string {
	var rows []string
	for _, l := range out {
		if strings.HasPrefix(l, "window_start=") || strings.HasPrefix(l, "k=") {
			rows = append(rows, l)
		}
	}
	slices.Sort(rows)
	return rows
}

const diffAggs = `
agg count_star c
agg sum amount s
agg min amount lo
agg max amount hi
agg count amount distinct d
agg avg amount a
agg approx_percentile amount 0.5 p
`

var diffWindows = map[string]string{
	"tumble":      "window tumble ts 10s",
	"hop":         "window hop ts 5s 15s",
	"hop gcd":     "window hop ts 4s 10s",
	"session":     "window session ts 3s",
	"session gap": "window session ts 700ms",
}

func TestDifferentialRandomBatching(t *testing.T) {
	for name, window := range diffWindows {
		for _, mode := range []string{"close", "changes"} {
			if mode == "changes" && strings.HasPrefix(name, "session") {
				continue // an update stream of merged sessions needs retractions to compare
			}
			t.Run(name+" emit "+mode+" gives the same final windows however the input is split", func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				plan := "input k:string amount:int64 ts:timestamp\nkeys k\n" + window + "\nemit " + mode + diffAggs
				for seed := range uint64(6) {
					rng := rand.New(rand.NewPCG(seed, 7))
					evs := randomEvents(rng, 2000+rng.IntN(2000), 1+rng.IntN(12))
					whole, _ := runScript(t, mem, plan, oneBatch(mem, evs))
					want := finalRows(whole, mode)
					if mode == "close" {
						ref := reference(evs, window)
						if got := stripPercentile(want); !slices.Equal(got, ref) {
							t.Fatalf("seed %d: one batch differs from the reference:\n%s", seed, firstDiff(ref, got))
						}
					}
					if seed == 0 {
						t.Logf("%d events, %d windows", len(evs), len(want))
					}
					split, op := runScript(t, mem, plan, randomSplit(rng, mem, evs))
					if late := op.(Counters).LateRows(); late != 0 {
						t.Fatalf("seed %d: %d late rows with safe watermarks", seed, late)
					}
					if got := finalRows(split, mode); !slices.Equal(got, want) {
						t.Fatalf("seed %d: split run differs:\n%s", seed, firstDiff(want, got))
					}
				}
			})
		}
	}
}

// finalRows is the sorted output rows; for EMIT CHANGES, the last row
// emitted for each (window, key).
func finalRows(out []string, mode string) []string {
	if mode == "close" {
		return rowsOnly(out)
	}
	last := map[string]string{}
	for _, l := range rowsOnly2(out) {
		id := l[:strings.Index(l, " c=")]
		last[id] = l
	}
	var rows []string
	for _, l := range last {
		rows = append(rows, l)
	}
	slices.Sort(rows)
	return rows
}

// rowsOnly2 keeps the output rows in emission order.
func rowsOnly2(out []string) []string {
	var rows []string
	for _, l := range out {
		if strings.HasPrefix(l, "window_start=") {
			rows = append(rows, l)
		}
	}
	return rows
}

func stripPercentile(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r[:strings.Index(r, " p=")]
	}
	return out
}

func firstDiff(want, got []string) string {
	for i := range max(len(want), len(got)) {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			return fmt.Sprintf("row %d of %d/%d\nwant %s\ngot  %s", i, len(want), len(got), w, g)
		}
	}
	return "equal"
}
