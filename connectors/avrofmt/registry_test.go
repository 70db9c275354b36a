package avrofmt

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/connectors/schemaregistry"
)

// requestLog counts the requests a registry serves, by path.
type requestLog struct {
	mu    sync.Mutex
	paths []string
}

func (l *requestLog) intercept(_ http.ResponseWriter, r *http.Request) bool {
	l.mu.Lock()
	l.paths = append(l.paths, r.URL.Path)
	l.mu.Unlock()
	return false
}

func (l *requestLog) count(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, p := range l.paths {
		if p == path {
			n++
		}
	}
	return n
}

// newRegistrySource binds the avro format to tb with the registry at url.
func newRegistrySource(t *testing.T, tb *catalog.Table, url string) *source {
	t.Helper()
	tb.Options["schema.registry"] = url
	s, err := newSource(format.Config{Name: "avro", Table: tb, Topic: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	return s.(*source)
}

func seq(values ...[]byte) func(func([]byte) bool) { return slices.Values(values) }

// Writer schemas are fetched once per id, before the records decode; an
// id the registry does not know, or that names no Avro schema, makes its
// records bad, naming the id and the registry; a schema with references
// is parsed with the named types it references. (tide's registry refuses
// references and Protobuf schemas: franz-go's fake registry serves them.)
func TestWriterSchemasComeFromTheRegistryByID(t *testing.T) {
	reg := srfake.New()
	defer reg.Close()
	var log requestLog
	reg.Intercept(log.intercept)
	v1 := registerAt(t, reg.URL(), "orders-value", orderV1)
	registerAt(t, reg.URL(), "status", `{"type": "enum", "name": "Status", "namespace": "shop", "symbols": ["NEW", "PAID"]}`)
	withRef := registerAt(t, reg.URL(), "refs-value", `{"type": "record", "name": "R", "namespace": "shop", "fields": [
		{"name": "order_id", "type": "string"}, {"name": "status", "type": "Status"}]}`,
		sr.SchemaReference{Name: "shop.Status", Subject: "status", Version: 1})
	proto, _, err := reg.RegisterSchema("p-value", sr.Schema{Schema: `syntax = "proto3"; message M { string a = 1; }`, Type: sr.TypeProtobuf})
	if err != nil {
		t.Fatal(err)
	}

	mem := checkedMem(t)
	tb := table(t, "order_id VARCHAR, status VARCHAR")
	src := newRegistrySource(t, tb, reg.URL())
	values := [][]byte{
		framed(v1, encode(t, orderV1, orderValue("a"))),
		framed(v1, encode(t, orderV1, orderValue("b"))),
		framed(withRef, append(encode(t, `"string"`, "c"), 2)), // status PAID
		framed(4242, nil),
		framed(int32(proto), []byte{2, 'x'}),
	}
	if err := src.Prepare(context.Background(), seq(values...)); err != nil {
		t.Fatal(err)
	}
	if err := src.Prepare(context.Background(), seq(values...)); err != nil {
		t.Fatal(err)
	}
	if n := log.count("/schemas/ids/" + strconv.Itoa(int(v1))); n != 1 {
		t.Errorf("schema id %d fetched %d times, want once", v1, n)
	}
	if n := log.count("/schemas/ids/4242"); n != 1 {
		t.Errorf("unknown schema id fetched %d times, want once", n)
	}
	d := newDecoder(src, mem)
	defer d.Release()
	var errs []string
	for _, v := range values {
		if err := d.Append(v); err != nil {
			errs = append(errs, err.Error())
		}
	}
	got, want := d.NewRecord(), expect(t, mem, tb, `[{"order_id": "a", "status": "DONE"}, {"order_id": "b", "status": "DONE"}, {"order_id": "c", "status": "PAID"}]`)
	defer got.Release()
	defer want.Release()
	sameRecord(t, got, want)
	if len(errs) != 2 || !strings.HasPrefix(errs[0], "schema id 4242: the schema registry "+reg.URL()+" has no schema with this id") ||
		!strings.Contains(errs[1], "it is a PROTOBUF schema, not an Avro one") {
		t.Errorf("errors %q", errs)
	}
}

// A registry that cannot be reached makes Prepare fail, naming the
// registry, within its context and without losing the records: once the
// registry answers (on the same address) they decode. Between failures it
// backs off, also across calls.
func TestAnUnreachableRegistryIsRetriedWithBackoff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there for now
	url := "http://" + addr

	mem := checkedMem(t)
	tb := table(t, "order_id VARCHAR")
	src := newRegistrySource(t, tb, url)
	value := framed(1, encode(t, orderV1, orderValue("kept")))

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	err = src.Prepare(ctx, seq(value))
	cancel()
	if err == nil || !strings.Contains(err.Error(), "schema registry "+url+" cannot be reached") ||
		!strings.Contains(err.Error(), "writer schema id 1") || !strings.Contains(err.Error(), "the records wait") {
		t.Fatalf("Prepare with the registry down: %v", err)
	}
	if src.programs[1] != nil {
		t.Fatal("a failed lookup was cached")
	}
	// Within the backoff, Prepare does not ask again.
	wait, _ := src.retryIn()
	if wait <= 0 {
		t.Fatalf("no backoff after a failure (%v)", wait)
	}

	srv, err := schemaregistry.Start(addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	defer srv.Close()
	if id := registerAt(t, url, "orders-value", orderV1); id != 1 {
		t.Fatalf("the registry gave id %d", id)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := src.Prepare(ctx, seq(value)); err != nil {
		t.Fatalf("Prepare with the registry back: %v", err)
	}
	d := newDecoder(src, mem)
	defer d.Release()
	if err := d.Append(value); err != nil {
		t.Fatal(err)
	}
	got, want := d.NewRecord(), expect(t, mem, tb, `[{"order_id": "kept"}]`)
	defer got.Release()
	defer want.Release()
	sameRecord(t, got, want)
	if wait, lastErr := src.retryIn(); wait > 0 || lastErr != nil {
		t.Errorf("backoff not reset after success: %v, %v", wait, lastErr)
	}
}

// A registry answering with a server error is retried too: its records
// are not bad.
func TestARegistryServerErrorIsRetriedNotBad(t *testing.T) {
	reg := schemaregistry.New()
	var mu sync.Mutex
	failures := 2
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fail := failures > 0 && r.Method == http.MethodGet
		if fail {
			failures--
		}
		mu.Unlock()
		if fail {
			http.Error(w, `{"error_code": 50001, "message": "store unavailable"}`, http.StatusServiceUnavailable)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	defer srv.Close()
	id := registerAt(t, srv.URL, "orders-value", orderV1)
	src := newRegistrySource(t, table(t, "order_id VARCHAR"), srv.URL)
	value := framed(id, encode(t, orderV1, orderValue("x")))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := src.Prepare(ctx, seq(value)); err != nil {
		t.Fatal(err)
	}
	if p := src.programs[id]; p == nil || p.err != nil {
		t.Fatalf("program after the registry recovered: %+v", p)
	}
	if failures != 0 {
		t.Fatalf("%d failures left: the registry was not asked again", failures)
	}
}

// Creating a source whose registry cannot be reached gives a notice naming
// it; a registry that answers gives none.
func TestNoticeNamesARegistryThatCannotBeReached(t *testing.T) {
	reg := tideRegistry(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if n := newRegistrySource(t, table(t, "x BIGINT"), reg.URL()).Notice(ctx); n != "" {
		t.Errorf("notice with the registry up: %q", n)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	n := newRegistrySource(t, table(t, "x BIGINT"), url).Notice(ctx)
	if !strings.HasPrefix(n, "schema registry "+url+" cannot be reached: ") || !strings.HasSuffix(n, ": queries on src wait for it, their records kept") {
		t.Errorf("notice %q", n)
	}
}
