package datagen

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor"
)

// mixed has a column of every kind, with a simulated clock so that every
// value is reproducible.
func mixed(opts ...string) []string {
	return append([]string{
		"rows_per_second", "0",
		"fields.txn.kind", "sequence", "fields.txn.prefix", "TXN-",
		"fields.product.kind", "choice", "fields.product.values", "apple, pear,plum",
		"fields.qty.kind", "random", "fields.qty.start", "1", "fields.qty.end", "5",
		"fields.event_time.start", "2024-01-01T00:00:00Z", "fields.event_time.max_disorder", "5 seconds",
	}, opts...)
}

var mixedCols = []string{"id BIGINT", "txn VARCHAR", "customer VARCHAR", "product VARCHAR", "qty BIGINT",
	"amount DOUBLE", "vip BOOLEAN", "event_time TIMESTAMP", "day DATE"}

func TestTheSameSeedGivesTheSameRows(t *testing.T) {
	mem := checkedMem(t)
	tbl := genTable(mixedCols, mixed("rows", "200", "seed", "42", "fields.day.kind", "random")...)
	a := fetchAll(t, openGen(t, mem, tbl, nil))
	b := fetchAll(t, openGen(t, mem, tbl, nil))
	if len(a) != 200 || !reflect.DeepEqual(a, b) {
		t.Fatalf("two runs with seed 42 differ (%d and %d rows)", len(a), len(b))
	}
	other := fetchAll(t, openGen(t, mem, genTable(mixedCols, mixed("rows", "200", "seed", "43", "fields.day.kind", "random")...), nil))
	if reflect.DeepEqual(a, other) {
		t.Fatal("seeds 42 and 43 gave the same rows")
	}
	if !reflect.DeepEqual(column(a, 0), column(other, 0)) || !reflect.DeepEqual(column(a, 1), column(other, 1)) {
		t.Fatal("sequences depend on the seed")
	}
}

func TestRowsLimitEndsWithDone(t *testing.T) {
	r := openGen(t, checkedMem(t), genTable([]string{"id BIGINT"}, "rows", "25", "max_batch", "10", "rows_per_second", "0"), nil)
	var sizes []int
	for {
		rows, f := fetchGen(t, r, 0, nil)
		sizes = append(sizes, len(rows))
		if f.Done {
			if f.End[0] != 25 {
				t.Fatalf("done at offset %d, want 25", f.End[0])
			}
			break
		}
	}
	if !slices.Equal(sizes, []int{10, 10, 5}) {
		t.Fatalf("batch sizes %v, want [10 10 5]", sizes)
	}
	rows, f := fetchGen(t, r, 0, nil)
	if len(rows) != 0 || !f.Done {
		t.Fatalf("after the end: %d rows, done=%v", len(rows), f.Done)
	}
}

func TestUnthrottledGenerationIsBoundedByRows(t *testing.T) {
	r := openGen(t, checkedMem(t), genTable(mixedCols, mixed("rows", "5000", "max_batch", "100000")...), nil)
	rows, f := fetchGen(t, r, 0, nil)
	if len(rows) != 5000 || !f.Done || f.End[0] != 5000 {
		t.Fatalf("%d rows, done=%v, end %v; want all 5000 at once and done", len(rows), f.Done, f.End)
	}
	if got := column(rows, 0); !reflect.DeepEqual(got[:3], []string{"1", "2", "3"}) || got[4999] != "5000" {
		t.Fatalf("ids %v ... %s", got[:3], got[4999])
	}
}

