package delta

import (
	"context"
	"strings"
	"testing"

	"github.com/tide-sql/tide/executor"
)

func TestExactlyOnce(t *testing.T) {
	ctx := context.Background()

	t.Run("commit of an already committed epoch is a no-op", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{})
		commitRows(t, s, mem, 1, rows(row(1, "a", 1)))
		commitRows(t, s, mem, 2, rows(row(2, "b", 2)))
		commitRows(t, s, mem, 1, rows(row(1, "a", 1))) // replay of epoch 1
		commitRows(t, s, mem, 2, rows(row(2, "b", 2))) // replay of epoch 2
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(row(1, "a", 1), row(2, "b", 2))))
		if n := len(logActions(t, dir)); n != 3 {
			t.Errorf("log has %d versions, want 3 (create and two epochs)", n)
		}
		if n := len(parquetFiles(t, dir)); n != 2 {
			t.Errorf("%d data files, want 2", n)
		}
	})

	t.Run("LastEpoch is the newest txn of the query, after reopening", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{QueryID: "q1"})
		if e, err := s.LastEpoch(ctx); err != nil || e != -1 {
			t.Fatalf("LastEpoch of a new table = %d, %v; want -1", e, err)
		}
		commitRows(t, s, mem, 7, rows(row(1, "a", 1)))
		commitRows(t, s, mem, 8, "") // empty: no version, nothing to replay
		s.Close()

		again := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{QueryID: "q1"})
		if e, err := again.LastEpoch(ctx); err != nil || e != 7 {
			t.Errorf("LastEpoch after reopen = %d, %v; want 7 (the empty epoch 8 wrote nothing)", e, err)
		}
		other := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{QueryID: "q2"})
		if e, err := other.LastEpoch(ctx); err != nil || e != -1 {
			t.Errorf("LastEpoch of another query = %d, %v; want -1", e, err)
		}
		// A replay after reopening is dropped too.
		commitRows(t, again, mem, 7, rows(row(1, "a", 1)))
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(row(1, "a", 1))))
	})

	t.Run("a second writer on the same table is detected", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		a := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{QueryID: "qa"})
		b := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{QueryID: "qb"})
		commitRows(t, a, mem, 1, rows(row(1, "a", 1)))

		rec := fromJSON(t, mem, testSchema, rows(row(2, "b", 2)))
		if err := b.Write(ctx, rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		err := b.Commit(ctx, 1)
		if err == nil || !strings.Contains(err.Error(), "delta table at "+dir+" was changed by another writer (version 1)") {
			t.Fatalf("commit on a stale table: err = %v", err)
		}
		// The loser's data file is gone and the table holds only the winner's rows.
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(row(1, "a", 1))))
		if n := len(parquetFiles(t, dir)); n != 1 {
			t.Errorf("%d data files after the failed commit, want 1", n)
		}
		// Having read the other commit, b commits its buffered epoch on retry.
		if err := b.Commit(ctx, 1); err != nil {
			t.Fatalf("retry: %v", err)
		}
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(row(1, "a", 1), row(2, "b", 2))))
	})

	t.Run("an epoch another incarnation of the query committed first is dropped", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		a := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{QueryID: "q"})
		zombie := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{QueryID: "q"})
		commitRows(t, a, mem, 3, rows(row(1, "a", 1)))
		commitRows(t, zombie, mem, 3, rows(row(1, "a", 1)))
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(row(1, "a", 1))))
		if n := len(parquetFiles(t, dir)); n != 1 {
			t.Errorf("%d data files, want 1", n)
		}
	})

	t.Run("data files are invisible until their commit lands", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{})
		commitRows(t, s, mem, 1, rows(row(1, "a", 1)))
		var seen []string
		crashHook = func(p string) {
			if p == pointDataWritten {
				seen = tableRows(t, dir, mem)
			}
		}
		defer func() { crashHook = nil }()
		commitRows(t, s, mem, 2, rows(row(2, "b", 2)))
		if len(parquetFiles(t, dir)) != 2 {
			t.Fatal("hook ran before the data file was written")
		}
		equalRows(t, seen, jsonRows(t, testSchema, rows(row(1, "a", 1))))
	})

	t.Run("Abort drops the buffered rows", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{})
		rec := fromJSON(t, mem, testSchema, rows(row(9, "x", 9)))
		s.Write(ctx, rec)
		rec.Release()
		if err := s.Abort(ctx); err != nil {
			t.Fatal(err)
		}
		commitRows(t, s, mem, 1, rows(row(1, "a", 1)))
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(row(1, "a", 1))))
	})
}
