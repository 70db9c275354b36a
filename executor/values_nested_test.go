package executor

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
)

// nestedSchema has a column of each nested type, with every tide type
// somewhere inside.
var nestedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "r", Type: catalog.RowOf(arrow.Field{Name: "n", Type: catalog.Int64}, arrow.Field{Name: "s", Type: catalog.String},
		arrow.Field{Name: "ts", Type: catalog.Timestamp}, arrow.Field{Name: "d", Type: catalog.Date}), Nullable: true},
	{Name: "a", Type: catalog.ArrayOf(catalog.ArrayOf(catalog.Float64)), Nullable: true},
	{Name: "m", Type: catalog.MapOf(catalog.Bool), Nullable: true},
}, nil)

// nestedRows are arrow's own JSON form of nestedSchema's rows (maps as
// key/value objects), read by arrow, not by tide.
const nestedRows = `[
 {"r": {"n": 1, "s": "a \"q\"", "ts": "2024-01-02T03:04:05.678Z", "d": "2024-01-02"}, "a": [[1.5, null], [], null], "m": [{"key": "x", "value": true}, {"key": "y", "value": null}]},
 {"r": {"n": null, "s": null, "ts": null, "d": null}, "a": [], "m": []},
 {"r": null, "a": null, "m": null}
]`

func TestNestedValuesPrintAsJSONAndBuildBack(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec, _, err := array.RecordFromJSON(mem, nestedSchema, strings.NewReader(nestedRows))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	want := [][]string{
		{`{"n":1,"s":"a \"q\"","ts":"2024-01-02T03:04:05.678Z","d":"2024-01-02"}`, `[[1.5,null],[],null]`, `{"x":true,"y":null}`},
		{`{"n":null,"s":null,"ts":null,"d":null}`, `[]`, `{}`},
		{"NULL", "NULL", "NULL"},
	}
	var rows [][]any
	for i := 0; i < int(rec.NumRows()); i++ {
		var row []any
		for c := 0; c < int(rec.NumCols()); c++ {
			v := Value(rec.Column(c), i)
			if got := FormatValue(v, rec.Column(c).DataType()); got != want[i][c] {
				t.Errorf("row %d column %s prints %s, want %s", i, rec.ColumnName(c), got, want[i][c])
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	back, err := BuildRecord(mem, nestedSchema, rows)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Release()
	if !array.RecordEqual(rec, back) {
		t.Fatalf("rows built back differ:\n%v\nwant\n%v", back, rec)
	}
}

func TestAppendingAValueOfTheWrongShapeIsAnError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sc := arrow.NewSchema([]arrow.Field{{Name: "a", Type: catalog.ArrayOf(catalog.Int64), Nullable: true}}, nil)
	_, err := BuildRecord(mem, sc, [][]any{{[]any{int64(1), "two"}}})
	if err == nil || err.Error() != "column a: element 2: expected an integer, got string" {
		t.Fatalf("err = %v", err)
	}
}