func TestRateLimitingHoldsRowsBackUntilTheyAreDue(t *testing.T) {
	t.Run("a slow rate has nothing due at first", func(t *testing.T) {
		r := openGen(t, checkedMem(t), genTable([]string{"id BIGINT"}, "rows_per_second", "0.001"), nil)
		var slept time.Duration
		r.sleep = func(_ context.Context, d time.Duration) { slept += d }
		rows, f := fetchGen(t, r, 50*time.Millisecond, nil)
		if len(rows) != 0 || f.End[0] != 0 {
			t.Fatalf("%d rows before the first was due", len(rows))
		}
		if slept <= 0 || slept > 50*time.Millisecond {
			t.Fatalf("waited %v for the next row, want up to the fetch's wait", slept)
		}
	})
	t.Run("rows due for long are capped by max_batch", func(t *testing.T) {
		r := openGen(t, checkedMem(t), genTable([]string{"id BIGINT"}, "rows_per_second", "5", "max_batch", "7"), nil)
		r.openTime = r.openTime.Add(-time.Hour) // 18000 rows are due
		rows, f := fetchGen(t, r, 0, nil)
		if len(rows) != 7 || f.Done {
			t.Fatalf("%d rows, done=%v; want max_batch (7)", len(rows), f.Done)
		}
	})
}

func TestResumingFromAnOffsetGivesTheRowsOfAnUninterruptedRun(t *testing.T) {
	mem := checkedMem(t)
	tbl := genTable(mixedCols, mixed("rows", "60", "max_batch", "7", "seed", "9", "fields.day.kind", "random")...)
	whole := fetchAll(t, openGen(t, mem, tbl, nil))

	first := openGen(t, mem, tbl, nil)
	var got []string
	var end executor.Offsets
	for len(got) < 25 {
		rows, f := fetchGen(t, first, 0, nil)
		got, end = append(got, rows...), f.End
	}
	first.Close()
	second := openGen(t, mem, tbl, end)
	got = append(got, fetchAll(t, second)...)
	if !reflect.DeepEqual(got, whole) {
		t.Fatalf("resumed run differs from the uninterrupted one:\n%v\n%v", got, whole)
	}

	t.Run("a replay with until regenerates the epoch", func(t *testing.T) {
		r := openGen(t, mem, tbl, executor.Offsets{0: 14})
		rows, f := fetchGen(t, r, 0, executor.Offsets{0: 40})
		if !reflect.DeepEqual(rows, whole[14:40]) || f.End[0] != 40 {
			t.Fatalf("replay of rows 14..40 gave %d rows ending at %v", len(rows), f.End)
		}
	})
}

func TestConnectorIsRegisteredWithFlinkSynonyms(t *testing.T) {
	c, err := executor.Lookup("datagen")
	if err != nil {
		t.Fatal(err)
	}
	opts, err := c.Normalize(map[string]string{"connector": "datagen", "rows-per-second": "5", "number-of-rows": "10"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"rows_per_second": "5", "rows": "10", "seed": "1", "max_batch": "10000"}; !reflect.DeepEqual(opts, want) {
		t.Fatalf("normalised %v, want %v", opts, want)
	}
	if _, err := c.Normalize(map[string]string{"rows_per_second": "-1"}); err == nil {
		t.Fatal("a negative rate was accepted")
	}
}

// The source has one partition: in a parallel query the first task reads
// it and the others read nothing (and are done when the source is bounded).
func TestOnlyTheFirstTaskOfAParallelQueryGenerates(t *testing.T) {
	mem := checkedMem(t)
	first := openGen(t, mem, genTable([]string{"id BIGINT"}, "rows", "10", "rows_per_second", "0", executor.TaskOption, "0/2"), nil)
	if rows := fetchAll(t, first); len(rows) != 10 || first.Partitions() != 1 {
		t.Fatalf("task 0 of 2: %d rows, %d partitions", len(rows), first.Partitions())
	}
	second := openGen(t, mem, genTable([]string{"id BIGINT"}, "rows", "10", "rows_per_second", "0", executor.TaskOption, "1/2"), nil)
	rows, f := fetchGen(t, second, 0, nil)
	if len(rows) != 0 || !f.Done || second.Partitions() != 0 {
		t.Fatalf("task 1 of 2: %d rows, done %v, %d partitions", len(rows), f.Done, second.Partitions())
	}
	if _, err := NewSourceReader(genTable([]string{"id BIGINT"}, executor.TaskOption, "2/2"), mem); err == nil {
		t.Fatal("task 2 of 2 accepted")
	}
}
