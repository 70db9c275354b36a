package postgres

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// A missing table is created with the mapped types, its primary key and
// tide_offsets beside it; every type round-trips through Commit and Scan.
func TestCreateTableMapsTypes(t *testing.T) {
	dsn, schema := testSchema(t)
	tbl := &catalog.Table{
		Name: "All_Types",
		Columns: []catalog.Column{
			{Name: "B", Type: catalog.Bool}, {Name: "i", Type: catalog.Int64, NotNull: true},
			{Name: "f", Type: catalog.Float64}, {Name: "s", Type: catalog.String},
			{Name: "ts", Type: catalog.Timestamp}, {Name: "d", Type: catalog.Date},
		},
		PrimaryKey: []string{"i"},
		Options:    map[string]string{"schema": schema},
	}
	s := openSink(t, tbl, dsn, specFor(tbl, "q-types"))
	conn := pgConn(t, dsn)
	rows, err := conn.Query(context.Background(), `SELECT column_name, data_type, is_nullable FROM information_schema.columns
		WHERE table_schema = $1 AND table_name = 'all_types' ORDER BY ordinal_position`, schema)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var n, typ, null string
		if err := rows.Scan(&n, &typ, &null); err != nil {
			t.Fatal(err)
		}
		got = append(got, n+" "+typ+" "+null)
	}
	equalLines(t, got, []string{
		"b boolean YES", "i bigint NO", "f double precision YES", "s text YES",
		"ts timestamp with time zone YES", "d date YES",
	})
	var pk string
	err = conn.QueryRow(context.Background(), `SELECT string_agg(a.attname, ',') FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
		WHERE i.indrelid = ($1 || '.all_types')::regclass AND i.indisprimary`, schema).Scan(&pk)
	if err != nil || pk != "i" {
		t.Fatalf("primary key = %q, %v; want i", pk, err)
	}
	var offsets string
	err = conn.QueryRow(context.Background(), `SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position)
		FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'tide_offsets'`, schema).Scan(&offsets)
	if err != nil || offsets != "query_id text, epoch bigint, updated_at timestamp with time zone" {
		t.Fatalf("tide_offsets columns = %q, %v", offsets, err)
	}

	ts := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	day := time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)
	sch := tbl.Schema()
	writeCommit(t, s, 0, newRecord(t, sch,
		[]any{true, int64(1), 1.5, "é \"q\"", ts, day},
		[]any{nil, int64(2), nil, nil, nil, nil},
	))
	equalLines(t, dump(t, s), []string{
		"true|1|1.5|é \"q\"|2026-01-02T03:04:05.123456Z|1969-12-31",
		"(null)|2|(null)|(null)|(null)|(null)",
	})
	// Opening again finds the table and accepts it.
	s2 := openSink(t, tbl, dsn, specFor(tbl, "q-types"))
	if e, err := s2.LastEpoch(context.Background()); err != nil || e != 0 {
		t.Fatalf("LastEpoch = %d, %v; want 0", e, err)
	}
}

// An existing table is checked: missing columns, incompatible types and a
// missing unique index for upserts are clear errors; compatible types and
// extra columns are fine.
func TestExistingTableChecked(t *testing.T) {
	dsn, schema := testSchema(t)
	conn := pgConn(t, dsn)
	ctx := context.Background()
	exec := func(sql string) {
		t.Helper()
		if _, err := conn.Exec(ctx, strings.ReplaceAll(sql, "S.", `"`+schema+`".`)); err != nil {
			t.Fatal(err)
		}
	}
	exec(`CREATE TABLE S.missing (window_start timestamptz, window_end timestamptz, customer_id text, tx_count bigint)`)
	exec(`CREATE TABLE S.wrongtype (window_start timestamptz, window_end timestamptz, customer_id integer,
		tx_count bigint, total_amount float8)`)
	exec(`CREATE TABLE S.nokey (window_start timestamptz, window_end timestamptz, customer_id text,
		tx_count bigint, total_amount float8)`)
	exec(`CREATE TABLE S.fine (id serial, window_start timestamp, window_end timestamptz, customer_id varchar(20),
		tx_count integer, total_amount numeric, note text DEFAULT 'x', UNIQUE (customer_id, window_start))`)
	for _, c := range []struct{ table, want string }{
		{"missing", "lacks column(s) total_amount"},
		{"wrongtype", "customer_id is integer, cannot hold VARCHAR"},
		{"nokey", "no primary key or unique index on (customer_id, window_start)"},
	} {
		tbl := statsTable(schema, "x", true)
		tbl.Options = map[string]string{"schema": schema, "table": c.table, "dsn": dsn}
		sk, err := NewSink(tbl, connectorsEnv())
		if err != nil {
			t.Fatal(err)
		}
		err = sk.Open(ctx, specFor(tbl, "q"))
		sk.Close()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "postgres sink x: ") {
			t.Errorf("table %s: Open error = %v; want one saying %q", c.table, err, c.want)
		}
	}
	tbl := statsTable(schema, "FINE", true)
	s := openSink(t, tbl, dsn, specFor(tbl, "q"))
	writeCommit(t, s, 0, newRecord(t, tbl.Schema(), stat(0, "a", 3, 1.25)))
	var id int
	var note, ws string
	err := conn.QueryRow(ctx, `SELECT id, note, window_start::text FROM "`+schema+`".fine`).Scan(&id, &note, &ws)
	if err != nil || id != 1 || note != "x" || ws != "2026-03-01 12:00:00" {
		t.Fatalf("row = %d %q %q, %v", id, note, ws, err)
	}
}

