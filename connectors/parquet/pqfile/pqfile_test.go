package pqfile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var sc = arrow.NewSchema([]arrow.Field{
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "i", Type: arrow.PrimitiveTypes.Int64},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
}, nil)

const rows = `[{"b":true,"i":1,"f":1.5,"s":"x","ts":"2024-01-01T00:00:00.000001Z","d":"2024-01-01"},
               {"b":null,"i":2,"f":null,"s":null,"ts":null,"d":null}]`

func TestFile(t *testing.T) {
	ctx := context.Background()
	t.Run("records written read back with the same schema and values", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rec, _, err := array.RecordFromJSON(mem, sc, strings.NewReader(rows))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		path := filepath.Join(t.TempDir(), "f.parquet")
		size, err := Write(path, sc, []arrow.Record{rec, rec}, mem)
		if err != nil {
			t.Fatal(err)
		}
		if info, _ := os.Stat(path); info.Size() != size {
			t.Errorf("size %d, file has %d", size, info.Size())
		}
		got, gsc, err := Read(ctx, path, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer Release(got)
		if !gsc.Equal(sc) {
			t.Errorf("schema\n%v\nwant\n%v", gsc, sc)
		}
		var n int64
		for _, r := range got {
			n += r.NumRows()
			for c := range int(r.NumCols()) {
				for i := range int(r.NumRows()) {
					if a, b := r.Column(c).ValueStr(i), rec.Column(c).ValueStr(i%2); a != b {
						t.Errorf("row %d column %d = %s, want %s", i, c, a, b)
					}
				}
			}
		}
		if n != 4 {
			t.Errorf("%d rows, want 4", n)
		}
		if s, err := ReadSchema(path); err != nil || !s.Equal(sc) {
			t.Errorf("ReadSchema = %v, %v", s, err)
		}
	})

	t.Run("an existing file is not overwritten", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "f.parquet")
		os.WriteFile(path, []byte("x"), 0o644)
		if _, err := Write(path, sc, nil, memory.DefaultAllocator); err == nil {
			t.Error("Write replaced an existing file")
		}
		if data, _ := os.ReadFile(path); string(data) != "x" {
			t.Error("existing file changed")
		}
	})

	t.Run("a file without rows reads as no records", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		path := filepath.Join(t.TempDir(), "f.parquet")
		if _, err := Write(path, sc, nil, mem); err != nil {
			t.Fatal(err)
		}
		got, gsc, err := Read(ctx, path, mem)
		if err != nil || len(got) != 0 || !gsc.Equal(sc) {
			t.Errorf("read = %d records, %v, %v", len(got), gsc, err)
		}
	})
}
