package avrofmt

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/connectors/schemaregistry"
)

// table is a source table of columns written "name TYPE [NOT NULL]", with
// options given as key, value pairs.
func table(t testing.TB, cols string, opts ...string) *catalog.Table {
	t.Helper()
	tb := &catalog.Table{Name: "src", Options: map[string]string{}}
	for _, c := range strings.Split(cols, ",") {
		f := strings.Fields(c)
		if len(f) == 0 {
			continue
		}
		typ, err := catalog.TypeByName(baseType(f[1]))
		if err != nil {
			t.Fatal(err)
		}
		tb.Columns = append(tb.Columns, catalog.Column{Name: f[0], Type: typ, SQLType: f[1], NotNull: len(f) > 2 && strings.EqualFold(f[2], "NOT")})
	}
	for i := 0; i+1 < len(opts); i += 2 {
		tb.Options[opts[i]] = opts[i+1]
	}
	return tb
}

// parse parses an Avro schema with its own cache (named types of one test
// schema must not leak into another's, as they would through hamba's
// default cache).
func parse(t testing.TB, schema string) avro.Schema {
	t.Helper()
	s, err := avro.ParseWithCache(schema, "", &avro.SchemaCache{})
	if err != nil {
		t.Fatalf("schema %s: %v", schema, err)
	}
	return s
}

// encode writes value with hamba's encoder: an encoder tide did not write.
func encode(t testing.TB, schema string, value any) []byte {
	t.Helper()
	b, err := avro.Marshal(parse(t, schema), value)
	if err != nil {
		t.Fatalf("encode %v: %v", value, err)
	}
	return b
}

// framed prefixes an Avro body with Confluent's header for schema id.
func framed(id int32, body []byte) []byte {
	return append(appendHeader(nil, id), body...)
}

// mustColumns is tableColumns of tb.
func mustColumns(t testing.TB, tb *catalog.Table) []column {
	t.Helper()
	cols, err := tableColumns(tb)
	if err != nil {
		t.Fatal(err)
	}
	return cols
}

// registrySource is a source reading Confluent's wire format whose writer
// schemas are known already, by id, without a registry to ask.
func registrySource(t testing.TB, tb *catalog.Table, schemas map[int32]string) *source {
	t.Helper()
	cols := mustColumns(t, tb)
	s := &source{schema: tb.Schema(), cols: cols, programs: map[int32]*program{}}
	for id, text := range schemas {
		s.programs[id] = compile(id, parse(t, text), cols)
	}
	return s
}

// inlineSource is a raw Avro source with the inline schema.
func inlineSource(t *testing.T, tb *catalog.Table, schema string) *source {
	t.Helper()
	tb.Options["schema"] = schema
	s, err := newSource(format.Config{Name: "avro", Table: tb, Topic: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return s.(*source)
}

// tideRegistry is tide's Schema Registry on a free port of 127.0.0.1,
// closed when the test ends.
func tideRegistry(t *testing.T) *schemaregistry.Server {
	t.Helper()
	srv, err := schemaregistry.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// registerAt registers schema under subject in the registry at url with
// franz-go's client, as a producer does, and returns its id.
func registerAt(t *testing.T, url, subject, schema string, refs ...sr.SchemaReference) int32 {
	t.Helper()
	cl, err := sr.NewClient(sr.URLs(url))
	if err != nil {
		t.Fatal(err)
	}
	id, err := cl.RegisterSchema(context.Background(), subject, sr.Schema{Schema: schema, References: refs}, -1, -1)
	if err != nil {
		t.Fatalf("register under %s: %v", subject, err)
	}
	return int32(id)
}

// checkedMem is an allocator that fails the test if anything leaks.
func checkedMem(t *testing.T) memory.Allocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// expect builds the expected record of tb's columns from JSON rows.
func expect(t *testing.T, mem memory.Allocator, tb *catalog.Table, rows string) arrow.Record {
	t.Helper()
	rec, _, err := array.RecordFromJSON(mem, tb.Schema(), strings.NewReader(rows))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// sameRecord fails the test unless got has the rows of want.
func sameRecord(t *testing.T, got, want arrow.Record) {
	t.Helper()
	if !array.RecordEqual(got, want) {
		t.Fatalf("decoded\n%v\nwant\n%v", got, want)
	}
}
