package kafka

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// sinkTestBroker starts an in-process kfake broker on 127.0.0.1 with the
// given one-partition topics; it creates other topics on first use, as
// Kafka's auto.create.topics.enable does.
func sinkTestBroker(t *testing.T, topics ...string) string {
	t.Helper()
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation()}
	if len(topics) > 0 {
		opts = append(opts, kfake.SeedTopics(1, topics...))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

var sinkTestTS = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// sinkTestTable is a customer_stats-shaped table with the given key.
func sinkTestTable(addr, topic string, key []string, opts ...string) *catalog.Table {
	t := &catalog.Table{
		Name: "out",
		Columns: []catalog.Column{
			{Name: "window_start", Type: catalog.Timestamp},
			{Name: "customer_id", Type: catalog.String},
			{Name: "tx_count", Type: catalog.Int64},
			{Name: "total_amount", Type: catalog.Float64},
			{Name: "ok", Type: catalog.Bool},
			{Name: "day", Type: catalog.Date},
		},
		PrimaryKey: key,
		Connector:  "kafka",
		Options:    map[string]string{"topic": topic, "brokers": addr},
	}
	for i := 0; i+1 < len(opts); i += 2 {
		t.Options[opts[i]] = opts[i+1]
	}
	return t
}

func sinkTestSpec(t *catalog.Table, query string) executor.SinkSpec {
	spec := executor.SinkSpec{QueryID: query, Schema: t.Schema(), Mode: executor.SinkAppend}
	if len(t.PrimaryKey) > 0 {
		spec.Mode, spec.PrimaryKey = executor.SinkUpsert, t.PrimaryKeyIndexes()
	}
	return spec
}

func sinkTestOpen(t *testing.T, tbl *catalog.Table, spec executor.SinkSpec) *Sink {
	t.Helper()
	sk, err := NewSink(tbl, executor.Env{})
	if err != nil {
		t.Fatal(err)
	}
	s := sk.(*Sink)
	if err := s.Open(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var sinkT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// sinkTestRecord builds a record of schema from rows of Go values (nil =
// NULL).
func sinkTestRecord(t *testing.T, schema *arrow.Schema, rows ...[]any) arrow.Record {
	t.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, row := range rows {
		for i, v := range row {
			f := b.Field(i)
			if v == nil {
				f.AppendNull()
				continue
			}
			switch f := f.(type) {
			case *array.TimestampBuilder:
				f.Append(arrow.Timestamp(v.(time.Time).UnixMicro()))
			case *array.StringBuilder:
				f.Append(v.(string))
			case *array.Int64Builder:
				f.Append(int64(v.(int)))
			case *array.Float64Builder:
				f.Append(v.(float64))
			case *array.BooleanBuilder:
				f.Append(v.(bool))
			case *array.Date32Builder:
				f.Append(arrow.Date32FromTime(v.(time.Time)))
			default:
				t.Fatalf("column %d: unexpected builder %T", i, f)
			}
		}
	}
	return b.NewRecord()
}

// sinkRow is one row of sinkTestTable: customer c of window w.
func sinkRow(w int, c string, n int) []any {
	return []any{sinkT0.Add(time.Duration(w) * 5 * time.Minute), c, n, float64(n) / 2, n%2 == 0, sinkT0}
}

func sinkWriteCommit(t *testing.T, s *Sink, epoch int64, recs ...arrow.Record) {
	t.Helper()
	for _, r := range recs {
		if err := s.Write(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		r.Release()
	}
	if err := s.Commit(context.Background(), epoch); err != nil {
		t.Fatal(err)
	}
}

// sinkConsume reads every partition of topic from the start to its current
// end with the given isolation level and returns the data records as
// "key => value" lines in partition and offset order ("<nil>" for a null key
// or value).
func sinkConsume(t *testing.T, addr, topic string, committed bool) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	adm, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	ends, err := kadm.NewClient(adm).ListEndOffsets(ctx, topic)
	if err != nil || ends.Error() != nil {
		t.Fatalf("list end offsets: %v %v", err, ends.Error())
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			want[o.Partition] = o.Offset - 1
		}
	})
	iso := kgo.ReadUncommitted()
	if committed {
		iso = kgo.ReadCommitted()
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.FetchIsolationLevel(iso),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.KeepControlRecords())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	for len(want) > 0 {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consume %s: %v (still waiting for %v)", topic, ctx.Err(), want)
		}
		f.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() {
				recs = append(recs, r)
			}
			if end, ok := want[r.Partition]; ok && r.Offset >= end {
				delete(want, r.Partition)
			}
		})
	}
	sort.SliceStable(recs, func(i, j int) bool {
		if recs[i].Partition != recs[j].Partition {
			return recs[i].Partition < recs[j].Partition
		}
		return recs[i].Offset < recs[j].Offset
	})
	out := make([]string, len(recs))
	for i, r := range recs {
		k, v := "<nil>", "<nil>"
		if r.Key != nil {
			k = string(r.Key)
		}
		if r.Value != nil {
			v = string(r.Value)
		}
		out[i] = k + " => " + v
	}
	return out
}

