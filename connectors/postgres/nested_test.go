package postgres

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// TestNestedColumnsAreJSONB: ROW, ARRAY and MAP columns become jsonb
// columns holding the values as JSON (what PostgreSQL's own jsonb
// functions read), upserts replace them, and Scan reads them back.
func TestNestedColumnsAreJSONB(t *testing.T) {
	dsn, schema := testSchema(t)
	tbl := &catalog.Table{Name: "orders", Kind: catalog.KindTable, Connector: "postgres", Options: map[string]string{"schema": schema},
		PrimaryKey: []string{"id"},
		Columns: []catalog.Column{
			{Name: "id", Type: catalog.Int64, NotNull: true},
			{Name: "customer", Type: catalog.RowOf(arrow.Field{Name: "name", Type: catalog.String}, arrow.Field{Name: "since", Type: catalog.Timestamp})},
			{Name: "items", Type: catalog.ArrayOf(catalog.RowOf(arrow.Field{Name: "sku", Type: catalog.String}, arrow.Field{Name: "qty", Type: catalog.Int64}))},
			{Name: "attrs", Type: catalog.MapOf(catalog.Float64)},
		}}
	s := openSink(t, tbl, dsn, specFor(tbl, "q-nested"))
	rec := func(rows string) arrow.Record {
		r, _, err := array.RecordFromJSON(memory.DefaultAllocator, tbl.Schema(), strings.NewReader(rows))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	writeCommit(t, s, 0, rec(`[
 {"id": 1, "customer": {"name": "Ann \"A\"", "since": "2024-01-02T03:04:05.678Z"}, "items": [{"sku": "x", "qty": 2}, null], "attrs": [{"key": "w", "value": 1.5}]},
 {"id": 2, "customer": null, "items": [], "attrs": []},
 {"id": 3, "customer": {"name": null, "since": null}, "items": null, "attrs": null}]`))
	writeCommit(t, s, 1, rec(`[{"id": 2, "customer": {"name": "Bo", "since": null}, "items": [{"sku": "y", "qty": null}], "attrs": [{"key": "h", "value": null}]}]`))

	conn := pgConn(t, dsn)
	rows, err := conn.Query(context.Background(), `SELECT id, pg_typeof(customer)::text, customer->>'name', jsonb_array_length(items), attrs->'w', items::text
FROM `+schema+`.orders ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		var cells []string
		for _, v := range vals {
			cells = append(cells, executor.FormatValue(jsonbCell(v), nil))
		}
		got = append(got, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	equalLines(t, got, []string{
		`1|jsonb|Ann "A"|2|1.5|[{"qty": 2, "sku": "x"}, null]`,
		`2|jsonb|Bo|1|NULL|[{"qty": null, "sku": "y"}]`,
		`3|jsonb|NULL|NULL|NULL|NULL`,
	})

	recs, _, err := s.Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var back []string
	for _, r := range recs {
		for i := 0; i < int(r.NumRows()); i++ {
			var cells []string
			for c := 0; c < int(r.NumCols()); c++ {
				cells = append(cells, executor.FormatValue(executor.Value(r.Column(c), i), r.Column(c).DataType()))
			}
			back = append(back, strings.Join(cells, "|"))
		}
		r.Release()
	}
	sort.Strings(back)
	equalLines(t, back, []string{
		`1|{"name":"Ann \"A\"","since":"2024-01-02T03:04:05.678Z"}|[{"sku":"x","qty":2},null]|{"w":1.5}`,
		`2|{"name":"Bo","since":null}|[{"sku":"y","qty":null}]|{"h":null}`,
		`3|{"name":null,"since":null}|NULL|NULL`,
	})
}

// jsonbCell turns what pgx returns for a jsonb or numeric cell into a value
// FormatValue prints.
func jsonbCell(v any) any {
	switch x := v.(type) {
	case int32:
		return int64(x)
	case map[string]any, []any:
		return "object"
	}
	return v
}

func TestAnExistingTextColumnCannotTakeANestedColumn(t *testing.T) {
	dsn, schema := testSchema(t)
	conn := pgConn(t, dsn)
	if _, err := conn.Exec(context.Background(), "CREATE TABLE "+schema+".t (id BIGINT, tags TEXT)"); err != nil {
		t.Fatal(err)
	}
	tbl := &catalog.Table{Name: "t", Kind: catalog.KindTable, Connector: "postgres", Options: map[string]string{"schema": schema, "dsn": dsn},
		Columns: []catalog.Column{{Name: "id", Type: catalog.Int64}, {Name: "tags", Type: catalog.ArrayOf(catalog.String)}}}
	sk, err := NewSink(tbl, connectorsEnv())
	if err != nil {
		t.Fatal(err)
	}
	defer sk.Close()
	err = sk.Open(context.Background(), specFor(tbl, "q"))
	if err == nil || !strings.Contains(err.Error(), "column tags is text, cannot hold ARRAY<VARCHAR>") {
		t.Fatalf("Open = %v, want an error naming column tags", err)
	}
}
