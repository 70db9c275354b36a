package delta

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// nestedSchema has a column of each nested type, nested in each other.
var nestedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: catalog.Int64},
	{Name: "customer", Type: catalog.RowOf(arrow.Field{Name: "name", Type: catalog.String},
		arrow.Field{Name: "since", Type: catalog.Timestamp}, arrow.Field{Name: "tags", Type: catalog.ArrayOf(catalog.String)}), Nullable: true},
	{Name: "items", Type: catalog.ArrayOf(catalog.RowOf(arrow.Field{Name: "sku", Type: catalog.String},
		arrow.Field{Name: "qty", Type: catalog.Int64}, arrow.Field{Name: "day", Type: catalog.Date})), Nullable: true},
	{Name: "attrs", Type: catalog.MapOf(catalog.ArrayOf(catalog.Float64)), Nullable: true},
}, nil)

// Rows in arrow's JSON (maps as key/value objects).
const nestedEpoch1 = `[
 {"id": 1, "customer": {"name": "ann", "since": "2024-03-01T10:00:00.123456Z", "tags": ["a", null]},
  "items": [{"sku": "x", "qty": 2, "day": "2024-03-01"}, null, {"sku": null, "qty": null, "day": null}],
  "attrs": [{"key": "w", "value": [1.5, null]}, {"key": "h", "value": null}]},
 {"id": 2, "customer": null, "items": [], "attrs": []},
 {"id": 3, "customer": {"name": null, "since": null, "tags": []}, "items": null, "attrs": null}]`

const nestedEpoch2 = `[
 {"id": 4, "customer": {"name": "bo", "since": null, "tags": null}, "items": [{"sku": "y", "qty": 1, "day": null}], "attrs": [{"key": "k", "value": []}]}]`

// nestedRowStrings renders rows as executor.FormatValue prints them.
func nestedRowStrings(recs []arrow.Record) []string {
	var out []string
	for _, r := range recs {
		for i := range int(r.NumRows()) {
			vals := make([]string, r.NumCols())
			for c := range vals {
				vals[c] = executor.FormatValue(executor.Value(r.Column(c), i), r.Column(c).DataType())
			}
			out = append(out, strings.Join(vals, "|"))
		}
	}
	return sorted(out...)
}

