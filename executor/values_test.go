package executor

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
)

func TestBuildRecord(t *testing.T) {
	t.Run("converts numbers between int64 and float64 columns", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		schema := arrow.NewSchema([]arrow.Field{{Name: "i", Type: catalog.Int64, Nullable: true}, {Name: "f", Type: catalog.Float64, Nullable: true}}, nil)
		rec, err := BuildRecord(mem, schema, [][]any{{2.0, int64(3)}})
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		if got := fmt.Sprint(Value(rec.Column(0), 0), " ", Value(rec.Column(1), 0)); got != "2 3" {
			t.Errorf("got %s, want 2 3", got)
		}
	})

	t.Run("a value of the wrong type is an error naming the column", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		schema := arrow.NewSchema([]arrow.Field{{Name: "ts", Type: catalog.Timestamp, Nullable: true}}, nil)
		_, err := BuildRecord(mem, schema, [][]any{{"yesterday"}})
		if err == nil || err.Error() != "column ts: expected a timestamp, got string" {
			t.Errorf("err = %v, want column ts: expected a timestamp, got string", err)
		}
	})
}
