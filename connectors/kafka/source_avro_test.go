package kafka

import (
	"context"
	"encoding/binary"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/tide-sql/tide/connectors/schemaregistry"
	"github.com/tide-sql/tide/executor"
)

// eventSchema is testTable's row as Avro; amount is a float in v2.
const (
	eventSchemaV1 = `{"type": "record", "name": "Event", "fields": [
		{"name": "id", "type": "long"}, {"name": "name", "type": "string"}, {"name": "amount", "type": "double"}]}`
	eventSchemaV2 = `{"type": "record", "name": "Event", "fields": [
		{"name": "id", "type": "long"}, {"name": "name", "type": "string"}, {"name": "amount", "type": "float"},
		{"name": "extra", "type": ["null", "string"], "default": null}]}`
	eventSchemaBad = `{"type": "record", "name": "Event", "fields": [{"name": "id", "type": "string"}]}`
)

// avroMsg is a message of Confluent's wire format written by hamba's
// encoder with schema id.
func avroMsg(t *testing.T, partition, id int32, schema string, value map[string]any) msg {
	t.Helper()
	s, err := avro.ParseWithCache(schema, "", &avro.SchemaCache{})
	if err != nil {
		t.Fatal(err)
	}
	body, err := avro.Marshal(s, value)
	if err != nil {
		t.Fatal(err)
	}
	return msg{partition: partition, value: append(binary.BigEndian.AppendUint32([]byte{0}, uint32(id)), body...)}
}

func event(id int) map[string]any {
	return map[string]any{"id": int64(id), "name": "n" + string(rune('0'+id%10)), "amount": float64(id) + 0.5}
}

// testRegistry is tide's Schema Registry on a free port of 127.0.0.1,
// closed when the test ends, with franz-go's registry client.
type testRegistry struct {
	t *testing.T
	*schemaregistry.Server
	cl *sr.Client
}

