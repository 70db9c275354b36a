package datagen

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// genTable is a datagen source with the given columns ("name TYPE") and
// options (key, value pairs).
func genTable(cols []string, opts ...string) *catalog.Table {
	t := &catalog.Table{Name: "gen", Kind: catalog.KindSource, Connector: "datagen", Options: map[string]string{}}
	for _, c := range cols {
		name, typ, _ := strings.Cut(c, " ")
		at, err := catalog.TypeByName(typ)
		if err != nil {
			panic(err)
		}
		t.Columns = append(t.Columns, catalog.Column{Name: name, Type: at, SQLType: typ})
	}
	for i := 0; i+1 < len(opts); i += 2 {
		t.Options[opts[i]] = opts[i+1]
	}
	return t
}

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// openGen builds and opens a reader at start, closed when the test ends.
func openGen(t *testing.T, mem memory.Allocator, tbl *catalog.Table, start executor.Offsets) *Reader {
	t.Helper()
	r, err := NewSourceReader(tbl, mem)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.Open(context.Background(), start); err != nil {
		t.Fatal(err)
	}
	return r
}

// fetchGen fetches once and renders the rows as text.
func fetchGen(t *testing.T, r *Reader, wait time.Duration, until executor.Offsets) ([]string, executor.Fetch) {
	t.Helper()
	f, err := r.Fetch(context.Background(), wait, until)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, b := range f.Batches {
		if b.Partition != 0 {
			t.Fatalf("batch of partition %d", b.Partition)
		}
		rows = append(rows, rowText(b.Record)...)
		b.Record.Release()
	}
	return rows, f
}

func rowText(rec arrow.Record) []string {
	out := make([]string, rec.NumRows())
	for i := range out {
		cells := make([]string, rec.NumCols())
		for c, col := range rec.Columns() {
			cells[c] = col.ValueStr(i)
		}
		out[i] = strings.Join(cells, "|")
	}
	return out
}

// fetchAll fetches until Done, failing after too many fetches.
func fetchAll(t *testing.T, r *Reader) []string {
	t.Helper()
	var all []string
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatal("no Done after 10000 fetches")
		}
		rows, f := fetchGen(t, r, 0, nil)
		all = append(all, rows...)
		if f.Done {
			return all
		}
	}
}

// column returns the text of one column of rendered rows.
func column(rows []string, c int) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Split(r, "|")[c]
	}
	return out
}

func ids(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprint(i))
	}
	return out
}

// executor0 is the until of a replay up to row n.
func executor0(n int64) executor.Offsets { return executor.Offsets{0: n} }
