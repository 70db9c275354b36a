package delta

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

func upsertSpec() executor.SinkSpec {
	return executor.SinkSpec{QueryID: "q", Schema: testSchema, Mode: executor.SinkUpsert, PrimaryKey: []int{0}}
}

func TestMerge(t *testing.T) {
	t.Run("upserts replace values and unmatched keys are inserted", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, upsertSpec())
		commitRows(t, s, mem, 1, rows(row(1, "a", 1), row(2, "b", 2), row(3, "c", 3)))
		commitRows(t, s, mem, 2, rows(row(2, "B", 20), row(4, "d", 4)))
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(row(1, "a", 1), row(2, "B", 20), row(3, "c", 3), row(4, "d", 4))))
	})

	t.Run("the last row per key in an epoch wins", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, upsertSpec())
		ctx := context.Background()
		for _, r := range []string{rows(row(1, "first", 1), row(2, "b", 2)), rows(row(1, "second", 2)), rows(row(1, "third", 3))} {
			rec := fromJSON(t, mem, testSchema, r)
			s.Write(ctx, rec)
			rec.Release()
		}
		if err := s.Commit(ctx, 1); err != nil {
			t.Fatal(err)
		}
		commitRows(t, s, mem, 2, rows(row(2, "x", 0), row(2, "y", 0), row(5, "e", 5), row(2, "z", 9)))
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(row(1, "third", 3), row(2, "z", 9), row(5, "e", 5))))
	})

	t.Run("removed files leave the active set, and their removes are in the same commit", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, upsertSpec())
		commitRows(t, s, mem, 1, rows(row(1, "a", 1), row(2, "b", 2)))
		before := activePaths(t, dir)
		commitRows(t, s, mem, 2, rows(row(2, "B", 20)))
		after := activePaths(t, dir)
		acts := logActions(t, dir)[2]
		var removed []string
		for _, a := range acts {
			if a.Remove != nil {
				removed = append(removed, a.Remove.Path)
				if !a.Remove.DataChange || a.Remove.DeletionTimestamp == 0 || a.Remove.Size == 0 {
					t.Errorf("remove = %+v", a.Remove)
				}
			}
		}
		if strings.Join(removed, ",") != strings.Join(before, ",") {
			t.Errorf("removed %v, want %v", removed, before)
		}
		for _, p := range after {
			if p == before[0] {
				t.Errorf("removed file %s is still active", p)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, before[0])); err != nil {
			t.Errorf("a removed file stays on disk as a tombstone for readers of older versions: %v", err)
		}
		if s.snap.files[before[0]] != nil {
			t.Error("the sink's in-memory index still holds the removed file")
		}
		if len(after) != 1 {
			t.Errorf("active files %v, want one rewritten file", after)
		}
	})

	t.Run("files whose key range cannot hold the epoch's keys are not rewritten", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, upsertSpec())
		commitRows(t, s, mem, 1, rows(row(1, "a", 1), row(5, "e", 5)))
		commitRows(t, s, mem, 2, rows(row(10, "j", 10), row(20, "t", 20)))
		commitRows(t, s, mem, 3, rows(row(30, "x", 30), row(15, "o", 15))) // 15 is inside [10, 20] but not there
		commitRows(t, s, mem, 4, rows(row(20, "T", 200)))                  // only the second file holds 20
		var removed []int
		for v, acts := range logActions(t, dir) {
			for _, a := range acts {
				if a.Remove != nil {
					removed = append(removed, v)
				}
			}
		}
		if fmt.Sprint(removed) != "[4]" {
			t.Errorf("versions with removes: %v, want [4] (epoch 3 read a candidate but held no key)", removed)
		}
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema,
			rows(row(1, "a", 1), row(5, "e", 5), row(10, "j", 10), row(20, "T", 200), row(30, "x", 30), row(15, "o", 15))))
	})

	t.Run("a composite key with a partition column updates in place, and moves between partitions", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		spec := executor.SinkSpec{QueryID: "q", Schema: testSchema, Mode: executor.SinkUpsert, PrimaryKey: []int{0}}
		s := openSink(t, mem, Config{Path: dir, PartitionBy: []string{"name"}}, spec)
		commitRows(t, s, mem, 1, rows(row(1, "red", 1), row(2, "red", 2), row(3, "blue", 3)))
		commitRows(t, s, mem, 2, rows(row(2, "blue", 20))) // key 2 moves from red to blue
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(row(1, "red", 1), row(2, "blue", 20), row(3, "blue", 3))))

		dir2 := t.TempDir()
		spec.PrimaryKey = []int{1, 0} // (name, id): name is a partition column
		s2 := openSink(t, mem, Config{Path: dir2, PartitionBy: []string{"name"}}, spec)
		commitRows(t, s2, mem, 1, rows(row(1, "red", 1), row(1, "blue", 1)))
		commitRows(t, s2, mem, 2, rows(row(1, "blue", 10)))
		if n := len(logActions(t, dir2)[2]); n != 4 { // commitInfo, remove (blue), add (blue), txn
			t.Errorf("merge commit has %d actions, want 4: the red partition is skipped by its value", n)
		}
		equalRows(t, tableRows(t, dir2, mem), jsonRows(t, testSchema, rows(row(1, "red", 1), row(1, "blue", 10))))
	})

	t.Run("many epochs of random upserts equal a map of the last values", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir, CompactEvery: 4, CheckpointEvery: 5}, upsertSpec())
		rng := rand.New(rand.NewSource(1))
		want := map[int64]string{}
		for e := int64(1); e <= 30; e++ {
			var objs []string
			for range rng.Intn(12) {
				id := int64(rng.Intn(40))
				r := row(id, fmt.Sprintf("v%d", e), float64(rng.Intn(1000)))
				objs = append(objs, r)
				want[id] = r
			}
			if len(objs) == 0 {
				commitRows(t, s, mem, e, "")
				continue
			}
			commitRows(t, s, mem, e, rows(objs...))
		}
		var all []string
		for _, r := range want {
			all = append(all, r)
		}
		sort.Strings(all)
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(all...)))
	})

	t.Run("a table with a string and timestamp key skips files by their stats", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		sc := windowSchema
		spec := executor.SinkSpec{QueryID: "q", Schema: sc, Mode: executor.SinkUpsert, PrimaryKey: []int{0, 2}}
		s := openSink(t, mem, Config{Path: dir}, spec)
		w := func(min int, cust string, n int) string {
			return fmt.Sprintf(`{"window_start":"2024-01-01T10:%02d:00Z","window_end":"2024-01-01T10:%02d:00Z","customer_id":%q,"tx_count":%d,"total_amount":%d.5}`, min, min+1, cust, n, n)
		}
		commitRows(t, s, mem, 1, "["+w(0, "c1", 1)+","+w(0, "c2", 1)+"]")
		commitRows(t, s, mem, 2, "["+w(1, "c1", 1)+"]")
		commitRows(t, s, mem, 3, "["+w(1, "c1", 2)+","+w(1, "c3", 1)+"]")
		acts := logActions(t, dir)[3]
		var removes int
		for _, a := range acts {
			if a.Remove != nil {
				removes++
			}
		}
		if removes != 1 {
			t.Errorf("epoch 3 removed %d files, want 1 (the minute-0 file is skipped)", removes)
		}
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, sc, "["+w(0, "c1", 1)+","+w(0, "c2", 1)+","+w(1, "c1", 2)+","+w(1, "c3", 1)+"]"))
	})

	t.Run("upsert without a primary key is refused", func(t *testing.T) {
		mem := newMem(t)
		err := New(Config{Path: t.TempDir()}, nil, mem).Open(context.Background(), executor.SinkSpec{QueryID: "q", Schema: testSchema, Mode: executor.SinkUpsert})
		if err == nil || !strings.Contains(err.Error(), "needs a primary key") {
			t.Errorf("err = %v", err)
		}
	})
}

// windowSchema is a windowed aggregate's output.
var windowSchema = arrow.NewSchema([]arrow.Field{
	{Name: "window_start", Type: catalog.Timestamp},
	{Name: "window_end", Type: catalog.Timestamp},
	{Name: "customer_id", Type: catalog.String},
	{Name: "tx_count", Type: catalog.Int64},
	{Name: "total_amount", Type: catalog.Float64, Nullable: true},
}, nil)
