package nexmark

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// sourceTable is a nexmark source with every column of its table and the
// options (key, value pairs).
func sourceTable(t testing.TB, opts ...string) *catalog.Table {
	t.Helper()
	tbl := &catalog.Table{Name: "nx", Kind: catalog.KindSource, Connector: "nexmark", Options: map[string]string{}}
	for i := 0; i+1 < len(opts); i += 2 {
		tbl.Options[opts[i]] = opts[i+1]
	}
	cols, _, err := Columns(tbl, executor.Env{})
	if err != nil {
		t.Fatal(err)
	}
	tbl.Columns = cols
	return tbl
}

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func openReader(t *testing.T, mem memory.Allocator, tbl *catalog.Table, start executor.Offsets) *Reader {
	t.Helper()
	r, err := NewSourceReader(tbl, mem)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.Open(context.Background(), start); err != nil {
		t.Fatal(err)
	}
	return r
}

// row is one delivered row: its partition and its cells as text.
type row struct {
	partition int32
	text      string
}

// fetch fetches once and returns the rows.
func fetch(t *testing.T, r *Reader, until executor.Offsets) ([]row, executor.Fetch) {
	t.Helper()
	f, err := r.Fetch(context.Background(), 0, until)
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	for _, b := range f.Batches {
		for _, s := range rowText(b.Record) {
			rows = append(rows, row{b.Partition, s})
		}
		b.Record.Release()
	}
	return rows, f
}

func rowText(rec arrow.Record) []string {
	out := make([]string, rec.NumRows())
	for i := range out {
		cells := make([]string, rec.NumCols())
		for c, col := range rec.Columns() {
			cells[c] = col.ValueStr(i)
		}
		out[i] = strings.Join(cells, "|")
	}
	return out
}

// fetchAll fetches until Done.
func fetchAll(t *testing.T, r *Reader) []row {
	t.Helper()
	var all []row
	for i := 0; ; i++ {
		if i > 100000 {
			t.Fatal("no Done after 100000 fetches")
		}
		rows, f := fetch(t, r, nil)
		all = append(all, rows...)
		if f.Done {
			return all
		}
	}
}

// bidText renders a bid as the reader's rows of all bid columns do.
func bidText(b Bid) string {
	return fmt.Sprintf("%d|%d|%d|%s|%s|%s|%s", b.Auction, b.Bidder, b.Price, b.Channel, b.URL,
		time.UnixMilli(b.DateTime).UTC().Format(time.RFC3339Nano), b.Extra)
}

func texts(rows []row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.text
	}
	return out
}

func TestABoundedBidSourceDeliversTheStreamsBidsAndEnds(t *testing.T) {
	mem := checkedMem(t)
	r := openReader(t, mem, sourceTable(t, "table", "bid", "events", "1000", "max_batch", "64"), nil)
	got := texts(fetchAll(t, r))
	g := NewGenerator(1, 10000, DefaultBaseTime, 1000)
	var want []string
	for n := int64(0); n < 1000; n++ {
		if KindOf(n) == KindBid {
			want = append(want, bidText(g.Bid(n)))
		}
	}
	if len(got) != 920 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%d rows, want the 920 bids of 1000 events; first %q, want %q", len(got), got[0], want[0])
	}
	// After the end, fetches bring nothing and stay done.
	rows, f := fetch(t, r, nil)
	if len(rows) != 0 || !f.Done || f.End[0] != 1000 {
		t.Fatalf("after the end: %d rows, done %v, end %v", len(rows), f.Done, f.End)
	}
}

func TestPersonAndAuctionSourcesDeliverTheirKind(t *testing.T) {
	mem := checkedMem(t)
	persons := fetchAll(t, openReader(t, mem, sourceTable(t, "table", "person", "events", "5000"), nil))
	auctions := fetchAll(t, openReader(t, mem, sourceTable(t, "table", "auction", "events", "5000"), nil))
	if len(persons) != 100 || len(auctions) != 300 {
		t.Fatalf("%d persons and %d auctions in 5000 events, want 100 and 300", len(persons), len(auctions))
	}
	if !strings.HasPrefix(persons[0].text, "1000|") || !strings.HasPrefix(persons[99].text, "1099|") {
		t.Errorf("person ids %q .. %q", persons[0].text[:5], persons[99].text[:5])
	}
	if !strings.HasPrefix(auctions[0].text, "1000|") || !strings.HasPrefix(auctions[299].text, "1299|") {
		t.Errorf("auction ids %q .. %q", auctions[0].text[:5], auctions[299].text[:5])
	}
}

