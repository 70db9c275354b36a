package kafka

import (
	"context"
	"encoding/binary"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// The Kafka sink with format avro registers its schemas and writes
// Confluent's wire format: an Avro source on the topic reads the rows back,
// and hamba's decoder reads the keys with the key subject's schema.
func TestAvroSinkWritesWhatAnAvroSourceReads(t *testing.T) {
	addr := sinkTestBroker(t, "out")
	reg := startRegistry(t)
	tbl := sinkTestTable(addr, "out", []string{"customer_id"}, "format", "avro", "schema.registry", reg.URL())
	s := sinkTestOpen(t, tbl, sinkTestSpec(tbl, "q1"))
	sinkWriteCommit(t, s, 1, sinkTestRecord(t, tbl.Schema(), sinkRow(0, "c1", 3), sinkRow(1, "c2", 4), []any{nil, "c3", nil, nil, nil, nil}))
	s.Close()

	// The columns in another order (fetchRows wants a BIGINT first): they
	// match the writer's fields by name.
	cols := append([]catalog.Column{tbl.Columns[2]}, tbl.Columns[0], tbl.Columns[1])
	cols = append(cols, tbl.Columns[3:]...)
	src := &catalog.Table{Name: "back", Columns: cols, Connector: "kafka",
		Options: map[string]string{"topic": "out", "brokers": addr, "format": "avro", "schema.registry": reg.URL()}}
	r := openReader(t, checkedMem(t), src, nil)
	f := fetchRows(t, r, 3)
	want := []string{
		"p0:3:" + sinkT0.UTC().Format("2006-01-02T15:04:05Z") + ":c1:1.5:false:" + sinkT0.Format("2006-01-02"),
		"p0:4:" + sinkT0.Add(5*time.Minute).UTC().Format("2006-01-02T15:04:05Z") + ":c2:2:true:" + sinkT0.Format("2006-01-02"),
		"p0:NULL:NULL:c3:NULL:NULL:NULL",
	}
	if !reflect.DeepEqual(f.rows, want) {
		t.Fatalf("read back\n%s\nwant\n%s", strings.Join(f.rows, "\n"), strings.Join(want, "\n"))
	}

	key, err := reg.cl.SchemaByVersion(context.Background(), "out-key", -1)
	if err != nil || key.Schema.Schema != `"string"` {
		t.Fatalf("key subject: %+v, %v", key, err)
	}
	keySchema, err := avro.ParseWithCache(key.Schema.Schema, "", &avro.SchemaCache{})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics("out"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var keys []string
	for len(keys) < 3 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(rec *kgo.Record) {
			if len(rec.Key) < 5 || rec.Key[0] != 0 || int(binary.BigEndian.Uint32(rec.Key[1:5])) != key.ID {
				t.Fatalf("key %x is not framed with id %d", rec.Key, key.ID)
			}
			var k string
			if err := avro.Unmarshal(keySchema, rec.Key[5:], &k); err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		})
	}
	if !reflect.DeepEqual(keys, []string{"c1", "c2", "c3"}) {
		t.Errorf("keys %v", keys)
	}
}

// A sink whose format options are wrong is refused when it is built (at
// CREATE TABLE).
func TestAvroSinkNeedsARegistry(t *testing.T) {
	_, err := NewSink(sinkTestTable("127.0.0.1:1", "out", nil, "format", "avro"), executor.Env{})
	if err == nil || !strings.Contains(err.Error(), "kafka sink out: format avro: format avro needs option schema.registry") {
		t.Errorf("no registry: %v", err)
	}
}
