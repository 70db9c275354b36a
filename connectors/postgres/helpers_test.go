package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// testDSN is the server the tests run against (.ci/pg.sh starts one).
func testDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("TIDE_TEST_PG_DSN")
	if dsn == "" {
		tb.Skip("set TIDE_TEST_PG_DSN (see .ci/pg.sh)")
	}
	return dsn
}

// testSchema creates a PostgreSQL schema of its own for one test and drops
// it afterwards, so that tests do not see each other's tables.
func testSchema(tb testing.TB) (dsn, schema string) {
	tb.Helper()
	dsn = testDSN(tb)
	name := strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(tb.Name()))
	if len(name) > 40 {
		name = name[:40]
	}
	schema = fmt.Sprintf("t_%s_%06d", name, rand.IntN(1000000))
	ctx := context.Background()
	conn := pgConn(tb, dsn)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	})
	return dsn, schema
}

// pgConn is a plain connection for checking what the sink wrote.
func pgConn(tb testing.TB, dsn string) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

var (
	tsType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	t0     = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

// statsTable is the windowed-aggregate shape the tests and the benchmark
// write: customer_stats keyed by (window_start, customer_id).
func statsTable(schema, name string, key bool) *catalog.Table {
	t := &catalog.Table{
		Name: name,
		Kind: catalog.KindTable,
		Columns: []catalog.Column{
			{Name: "window_start", Type: catalog.Timestamp, NotNull: key},
			{Name: "window_end", Type: catalog.Timestamp},
			{Name: "customer_id", Type: catalog.String, NotNull: key},
			{Name: "tx_count", Type: catalog.Int64},
			{Name: "total_amount", Type: catalog.Float64},
		},
		Connector: "postgres",
		Options:   map[string]string{"schema": schema},
	}
	if key {
		t.PrimaryKey = []string{"window_start", "customer_id"}
	}
	return t
}

func specFor(t *catalog.Table, query string) executor.SinkSpec {
	spec := executor.SinkSpec{QueryID: query, Schema: t.Schema(), Mode: executor.SinkAppend}
	if len(t.PrimaryKey) > 0 {
		spec.Mode = executor.SinkUpsert
		spec.PrimaryKey = t.PrimaryKeyIndexes()
	}
	return spec
}

// openSink builds and opens the sink of t against dsn.
func openSink(tb testing.TB, t *catalog.Table, dsn string, spec executor.SinkSpec) *Sink {
	tb.Helper()
	opts := map[string]string{"dsn": dsn}
	for k, v := range t.Options {
		opts[k] = v
	}
	t.Options = opts
	sk, err := NewSink(t, connectorsEnv())
	if err != nil {
		tb.Fatal(err)
	}
	s := sk.(*Sink)
	if err := s.Open(context.Background(), spec); err != nil {
		s.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// newRecord builds a record of schema from rows of Go values (nil = NULL;
// time.Time for timestamps and dates).
func newRecord(tb testing.TB, schema *arrow.Schema, rows ...[]any) arrow.Record {
	tb.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, row := range rows {
		for i, v := range row {
			if err := appendValue(b.Field(i), v); err != nil {
				if bb, ok := b.Field(i).(*array.BooleanBuilder); ok {
					bb.Append(v.(bool))
					continue
				}
				tb.Fatalf("column %d: %v", i, err)
			}
		}
	}
	return b.NewRecord()
}

// stat is one customer_stats row.
func stat(window int, customer string, count int64, total float64) []any {
	ws := t0.Add(time.Duration(window) * 5 * time.Minute)
	return []any{ws, ws.Add(5 * time.Minute), customer, count, total}
}

// writeCommit writes recs as one epoch and commits it.
func writeCommit(tb testing.TB, s executor.Sink, epoch int64, recs ...arrow.Record) {
	tb.Helper()
	ctx := context.Background()
	for _, r := range recs {
		if err := s.Write(ctx, r); err != nil {
			tb.Fatal(err)
		}
		r.Release()
	}
	if err := s.Commit(ctx, epoch); err != nil {
		tb.Fatal(err)
	}
}

// dump reads a table back through Scan as one line per row.
func dump(tb testing.TB, s *Sink) []string {
	tb.Helper()
	recs, _, err := s.Scan(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		for i := 0; i < int(r.NumRows()); i++ {
			var cells []string
			for c := 0; c < int(r.NumCols()); c++ {
				cells = append(cells, r.Column(c).ValueStr(i))
			}
			out = append(out, strings.Join(cells, "|"))
		}
		r.Release()
	}
	return out
}

func statLine(row []any) string {
	f := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	return fmt.Sprintf("%s|%s|%s|%d|%g", f(row[0].(time.Time)), f(row[1].(time.Time)), row[2], row[3], row[4])
}

func equalLines(tb testing.TB, got, want []string) {
	tb.Helper()
	for i := 0; i < len(got) || i < len(want); i++ {
		g, w := "(none)", "(none)"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			tb.Fatalf("table holds %d rows, want %d; first difference at row %d:\n got %s\nwant %s", len(got), len(want), i, g, w)
		}
	}
}

func connectorsEnv() executor.Env { return executor.Env{} }

func lookup() (*executor.Connector, error) { return executor.Lookup("postgres") }

func testDSNOrEmpty() string { return os.Getenv("TIDE_TEST_PG_DSN") }

// silentListener accepts TCP connections on 127.0.0.1 and never answers:
// a server that hangs.
func silentListener(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				break
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			c.Close()
		}
	}()
	tb.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}
