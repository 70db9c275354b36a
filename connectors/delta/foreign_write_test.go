package delta

import (
	"context"
	"io/fs"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
	"github.com/tide-sql/tide/executor"
)

// treeListing lists every file under dir with its size, to show that a
// refused write left a table as it was.
func treeListing(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel+" "+info.ModTime().String())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestForeignAppend appends with tide's sink to copies of tables other
// engines wrote, where tide supports their writer protocol, and checks the
// result with the test's own protocol reader as well as tide's.
func TestForeignAppend(t *testing.T) {
	ctx := context.Background()

	t.Run("Spark's partitioned table with integer columns takes rows in its own types", func(t *testing.T) {
		mem := newMem(t)
		dir := copyFixture(t, "delta-2.2.0-partitioned-types")
		sc := arrow.NewSchema([]arrow.Field{{Name: "c1", Type: catalog.Int64, Nullable: true},
			{Name: "c2", Type: catalog.String, Nullable: true}, {Name: "c3", Type: catalog.Int64, Nullable: true}}, nil)
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{Schema: sc})
		commitRows(t, s, mem, 0, `[{"c1":7,"c2":"d","c3":8},{"c1":null,"c2":null,"c3":-2147483648}]`)
		want := []string{"4|c|5", "5|b|6", "6|a|4", "7|d|8", "null|null|-2147483648"}
		if got := tableRows(t, dir, mem); !reflect.DeepEqual(got, want) {
			t.Errorf("tide reads %q, want %q", got, want)
		}
		if got := oracleRows(t, dir); !reflect.DeepEqual(got, want) {
			t.Errorf("the test's protocol reader reads %q, want %q", got, want)
		}
		// The new files are in Hive partition directories and store c3 as
		// the int32 the schema's "integer" says, as Spark expects.
		var added []string
		for _, a := range logActions(t, dir)[1] {
			if a.Add != nil {
				added = append(added, a.Add.Path)
				fsc, err := pqfile.ReadSchema(filepath.Join(dir, filepath.FromSlash(a.Add.Path)))
				if err != nil {
					t.Fatal(err)
				}
				if got := fsc.String(); !strings.Contains(got, "c3: type=int32") || strings.Contains(got, "c1") {
					t.Errorf("file %s has schema %s; want only c3, as int32", a.Add.Path, got)
				}
			}
		}
		sort.Strings(added)
		if len(added) != 2 || !strings.HasPrefix(added[0], "c1=7/c2=d/") || !strings.HasPrefix(added[1], "c1=__HIVE_DEFAULT_PARTITION__/c2=__HIVE_DEFAULT_PARTITION__/") {
			t.Errorf("added files %q", added)
		}

		rec := fromJSON(t, mem, sc, `[{"c1":1,"c2":"x","c3":3000000000}]`)
		defer rec.Release()
		if err := s.Write(ctx, rec); err == nil || !strings.Contains(err.Error(), `column "c3": value 3000000000 does not fit its delta type integer`) {
			t.Errorf("out-of-range write: err %v", err)
		}
	})

	t.Run("upserts by an integer key merge into a table of narrow types", func(t *testing.T) {
		mem := newMem(t)
		h := newHandTable(t)
		h.commit(protocolLine(1, 2, nil, nil), metaDataLine(nil, nil, field("k", "integer", nil), field("v", "string", nil), field("f", "float", nil)))
		fsc := arrow.NewSchema([]arrow.Field{nf("k", arrow.PrimitiveTypes.Int32), nf("v", tStr), nf("f", arrow.PrimitiveTypes.Float32)}, nil)
		size := h.parquet("spark.parquet", fsc, `[{"k":1,"v":"a","f":0.5},{"k":2,"v":"b","f":1.5}]`)
		h.commit(addLine("spark.parquet", size, nil, nil))
		sc := arrow.NewSchema([]arrow.Field{{Name: "k", Type: catalog.Int64}, {Name: "v", Type: catalog.String, Nullable: true},
			{Name: "f", Type: catalog.Float64, Nullable: true}}, nil)
		s := openSink(t, mem, Config{Path: h.dir}, executor.SinkSpec{Schema: sc, Mode: executor.SinkUpsert, PrimaryKey: []int{0}})
		commitRows(t, s, mem, 0, `[{"k":1,"v":"z","f":2.25},{"k":3,"v":"c","f":null}]`)
		want := []string{"1|z|2.25", "2|b|1.5", "3|c|null"}
		if got := tableRows(t, h.dir, mem); !reflect.DeepEqual(got, want) {
			t.Errorf("tide reads %q, want %q", got, want)
		}
		if got := oracleRows(t, h.dir); !reflect.DeepEqual(got, want) {
			t.Errorf("the test's protocol reader reads %q, want %q", got, want)
		}
	})

	t.Run("a table with table features tide implements keeps them in tide's checkpoints", func(t *testing.T) {
		mem := newMem(t)
		h := newHandTable(t)
		h.commit(protocolLine(1, 7, nil, []string{"appendOnly", "invariants"}),
			metaDataLine(nil, map[string]string{"delta.appendOnly": "true"}, field("n", "long", nil)))
		sc := arrow.NewSchema([]arrow.Field{{Name: "n", Type: catalog.Int64, Nullable: true}}, nil)
		s := openSink(t, mem, Config{Path: h.dir, CheckpointEvery: 1}, executor.SinkSpec{Schema: sc})
		commitRows(t, s, mem, 0, `[{"n":1}]`)
		recs, _, err := pqfile.Read(ctx, checkpointFile(h.dir, 1), mem)
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		var features []string
		for _, r := range recs {
			p := r.Column(r.Schema().FieldIndices("protocol")[0]).(*array.Struct)
			for i := range p.Len() {
				if p.IsValid(i) {
					rf := p.Field(p.DataType().(*arrow.StructType).FieldIndices("readerFeatures")[0])
					wf := p.Field(p.DataType().(*arrow.StructType).FieldIndices("writerFeatures")[0])
					features = append(features, "reader "+rf.ValueStr(i), "writer "+wf.ValueStr(i))
				}
			}
		}
		if want := []string{"reader (null)", `writer ["appendOnly","invariants"]`}; !reflect.DeepEqual(features, want) {
			t.Errorf("checkpoint protocol features %q, want %q", features, want)
		}
		if got := tableRows(t, h.dir, mem); !reflect.DeepEqual(got, []string{"1"}) {
			t.Errorf("rows %q", got)
		}
	})

	t.Run("tables needing writer features tide lacks are refused at Open, untouched", func(t *testing.T) {
		for _, c := range []struct {
			table, columns, want string
		}{
			{"table-with-dv-small", "value", `needs writer feature "deletionVectors", which tide does not support`},
			{"table_with_column_mapping", "Company Very Short,Super Name", `needs writer version 5 (writer feature "columnMapping"), which tide does not support`},
		} {
			mem := newMem(t)
			dir := copyFixture(t, c.table)
			before := treeListing(t, dir)
			var fields []arrow.Field
			for _, n := range strings.Split(c.columns, ",") {
				typ := catalog.String
				if n == "value" {
					typ = catalog.Int64
				}
				fields = append(fields, arrow.Field{Name: n, Type: typ, Nullable: true})
			}
			err := New(Config{Path: dir}, nil, mem).Open(ctx, executor.SinkSpec{QueryID: "q", Schema: arrow.NewSchema(fields, nil)})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), dir) {
				t.Errorf("%s: err %v; want %q", c.table, err, c.want)
			}
			if after := treeListing(t, dir); !reflect.DeepEqual(after, before) {
				t.Errorf("%s: the refused Open changed the table:\n%q\n%q", c.table, before, after)
			}
		}
	})

	t.Run("a column with an invariant is refused for writing, named", func(t *testing.T) {
		h := newHandTable(t)
		h.commit(protocolLine(1, 2, nil, nil), metaDataLine(nil, nil,
			field("x", "long", map[string]any{"delta.invariants": `{"expression":{"expression":"x > 3"}}`})))
		sc := arrow.NewSchema([]arrow.Field{{Name: "x", Type: catalog.Int64, Nullable: true}}, nil)
		err := New(Config{Path: h.dir}, nil, newMem(t)).Open(ctx, executor.SinkSpec{QueryID: "q", Schema: sc})
		if err == nil || !strings.Contains(err.Error(), `column "x" has a delta.invariants constraint, which tide does not enforce`) {
			t.Errorf("err %v", err)
		}
	})
}

// TestForeignUnsupportedReader refuses tables needing reader features or
// versions tide does not implement, naming them, for reading and at
// CREATE TABLE's check.
func TestForeignUnsupportedReader(t *testing.T) {
	for _, c := range []struct {
		protocol, want string
	}{
		{protocolLine(3, 7, []string{"deletionVectors", "variantType"}, []string{"deletionVectors", "variantType"}), `needs reader feature "variantType", which tide does not support`},
		{protocolLine(4, 7, nil, nil), `needs reader version 4, which tide does not support`},
	} {
		h := newHandTable(t)
		h.commit(c.protocol, metaDataLine(nil, nil, field("n", "long", nil)))
		if _, _, _, err := ReadTable(h.dir, newMem(t)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), h.dir) {
			t.Errorf("read: err %v; want %q", err, c.want)
		}
		if err := CheckColumns(context.Background(), h.dir, nil, newMem(t)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("check: err %v; want %q", err, c.want)
		}
	}
}