func startRegistry(t *testing.T) *testRegistry {
	t.Helper()
	srv, err := schemaregistry.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cl, err := sr.NewClient(sr.URLs(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	return &testRegistry{t: t, Server: srv, cl: cl}
}

// register registers schema under subject, as a producer does, and
// returns its id.
func (r *testRegistry) register(subject, schema string) int32 {
	r.t.Helper()
	id, err := r.cl.RegisterSchema(context.Background(), subject, sr.Schema{Schema: schema}, -1, -1)
	if err != nil {
		r.t.Fatal(err)
	}
	return int32(id)
}

// An Avro source reads Confluent's wire format through the registry: two
// writer schema versions in one partition decode alike (the float promoted
// to DOUBLE, the added field skipped), and records that are JSON, name an
// unknown id or a writer schema that cannot be read as the columns are
// bad records, counted, with the schema id in the dead letters' reason.
func TestAvroSourceReadsBothVersionsAndCountsBadRecords(t *testing.T) {
	b := startTestBroker(t, 1, "avro")
	reg := startRegistry(t)
	v1 := reg.register("avro-value", eventSchemaV1)
	// v2's float amount is FORWARD compatible (v1's readers promote it to
	// double), not BACKWARD.
	for _, res := range reg.cl.SetCompatibility(context.Background(), sr.SetCompatibility{Level: sr.CompatForward}, "avro-value") {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	v2 := reg.register("avro-value", eventSchemaV2)
	bad := reg.register("other-value", eventSchemaBad)
	v2event := func(id int) map[string]any {
		m := event(id)
		m["amount"], m["extra"] = float32(id)+0.5, "x"
		return m
	}
	produce(t, b.Addr(), "avro",
		avroMsg(t, 0, v1, eventSchemaV1, event(1)),
		msg{partition: 0, value: []byte(`{"id": 2}`)},
		avroMsg(t, 0, v2, eventSchemaV2, v2event(3)),
		avroMsg(t, 0, 777, eventSchemaV1, event(4)),
		avroMsg(t, 0, bad, eventSchemaBad, map[string]any{"id": "5"}),
		avroMsg(t, 0, v1, eventSchemaV1, event(6)),
	)
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "avro", "format", "avro", "schema.registry", reg.URL(), "on_error", "skip"), nil)
	f := fetchRows(t, r, 3)
	if want := []string{"p0:1:n1:1.5", "p0:3:n3:3.5", "p0:6:n6:6.5"}; !reflect.DeepEqual(f.rows, want) {
		t.Fatalf("rows %v, want %v", f.rows, want)
	}
	if f.bad != 3 || f.end[0] != 6 {
		t.Fatalf("bad %d, end %v: want 3 bad records and offset 6", f.bad, f.end)
	}

	// on_error = 'table:NAME' keeps them with the reason.
	rd := openReader(t, checkedMem(t), testTable(b.Addr(), "avro", "format", "avro", "schema.registry", reg.URL(), "on_error", "table:dl"), nil)
	fetchRows(t, rd, 3)
	dl := rd.DeadLetters()
	if dl == nil {
		t.Fatal("no dead letters")
	}
	defer dl.Release()
	var reasons []string
	for i := 0; i < int(dl.NumRows()); i++ {
		reasons = append(reasons, dl.Column(2).ValueStr(i)+": "+dl.Column(4).ValueStr(i))
	}
	want := []string{
		"1: the magic byte is 0x7b, not 0: the value is not in Confluent's wire format (it looks like JSON: is the topic written with format json?)",
		"3: schema id 777: the schema registry " + reg.URL() + " has no schema with this id (", // then the registry's message
		"4: schema id 3: field id: the writer's string cannot be read as column id BIGINT",
	}
	same := len(reasons) == len(want)
	for i := 0; same && i < len(want); i++ {
		same = strings.HasPrefix(reasons[i], want[i])
	}
	if !same {
		t.Errorf("dead letters\n%s\nwant\n%s", strings.Join(reasons, "\n"), strings.Join(want, "\n"))
	}

	// on_error = 'fail' names the message, and the schema id.
	rf := openReader(t, checkedMem(t), testTable(b.Addr(), "avro", "format", "avro", "schema.registry", reg.URL()), nil)
	var err error
	ff := &fetched{}
	for err == nil && ff.fetches < 50 {
		err = fetchOnce(t, rf, ff, time.Second, nil)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "topic avro partition 0 offset 1: the magic byte is 0x7b, not 0") {
		t.Fatalf("on_error = 'fail': %v", err)
	}
	rf2 := openReader(t, checkedMem(t), testTable(b.Addr(), "avro", "format", "avro", "schema.registry", reg.URL()), executor.Offsets{0: 3})
	err = nil
	for ff = (&fetched{}); err == nil && ff.fetches < 50; {
		err = fetchOnce(t, rf2, ff, time.Second, nil)
	}
	if err == nil || !strings.Contains(err.Error(), "offset 3: schema id 777: the schema registry "+reg.URL()+" has no schema with this id") {
		t.Fatalf("an unknown schema id: %v", err)
	}
}

// A registry that cannot be reached holds the records back, the reader
// saying why in its status and its position not moving; once the registry
// answers on its address, they are read: nothing is lost.
func TestAvroSourceWaitsForAnUnreachableRegistry(t *testing.T) {
	b := startTestBroker(t, 1, "avro")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	url := "http://" + addr
	produce(t, b.Addr(), "avro", avroMsg(t, 0, 1, eventSchemaV1, event(1)), avroMsg(t, 0, 1, eventSchemaV1, event(2)))
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "avro", "format", "avro", "schema.registry", url), nil)
	f := &fetched{}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(r.Status(), "cannot be reached") {
		if time.Now().After(deadline) {
			t.Fatalf("status %q after %d fetches", r.Status(), f.fetches)
		}
		if err := fetchOnce(t, r, f, 200*time.Millisecond, nil); err != nil {
			t.Fatal(err)
		}
	}
	if st := r.Status(); !strings.Contains(st, `waiting to decode topic "avro": schema registry `+url+" cannot be reached") || !strings.Contains(st, "writer schema id 1") {
		t.Errorf("status %q", st)
	}
	if f.count() != 0 || f.bad != 0 || f.end[0] != 0 {
		t.Fatalf("while the registry is down: rows %v, bad %d, end %v", f.rows, f.bad, f.end)
	}

	srv, err := schemaregistry.Start(addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	defer srv.Close()
	reg := &testRegistry{t: t, Server: srv}
	if reg.cl, err = sr.NewClient(sr.URLs(srv.URL())); err != nil {
		t.Fatal(err)
	}
	if id := reg.register("avro-value", eventSchemaV1); id != 1 {
		t.Fatalf("id %d", id)
	}
	got := fetchRows(t, r, 2)
	if want := []string{"p0:1:n1:1.5", "p0:2:n2:2.5"}; !reflect.DeepEqual(got.rows, want) || got.end[0] != 2 {
		t.Fatalf("rows %v end %v, want %v", got.rows, got.end, want)
	}
	if st := r.Status(); st != "" {
		t.Errorf("status after recovery %q", st)
	}
}

// A format's options are refused on a source of another format, and avro
// without a registry or a schema says what it needs, when the source is
// built (at CREATE SOURCE).
func TestAvroSourceOptionsAreCheckedWhenTheSourceIsBuilt(t *testing.T) {
	for _, tc := range []struct {
		opts []string
		want string
	}{
		{[]string{"format", "json", "schema.registry", "http://127.0.0.1:1"}, "source events: option schema.registry is not an option of format json (it belongs to avro)"},
		{[]string{"format", "avro"}, "source events: format avro: format avro needs option schema.registry"},
		{[]string{"format", "avro-confluent", "schema", eventSchemaV1}, "format avro-confluent reads and writes through a schema registry"},
		{[]string{"format", "avro", "schema", eventSchemaBad}, "option schema cannot be read as the columns: field id: the writer's string cannot be read as column id BIGINT"},
	} {
		_, err := NewSourceReader(testTable("127.0.0.1:1", "t", tc.opts...), executor.Env{}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.opts, err, tc.want)
		}
	}

}
