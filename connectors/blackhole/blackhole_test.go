package blackhole

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

func TestTheBlackholeCountsCommittedRowsAndKeepsNone(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	c, err := executor.Lookup("blackhole")
	if err != nil {
		t.Fatal(err)
	}
	if !c.ShowsChanges || c.NewSource != nil {
		t.Fatal("a blackhole takes updates without a key and is no source")
	}
	tbl := &catalog.Table{Name: "out", Kind: catalog.KindTable, Connector: "blackhole",
		Columns: []catalog.Column{{Name: "k", Type: catalog.Int64, SQLType: "BIGINT"}, {Name: "v", Type: catalog.String, SQLType: "VARCHAR"}}}
	sk, err := c.NewSink(tbl, executor.Env{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, mode := range []executor.SinkMode{executor.SinkAppend, executor.SinkUpsert} {
		if err := sk.Open(ctx, executor.SinkSpec{QueryID: "q", Schema: tbl.Schema(), Mode: mode, PrimaryKey: []int{0}}); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := executor.BuildRecord(mem, tbl.Schema(), [][]any{{int64(1), "a"}, {int64(2), "b"}, {int64(1), "c"}})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	write := func() {
		if err := sk.Write(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	write()
	write()
	if err := sk.Commit(ctx, 0); err != nil {
		t.Fatal(err)
	}
	write()
	if err := sk.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	write()
	if err := sk.Commit(ctx, 1); err != nil {
		t.Fatal(err)
	}
	b := sk.(*Sink)
	if b.Rows() != 9 || b.Epochs() != 2 {
		t.Fatalf("%d rows in %d epochs, want 9 in 2 (the aborted 3 not counted)", b.Rows(), b.Epochs())
	}
	if e, _ := sk.LastEpoch(ctx); e != -1 {
		t.Fatalf("LastEpoch %d", e)
	}
	if err := sk.Close(); err != nil || sk.Close() != nil {
		t.Fatal("Close twice")
	}
}
