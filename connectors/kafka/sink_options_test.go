package kafka

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// The key option keys the records by the named columns, in the order
// named: one column is its text, several a JSON object; without it the
// primary key keys them, and without either the key is null.
func TestSinkKeyOptionKeysRecordsByTheNamedColumns(t *testing.T) {
	addr := sinkTestBroker(t, "one", "two", "pk")
	ts := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	row := []any{ts, "CUST-001", 3, 12.5, true, ts}
	for _, c := range []struct {
		topic, key string
		pk         []string
		wantKey    string
	}{
		{"one", "customer_id", nil, "CUST-001"},
		{"two", "customer_id, tx_count", nil, `{"customer_id":"CUST-001","tx_count":3}`},
		{"pk", "customer_id;window_start", []string{"window_start", "customer_id"}, `{"customer_id":"CUST-001","window_start":"2026-03-01T12:00:00.000Z"}`},
	} {
		tbl := sinkTestTable(addr, c.topic, c.pk, "key", c.key)
		s := sinkTestOpen(t, tbl, sinkTestSpec(tbl, "q-key-"+c.topic))
		sinkWriteCommit(t, s, 0, sinkTestRecord(t, tbl.Schema(), row))
		got := sinkConsume(t, addr, c.topic, true)
		if len(got) != 1 || !strings.HasPrefix(got[0], c.wantKey+" => {") {
			t.Errorf("key = '%s': records %q, want the key %s", c.key, got, c.wantKey)
		}
	}
}

// A key naming an unknown column, or other columns than the primary key of
// a table whose rows replace each other, is refused when the table is
// created, naming the columns.
func TestSinkKeyOptionErrors(t *testing.T) {
	for _, c := range []struct {
		key  string
		pk   []string
		want string
	}{
		{"nosuch", nil, "column nosuch is not a column of out (columns: window_start, customer_id, tx_count, total_amount, ok, day)"},
		{"customer_id", []string{"window_start", "customer_id"}, "out has the PRIMARY KEY (window_start, customer_id)"},
		{"customer_id, customer_id", nil, "column customer_id is named twice"},
		{" , ", nil, "no column named"},
	} {
		tbl := sinkTestTable("127.0.0.1:1", "out", c.pk, "key", c.key)
		_, err := NewSink(tbl, executor.Env{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("key = '%s', primary key %v: error %v, want %q", c.key, c.pk, err, c.want)
		}
	}
}

// compression sets the codec of the record batches: none by default (the
// course's kafka-python has no snappy), each named codec otherwise; the
// values read back the same.
func TestSinkCompressionSetsTheBatchCodec(t *testing.T) {
	addr := sinkTestBroker(t)
	for _, c := range []struct {
		option string
		codec  uint8 // Kafka's attribute bits: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd
	}{{"", 0}, {"none", 0}, {"gzip", 1}, {"snappy", 2}, {"lz4", 3}, {"zstd", 4}} {
		topic := "codec-" + c.option
		opts := []string{"transactional", "false"}
		if c.option != "" {
			opts = append(opts, "compression", c.option)
		}
		tbl := sinkTestTable(addr, topic, []string{"customer_id"}, opts...)
		s := sinkTestOpen(t, tbl, sinkTestSpec(tbl, "q-"+topic))
		// Repetitive rows, so that every codec really compresses.
		var rows [][]any
		for i := 0; i < 50; i++ {
			rows = append(rows, sinkRow(0, "CUST-00"+string(rune('0'+i%10)), i))
		}
		sinkWriteCommit(t, s, 0, sinkTestRecord(t, tbl.Schema(), rows...))
		recs := sinkFetchRaw(t, addr, topic, len(rows))
		for _, r := range recs {
			if got := r.Attrs.CompressionType(); got != c.codec {
				t.Fatalf("compression = '%s': batch codec %d, want %d", c.option, got, c.codec)
			}
		}
		seen := map[string]bool{}
		for _, r := range recs {
			seen[string(r.Value)] = true
		}
		want := `{"window_start":"2026-03-01T12:00:00.000Z","customer_id":"CUST-007","tx_count":7,"total_amount":3.5,"ok":false,"day":"2026-03-01"}`
		if len(recs) != len(rows) || !seen[want] {
			t.Fatalf("compression = '%s': %d records, want %d with %s", c.option, len(recs), len(rows), want)
		}
	}
	c := &executor.Connector{Name: "kafka", Options: SinkOptions}
	if got, err := c.Normalize(map[string]string{"topic": "t"}); err != nil || got["compression"] != "none" {
		t.Errorf("default compression: %v, %v", got, err)
	}
	if got, err := c.Normalize(map[string]string{"topic": "t", "compression.type": "LZ4"}); err != nil || got["compression"] != "LZ4" {
		t.Errorf("compression.type synonym: %v, %v", got, err)
	}
	if _, err := c.Normalize(map[string]string{"topic": "t", "compression": "brotli"}); err == nil ||
		!strings.Contains(err.Error(), "none, gzip, snappy, lz4, zstd") {
		t.Errorf("compression = brotli: %v", err)
	}
}

// sinkFetchRaw reads n records of topic from the start of its partitions,
// with their attributes.
func sinkFetchRaw(t *testing.T, addr, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("topic %s: %d records of %d: %v", topic, len(out), n, ctx.Err())
		}
		out = append(out, f.Records()...)
	}
	return out
}

// The merged kafka options keep the sink's new options with their defaults.
func TestSinkOptionsRegisteredWithTheConnector(t *testing.T) {
	c, err := executor.Lookup("kafka")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Normalize(map[string]string{"topic": "t", "key.fields": "a;b", "compression": "gzip"})
	if err != nil || got["key"] != "a;b" || got["compression"] != "gzip" || got["transactional"] != "true" {
		t.Fatalf("normalized: %v, %v", got, err)
	}
	cfg, err := parseSinkConfig(got, "h:1")
	if err != nil || strings.Join(cfg.key, ",") != "a,b" || cfg.compression != "gzip" {
		t.Fatalf("config %+v, %v", cfg, err)
	}
	if _, err := NewSink(&catalog.Table{Name: "x", Options: map[string]string{"topic": "t", "compression": "rar"}}, executor.Env{Brokers: "h:1"}); err == nil ||
		!strings.Contains(err.Error(), "option compression = 'rar'") {
		t.Errorf("bad compression: %v", err)
	}
}
