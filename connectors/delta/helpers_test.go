package delta

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
	"github.com/tide-sql/tide/executor"
)

// testSchema has one column of each tide type.
var testSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: catalog.Int64},
	{Name: "name", Type: catalog.String, Nullable: true},
	{Name: "amount", Type: catalog.Float64, Nullable: true},
	{Name: "ok", Type: catalog.Bool, Nullable: true},
	{Name: "day", Type: catalog.Date, Nullable: true},
	{Name: "ts", Type: catalog.Timestamp, Nullable: true},
}, nil)

func newMem(t testing.TB) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// fromJSON builds a record from a JSON array of row objects.
func fromJSON(t testing.TB, mem memory.Allocator, sc *arrow.Schema, rows string) arrow.Record {
	t.Helper()
	rec, _, err := array.RecordFromJSON(mem, sc, strings.NewReader(rows))
	if err != nil {
		t.Fatalf("record from JSON: %v", err)
	}
	return rec
}

// rowStrings renders rows as "v1|v2|...", sorted, for comparisons that
// ignore row order.
func rowStrings(recs []arrow.Record) []string {
	var out []string
	for _, r := range recs {
		for i := range int(r.NumRows()) {
			vals := make([]string, r.NumCols())
			for c := range vals {
				col := r.Column(c)
				if col.IsNull(i) {
					vals[c] = "null"
				} else {
					vals[c] = col.ValueStr(i)
				}
			}
			out = append(out, strings.Join(vals, "|"))
		}
	}
	sort.Strings(out)
	return out
}

func release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

// openSink opens a sink on dir with the given config tweaks.
func openSink(t testing.TB, mem memory.Allocator, cfg Config, spec executor.SinkSpec) *Sink {
	t.Helper()
	if spec.Schema == nil {
		spec.Schema = testSchema
	}
	if spec.QueryID == "" {
		spec.QueryID = "q1"
	}
	s := New(cfg, nil, mem)
	if err := s.Open(context.Background(), spec); err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// commitRows writes one epoch of JSON rows (an empty string: no rows).
func commitRows(t testing.TB, s *Sink, mem memory.Allocator, epoch int64, rows string) {
	t.Helper()
	ctx := context.Background()
	if rows != "" {
		rec := fromJSON(t, mem, s.spec.Schema, rows)
		err := s.Write(ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	if err := s.Commit(ctx, epoch); err != nil {
		t.Fatalf("commit epoch %d: %v", epoch, err)
	}
}

// tableRows reads the table with ReadTable and returns its rows.
func tableRows(t testing.TB, dir string, mem memory.Allocator) []string {
	t.Helper()
	recs, _, _, err := ReadTable(dir, mem)
	if err != nil {
		t.Fatalf("read table: %v", err)
	}
	defer release(recs)
	return rowStrings(recs)
}

// logActions returns the actions of every JSON commit of the table.
func logActions(t testing.TB, dir string) [][]action {
	t.Helper()
	l, err := listLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]action, 0, len(l.commits))
	for _, v := range l.commits {
		acts, err := readCommit(dir, v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, acts)
	}
	return out
}

// activePaths returns the paths of the table's active files.
func activePaths(t testing.TB, dir string) []string {
	t.Helper()
	snap, err := loadSnapshot(context.Background(), dir, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for p := range snap.files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// parquetFiles lists the data files under dir (outside _delta_log).
func parquetFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == logDir {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func equalRows(t testing.TB, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("rows differ\n got (%d):\n  %s\nwant (%d):\n  %s", len(got), strings.Join(got, "\n  "), len(want), strings.Join(want, "\n  "))
	}
}

func sorted(rows ...string) []string {
	out := append([]string(nil), rows...)
	sort.Strings(out)
	return out
}

// jsonRows is rowStrings of JSON rows: the expected side of comparisons.
func jsonRows(t testing.TB, sc *arrow.Schema, rows ...string) []string {
	t.Helper()
	var recs []arrow.Record
	for _, r := range rows {
		recs = append(recs, fromJSON(t, memory.DefaultAllocator, sc, r))
	}
	defer release(recs)
	return rowStrings(recs)
}

// row renders one test row as JSON.
func row(id int64, name string, amount float64) string {
	return fmt.Sprintf(`{"id":%d,"name":%q,"amount":%g,"ok":true,"day":"2024-03-01","ts":"2024-03-01T10:00:00.123456Z"}`, id, name, amount)
}

// rows joins row objects into a JSON array.
func rows(objs ...string) string { return "[" + strings.Join(objs, ",") + "]" }

// fileSchema reads the Arrow schema of a Parquet file.
func fileSchema(t testing.TB, path string) *arrow.Schema {
	t.Helper()
	sc, err := pqfile.ReadSchema(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