func TestPartitionsSplitTheStreamByEventNumber(t *testing.T) {
	mem := checkedMem(t)
	one := texts(fetchAll(t, openReader(t, mem, sourceTable(t, "table", "bid", "events", "3000"), nil)))
	split := fetchAll(t, openReader(t, mem, sourceTable(t, "table", "bid", "events", "3000", "partitions", "3", "max_batch", "100"), nil))
	g := NewGenerator(1, 10000, DefaultBaseTime, 0)
	byText := map[string]int32{}
	for n := int64(0); n < 3000; n++ {
		if KindOf(n) == KindBid {
			byText[bidText(g.Bid(n))] = int32(n % 3)
		}
	}
	if len(split) != len(one) {
		t.Fatalf("3 partitions delivered %d rows, 1 partition %d", len(split), len(one))
	}
	for _, r := range split {
		p, ok := byText[r.text]
		if !ok || p != r.partition {
			t.Fatalf("row %q in partition %d, want partition %d (known %v)", r.text, r.partition, p, ok)
		}
		delete(byText, r.text)
	}
	if len(byText) != 0 {
		t.Fatalf("%d bids not delivered", len(byText))
	}
}

func TestTasksReadTheirShareOfThePartitions(t *testing.T) {
	mem := checkedMem(t)
	var total int
	seen := map[int32]bool{}
	for task := 0; task < 2; task++ {
		r := openReader(t, mem, sourceTable(t, "table", "bid", "events", "2000", "partitions", "4", executor.TaskOption, fmt.Sprintf("%d/2", task)), nil)
		if r.Partitions() != 2 {
			t.Fatalf("task %d reads %d partitions", task, r.Partitions())
		}
		for _, row := range fetchAll(t, r) {
			if int(row.partition)%2 != task {
				t.Fatalf("task %d delivered partition %d", task, row.partition)
			}
			seen[row.partition] = true
			total++
		}
	}
	if total != 1840 || len(seen) != 4 {
		t.Fatalf("the tasks delivered %d rows of partitions %v, want 1840 of 4", total, seen)
	}
	// More tasks than partitions: the extra task has none and is done.
	r := openReader(t, mem, sourceTable(t, "table", "bid", "events", "2000", "partitions", "1", executor.TaskOption, "1/2"), nil)
	rows, f := fetch(t, r, nil)
	if r.Partitions() != 0 || len(rows) != 0 || !f.Done {
		t.Fatalf("a task without partitions: %d partitions, %d rows, done %v", r.Partitions(), len(rows), f.Done)
	}
}

func TestAResumedSourceGoesOnWhereItStoppedAndAReplayRepeatsAnEpoch(t *testing.T) {
	mem := checkedMem(t)
	tbl := sourceTable(t, "table", "bid", "events", "2000", "partitions", "2", "max_batch", "300")
	whole := texts(fetchAll(t, openReader(t, mem, tbl, nil)))

	first := openReader(t, mem, tbl, nil)
	rows, f := fetch(t, first, nil)
	if f.End[0] != 150 || f.End[1] != 150 {
		t.Fatalf("first fetch ends at %v, want 150 events of each partition", f.End)
	}
	// A restart from the checkpoint's offsets goes on from there.
	second := openReader(t, mem, tbl, f.End)
	rest := fetchAll(t, second)
	got := append(texts(rows), texts(rest)...)
	if len(got) != len(whole) {
		t.Fatalf("%d rows across a restart, %d in one run", len(got), len(whole))
	}
	set := map[string]bool{}
	for _, s := range whole {
		set[s] = true
	}
	for _, s := range got {
		if !set[s] {
			t.Fatalf("row %q is not in the uninterrupted run", s)
		}
	}
	// A replay of the first epoch, planned but not committed, delivers the
	// same rows, exactly to its end offsets.
	replay := openReader(t, mem, tbl, nil)
	again, rf := fetch(t, replay, f.End)
	if strings.Join(texts(again), "\n") != strings.Join(texts(rows), "\n") || rf.End[0] != 150 || rf.End[1] != 150 {
		t.Fatalf("the replay delivered %d rows ending at %v, the epoch had %d ending at %v", len(again), rf.End, len(rows), f.End)
	}
	// A partition missing from until delivers nothing.
	part := openReader(t, mem, tbl, nil)
	only, pf := fetch(t, part, executor.Offsets{1: 20})
	for _, r := range only {
		if r.partition != 1 {
			t.Fatalf("replay of partition 1 delivered partition %d", r.partition)
		}
	}
	if pf.End[0] != 0 || pf.End[1] != 20 {
		t.Fatalf("replay to {1: 20} ended at %v", pf.End)
	}
}

