package memory

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// instanceSeq makes every test's engine instance unique: memory tables
// live in a process-wide map, which -count=N would otherwise share.
var instanceSeq atomic.Int64

func newInstance(t *testing.T) string {
	return fmt.Sprintf("%s#%d", t.Name(), instanceSeq.Add(1))
}

// kvTable is id BIGINT, v VARCHAR, with the given primary key.
func kvTable(name string, key ...string) *catalog.Table {
	return &catalog.Table{Name: name, Kind: catalog.KindTable, Connector: "memory", PrimaryKey: key,
		Columns: []catalog.Column{{Name: "id", Type: catalog.Int64}, {Name: "v", Type: catalog.String}}}
}

// openSink builds the table's sink through the connector registry and opens
// it for query qid in mode.
func openSink(t *testing.T, instance string, tbl *catalog.Table, qid string, mode executor.SinkMode) executor.Sink {
	t.Helper()
	c, err := executor.Lookup("memory")
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.NewSink(tbl, executor.Env{Instance: instance})
	if err != nil {
		t.Fatal(err)
	}
	spec := executor.SinkSpec{QueryID: qid, Schema: tbl.Schema(), Mode: mode}
	if mode == executor.SinkUpsert {
		spec.PrimaryKey = tbl.PrimaryKeyIndexes()
	}
	if err := s.Open(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// kvRecord builds an (id, v) record from "1=a 2=b" words; v "null" is NULL.
func kvRecord(t *testing.T, mem memory.Allocator, schema *arrow.Schema, rows string) arrow.Record {
	t.Helper()
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, w := range strings.Fields(rows) {
		id, v, ok := strings.Cut(w, "=")
		if !ok {
			t.Fatalf("%q is not id=v", w)
		}
		var n int64
		if _, err := fmt.Sscan(id, &n); err != nil {
			t.Fatal(err)
		}
		b.Field(0).(*array.Int64Builder).Append(n)
		if v == "null" {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(v)
		}
	}
	return b.NewRecord()
}

// write writes rows as one record and releases the test's reference.
func write(t *testing.T, s executor.Sink, mem memory.Allocator, schema *arrow.Schema, rows string) {
	t.Helper()
	rec := kvRecord(t, mem, schema, rows)
	defer rec.Release()
	if err := s.Write(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
}

func commit(t *testing.T, s executor.Sink, epoch int64) {
	t.Helper()
	if err := s.Commit(context.Background(), epoch); err != nil {
		t.Fatal(err)
	}
}

func lastEpoch(t *testing.T, s executor.Sink) int64 {
	t.Helper()
	e, err := s.LastEpoch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// contents scans the sink and prints its rows as "col=value ..." lines.
func contents(t *testing.T, s executor.Sink) string {
	t.Helper()
	recs, schema, err := s.(executor.Scanner).Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, rec := range recs {
		if !rec.Schema().Equal(schema) {
			t.Errorf("record schema %s differs from the returned schema %s", rec.Schema(), schema)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			cells := make([]string, rec.NumCols())
			for c := range cells {
				col := rec.Column(c)
				cells[c] = rec.ColumnName(c) + "=" + executor.FormatValue(executor.Value(col, i), col.DataType())
			}
			lines = append(lines, strings.Join(cells, " "))
		}
		rec.Release()
	}
	if len(lines) == 0 {
		return "(empty)"
	}
	return strings.Join(lines, "\n")
}

func checkContents(t *testing.T, s executor.Sink, want string) {
	t.Helper()
	want = strings.TrimSpace(want)
	if got := contents(t, s); got != want {
		t.Errorf("contents:\n%s\nwant:\n%s", got, want)
	}
}

func TestMemorySink(t *testing.T) {
	t.Run("append keeps every row in write and commit order", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		tbl := kvTable("log")
		s := openSink(t, newInstance(t), tbl, "q1", executor.SinkAppend)
		write(t, s, mem, tbl.Schema(), "1=a 2=b")
		write(t, s, mem, tbl.Schema(), "1=a")
		checkContents(t, s, "(empty)") // nothing is visible before Commit
		commit(t, s, 1)
		write(t, s, mem, tbl.Schema(), "3=null")
		commit(t, s, 2)
		checkContents(t, s, `
id=1 v=a
id=2 v=b
id=1 v=a
id=3 v=NULL`)
	})

	t.Run("upsert keeps the last row per key, within an epoch and across epochs", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		tbl := kvTable("latest", "id")
		s := openSink(t, newInstance(t), tbl, "q1", executor.SinkUpsert)
		write(t, s, mem, tbl.Schema(), "1=a 2=b")
		write(t, s, mem, tbl.Schema(), "1=c")
		commit(t, s, 1)
		checkContents(t, s, `
id=1 v=c
id=2 v=b`)
		write(t, s, mem, tbl.Schema(), "2=d 3=e 2=f")
		commit(t, s, 2)
		// A replaced row keeps its place; new keys go at the end.
		checkContents(t, s, `
id=1 v=c
id=2 v=f
id=3 v=e`)
	})

	t.Run("upsert by a composite key compares every key column", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		tbl := kvTable("pairs", "id", "v")
		tbl.Columns = append(tbl.Columns, catalog.Column{Name: "n", Type: catalog.Int64})
		s := openSink(t, newInstance(t), tbl, "q1", executor.SinkUpsert)
		b := array.NewRecordBuilder(mem, tbl.Schema())
		defer b.Release()
		for _, r := range []struct {
			id int64
			v  string
			n  int64
		}{{1, "a", 1}, {1, "b", 2}, {1, "a", 3}, {2, "a", 4}} {
			b.Field(0).(*array.Int64Builder).Append(r.id)
			b.Field(1).(*array.StringBuilder).Append(r.v)
			b.Field(2).(*array.Int64Builder).Append(r.n)
		}
		rec := b.NewRecord()
		if err := s.Write(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		commit(t, s, 1)
		checkContents(t, s, `
id=1 v=a n=3
id=1 v=b n=2
id=2 v=a n=4`)
	})

	t.Run("upsert keeps a NULL key apart from the string '<nil>'", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		tbl := kvTable("by_v", "v")
		s := openSink(t, newInstance(t), tbl, "q1", executor.SinkUpsert)
		write(t, s, mem, tbl.Schema(), "1=null 2=<nil>")
		commit(t, s, 1)
		checkContents(t, s, `
id=1 v=NULL
id=2 v=<nil>`)
	})

	t.Run("a replayed epoch the table already holds is ignored", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		tbl := kvTable("log")
		s := openSink(t, newInstance(t), tbl, "q1", executor.SinkAppend)
		write(t, s, mem, tbl.Schema(), "1=a")
		commit(t, s, 1)
		write(t, s, mem, tbl.Schema(), "2=b")
		commit(t, s, 2)
		// Epoch 2 again (equal to the last) and epoch 1 (older): dropped,
		// and their rows released.
		write(t, s, mem, tbl.Schema(), "2=b")
		commit(t, s, 2)
		write(t, s, mem, tbl.Schema(), "1=a")
		commit(t, s, 1)
		mem.AssertSize(t, 0)
		if e := lastEpoch(t, s); e != 2 {
			t.Errorf("LastEpoch = %d after ignored replays, want 2", e)
		}
		write(t, s, mem, tbl.Schema(), "3=c")
		commit(t, s, 3)
		checkContents(t, s, `
id=1 v=a
id=2 v=b
id=3 v=c`)
	})

	t.Run("LastEpoch is kept per query id", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		inst := newInstance(t)
		tbl := kvTable("shared")
		q1 := openSink(t, inst, tbl, "q1", executor.SinkAppend)
		q2 := openSink(t, inst, tbl, "q2", executor.SinkAppend)
		if e := lastEpoch(t, q1); e != -1 {
			t.Errorf("q1 LastEpoch = %d before any commit, want -1", e)
		}
		write(t, q1, mem, tbl.Schema(), "1=from-q1")
		commit(t, q1, 5)
		if e := lastEpoch(t, q1); e != 5 {
			t.Errorf("q1 LastEpoch = %d, want 5", e)
		}
		if e := lastEpoch(t, q2); e != -1 {
			t.Errorf("q2 LastEpoch = %d, want -1: q1's epochs are not q2's", e)
		}
		// q2's epoch 3 is its own first epoch, not a replay of q1's.
		write(t, q2, mem, tbl.Schema(), "2=from-q2")
		commit(t, q2, 3)
		if e := lastEpoch(t, q2); e != 3 {
			t.Errorf("q2 LastEpoch = %d, want 3", e)
		}
		// A new sink for q1 (a restarted query) sees q1's last epoch.
		if e := lastEpoch(t, openSink(t, inst, tbl, "q1", executor.SinkAppend)); e != 5 {
			t.Errorf("reopened q1 LastEpoch = %d, want 5", e)
		}
		checkContents(t, q1, `
id=1 v=from-q1
id=2 v=from-q2`)
	})

	t.Run("without a query id nothing is recorded and no epoch counts as a replay", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		tbl := kvTable("adhoc")
		s := openSink(t, newInstance(t), tbl, "", executor.SinkAppend)
		write(t, s, mem, tbl.Schema(), "1=a")
		commit(t, s, 1)
		write(t, s, mem, tbl.Schema(), "2=b")
		commit(t, s, 1)
		if e := lastEpoch(t, s); e != -1 {
			t.Errorf("LastEpoch = %d, want -1", e)
		}
		checkContents(t, s, `
id=1 v=a
id=2 v=b`)
	})

	t.Run("Abort drops the rows written since the last commit", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		tbl := kvTable("log")
		s := openSink(t, newInstance(t), tbl, "q1", executor.SinkAppend)
		write(t, s, mem, tbl.Schema(), "1=kept")
		commit(t, s, 1)
		write(t, s, mem, tbl.Schema(), "2=dropped 3=dropped")
		if err := s.Abort(context.Background()); err != nil {
			t.Fatal(err)
		}
		mem.AssertSize(t, 0) // the sink's references are released at Abort
		write(t, s, mem, tbl.Schema(), "4=next")
		commit(t, s, 2)
		checkContents(t, s, `
id=1 v=kept
id=4 v=next`)
	})

	t.Run("Close releases rows never committed", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		tbl := kvTable("log")
		s := openSink(t, newInstance(t), tbl, "q1", executor.SinkAppend)
		write(t, s, mem, tbl.Schema(), "1=a")
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	})

	t.Run("Scan returns the rows of every type with their NULLs", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		tbl := &catalog.Table{Name: "typed", Kind: catalog.KindTable, Connector: "memory", Columns: []catalog.Column{
			{Name: "b", Type: catalog.Bool}, {Name: "i", Type: catalog.Int64}, {Name: "f", Type: catalog.Float64},
			{Name: "s", Type: catalog.String}, {Name: "ts", Type: catalog.Timestamp}, {Name: "d", Type: catalog.Date},
		}}
		s := openSink(t, newInstance(t), tbl, "q1", executor.SinkAppend)
		ts := time.Date(2024, 5, 6, 7, 8, 9, 123000000, time.UTC)
		rec, err := executor.BuildRecord(mem, tbl.Schema(), [][]any{
			{true, int64(-7), 2.5, "x", ts, ts},
			{nil, nil, nil, nil, nil, nil},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Write(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		commit(t, s, 1)
		checkContents(t, s, `
b=true i=-7 f=2.5 s=x ts=2024-05-06 07:08:09.123 d=2024-05-06
b=NULL i=NULL f=NULL s=NULL ts=NULL d=NULL`)
	})

	t.Run("Scan of a table nobody wrote is one empty record of its schema", func(t *testing.T) {
		tbl := kvTable("nothing")
		s := openSink(t, newInstance(t), tbl, "q1", executor.SinkAppend)
		recs, schema, err := s.(executor.Scanner).Scan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			for _, r := range recs {
				r.Release()
			}
		}()
		if !schema.Equal(tbl.Schema()) {
			t.Errorf("schema %s, want %s", schema, tbl.Schema())
		}
		if len(recs) != 1 || recs[0].NumRows() != 0 {
			t.Errorf("got %d records, want one with no rows", len(recs))
		}
	})

	t.Run("two engines do not share a table of the same name", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		tbl := kvTable("t")
		a := openSink(t, newInstance(t), tbl, "q1", executor.SinkAppend)
		b := openSink(t, newInstance(t), tbl, "q1", executor.SinkAppend)
		write(t, a, mem, tbl.Schema(), "1=in-a")
		commit(t, a, 1)
		checkContents(t, b, "(empty)")
		if e := lastEpoch(t, b); e != -1 {
			t.Errorf("engine b LastEpoch = %d, want -1", e)
		}
		checkContents(t, a, "id=1 v=in-a")
	})

	t.Run("one engine shares a table between sinks, whatever the case of its name", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		inst := newInstance(t)
		w := openSink(t, inst, kvTable("Clicks"), "q1", executor.SinkAppend)
		r := openSink(t, inst, kvTable("clicks"), "q2", executor.SinkAppend)
		write(t, w, mem, kvTable("Clicks").Schema(), "1=a")
		commit(t, w, 1)
		checkContents(t, r, "id=1 v=a")
	})

	t.Run("Drop forgets the contents and the committed epochs", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		inst := newInstance(t)
		tbl := kvTable("gone")
		s := openSink(t, inst, tbl, "q1", executor.SinkAppend)
		write(t, s, mem, tbl.Schema(), "1=a")
		commit(t, s, 4)
		Drop(inst, "GONE")
		again := openSink(t, inst, tbl, "q1", executor.SinkAppend)
		checkContents(t, again, "(empty)")
		if e := lastEpoch(t, again); e != -1 {
			t.Errorf("LastEpoch after Drop = %d, want -1", e)
		}
	})

	t.Run("the registration declares the table volatile and droppable, per instance", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		if !executor.Volatile("memory") || executor.ShowsChanges("memory") {
			t.Fatalf("memory: Volatile %v ShowsChanges %v, want true false", executor.Volatile("memory"), executor.ShowsChanges("memory"))
		}
		inst, other := newInstance(t), newInstance(t)
		tbl := kvTable("kept")
		for _, in := range []string{inst, other} {
			s := openSink(t, in, tbl, "q1", executor.SinkAppend)
			write(t, s, mem, tbl.Schema(), "1=a")
			commit(t, s, 1)
		}
		executor.DropData(tbl, executor.Env{Instance: inst})
		checkContents(t, openSink(t, inst, tbl, "q2", executor.SinkAppend), "(empty)")
		checkContents(t, openSink(t, other, tbl, "q2", executor.SinkAppend), "id=1 v=a")
	})
}
