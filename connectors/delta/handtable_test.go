package delta

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// handTable writes a Delta table by hand, as another engine would: JSON
// commit lines the test spells out and Parquet files written with pqarrow,
// none of the package's writing code. Tests of features the fixtures lack
// (partition types, column mapping by id, every kind of deletion vector and
// checkpoint) build their tables with it; the expected rows are the ones
// the test wrote.
type handTable struct {
	t   *testing.T
	dir string
	v   int64 // next version
}

func newHandTable(t *testing.T) *handTable {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "table")
	if err := os.MkdirAll(filepath.Join(dir, "_delta_log", "_sidecars"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &handTable{t: t, dir: dir}
}

// commit writes the next version: one action per line.
func (h *handTable) commit(lines ...string) {
	h.t.Helper()
	h.logFile(fmt.Sprintf("%020d.json", h.v), lines...)
	h.v++
}

// logFile writes a file of JSON lines in _delta_log.
func (h *handTable) logFile(name string, lines ...string) {
	h.t.Helper()
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			h.t.Fatalf("bad JSON line %s", l)
		}
	}
	if err := os.WriteFile(filepath.Join(h.dir, "_delta_log", name), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// parquet writes rows (a JSON array of objects) of schema sc to the file at
// rel under the table (or at an absolute path) with pqarrow, and returns
// its size.
func (h *handTable) parquet(rel string, sc *arrow.Schema, rows string) int64 {
	h.t.Helper()
	path := rel
	if !filepath.IsAbs(rel) {
		path = filepath.Join(h.dir, filepath.FromSlash(rel))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		h.t.Fatal(err)
	}
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, sc, strings.NewReader(rows))
	if err != nil {
		h.t.Fatalf("rows for %s: %v", rel, err)
	}
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		h.t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(sc, f, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		h.t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		h.t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		h.t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		h.t.Fatal(err)
	}
	return info.Size()
}

// Log lines.

func protocolLine(reader, writer int, readerFeatures, writerFeatures []string) string {
	p := map[string]any{"minReaderVersion": reader, "minWriterVersion": writer}
	if readerFeatures != nil {
		p["readerFeatures"] = readerFeatures
	}
	if writerFeatures != nil {
		p["writerFeatures"] = writerFeatures
	}
	return mustJSON(map[string]any{"protocol": p})
}

// metaDataLine declares the table; fields are Delta schema fields, as
// JSON objects.
func metaDataLine(partitionColumns []string, config map[string]string, fields ...string) string {
	schema := `{"type":"struct","fields":[` + strings.Join(fields, ",") + `]}`
	if partitionColumns == nil {
		partitionColumns = []string{}
	}
	if config == nil {
		config = map[string]string{}
	}
	return mustJSON(map[string]any{"metaData": map[string]any{
		"id": "hand-made", "format": map[string]any{"provider": "parquet", "options": map[string]string{}},
		"schemaString": schema, "partitionColumns": partitionColumns, "configuration": config, "createdTime": 1,
	}})
}

// field is a Delta schema field of a primitive type with metadata.
func field(name, typ string, metadata map[string]any) string {
	if metadata == nil {
		metadata = map[string]any{}
	}
	return mustJSON(map[string]any{"name": name, "type": typ, "nullable": true, "metadata": metadata})
}

// addLine adds a file; parts maps partition keys to values (nil: a JSON
// null); dv is a deletion vector descriptor or nil.
func addLine(path string, size int64, parts map[string]*string, dv map[string]any) string {
	if parts == nil {
		parts = map[string]*string{}
	}
	a := map[string]any{"path": path, "partitionValues": parts, "size": size, "modificationTime": 1, "dataChange": true}
	if dv != nil {
		a["deletionVector"] = dv
	}
	return mustJSON(map[string]any{"add": a})
}

func removeLine(path string, dv map[string]any) string {
	r := map[string]any{"path": path, "deletionTimestamp": time.Now().UnixMilli(), "dataChange": true}
	if dv != nil {
		r["deletionVector"] = dv
	}
	return mustJSON(map[string]any{"remove": r})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func sp(s string) *string { return &s }

// renderRows renders rows as "v1|v2|...", sorted, with explicit formats:
// timestamps RFC 3339 in UTC, dates YYYY-MM-DD, numbers as Go prints them.
func renderRows(recs []arrow.Record) []string {
	var out []string
	for _, r := range recs {
		for i := range int(r.NumRows()) {
			vals := make([]string, r.NumCols())
			for c := range vals {
				vals[c] = renderValue(r.Column(c), i)
			}
			out = append(out, strings.Join(vals, "|"))
		}
	}
	sort.Strings(out)
	return out
}

func renderValue(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "null"
	}
	switch a := a.(type) {
	case *array.Timestamp:
		return time.UnixMicro(int64(a.Value(i))).UTC().Format(time.RFC3339Nano)
	case *array.Date32:
		return time.Unix(int64(a.Value(i))*86400, 0).UTC().Format(time.DateOnly)
	case *array.Float64:
		return strconv.FormatFloat(a.Value(i), 'g', -1, 64)
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	}
	return a.ValueStr(i)
}