func sinkEqual(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Values are JSON objects with the column names as keys (timestamps RFC 3339
// with milliseconds in UTC, dates YYYY-MM-DD, NULL null); the key is the one
// key column's text, a JSON object of several, or null without a key; the
// commit writes the epoch marker.
func TestSinkJSONValuesAndKeys(t *testing.T) {
	addr := sinkTestBroker(t, "one", "two", "none")
	ts := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC)
	rows := [][]any{
		{ts, "c\"1\n", 3, 12.5, true, time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)},
		{nil, "c2", nil, nil, nil, nil},
	}
	v1 := `{"window_start":"2026-03-01T12:00:00.123Z","customer_id":"c\"1\n","tx_count":3,"total_amount":12.5,"ok":true,"day":"2026-02-28"}`
	v2 := `{"window_start":null,"customer_id":"c2","tx_count":null,"total_amount":null,"ok":null,"day":null}`
	for _, c := range []struct {
		topic string
		key   []string
		want  []string
	}{
		{"one", []string{"customer_id"}, []string{"c\"1\n => " + v1, "c2 => " + v2}},
		{"two", []string{"window_start", "customer_id"}, []string{
			`{"window_start":"2026-03-01T12:00:00.123Z","customer_id":"c\"1\n"} => ` + v1,
			`{"window_start":null,"customer_id":"c2"} => ` + v2}},
		{"none", nil, []string{"<nil> => " + v1, "<nil> => " + v2}},
	} {
		tbl := sinkTestTable(addr, c.topic, c.key)
		s := sinkTestOpen(t, tbl, sinkTestSpec(tbl, "q-"+c.topic))
		sinkWriteCommit(t, s, 0, sinkTestRecord(t, tbl.Schema(), rows...))
		sinkEqual(t, "topic "+c.topic, sinkConsume(t, addr, c.topic, true), c.want)
	}
	sinkEqual(t, sinkEpochTopic, sinkConsume(t, addr, sinkEpochTopic, true),
		[]string{"q-one => 0", "q-two => 0", "q-none => 0"})
}

// An aborted epoch reached the broker but is invisible to read_committed
// consumers; the epoch written after it is visible.
func TestSinkAbortedEpochInvisible(t *testing.T) {
	addr := sinkTestBroker(t, "out")
	tbl := sinkTestTable(addr, "out", []string{"customer_id"})
	s := sinkTestOpen(t, tbl, sinkTestSpec(tbl, "q"))
	ctx := context.Background()
	if err := s.Write(ctx, sinkTestRecord(t, tbl.Schema(), sinkRow(0, "aborted", 1))); err != nil {
		t.Fatal(err)
	}
	if err := s.cl.Flush(ctx); err != nil { // make sure it is on the broker
		t.Fatal(err)
	}
	if err := s.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	sinkWriteCommit(t, s, 0, sinkTestRecord(t, tbl.Schema(), sinkRow(0, "kept", 2)))
	got := sinkConsume(t, addr, "out", true)
	if len(got) != 1 || !strings.HasPrefix(got[0], "kept => ") {
		t.Fatalf("read_committed sees %q; want only the committed row", got)
	}
	if all := sinkConsume(t, addr, "out", false); len(all) != 2 || !strings.HasPrefix(all[0], "aborted => ") {
		t.Fatalf("read_uncommitted sees %q; want the aborted row too", all)
	}
}

