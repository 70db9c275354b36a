package kafka

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

func TestTombstonesAreSkippedAndCountedEvenWhenOnErrorIsFail(t *testing.T) {
	b := startTestBroker(t, 1, "keyed")
	produce(t, b.Addr(), "keyed", jsonMsg(0, 1), msg{partition: 0, key: "k", value: nil}, jsonMsg(0, 3))
	r := openReader(t, checkedMem(t), testTable(b.Addr(), "keyed"), nil)
	f := fetchRows(t, r, 2)
	if want := expectedRows(0, 1, 3); !reflect.DeepEqual(f.rows, want) {
		t.Fatalf("rows %v, want %v", f.rows, want)
	}
	if f.bad != 0 || r.Tombstones() != 1 {
		t.Fatalf("bad = %d, tombstones = %d; want 0 and 1", f.bad, r.Tombstones())
	}
	if f.end[0] != 3 {
		t.Fatalf("end offset %d, want 3 (past the tombstone)", f.end[0])
	}
}

// fetchWithRows fetches until a fetch brings rows and returns it; its
// batches are released when the test ends.
func fetchWithRows(t *testing.T, r *Reader) executor.Fetch {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		res, err := r.Fetch(t.Context(), 500*time.Millisecond, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Batches) > 0 {
			t.Cleanup(func() {
				for _, b := range res.Batches {
					b.Record.Release()
				}
			})
			return res
		}
	}
	t.Fatal("no rows arrived")
	return executor.Fetch{}
}

func TestRejectedRowsFollowOnError(t *testing.T) {
	b := startTestBroker(t, 2, "times")
	long := fmt.Sprintf(`{"id":2,"name":"%s"}`, strings.Repeat("é", 100))
	produce(t, b.Addr(), "times", jsonMsg(1, 1), msg{partition: 1, value: []byte(long)}, jsonMsg(1, 3))

	t.Run("fail names the message", func(t *testing.T) {
		r := openReader(t, checkedMem(t), testTable(b.Addr(), "times"), nil)
		f := fetchWithRows(t, r)
		if n := f.Batches[0].Record.NumRows(); n != 3 {
			t.Fatalf("%d rows, want 3", n)
		}
		err := r.RejectRows(1, []int{1}, "event time is NULL")
		if err == nil {
			t.Fatal("on_error = 'fail' accepted a rejected row")
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, `topic times partition 1 offset 1: event time is NULL (message: "{\"id\":2,\"name\":\"éé`) || !strings.HasSuffix(msg, `é"…)`) {
			t.Fatalf("error %q", msg)
		}
	})
	t.Run("skip only drops", func(t *testing.T) {
		r := openReader(t, checkedMem(t), testTable(b.Addr(), "times", "on_error", "skip"), nil)
		fetchWithRows(t, r)
		if err := r.RejectRows(1, []int{0, 2}, "event time is NULL"); err != nil {
			t.Fatal(err)
		}
		if r.DeadLetters() != nil {
			t.Fatal("skip made dead letters")
		}
	})
	t.Run("table dead-letters with the reason", func(t *testing.T) {
		dlq := &catalog.Table{Name: "dlq", Kind: catalog.KindTable}
		for _, f := range DeadLetterSchema.Fields() {
			dlq.Columns = append(dlq.Columns, catalog.Column{Name: f.Name, Type: f.Type})
		}
		env := executor.Env{Table: func(string) (*catalog.Table, executor.Sink, error) { return dlq, nil, nil }}
		mem := checkedMem(t)
		r, err := NewSourceReader(testTable(b.Addr(), "times", "on_error", "table:dlq"), env, mem)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		if err := r.Open(t.Context(), nil); err != nil {
			t.Fatal(err)
		}
		fetchWithRows(t, r)
		if err := r.RejectRows(1, []int{2}, "event time is NULL"); err != nil {
			t.Fatal(err)
		}
		dl := r.DeadLetters()
		if dl == nil {
			t.Fatal("no dead letter")
		}
		defer dl.Release()
		got := rowStrings(t, 1, dl)
		if len(got) != 1 || !strings.HasPrefix(got[0], `p1:times:1:2:{"id":3,"name":"n3","amount":3.5}:event time is NULL:`) {
			t.Fatalf("dead letters %v", got)
		}
	})
	t.Run("a row outside the last fetch is an error", func(t *testing.T) {
		r := openReader(t, checkedMem(t), testTable(b.Addr(), "times", "on_error", "skip"), nil)
		fetchWithRows(t, r)
		if err := r.RejectRows(1, []int{3}, "x"); err == nil {
			t.Fatal("row 3 of a 3-row record was accepted")
		}
	})
}