func TestADeclaredColumnListSelectsColumnsByName(t *testing.T) {
	mem := checkedMem(t)
	tbl := &catalog.Table{Name: "nx", Kind: catalog.KindSource, Connector: "nexmark",
		Options: map[string]string{"table": "bid", "events": "100"},
		Columns: []catalog.Column{{Name: "DATETIME", Type: catalog.Timestamp, SQLType: "TIMESTAMP(3)"}, {Name: "price", Type: catalog.Int64, SQLType: "BIGINT"}}}
	rows := fetchAll(t, openReader(t, mem, tbl, nil))
	b := NewGenerator(1, 10000, DefaultBaseTime, 0).Bid(4)
	want := time.UnixMilli(b.DateTime).UTC().Format(time.RFC3339Nano) + "|" + fmt.Sprint(b.Price)
	if len(rows) != 92 || rows[0].text != want {
		t.Fatalf("%d rows, first %q, want %q", len(rows), rows[0].text, want)
	}
	tbl.Columns = append(tbl.Columns, catalog.Column{Name: "nosuch", Type: catalog.Int64, SQLType: "BIGINT"})
	if _, err := NewSourceReader(tbl, mem); err == nil || !strings.Contains(err.Error(), `no column "nosuch" (columns: auction, bidder, price, channel, url, dateTime, extra)`) {
		t.Fatalf("unknown column: %v", err)
	}
	tbl.Columns = []catalog.Column{{Name: "price", Type: catalog.String, SQLType: "VARCHAR"}}
	if _, err := NewSourceReader(tbl, mem); err == nil || !strings.Contains(err.Error(), "column price is BIGINT in nexmark table bid, not VARCHAR") {
		t.Fatalf("wrong type: %v", err)
	}
}

func TestBadOptionsAreRefusedNamingTheOption(t *testing.T) {
	for _, c := range []struct {
		opts []string
		want string
	}{
		{[]string{"events", "10"}, "needs option table"},
		{[]string{"table", "bids"}, "option table = 'bids': expected one of bid, auction, person"},
		{[]string{"table", "bid", "events", "-1"}, "option events = '-1'"},
		{[]string{"table", "bid", "events_per_second", "0"}, "option events_per_second = '0'"},
		{[]string{"table", "bid", "partitions", "0"}, "option partitions = '0': expected a whole number from 1 to 1024"},
		{[]string{"table", "bid", "base_time", "yesterday"}, "option base_time = 'yesterday'"},
	} {
		tbl := &catalog.Table{Name: "nx", Options: map[string]string{}}
		for i := 0; i+1 < len(c.opts); i += 2 {
			tbl.Options[c.opts[i]] = c.opts[i+1]
		}
		_, err := NewSourceReader(tbl, memory.DefaultAllocator)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.opts, err, c.want)
		}
	}
}

func TestARateLimitedSourceDeliversOnlyTheEventsDue(t *testing.T) {
	mem := checkedMem(t)
	r := openReader(t, mem, sourceTable(t, "table", "bid", "events_per_second", "100", "rate_limited", "true"), nil)
	now := r.openTime
	var slept time.Duration
	r.sleep = func(_ context.Context, d time.Duration) { slept += d }
	// Pretend 1 s has passed: 100 events are due, no more.
	r.openTime = now.Add(-time.Second)
	rows, f := fetch(t, r, nil)
	if f.End[0] < 100 || f.End[0] > 102 || len(rows) > 100 {
		t.Fatalf("after 1 s at 100 events/s: end %v, %d rows", f.End, len(rows))
	}
	// Nothing more is due for a while: the fetch waits (up to wait).
	r.openTime = time.Now().Add(-time.Duration(f.End[0]) * 10 * time.Millisecond)
	if _, err := r.Fetch(context.Background(), 50*time.Millisecond, nil); err != nil {
		t.Fatal(err)
	}
	if slept <= 0 || slept > 50*time.Millisecond {
		t.Fatalf("slept %v waiting for the next event", slept)
	}
}

// BenchmarkFetchBids measures the source as a query reads it: bid rows
// built into Arrow records, events (of all kinds) per second.
func BenchmarkFetchBids(b *testing.B) {
	tbl := sourceTable(b, "table", "bid")
	r, err := NewSourceReader(tbl, memory.DefaultAllocator)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	if err := r.Open(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var events int64
	for i := 0; i < b.N; i++ {
		f, err := r.Fetch(context.Background(), 0, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, pb := range f.Batches {
			pb.Record.Release()
		}
		events = f.End[0]
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

func TestPrunedColumnsAreNullAndTheOthersUnchanged(t *testing.T) {
	mem := checkedMem(t)
	tbl := sourceTable(t, "table", "bid", "events", "500")
	whole := fetchAll(t, openReader(t, mem, tbl, nil))
	r, err := NewSourceReader(tbl, mem)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	r.PruneColumns([]bool{true, false, true, false, false, true, false}) // auction, price, dateTime
	if err := r.Open(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	pruned := fetchAll(t, r)
	if len(pruned) != len(whole) {
		t.Fatalf("%d rows pruned, %d whole", len(pruned), len(whole))
	}
	for i := range whole {
		w, p := strings.Split(whole[i].text, "|"), strings.Split(pruned[i].text, "|")
		want := strings.Join([]string{w[0], "(null)", w[2], "(null)", "(null)", w[5], "(null)"}, "|")
		if strings.Join(p, "|") != want {
			t.Fatalf("row %d: %q, want %q", i, pruned[i].text, want)
		}
	}
}