func TestNestedColumns(t *testing.T) {
	t.Run("rows with nested columns read back as they were written", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{Schema: nestedSchema})
		commitRows(t, s, mem, 1, nestedEpoch1)
		commitRows(t, s, mem, 2, nestedEpoch2)
		recs, sc, _, err := ReadTable(dir, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		for i, f := range sc.Fields() {
			if !arrow.TypeEqual(f.Type, nestedSchema.Field(i).Type) {
				t.Errorf("column %s reads as %s, want %s", f.Name, f.Type, nestedSchema.Field(i).Type)
			}
		}
		var want []arrow.Record
		for _, rows := range []string{nestedEpoch1, nestedEpoch2} {
			want = append(want, fromJSON(t, mem, nestedSchema, rows))
		}
		defer release(want)
		equalRows(t, nestedRowStrings(recs), nestedRowStrings(want))
	})

	t.Run("the schema string states struct, array and map types as the protocol does", func(t *testing.T) {
		ss, err := schemaString(nestedSchema)
		if err != nil {
			t.Fatal(err)
		}
		var got any
		if err := json.Unmarshal([]byte(ss), &got); err != nil {
			t.Fatal(err)
		}
		field := func(name string, typ any, nullable bool) map[string]any {
			return map[string]any{"name": name, "type": typ, "nullable": nullable, "metadata": map[string]any{}}
		}
		st := func(fields ...any) map[string]any { return map[string]any{"type": "struct", "fields": fields} }
		arr := func(elem any) map[string]any {
			return map[string]any{"type": "array", "elementType": elem, "containsNull": true}
		}
		want := st(
			field("id", "long", false),
			field("customer", st(field("name", "string", true), field("since", "timestamp", true), field("tags", arr("string"), true)), true),
			field("items", arr(st(field("sku", "string", true), field("qty", "long", true), field("day", "date", true))), true),
			field("attrs", map[string]any{"type": "map", "keyType": "string", "valueType": arr("double"), "valueContainsNull": true}, true),
		)
		wb, _ := json.Marshal(want)
		gb, _ := json.Marshal(got)
		if string(gb) != string(wb) {
			t.Fatalf("schema string\n got %s\nwant %s", gb, wb)
		}
	})

	t.Run("data files hold nested Parquet columns: three-level lists and key_value maps", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{Schema: nestedSchema})
		commitRows(t, s, mem, 1, nestedEpoch1)
		files := parquetFiles(t, dir)
		if len(files) != 1 {
			t.Fatalf("files %v, want one", files)
		}
		pr, err := file.OpenParquetFile(filepath.Join(dir, files[0]), false)
		if err != nil {
			t.Fatal(err)
		}
		defer pr.Close()
		// The Parquet schema alone (not the Arrow schema stored beside it)
		// gives back the table's types.
		fromParquet, err := pqarrow.FromParquet(pr.MetaData().Schema, &pqarrow.ArrowReadProperties{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range nestedSchema.Fields() {
			got := fromParquet.Field(i)
			if got.Name != f.Name || !arrow.TypeEqual(got.Type, f.Type) {
				t.Errorf("Parquet column %d is %s %s, want %s %s", i, got.Name, got.Type, f.Name, f.Type)
			}
		}
		var paths []string
		sc := pr.MetaData().Schema
		for i := 0; i < sc.NumColumns(); i++ {
			paths = append(paths, sc.Column(i).Path())
		}
		want := "id customer.name customer.since customer.tags.list.element items.list.element.sku items.list.element.qty " +
			"items.list.element.day attrs.key_value.key attrs.key_value.value.list.element"
		if strings.Join(paths, " ") != want {
			t.Errorf("Parquet leaf columns\n got %s\nwant %s", strings.Join(paths, " "), want)
		}
	})

	t.Run("nested columns have no statistics; the others keep theirs", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{Schema: nestedSchema})
		commitRows(t, s, mem, 1, nestedEpoch1)
		var stats string
		for _, acts := range logActions(t, dir) {
			for _, a := range acts {
				if a.Add != nil {
					stats = a.Add.Stats
				}
			}
		}
		if stats != `{"numRecords":3,"minValues":{"id":1},"maxValues":{"id":3},"nullCount":{"id":0}}` {
			t.Fatalf("stats %s", stats)
		}
	})

	t.Run("upserts rewrite files that hold nested columns", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{Schema: nestedSchema, Mode: executor.SinkUpsert, PrimaryKey: []int{0}})
		commitRows(t, s, mem, 1, nestedEpoch1)
		commitRows(t, s, mem, 2, `[{"id": 2, "customer": {"name": "new", "since": null, "tags": ["t"]}, "items": null, "attrs": [{"key": "z", "value": [0]}]}]`)
		recs, _, _, err := ReadTable(dir, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		want := fromJSON(t, mem, nestedSchema, strings.Replace(nestedEpoch1, `{"id": 2, "customer": null, "items": [], "attrs": []}`,
			`{"id": 2, "customer": {"name": "new", "since": null, "tags": ["t"]}, "items": null, "attrs": [{"key": "z", "value": [0]}]}`, 1))
		defer want.Release()
		equalRows(t, nestedRowStrings(recs), nestedRowStrings([]arrow.Record{want}))
	})

	t.Run("a nested partition column is refused", func(t *testing.T) {
		mem := newMem(t)
		err := New(Config{Path: t.TempDir(), PartitionBy: []string{"customer"}}, nil, mem).Open(context.Background(), executor.SinkSpec{QueryID: "q", Schema: nestedSchema})
		if err == nil || !strings.Contains(err.Error(), `partition_by column "customer" is ROW<name VARCHAR, since TIMESTAMP(6), tags ARRAY<VARCHAR>>: a table cannot be partitioned by a nested column`) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("a declared nested column must match the table's", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{Schema: nestedSchema})
		commitRows(t, s, mem, 1, nestedEpoch1)
		other := arrow.NewSchema([]arrow.Field{{Name: "items", Type: catalog.ArrayOf(catalog.String), Nullable: true}}, nil)
		_, _, _, err := ReadColumns(context.Background(), dir, other, mem)
		if err == nil || !strings.Contains(err.Error(), `column "items" is declared ARRAY<VARCHAR>, but the table stores array<struct<sku: string, qty: long, day: date>>`) {
			t.Fatalf("err = %v", err)
		}
	})
}