// Append mode inserts every row of every epoch, NULLs included.
func TestAppend(t *testing.T) {
	dsn, schema := testSchema(t)
	tbl := statsTable(schema, "appended", false)
	s := openSink(t, tbl, dsn, specFor(tbl, "q-append"))
	sch := tbl.Schema()
	writeCommit(t, s, 0,
		newRecord(t, sch, stat(0, "a", 1, 1), stat(0, "a", 1, 1)),
		newRecord(t, sch, []any{t0, nil, nil, nil, nil}))
	writeCommit(t, s, 1, newRecord(t, sch, stat(1, "b", 2, 2.5)))
	got := dump(t, s)
	sort.Strings(got)
	equalLines(t, got, []string{
		"2026-03-01T12:00:00Z|(null)|(null)|(null)|(null)",
		statLine(stat(0, "a", 1, 1)),
		statLine(stat(0, "a", 1, 1)),
		statLine(stat(1, "b", 2, 2.5)),
	})
	if e, err := s.LastEpoch(context.Background()); err != nil || e != 1 {
		t.Fatalf("LastEpoch = %d, %v; want 1", e, err)
	}
	// Another deployment of the query sees who wrote here before.
	again := openSink(t, tbl, dsn, specFor(tbl, "q-other"))
	if ids, err := again.QueryIDs(context.Background()); err != nil || strings.Join(ids, ",") != "q-append" {
		t.Fatalf("QueryIDs = %v, %v; want [q-append]", ids, err)
	}
}

// Upsert mode updates existing keys, inserts new ones and, within one epoch,
// keeps the last row of a key (across records too); both write methods.
func TestUpsert(t *testing.T) {
	for _, m := range []struct {
		name   string
		method writeMethod
	}{{"copy", writeCopy}, {"values", writeValues}} {
		t.Run(m.name, func(t *testing.T) {
			dsn, schema := testSchema(t)
			tbl := statsTable(schema, "stats", true)
			s := openSink(t, tbl, dsn, specFor(tbl, "q-upsert"))
			s.method = m.method
			sch := tbl.Schema()
			writeCommit(t, s, 0, newRecord(t, sch, stat(0, "a", 1, 10), stat(0, "b", 1, 20), stat(1, "a", 1, 30)))
			writeCommit(t, s, 1,
				newRecord(t, sch, stat(0, "a", 2, 11), stat(2, "c", 1, 40), stat(0, "a", 3, 12)),
				newRecord(t, sch, stat(2, "c", 2, 41), stat(0, "a", 4, 13)))
			equalLines(t, dump(t, s), []string{
				statLine(stat(0, "a", 4, 13)),
				statLine(stat(0, "b", 1, 20)),
				statLine(stat(1, "a", 1, 30)),
				statLine(stat(2, "c", 2, 41)),
			})
		})
	}
}

