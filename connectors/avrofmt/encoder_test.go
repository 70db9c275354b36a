package avrofmt

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
)

// sinkTable is a Kafka sink table keyed by id, writing Avro through the
// registry at url.
func sinkTable(t *testing.T, url string) *catalog.Table {
	tb := table(t, "id BIGINT NOT NULL, name VARCHAR, amount DOUBLE, ts TIMESTAMP(3), ts6 TIMESTAMP, day DATE, ok BOOLEAN",
		"schema.registry", url)
	tb.Name, tb.PrimaryKey = "orders_out", []string{"id"}
	return tb
}

func newEncoder(t *testing.T, tb *catalog.Table, topic string, key []int) (*Encoder, error) {
	t.Helper()
	s, err := newSink(format.Config{Name: "avro", Table: tb, Topic: topic})
	if err != nil {
		t.Fatal(err)
	}
	all := make([]int, len(tb.Columns))
	for i := range all {
		all[i] = i
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := s.NewEncoder(ctx, format.EncoderSpec{Schema: tb.Schema(), Value: all, Key: key})
	if err != nil {
		return nil, err
	}
	return e.(*Encoder), nil
}

// The sink registers its schema under <topic>-value (the key's under
// <topic>-key: one column's type alone), writes Confluent's wire format
// with the ids the registry gave, and what it writes decodes with hamba's
// decoder to the rows, and back through tide's own decoder.
func TestEncoderWritesWhatOtherDecodersRead(t *testing.T) {
	reg := tideRegistry(t)
	cl, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		t.Fatal(err)
	}
	latest := func(subject string) sr.SubjectSchema {
		t.Helper()
		ss, err := cl.SchemaByVersion(context.Background(), subject, -1)
		if err != nil {
			t.Fatalf("subject %s: %v", subject, err)
		}
		return ss
	}
	mem := checkedMem(t)
	tb := sinkTable(t, reg.URL())
	rows := expect(t, mem, tb, `[
		{"id": 1, "name": "naïve", "amount": 12.5, "ts": 1714564800123000, "ts6": 1714564800123456, "day": 19844, "ok": true},
		{"id": -2, "name": null, "amount": null, "ts": null, "ts6": null, "day": null, "ok": null}]`)
	defer rows.Release()
	e, err := newEncoder(t, tb, "out", []int{0})
	if err != nil {
		t.Fatal(err)
	}
	value := latest("out-value")
	if value.ID != int(e.valueID) {
		t.Fatalf("value schema %+v, encoder id %d", value, e.valueID)
	}
	const wantSchema = `{"fields":[{"name":"id","type":"long"},{"default":null,"name":"name","type":["null","string"]},` +
		`{"default":null,"name":"amount","type":["null","double"]},` +
		`{"default":null,"name":"ts","type":["null",{"logicalType":"timestamp-millis","type":"long"}]},` +
		`{"default":null,"name":"ts6","type":["null",{"logicalType":"timestamp-micros","type":"long"}]},` +
		`{"default":null,"name":"day","type":["null",{"logicalType":"date","type":"int"}]},` +
		`{"default":null,"name":"ok","type":["null","boolean"]}],"name":"orders_out","namespace":"tide","type":"record"}`
	if value.Schema.Schema != wantSchema {
		t.Errorf("value schema\n%s\nwant\n%s", value.Schema.Schema, wantSchema)
	}
	key := latest("out-key")
	if key.Schema.Schema != `"long"` || key.ID != int(e.keyID) {
		t.Fatalf("key schema %+v", key)
	}
	valueSchema, keySchema := parse(t, value.Schema.Schema), parse(t, key.Schema.Schema)
	want := []map[string]any{
		{"id": int64(1), "name": "naïve", "amount": 12.5, "ts": time.UnixMilli(1714564800123).UTC(), "ts6": time.UnixMicro(1714564800123456).UTC(),
			"day": time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "ok": true},
		{"id": int64(-2), "name": nil, "amount": nil, "ts": nil, "ts6": nil, "day": nil, "ok": nil},
	}
	src := registrySource(t, tb, map[int32]string{e.valueID: value.Schema.Schema})
	d := newDecoder(src, mem)
	defer d.Release()
	for row := range 2 {
		v, err := e.AppendValue(nil, rows, row)
		if err != nil {
			t.Fatal(err)
		}
		if id, ok := schemaID(v); !ok || id != e.valueID {
			t.Fatalf("row %d: header %x", row, v[:5])
		}
		var got map[string]any
		if err := avro.Unmarshal(valueSchema, v[headerSize:], &got); err != nil {
			t.Fatalf("row %d: hamba cannot decode it: %v", row, err)
		}
		for k, w := range want[row] {
			g := got[k]
			if m, ok := g.(map[string]any); ok { // hamba gives a union's value as {type: value}
				for _, x := range m {
					g = x
				}
			}
			if gt, ok := g.(time.Time); ok {
				g = gt.UTC()
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("row %d: %s = %#v, want %#v", row, k, g, w)
			}
		}
		if err := d.Append(v); err != nil {
			t.Fatal(err)
		}
		k, err := e.AppendKey(nil, rows, row)
		if err != nil {
			t.Fatal(err)
		}
		var gotKey int64
		if err := avro.Unmarshal(keySchema, k[headerSize:], &gotKey); err != nil || gotKey != want[row]["id"] {
			t.Errorf("row %d: key %d, %v", row, gotKey, err)
		}
	}
	back := d.NewRecord()
	defer back.Release()
	sameRecord(t, back, rows)

	// Several key columns make a record (on another topic: "long" cannot
	// become a record under BACKWARD).
	if _, err := newEncoder(t, tb, "out2", []int{0, 1}); err != nil {
		t.Fatal(err)
	}
	key = latest("out2-key")
	if !strings.HasPrefix(key.Schema.Schema, `{"fields":[{"name":"id","type":"long"},{"default":null,"name":"name","type":["null","string"]}],"name":"orders_out_key"`) {
		t.Errorf("record key schema %s", key.Schema.Schema)
	}
}

// A registry that refuses the schema (the subject's compatibility) stops
// the sink with the registry's own message.
func TestARefusedSchemaStopsTheSinkWithTheRegistrysMessage(t *testing.T) {
	reg := tideRegistry(t)
	// An earlier version has amount as a string: under BACKWARD a double
	// amount cannot read it.
	registerAt(t, reg.URL(), "out-value", `{"type": "record", "name": "Old", "fields": [{"name": "amount", "type": "string"}]}`)
	_, err := newEncoder(t, sinkTable(t, reg.URL()), "out", nil)
	want := `the schema registry ` + reg.URL() + ` refuses the schema under subject out-value: Schema being registered is incompatible with an earlier schema for subject "out-value"`
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "(HTTP 409, error code 409)") {
		t.Errorf("error\n%v\nwant\n%s ... (HTTP 409, error code 409)", err, want)
	}
}

// Columns Avro has no name for are refused, saying how to rename them.
func TestColumnsWithoutAnAvroNameAreRefused(t *testing.T) {
	tb := table(t, "count(*) BIGINT", "schema.registry", tideRegistry(t).URL())
	if _, err := newEncoder(t, tb, "out", nil); err == nil || !strings.Contains(err.Error(), `column "count(*)" is not a valid Avro field name`) {
		t.Errorf("error %v", err)
	}
}
