package parquet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: catalog.Int64},
	{Name: "name", Type: catalog.String, Nullable: true},
	{Name: "amount", Type: catalog.Float64, Nullable: true},
	{Name: "ok", Type: catalog.Bool, Nullable: true},
	{Name: "day", Type: catalog.Date, Nullable: true},
	{Name: "ts", Type: catalog.Timestamp, Nullable: true},
}, nil)

const (
	rowsA = `[{"id":1,"name":"ann","amount":1.5,"ok":true,"day":"2024-03-01","ts":"2024-03-01T10:00:00.123456Z"},
	          {"id":2,"name":null,"amount":null,"ok":null,"day":null,"ts":null}]`
	rowsB = `[{"id":3,"name":"bob","amount":-2,"ok":false,"day":"2024-03-02","ts":"2024-03-02T00:00:00Z"}]`
)

func newMem(t testing.TB) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func fromJSON(t testing.TB, mem memory.Allocator, rows string) arrow.Record {
	t.Helper()
	rec, _, err := array.RecordFromJSON(mem, testSchema, strings.NewReader(rows))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func rowStrings(recs []arrow.Record) []string {
	var out []string
	for _, r := range recs {
		for i := range int(r.NumRows()) {
			vals := make([]string, r.NumCols())
			for c := range vals {
				if r.Column(c).IsNull(i) {
					vals[c] = "null"
				} else {
					vals[c] = r.Column(c).ValueStr(i)
				}
			}
			out = append(out, strings.Join(vals, "|"))
		}
	}
	sort.Strings(out)
	return out
}

func jsonRows(t testing.TB, rows ...string) []string {
	var recs []arrow.Record
	for _, r := range rows {
		recs = append(recs, fromJSON(t, memory.DefaultAllocator, r))
	}
	defer release(recs)
	return rowStrings(recs)
}

func release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

func openSink(t testing.TB, mem memory.Allocator, dir, query string) *Sink {
	t.Helper()
	s := New(dir, testSchema, mem)
	if err := s.Open(context.Background(), executor.SinkSpec{QueryID: query, Schema: testSchema, Mode: executor.SinkAppend}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func commit(t testing.TB, s *Sink, mem memory.Allocator, epoch int64, rows string) {
	t.Helper()
	ctx := context.Background()
	if rows != "" {
		rec := fromJSON(t, mem, rows)
		if err := s.Write(ctx, rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := s.Commit(ctx, epoch); err != nil {
		t.Fatal(err)
	}
}

func dirRows(t testing.TB, dir string, mem memory.Allocator) []string {
	t.Helper()
	recs, _, err := ReadDir(context.Background(), dir, nil, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer release(recs)
	return rowStrings(recs)
}

func equalRows(t testing.TB, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows differ\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func names(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestSink(t *testing.T) {
	ctx := context.Background()

	t.Run("each epoch is one file named by epoch and query, read back whole", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, dir, "q/1")
		commit(t, s, mem, 1, rowsA)
		commit(t, s, mem, 2, "")
		commit(t, s, mem, 12, rowsB)
		want := "part-00000000000000000001-q%2F1.parquet,part-00000000000000000012-q%2F1.parquet"
		if got := strings.Join(names(t, dir), ","); got != want {
			t.Errorf("files %s, want %s (no file for the empty epoch 2)", got, want)
		}
		equalRows(t, dirRows(t, dir, mem), jsonRows(t, rowsA, rowsB))
		recs, sc, err := s.Scan(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		if !sc.Equal(testSchema) {
			t.Errorf("scan schema %v", sc)
		}
		equalRows(t, rowStrings(recs), jsonRows(t, rowsA, rowsB))
	})

	t.Run("a replayed epoch is a no-op, and LastEpoch survives reopening", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, dir, "q")
		if e, _ := s.LastEpoch(ctx); e != -1 {
			t.Errorf("LastEpoch of an empty directory = %d", e)
		}
		commit(t, s, mem, 4, rowsA)
		commit(t, s, mem, 4, rowsA)
		s.Close()
		again := openSink(t, mem, dir, "q")
		if e, err := again.LastEpoch(ctx); err != nil || e != 4 {
			t.Errorf("LastEpoch after reopen = %d, %v", e, err)
		}
		commit(t, again, mem, 4, rowsA)
		commit(t, again, mem, 3, rowsB) // older than the last committed epoch
		other := openSink(t, mem, dir, "other")
		if e, _ := other.LastEpoch(ctx); e != -1 {
			t.Errorf("LastEpoch of another query = %d", e)
		}
		equalRows(t, dirRows(t, dir, mem), jsonRows(t, rowsA))
	})

	t.Run("an epoch another incarnation committed first is dropped", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		a := openSink(t, mem, dir, "q")
		zombie := openSink(t, mem, dir, "q")
		commit(t, a, mem, 1, rowsA)
		commit(t, zombie, mem, 1, rowsB)
		equalRows(t, dirRows(t, dir, mem), jsonRows(t, rowsA))
		if n := len(names(t, dir)); n != 1 {
			t.Errorf("%d files, want 1", n)
		}
	})

	t.Run("upsert mode is refused at Open", func(t *testing.T) {
		mem := newMem(t)
		err := New(t.TempDir(), testSchema, mem).Open(ctx, executor.SinkSpec{QueryID: "q", Schema: testSchema, Mode: executor.SinkUpsert, PrimaryKey: []int{0}})
		if !errors.Is(err, ErrUpsert) || err.Error() != "parquet sink is append-only; use connector 'delta' or 'postgres' for a table with a PRIMARY KEY" {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("a query with other column types is refused, naming the column", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		commit(t, openSink(t, mem, dir, "q"), mem, 1, rowsA)
		fields := append([]arrow.Field(nil), testSchema.Fields()...)
		fields[2].Type = catalog.Int64
		err := New(dir, nil, mem).Open(ctx, executor.SinkSpec{QueryID: "q2", Schema: arrow.NewSchema(fields, nil)})
		if err == nil || !strings.Contains(err.Error(), `column "amount" is DOUBLE in file part-00000000000000000001-q.parquet but BIGINT in the query`) {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("hidden and temporary files are not read", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		commit(t, openSink(t, mem, dir, "q"), mem, 1, rowsA)
		os.WriteFile(filepath.Join(dir, ".part-00000000000000000002-q.parquet.1234.tmp"), []byte("partial"), 0o644)
		os.WriteFile(filepath.Join(dir, "_SUCCESS"), nil, 0o644)
		equalRows(t, dirRows(t, dir, mem), jsonRows(t, rowsA))
	})

	t.Run("Scan of a directory not written yet is empty", func(t *testing.T) {
		mem := newMem(t)
		recs, sc, err := New(filepath.Join(t.TempDir(), "none"), testSchema, mem).Scan(ctx)
		if err != nil || len(recs) != 0 || sc != testSchema {
			t.Errorf("scan = %d records, %v, %v", len(recs), sc, err)
		}
	})

	t.Run("the connector is registered with a required path", func(t *testing.T) {
		c, err := executor.Lookup("parquet")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Normalize(map[string]string{"connector": "parquet"}); err == nil {
			t.Error("missing path accepted")
		}
		sink, err := c.NewSink(&catalog.Table{Name: "t", Options: map[string]string{"path": t.TempDir()}}, executor.Env{})
		if err != nil || sink == nil {
			t.Errorf("NewSink = %v, %v", sink, err)
		}
	})
}
