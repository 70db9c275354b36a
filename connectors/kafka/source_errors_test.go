package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/jsonfmt"
	"github.com/tide-sql/tide/executor"
)

// silentListener accepts connections and never answers, like a host that
// is not a Kafka broker.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return ln.Addr().String()
}

// produceWithBadOnes writes to partition 1: a good row, invalid JSON, a
// wrong type, a tombstone, an empty value and a good row.
func produceWithBadOnes(t *testing.T, b *Broker, topic string, ts time.Time) {
	t.Helper()
	msgs := []msg{
		jsonMsg(1, 1),
		{partition: 1, value: []byte(`{"id": 2, "name": `)},
		{partition: 1, value: []byte(`{"id": "two"}`)},
		{partition: 1, value: nil},
		{partition: 1, value: []byte{}},
		jsonMsg(1, 6),
	}
	for i := range msgs {
		msgs[i].ts = ts
	}
	produce(t, b.Addr(), topic, msgs...)
}

func TestMalformedMessagesFailTheFetchByDefault(t *testing.T) {
	b := startTestBroker(t, 2, "bad")
	produceWithBadOnes(t, b, "bad", time.Now())
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "bad"), nil)
	var err error
	f := &fetched{}
	for err == nil && f.fetches < 50 {
		err = fetchOnce(t, r, f, time.Second, nil)
	}
	if err == nil {
		t.Fatal("a malformed message did not fail the fetch")
	}
	if !strings.HasPrefix(err.Error(), "topic bad partition 1 offset 1: ") {
		t.Fatalf("error %q does not say where the message is", err)
	}
	if !strings.HasSuffix(err.Error(), `(message: "{\"id\": 2, \"name\": ")`) {
		t.Fatalf("error %q does not quote the message", err)
	}
	var de *jsonfmt.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %q does not carry the decoder's reason", err)
	}
	// The position did not move past the bad message: it fails again.
	if err2 := fetchOnce(t, r, f, 100*time.Millisecond, nil); err2 == nil || err2.Error() != err.Error() {
		t.Fatalf("fetch after the failure: %v, want the same error", err2)
	}
}

func TestMalformedMessagesAreCountedWhenSkippedAndTombstonesApart(t *testing.T) {
	b := startTestBroker(t, 2, "bad")
	produceWithBadOnes(t, b, "bad", time.Now())
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "bad", "on_error", "skip"), nil)
	f := fetchRows(t, r, 2)
	if want := expectedRows(1, 1, 6); !reflect.DeepEqual(f.rows, want) {
		t.Fatalf("rows %v, want %v", f.rows, want)
	}
	if f.bad != 3 {
		t.Fatalf("bad = %d, want 3 (two malformed, an empty value)", f.bad)
	}
	if n := r.Tombstones(); n != 1 {
		t.Fatalf("tombstones = %d, want 1", n)
	}
	if f.end[1] != 6 {
		t.Fatalf("partition 1 ends at %d, want 6 (past the bad ones)", f.end[1])
	}
	if r.DeadLetters() != nil {
		t.Fatal("skip produced dead letters")
	}
}

func TestMalformedMessagesBecomeDeadLetters(t *testing.T) {
	b := startTestBroker(t, 2, "bad")
	ts := time.Date(2024, 7, 1, 9, 30, 0, 0, time.UTC)
	produceWithBadOnes(t, b, "bad", ts)
	mem := checkedMem(t)
	deadTable := &catalog.Table{Name: "bad_messages", Kind: catalog.KindTable}
	for _, f := range DeadLetterSchema.Fields() {
		deadTable.Columns = append(deadTable.Columns, catalog.Column{Name: f.Name, Type: f.Type})
	}
	env := executor.Env{Table: func(name string) (*catalog.Table, executor.Sink, error) {
		if name != "bad_messages" {
			return nil, nil, fmt.Errorf("no table %s", name)
		}
		return deadTable, nil, nil
	}}
	r, err := NewSourceReader(testTable(b.Addr(), "bad", "on_error", "table:bad_messages"), env, mem)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.Open(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if r.DeadLetterTable() != "bad_messages" {
		t.Fatalf("dead-letter table %q", r.DeadLetterTable())
	}
	f := fetchRows(t, r, 2)
	if f.bad != 3 {
		t.Fatalf("bad = %d, want 3", f.bad)
	}
	if n := r.Tombstones(); n != 1 {
		t.Fatalf("tombstones = %d, want 1 (counted apart, not dead-lettered)", n)
	}
	dl := r.DeadLetters()
	if dl == nil {
		t.Fatal("no dead letters")
	}
	defer dl.Release()
	if !dl.Schema().Equal(DeadLetterSchema) {
		t.Fatalf("dead letters have schema %v", dl.Schema())
	}
	var got []string
	for i := 0; i < int(dl.NumRows()); i++ {
		var cells []string
		for c, col := range dl.Columns() {
			switch {
			case col.IsNull(i):
				cells = append(cells, "NULL")
			case c == 4: // the reason: check it names the problem below
				cells = append(cells, "<reason>")
			default:
				cells = append(cells, col.ValueStr(i))
			}
		}
		got = append(got, strings.Join(cells, "|"))
	}
	stamp := ts.Format(time.RFC3339)
	want := []string{
		`bad|1|1|{"id": 2, "name": |<reason>|` + stamp,
		`bad|1|2|{"id": "two"}|<reason>|` + stamp,
		`bad|1|4||<reason>|` + stamp,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("dead letters\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	reasons := dl.Column(4).(*array.String)
	if !strings.Contains(reasons.Value(1), `"id"`) {
		t.Errorf("reason for a wrong type %q does not name the field", reasons.Value(1))
	}
	if !strings.Contains(reasons.Value(2), "empty") {
		t.Errorf("reason for an empty value %q", reasons.Value(2))
	}
	if r.DeadLetters() != nil {
		t.Error("dead letters were handed out twice")
	}
}

func TestDeadLetterTableMustHaveTheDeadLetterColumns(t *testing.T) {
	wrong := &catalog.Table{Name: "dlq", Columns: []catalog.Column{{Name: "value", Type: catalog.String}}}
	env := executor.Env{Table: func(string) (*catalog.Table, executor.Sink, error) { return wrong, nil, nil }}
	_, err := NewSourceReader(testTable("127.0.0.1:9092", "t", "on_error", "table:dlq"), env, nil)
	if err == nil || !strings.Contains(err.Error(), `dead-letter table "dlq" must have the columns (topic VARCHAR, partition BIGINT, offset BIGINT, value VARCHAR, error VARCHAR, kafka_timestamp TIMESTAMP(6))`) {
		t.Fatalf("error %v", err)
	}
}

func TestUnreachableBrokerFailsOpenWithinTenSeconds(t *testing.T) {
	r, err := NewSourceReader(testTable("127.0.0.1:1", "x"), executor.Env{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	start := time.Now()
	err = r.Open(context.Background(), nil)
	if err == nil || !strings.HasPrefix(err.Error(), "cannot reach Kafka at 127.0.0.1:1: ") {
		t.Fatalf("error %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestSilentBrokerFailsOpenWithinTenSeconds(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about eight seconds")
	}
	addr := silentListener(t)
	r, err := NewSourceReader(testTable(addr, "x"), executor.Env{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	start := time.Now()
	err = r.Open(context.Background(), nil)
	if err == nil || !strings.HasPrefix(err.Error(), "cannot reach Kafka at "+addr+": ") {
		t.Fatalf("error %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v", d)
	}
}