// A row with __deleted = true deletes its key (the last row of a key in the
// epoch decides); the column itself is not written. An append sink refuses
// retractions.
func TestRetraction(t *testing.T) {
	for _, m := range []struct {
		name   string
		method writeMethod
	}{{"copy", writeCopy}, {"values", writeValues}} {
		t.Run(m.name, func(t *testing.T) {
			dsn, schema := testSchema(t)
			tbl := statsTable(schema, "stats", true)
			spec := specFor(tbl, "q-retract")
			spec.Schema = arrow.NewSchema(append(tbl.Schema().Fields(), arrow.Field{Name: "__deleted", Type: arrow.FixedWidthTypes.Boolean}), nil)
			s := openSink(t, tbl, dsn, spec)
			s.method = m.method
			row := func(w int, c string, n int64, del bool) []any { return append(stat(w, c, n, float64(n)), del) }
			writeCommit(t, s, 0, newRecord(t, spec.Schema, row(0, "a", 1, false), row(0, "b", 1, false), row(0, "c", 1, false)))
			writeCommit(t, s, 1, newRecord(t, spec.Schema,
				row(0, "b", 0, true),                        // delete
				row(1, "x", 5, false), row(1, "x", 0, true), // insert then delete: gone
				row(0, "a", 0, true), row(0, "a", 7, false), // delete then upsert: updated
			))
			equalLines(t, dump(t, s), []string{statLine(stat(0, "a", 7, 7)), statLine(stat(0, "c", 1, 1))})
		})
	}
	dsn, schema := testSchema(t)
	tbl := statsTable(schema, "log", false)
	spec := specFor(tbl, "q-retract-append")
	spec.Schema = arrow.NewSchema(append(tbl.Schema().Fields(), arrow.Field{Name: "__deleted", Type: arrow.FixedWidthTypes.Boolean}), nil)
	s := openSink(t, tbl, dsn, spec)
	if err := s.Write(context.Background(), newRecord(t, spec.Schema, append(stat(0, "a", 1, 1), true))); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(context.Background(), 0); err == nil || !strings.Contains(err.Error(), "retraction") {
		t.Fatalf("Commit of a retraction into an append sink: %v", err)
	}
}

// Committing an epoch again (or an older one) changes nothing; the next
// epoch is written normally.
func TestReplayedEpochIsNoop(t *testing.T) {
	dsn, schema := testSchema(t)
	tbl := statsTable(schema, "log", false)
	s := openSink(t, tbl, dsn, specFor(tbl, "q-replay"))
	sch := tbl.Schema()
	writeCommit(t, s, 3, newRecord(t, sch, stat(0, "a", 1, 1)))
	writeCommit(t, s, 3, newRecord(t, sch, stat(0, "a", 1, 1), stat(0, "z", 9, 9)))
	writeCommit(t, s, 2, newRecord(t, sch, stat(0, "y", 9, 9)))
	equalLines(t, dump(t, s), []string{statLine(stat(0, "a", 1, 1))})
	writeCommit(t, s, 4, newRecord(t, sch, stat(0, "b", 2, 2)))
	got := dump(t, s)
	sort.Strings(got)
	equalLines(t, got, []string{statLine(stat(0, "a", 1, 1)), statLine(stat(0, "b", 2, 2))})
	if e, err := s.LastEpoch(context.Background()); err != nil || e != 4 {
		t.Fatalf("LastEpoch = %d, %v; want 4", e, err)
	}
}

// LastEpoch is -1 for a new query and survives closing and reopening.
func TestLastEpochAfterReopen(t *testing.T) {
	dsn, schema := testSchema(t)
	tbl := statsTable(schema, "stats", true)
	s := openSink(t, tbl, dsn, specFor(tbl, "q-reopen"))
	ctx := context.Background()
	if e, err := s.LastEpoch(ctx); err != nil || e != -1 {
		t.Fatalf("LastEpoch of a new query = %d, %v; want -1", e, err)
	}
	for e := int64(0); e < 3; e++ {
		writeCommit(t, s, e, newRecord(t, tbl.Schema(), stat(int(e), "a", e, 1)))
	}
	s.Close()
	s.Close() // twice is fine
	s2 := openSink(t, tbl, dsn, specFor(tbl, "q-reopen"))
	if e, err := s2.LastEpoch(ctx); err != nil || e != 2 {
		t.Fatalf("LastEpoch after reopen = %d, %v; want 2", e, err)
	}
	other := openSink(t, tbl, dsn, specFor(tbl, "q-other"))
	if e, err := other.LastEpoch(ctx); err != nil || e != -1 {
		t.Fatalf("LastEpoch of another query = %d, %v; want -1", e, err)
	}
}