// After a restart LastEpoch is the last committed epoch; a replayed epoch
// is not duplicated, neither after a clean close nor after a writer died in
// the middle of a transaction (the new instance fences it and aborts it).
func TestSinkReplayAfterRestart(t *testing.T) {
	addr := sinkTestBroker(t, "out")
	tbl := sinkTestTable(addr, "out", []string{"customer_id"})
	spec := sinkTestSpec(tbl, "q-replay")
	ctx := context.Background()
	epoch := func(e int) arrow.Record {
		return sinkTestRecord(t, tbl.Schema(), sinkRow(e, fmt.Sprintf("e%d-a", e), e), sinkRow(e, fmt.Sprintf("e%d-b", e), e))
	}
	s1 := sinkTestOpen(t, tbl, spec)
	if e, err := s1.LastEpoch(ctx); err != nil || e != -1 {
		t.Fatalf("LastEpoch of a new query = %d, %v; want -1", e, err)
	}
	sinkWriteCommit(t, s1, 0, epoch(0))
	sinkWriteCommit(t, s1, 1, epoch(1))
	s1.Close()

	s2 := sinkTestOpen(t, tbl, spec)
	if e, err := s2.LastEpoch(ctx); err != nil || e != 1 {
		t.Fatalf("LastEpoch after restart = %d, %v; want 1", e, err)
	}
	sinkWriteCommit(t, s2, 1, epoch(1)) // replay: a no-op
	sinkWriteCommit(t, s2, 2, epoch(2))
	// Epoch 3 is produced, then the writer dies without ending its
	// transaction.
	if err := s2.Write(ctx, epoch(3)); err != nil {
		t.Fatal(err)
	}
	if err := s2.cl.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	s2.cl.Close()
	s2.cl = nil

	s3 := sinkTestOpen(t, tbl, spec)
	last, err := s3.LastEpoch(ctx)
	if err != nil || last != 2 {
		t.Fatalf("LastEpoch after a crash = %d, %v; want 2", last, err)
	}
	for e := last + 1; e <= 3; e++ {
		sinkWriteCommit(t, s3, e, epoch(int(e)))
	}
	var keys []string
	for _, l := range sinkConsume(t, addr, "out", true) {
		keys = append(keys, strings.SplitN(l, " => ", 2)[0])
	}
	sinkEqual(t, "read_committed keys", keys, []string{"e0-a", "e0-b", "e1-a", "e1-b", "e2-a", "e2-b", "e3-a", "e3-b"})
	// The dead writer's epoch 3 reached the broker (the replayed epoch 1
	// may have been aborted before it was sent).
	if n := len(sinkConsume(t, addr, "out", false)); n < 10 {
		t.Fatalf("read_uncommitted sees %d records; want at least 10 (8 committed, 2 of the dead writer)", n)
	}
}

// A row with __deleted = true becomes a tombstone for its key, and the
// column is not written; without a key a retraction is an error.
func TestSinkTombstones(t *testing.T) {
	addr := sinkTestBroker(t, "out", "nokey")
	tbl := sinkTestTable(addr, "out", []string{"customer_id"})
	spec := sinkTestSpec(tbl, "q-del")
	spec.Schema = arrow.NewSchema(append(tbl.Schema().Fields(), arrow.Field{Name: "__deleted", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}), nil)
	s := sinkTestOpen(t, tbl, spec)
	sinkWriteCommit(t, s, 0, sinkTestRecord(t, spec.Schema,
		append(sinkRow(0, "a", 1), false), append(sinkRow(0, "b", 2), true), append(sinkRow(0, "c", 3), nil)))
	got := sinkConsume(t, addr, "out", true)
	if len(got) != 3 || got[1] != "b => <nil>" || strings.Contains(got[0]+got[2], "__deleted") ||
		!strings.HasPrefix(got[0], `a => {"window_start"`) || !strings.HasPrefix(got[2], `c => {"window_start"`) {
		t.Fatalf("records: %q", got)
	}

	nk := sinkTestTable(addr, "nokey", nil)
	nspec := sinkTestSpec(nk, "q-del-nokey")
	nspec.Schema = spec.Schema
	ns := sinkTestOpen(t, nk, nspec)
	err := ns.Write(context.Background(), sinkTestRecord(t, spec.Schema, append(sinkRow(0, "a", 1), true)))
	if err == nil || !strings.Contains(err.Error(), "no primary key") {
		t.Fatalf("retraction without a key: %v", err)
	}
}

// Without transactions the rows and the marker are produced at Commit; an
// aborted epoch is never sent, LastEpoch survives a restart and a replayed
// epoch is skipped.
func TestSinkNonTransactional(t *testing.T) {
	addr := sinkTestBroker(t, "out")
	tbl := sinkTestTable(addr, "out", []string{"customer_id"}, "transactional", "false")
	spec := sinkTestSpec(tbl, "q-plain")
	ctx := context.Background()
	s := sinkTestOpen(t, tbl, spec)
	if err := s.Write(ctx, sinkTestRecord(t, tbl.Schema(), sinkRow(0, "dropped", 1))); err != nil {
		t.Fatal(err)
	}
	if err := s.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	sinkWriteCommit(t, s, 0, sinkTestRecord(t, tbl.Schema(), sinkRow(0, "a", 1)))
	sinkWriteCommit(t, s, 1, sinkTestRecord(t, tbl.Schema(), sinkRow(0, "b", 1)))
	s.Close()
	s2 := sinkTestOpen(t, tbl, spec)
	if e, err := s2.LastEpoch(ctx); err != nil || e != 1 {
		t.Fatalf("LastEpoch after restart = %d, %v; want 1", e, err)
	}
	sinkWriteCommit(t, s2, 1, sinkTestRecord(t, tbl.Schema(), sinkRow(0, "b", 1)))
	sinkWriteCommit(t, s2, 2, sinkTestRecord(t, tbl.Schema(), sinkRow(0, "c", 1)))
	var keys []string
	for _, l := range sinkConsume(t, addr, "out", false) {
		keys = append(keys, strings.SplitN(l, " => ", 2)[0])
	}
	sinkEqual(t, "keys", keys, []string{"a", "b", "c"})
}

