package pqfile

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// int96Of encodes t as Spark does: nanoseconds of the day, then the Julian
// day number (2440588 is 1970-01-01), little-endian. The day count comes
// from a civil-calendar formula, not from the reader's arithmetic.
func int96Of(t time.Time) parquet.Int96 {
	julian := 2440588 + daysFromCivil(t.Year(), int(t.Month()), t.Day())
	nanos := uint64(t.Hour())*3600_000_000_000 + uint64(t.Minute())*60_000_000_000 +
		uint64(t.Second())*1_000_000_000 + uint64(t.Nanosecond())
	var v parquet.Int96
	binary.LittleEndian.PutUint64(v[:8], nanos)
	binary.LittleEndian.PutUint32(v[8:], uint32(julian))
	return v
}

// daysFromCivil counts days from 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// writeInt96File writes, with the low-level Parquet writer, a file of two
// row groups with an INT96 column "ts", an int32 column "n" (field id 7)
// and a string column "s" (field id 9).
func writeInt96File(t *testing.T, path string, ts []*time.Time, ns []*int32, ss []*string) {
	t.Helper()
	tsNode, _ := schema.NewPrimitiveNode("ts", parquet.Repetitions.Optional, parquet.Types.Int96, -1, -1)
	nNode, _ := schema.NewPrimitiveNode("n", parquet.Repetitions.Optional, parquet.Types.Int32, 7, -1)
	sNode, _ := schema.NewPrimitiveNodeLogical("s", parquet.Repetitions.Optional, schema.StringLogicalType{}, parquet.Types.ByteArray, -1, 9)
	root, err := schema.NewGroupNode("schema", parquet.Repetitions.Required, schema.FieldList{tsNode, nNode, sNode}, -1)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := file.NewParquetWriter(f, root)
	half := len(ts) / 2
	for _, r := range [][2]int{{0, half}, {half, len(ts)}} {
		rg := w.AppendRowGroup()
		var defs []int16
		var v96 []parquet.Int96
		for _, x := range ts[r[0]:r[1]] {
			if x == nil {
				defs = append(defs, 0)
			} else {
				defs = append(defs, 1)
				v96 = append(v96, int96Of(*x))
			}
		}
		cw, _ := rg.NextColumn()
		if _, err := cw.(*file.Int96ColumnChunkWriter).WriteBatch(v96, defs, nil); err != nil {
			t.Fatal(err)
		}
		defs = defs[:0]
		var v32 []int32
		for _, x := range ns[r[0]:r[1]] {
			if x == nil {
				defs = append(defs, 0)
			} else {
				defs = append(defs, 1)
				v32 = append(v32, *x)
			}
		}
		cw, _ = rg.NextColumn()
		if _, err := cw.(*file.Int32ColumnChunkWriter).WriteBatch(v32, defs, nil); err != nil {
			t.Fatal(err)
		}
		defs = defs[:0]
		var vs []parquet.ByteArray
		for _, x := range ss[r[0]:r[1]] {
			if x == nil {
				defs = append(defs, 0)
			} else {
				defs = append(defs, 1)
				vs = append(vs, parquet.ByteArray(*x))
			}
		}
		cw, _ = rg.NextColumn()
		if _, err := cw.(*file.ByteArrayColumnChunkWriter).WriteBatch(vs, defs, nil); err != nil {
			t.Fatal(err)
		}
		if err := rg.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestFileColumns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "int96.parquet")
	ts := []*time.Time{
		ptr(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)),
		nil,
		ptr(time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC)),
		ptr(time.Date(1969, 12, 31, 23, 59, 59, 999_999_000, time.UTC)),
		ptr(time.Date(2022, 2, 1, 12, 30, 0, 123_456_000, time.UTC)),
		ptr(time.Date(1677, 9, 21, 0, 12, 43, 0, time.UTC)), // before the int64 nanosecond range
	}
	ns := []*int32{ptr(int32(1)), ptr(int32(2)), nil, ptr(int32(4)), ptr(int32(5)), ptr(int32(6))}
	ss := []*string{ptr("a"), nil, ptr("c"), ptr("d"), ptr("e"), ptr("f")}
	writeInt96File(t, path, ts, ns, ss)

	t.Run("columns have their names, read types and field ids", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		f, err := Open(path, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var got []string
		for _, c := range f.Columns() {
			got = append(got, fmt.Sprintf("%s:%s:%d", c.Name, c.Type, c.FieldID))
		}
		want := []string{"ts:timestamp[us, tz=UTC]:-1", "n:int32:7", "s:utf8:9"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("columns %v, want %v", got, want)
		}
		if f.NumRows() != int64(len(ts)) {
			t.Errorf("%d rows, want %d", f.NumRows(), len(ts))
		}
	})

	t.Run("INT96 timestamps outside the nanosecond range read exactly, in the order asked", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		f, err := Open(path, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := f.Read(ctx, []int{2, 0})
		if err != nil {
			t.Fatal(err)
		}
		defer Release(recs)
		var gotS, gotTS []string
		for _, r := range recs {
			if r.ColumnName(0) != "s" || r.ColumnName(1) != "ts" {
				t.Fatalf("columns %s, %s; want s, ts", r.ColumnName(0), r.ColumnName(1))
			}
			for i := range int(r.NumRows()) {
				gotS = append(gotS, r.Column(0).ValueStr(i))
				if r.Column(1).IsNull(i) {
					gotTS = append(gotTS, "null")
					continue
				}
				us := int64(r.Column(1).(*array.Timestamp).Value(i))
				gotTS = append(gotTS, time.UnixMicro(us).UTC().Format(time.RFC3339Nano))
			}
		}
		var wantS, wantTS []string
		for i := range ts {
			if ss[i] == nil {
				wantS = append(wantS, "(null)")
			} else {
				wantS = append(wantS, *ss[i])
			}
			if ts[i] == nil {
				wantTS = append(wantTS, "null")
			} else {
				wantTS = append(wantTS, ts[i].Format(time.RFC3339Nano))
			}
		}
		if !reflect.DeepEqual(gotS, wantS) || !reflect.DeepEqual(gotTS, wantTS) {
			t.Errorf("got s %v ts %v\nwant s %v ts %v", gotS, gotTS, wantS, wantTS)
		}
	})

	t.Run("reading no column counts the rows; only INT96 columns read too", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		f, err := Open(path, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, idx := range [][]int{nil, {0}} {
			recs, err := f.Read(ctx, idx)
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			for _, r := range recs {
				n += r.NumRows()
				if int(r.NumCols()) != len(idx) {
					t.Errorf("%d columns, want %d", r.NumCols(), len(idx))
				}
			}
			Release(recs)
			if n != int64(len(ts)) {
				t.Errorf("columns %v: %d rows, want %d", idx, n, len(ts))
			}
		}
	})

	t.Run("a pruned struct column reads only the leaves kept", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		st := arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
			arrow.Field{Name: "b_parsed", Type: arrow.BinaryTypes.String, Nullable: true})
		sc := arrow.NewSchema([]arrow.Field{{Name: "x", Type: st, Nullable: true}}, nil)
		rec, _, err := array.RecordFromJSON(mem, sc, strings.NewReader(`[{"x":{"a":1,"b_parsed":"p"}},{"x":null}]`))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		p := filepath.Join(dir, "struct.parquet")
		if _, err := Write(p, sc, []arrow.Record{rec}, mem); err != nil {
			t.Fatal(err)
		}
		f, err := Open(p, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := f.ReadPruned(ctx, []int{0}, func(path []string) bool { return !strings.HasSuffix(path[len(path)-1], "_parsed") })
		if err != nil {
			t.Fatal(err)
		}
		defer Release(recs)
		if got := recs[0].Column(0).DataType().String(); got != "struct<a: int64 nullable>" {
			t.Errorf("pruned type %s, want struct<a: int64 nullable>", got)
		}
		if got := recs[0].Column(0).String(); got != "{[1 (null)]}" {
			t.Errorf("values %s", got)
		}
		if _, err := f.ReadPruned(ctx, []int{0}, func([]string) bool { return false }); err == nil || !strings.Contains(err.Error(), "column x has no field left") {
			t.Errorf("pruning every leaf: err %v", err)
		}
	})
}
