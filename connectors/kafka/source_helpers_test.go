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
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// startTestBroker starts an in-process broker on 127.0.0.1 with topics of
// the given number of partitions, closed when the test ends.
func startTestBroker(t *testing.T, partitions int32, topics ...string) *Broker {
	t.Helper()
	b, err := StartBroker("127.0.0.1:0", partitions, topics...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// msg is one message to produce: to a partition (or -1 to let the key
// decide), with a value and optionally a key and timestamp.
type msg struct {
	partition int32
	key       string
	value     []byte
	ts        time.Time
}

// jsonMsg is a message with a JSON row value, {"id":id,"name":...}.
func jsonMsg(partition int32, id int) msg {
	return msg{partition: partition, value: fmt.Appendf(nil, `{"id":%d,"name":"n%d","amount":%d.5}`, id, id, id)}
}

// produce writes messages synchronously, each to its partition, creating
// the topic if it does not exist (as producers usually do).
func produce(t *testing.T, addr, topic string, msgs ...msg) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	recs := make([]*kgo.Record, len(msgs))
	for i, m := range msgs {
		recs[i] = &kgo.Record{Topic: topic, Partition: m.partition, Value: m.value, Timestamp: m.ts}
		if m.key != "" {
			recs[i].Key = []byte(m.key)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce to %s: %v", topic, err)
	}
}

// addPartitions adds n partitions to a topic.
func addPartitions(t *testing.T, addr, topic string, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := kadm.NewClient(cl).CreatePartitions(ctx, n, topic)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		t.Fatalf("add %d partitions to %s: %v", n, topic, err)
	}
}

// testTable is a Kafka source of rows (id BIGINT, name VARCHAR, amount
// DOUBLE) with the given options (canonical names).
func testTable(addr, topic string, opts ...string) *catalog.Table {
	o := map[string]string{"topic": topic, "brokers": addr}
	for i := 0; i+1 < len(opts); i += 2 {
		o[opts[i]] = opts[i+1]
	}
	return &catalog.Table{
		Name: "events",
		Kind: catalog.KindSource,
		Columns: []catalog.Column{
			{Name: "id", Type: catalog.Int64, SQLType: "BIGINT"},
			{Name: "name", Type: catalog.String, SQLType: "VARCHAR"},
			{Name: "amount", Type: catalog.Float64, SQLType: "DOUBLE"},
		},
		Connector: "kafka",
		Options:   o,
	}
}

// checkedMem is an allocator that fails the test if anything is left
// allocated when the test (and every cleanup registered after it) is over.
func checkedMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// openReader builds and opens a reader, closed when the test ends.
func openReader(t *testing.T, mem memory.Allocator, tbl *catalog.Table, start executor.Offsets) *Reader {
	t.Helper()
	r, err := NewSourceReader(tbl, executor.Env{}, mem)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := r.Open(ctx, start); err != nil {
		t.Fatal(err)
	}
	return r
}

// fetched is what a series of fetches delivered.
type fetched struct {
	rows    []string          // "p<partition>:<id>:<name>:<amount>" in delivery order
	ids     map[int32][]int64 // partition → ids in delivery order
	end     executor.Offsets  // End of the last fetch
	bad     int64
	done    bool
	idle    []int32 // Idle of the last fetch
	fetches int
	largest int // most rows in one fetch
}

func (f *fetched) count() int { return len(f.rows) }

// fetchOnce fetches once and adds the result to f.
func fetchOnce(t *testing.T, r *Reader, f *fetched, wait time.Duration, until executor.Offsets) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := r.Fetch(ctx, wait, until)
	if err != nil {
		return err
	}
	if f.ids == nil {
		f.ids = map[int32][]int64{}
	}
	f.fetches++
	n := 0
	for _, b := range res.Batches {
		n += int(b.Record.NumRows())
		f.rows = append(f.rows, rowStrings(t, b.Partition, b.Record)...)
		ids := b.Record.Column(0).(*array.Int64)
		for i := 0; i < ids.Len(); i++ {
			f.ids[b.Partition] = append(f.ids[b.Partition], ids.Value(i))
		}
		b.Record.Release()
	}
	f.largest = max(f.largest, n)
	f.end, f.bad, f.done, f.idle = res.End, f.bad+res.Bad, res.Done, res.Idle
	return nil
}

// fetchRows fetches until at least n rows arrived (or Done), failing the
// test after a while.
func fetchRows(t *testing.T, r *Reader, n int) *fetched {
	t.Helper()
	f := &fetched{}
	deadline := time.Now().Add(20 * time.Second)
	for f.count() < n && !f.done {
		if time.Now().After(deadline) {
			t.Fatalf("got %d rows, want %d", f.count(), n)
		}
		if err := fetchOnce(t, r, f, 200*time.Millisecond, nil); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// rowStrings renders a record's rows as "p<partition>:<id>:<name>:<amount>".
func rowStrings(t *testing.T, partition int32, rec arrow.Record) []string {
	t.Helper()
	out := make([]string, rec.NumRows())
	for i := range out {
		var parts []string
		for _, col := range rec.Columns() {
			if col.IsNull(i) {
				parts = append(parts, "NULL")
			} else {
				parts = append(parts, col.ValueStr(i))
			}
		}
		out[i] = fmt.Sprintf("p%d:%s", partition, strings.Join(parts, ":"))
	}
	return out
}

func sorted(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

// expectedRows renders messages made by jsonMsg the way rowStrings does.
func expectedRows(partition int32, ids ...int) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprintf("p%d:%d:n%d:%d.5", partition, id, id, id)
	}
	return out
}