// Open gets a missing topic created by the brokers' auto-creation;
// unreachable brokers fail Open within seconds with an error naming them.
func TestSinkOpenTopicsAndUnreachable(t *testing.T) {
	addr := sinkTestBroker(t)
	tbl := sinkTestTable(addr, "fresh", nil)
	s := sinkTestOpen(t, tbl, sinkTestSpec(tbl, "q-fresh"))
	sinkWriteCommit(t, s, 0, sinkTestRecord(t, tbl.Schema(), sinkRow(0, "a", 1)))
	if got := sinkConsume(t, addr, "fresh", true); len(got) != 1 {
		t.Fatalf("fresh topic holds %q", got)
	}

	bad := sinkTestTable("127.0.0.1:1", "out", nil)
	sk, err := NewSink(bad, executor.Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer sk.Close()
	start := time.Now()
	err = sk.Open(context.Background(), sinkTestSpec(bad, "q"))
	if err == nil || !strings.Contains(err.Error(), "kafka sink out: open: cannot reach any broker") ||
		!strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("Open error = %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("Open took %v to fail", took)
	}
}

// The options: required topic, broker synonyms and default, format and
// transactional checks.
func TestSinkOptions(t *testing.T) {
	c := &executor.Connector{Name: "kafka", Options: SinkOptions}
	if _, err := c.Normalize(map[string]string{}); err == nil || !strings.Contains(err.Error(), "topic") {
		t.Errorf("missing topic: %v", err)
	}
	got, err := c.Normalize(map[string]string{"topic": "t", "properties.bootstrap.servers": "h:1"})
	if err != nil || got["brokers"] != "h:1" || got["format"] != "json" || got["transactional"] != "true" {
		t.Errorf("normalized: %v, %v", got, err)
	}
	for k, v := range map[string]string{"format": "xml", "transactional": "maybe", "brokers": "h:x", "topic": sinkEpochTopic} {
		opts := map[string]string{"topic": "t", k: v}
		if _, err := c.Normalize(opts); err == nil {
			t.Errorf("%s = %s accepted", k, v)
		}
	}
	cfg, err := parseSinkConfig(map[string]string{"topic": "t", "transactional": "false"}, "a:1, b")
	if err != nil || strings.Join(cfg.brokers, ",") != "a:1,b:9092" || cfg.transactional {
		t.Errorf("config = %+v, %v", cfg, err)
	}
	if _, err := NewSink(&catalog.Table{Name: "x", Options: map[string]string{"topic": "t"}}, executor.Env{}); err == nil ||
		!strings.Contains(err.Error(), "kafka sink x: no brokers") {
		t.Errorf("no brokers: %v", err)
	}
}

// LastEpoch reads to the marker topic's end as it was when called: a marker
// committed behind another query's still open transaction is waited for,
// not missed.
func TestSinkLastEpochBehindOpenTransaction(t *testing.T) {
	addr := sinkTestBroker(t, "out")
	tbl := sinkTestTable(addr, "out", nil)
	spec := sinkTestSpec(tbl, "q-behind")
	s := sinkTestOpen(t, tbl, spec) // creates the marker topic
	ctx := context.Background()
	if e, err := s.LastEpoch(ctx); err != nil || e != -1 {
		t.Fatalf("LastEpoch = %d, %v; want -1", e, err)
	}

	other, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.TransactionalID("tide-other"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.BeginTransaction(); err != nil {
		t.Fatal(err)
	}
	if err := other.ProduceSync(ctx, &kgo.Record{Topic: sinkEpochTopic, Key: []byte("other"), Value: []byte("9")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	// This sink's marker lands behind the other query's open transaction.
	sinkWriteCommit(t, s, 5, sinkTestRecord(t, tbl.Schema(), sinkRow(0, "a", 1)))
	s.Close()

	const hold = 700 * time.Millisecond
	go func() {
		time.Sleep(hold)
		_ = other.EndTransaction(ctx, kgo.TryCommit)
	}()
	start := time.Now()
	s2 := sinkTestOpen(t, tbl, spec)
	e, err := s2.LastEpoch(ctx)
	if err != nil || e != 5 {
		t.Fatalf("LastEpoch = %d, %v; want 5", e, err)
	}
	if took := time.Since(start); took < hold/2 {
		t.Fatalf("LastEpoch returned after %v, before the open transaction ended", took)
	}
}