// Abort drops the buffered rows; the epoch committed after it holds none.
func TestAbort(t *testing.T) {
	dsn, schema := testSchema(t)
	tbl := statsTable(schema, "log", false)
	s := openSink(t, tbl, dsn, specFor(tbl, "q-abort"))
	ctx := context.Background()
	if err := s.Write(ctx, newRecord(t, tbl.Schema(), stat(0, "a", 1, 1))); err != nil {
		t.Fatal(err)
	}
	if err := s.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	writeCommit(t, s, 0)
	if got := dump(t, s); len(got) != 0 {
		t.Fatalf("table holds %v after an aborted write", got)
	}
	if e, _ := s.LastEpoch(ctx); e != 0 {
		t.Fatalf("LastEpoch = %d; want 0", e)
	}
}

// Two writers of one query committing the same epoch at once: exactly one
// of them writes it.
func TestConcurrentCommitOfOneEpoch(t *testing.T) {
	dsn, schema := testSchema(t)
	tbl := statsTable(schema, "log", false)
	a := openSink(t, tbl, dsn, specFor(tbl, "q-twice"))
	b := openSink(t, tbl, dsn, specFor(tbl, "q-twice"))
	var wg sync.WaitGroup
	for _, s := range []*Sink{a, b} {
		if err := s.Write(context.Background(), newRecord(t, tbl.Schema(), stat(0, "a", 1, 1))); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Commit(context.Background(), 7); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := dump(t, a); len(got) != 1 {
		t.Fatalf("table holds %d rows; want 1", len(got))
	}
}

// Bad DSNs and unreachable servers fail fast with errors that say what and
// where.
func TestBadDSN(t *testing.T) {
	tbl := statsTable("public", "stats", true)
	tbl.Options = map[string]string{"dsn": "postgres://u@127.0.0.1:notaport/db"}
	if _, err := NewSink(tbl, connectorsEnv()); err == nil || !strings.Contains(err.Error(), "postgres sink stats: option dsn") {
		t.Errorf("unparsable dsn: %v", err)
	}
	tbl.Options = map[string]string{"dsn": "host=127.0.0.1"}
	sk, err := NewSink(tbl, connectorsEnv())
	if err != nil {
		t.Fatal(err)
	}
	if got := sk.(*Sink).cfg.ConnConfig.ConnectTimeout; got != defaultConnectTimeout {
		t.Errorf("connect timeout = %v; want %v by default", got, defaultConnectTimeout)
	}
	sk.Close()

	silent := silentListener(t)
	cases := []struct{ name, dsn, want string }{
		{"refused", "postgres://postgres@127.0.0.1:1/tide_test?sslmode=disable", "127.0.0.1:1/tide_test"},
		{"silent", "postgres://postgres@" + silent + "/tide_test?sslmode=disable&connect_timeout=2", "timeout"},
	}
	if dsn := testDSNOrEmpty(); dsn != "" {
		cases = append(cases, struct{ name, dsn, want string }{"nodb", strings.Replace(dsn, "/tide_test", "/no_such_db", 1), "no_such_db"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tbl.Options = map[string]string{"dsn": c.dsn}
			sk, err := NewSink(tbl, connectorsEnv())
			if err != nil {
				t.Fatal(err)
			}
			defer sk.Close()
			start := time.Now()
			err = sk.Open(context.Background(), specFor(tbl, "q"))
			took := time.Since(start)
			if err == nil || !strings.HasPrefix(err.Error(), "postgres sink stats: connect to ") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Open error = %v; want a connect error mentioning %q", err, c.want)
			}
			if took > 5*time.Second {
				t.Fatalf("Open took %v to fail", took)
			}
			t.Logf("%v: %v", took.Round(time.Millisecond), err)
		})
	}
}

// The connector is registered with its options, synonyms and checks.
func TestOptions(t *testing.T) {
	c, err := lookup()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Normalize(map[string]string{"connector": "postgres"}); err == nil || !strings.Contains(err.Error(), "dsn") {
		t.Errorf("missing dsn: %v", err)
	}
	got, err := c.Normalize(map[string]string{"url": "jdbc:postgresql://127.0.0.1:5432/db?user=u", "table-name": "T"})
	if err != nil || got["dsn"] == "" || got["table"] != "T" || got["schema"] != "public" {
		t.Errorf("synonyms: %v, %v", got, err)
	}
	if _, err := c.Normalize(map[string]string{"dsn": "postgres://u@h:x/db"}); err == nil || !strings.Contains(err.Error(), "option dsn") {
		t.Errorf("bad dsn: %v", err)
	}
	for in, want := range map[string]string{"Stats": "stats", `"Stats"`: "Stats", `"a""b"`: `a"b`} {
		if got, err := parseIdent(in); err != nil || got != want {
			t.Errorf("parseIdent(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	var _ executor.Scanner = (*Sink)(nil)
}
