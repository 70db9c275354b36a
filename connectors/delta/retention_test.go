package delta

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor"
)

// age sets the modification time of path to d ago.
func age(t *testing.T, path string, d time.Duration) {
	t.Helper()
	old := time.Now().Add(-d)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

func TestLogRetention(t *testing.T) {
	mem := newMem(t)
	dir := t.TempDir()
	s := openSink(t, mem, Config{Path: dir, CheckpointEvery: 3, LogRetention: "interval 1 hour"}, executor.SinkSpec{})
	var want []string
	commit := func(e int64) {
		r := row(e, fmt.Sprint("n", e), float64(e))
		want = append(want, r)
		commitRows(t, s, mem, e, rows(r))
	}
	for e := int64(1); e <= 5; e++ { // versions 1..5, a checkpoint at 3
		commit(e)
	}
	for v := int64(0); v <= 4; v++ { // versions 0..4 are past the retention, 5 is not
		age(t, commitFile(dir, v), 2*time.Hour)
	}
	age(t, checkpointFile(dir, 3), 2*time.Hour)
	commit(6) // version 6: a checkpoint, then the cleanup

	l, err := listLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The oldest version left must be readable: the cleanup stops at the
	// checkpoint at 3, the newest at or below the first version kept (5).
	if fmt.Sprint(l.commits) != "[3 4 5 6]" || fmt.Sprint(l.checkpoints) != "[3 6]" {
		t.Errorf("log holds commits %v and checkpoints %v; want commits [3 4 5 6] and checkpoints [3 6]", l.commits, l.checkpoints)
	}
	equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(want...)))
	// The table's property records the retention for other writers.
	if got := s.tableProperty(propLogRetention); got != "interval 3600 seconds" {
		t.Errorf("%s = %q", propLogRetention, got)
	}
	// A new sink on the cleaned table still knows the query's last epoch.
	again := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{})
	if e, err := again.LastEpoch(context.Background()); err != nil || e != 6 {
		t.Errorf("LastEpoch after cleanup = %d, %v; want 6", e, err)
	}
	// Within the default retention (30 days) nothing more goes.
	commit(7)
	commit(8)
	commit(9)
	if l2, _ := listLog(dir); len(l2.commits) != len(l.commits)+3 {
		t.Errorf("commits %v after three more epochs; want nothing removed", l2.commits)
	}
}

func TestVacuumRemovesOnlyOldUnreferencedFiles(t *testing.T) {
	mem := newMem(t)
	dir := t.TempDir()
	cfg := Config{Path: dir, CheckpointEvery: 2, DeletedFileRetention: "1 hour"}
	s := openSink(t, mem, cfg, executor.SinkSpec{Mode: executor.SinkUpsert, PrimaryKey: []int{0}})
	commitRows(t, s, mem, 1, rows(row(1, "a", 1), row(2, "b", 2)))
	replaced := activePaths(t, dir)
	commitRows(t, s, mem, 2, rows(row(1, "A", 10))) // a merge: the first file becomes a tombstone
	active := activePaths(t, dir)

	// Files left by killed epochs: one old, one that may belong to an epoch
	// being written right now.
	oldOrphan := filepath.Join(dir, "part-00000-killed-old.c000.snappy.parquet")
	newOrphan := filepath.Join(dir, "part-00000-killed-new.c000.snappy.parquet")
	for _, p := range []string{oldOrphan, newOrphan} {
		if err := os.WriteFile(p, []byte("PAR1"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	age(t, oldOrphan, 2*time.Hour)
	for _, p := range append(append([]string{}, replaced...), active...) {
		age(t, filepath.Join(dir, p), 2*time.Hour) // old, but still referenced
	}
	commitRows(t, s, mem, 3, rows(row(3, "c", 3))) // version 3; checkpoint at 4 next
	commitRows(t, s, mem, 4, rows(row(4, "d", 4))) // version 4: checkpoint, vacuum

	if _, err := os.Stat(oldOrphan); !os.IsNotExist(err) {
		t.Errorf("an hour-old file no version refers to is still there (%v)", err)
	}
	if _, err := os.Stat(newOrphan); err != nil {
		t.Errorf("a new unreferenced file (maybe an epoch being written) was removed: %v", err)
	}
	for _, p := range append(replaced, active...) {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s (active, or a tombstone younger than the retention) was removed: %v", p, err)
		}
	}
	equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(
		row(1, "A", 10), row(2, "b", 2), row(3, "c", 3), row(4, "d", 4))))
}
