package delta

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tide-sql/tide/connectors/parquet/pqfile"
	"github.com/tide-sql/tide/executor"
)

func TestCompaction(t *testing.T) {
	t.Run("after many epochs the active file count drops and the rows stay", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir, PartitionBy: []string{"ok"}, CompactEvery: 5}, executor.SinkSpec{})
		var objs []string
		for e := int64(1); e <= 12; e++ {
			r := fmt.Sprintf(`{"id":%d,"name":"n","amount":1,"ok":%t,"day":null,"ts":null}`, e, e%2 == 0)
			objs = append(objs, r)
			commitRows(t, s, mem, e, "["+r+"]")
		}
		// 12 one-file commits; compactions after the 5th and 10th merged
		// each partition: 2 files + 2 since.
		if n := len(activePaths(t, dir)); n != 4 {
			t.Errorf("%d active files, want 4", n)
		}
		if n := len(parquetFiles(t, dir)); n != 16 {
			t.Errorf("%d files on disk, want 16 (12 written, 4 by compaction)", n)
		}
		var optimize int
		for _, acts := range logActions(t, dir) {
			if acts[0].CommitInfo.Operation != "OPTIMIZE" {
				continue
			}
			optimize++
			for _, a := range acts[1:] {
				if (a.Add != nil && a.Add.DataChange) || (a.Remove != nil && a.Remove.DataChange) || a.Txn != nil {
					t.Errorf("compaction action %+v: want dataChange false and no txn", a)
				}
			}
		}
		if optimize != 2 {
			t.Errorf("%d compaction commits, want 2", optimize)
		}
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rows(objs...)))
	})

	t.Run("compact_every defaults to 10, and 0 never compacts", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		cfg, err := ParseConfig(map[string]string{"path": dir})
		if err != nil {
			t.Fatal(err)
		}
		s := openSink(t, mem, cfg, executor.SinkSpec{})
		for e := int64(1); e <= 12; e++ {
			commitRows(t, s, mem, e, rows(row(e, "x", 1)))
		}
		if n := len(activePaths(t, dir)); n >= 12 {
			t.Fatalf("default compact_every did not compact: %d files", n)
		}
		dir = t.TempDir()
		s = openSink(t, mem, Config{Path: dir, CompactEvery: 0}, executor.SinkSpec{})
		for e := int64(1); e <= 12; e++ {
			commitRows(t, s, mem, e, rows(row(e, "x", 1)))
		}
		if n := len(activePaths(t, dir)); n != 12 {
			t.Errorf("%d active files, want 12", n)
		}
	})
}

func TestCheckpoint(t *testing.T) {
	ctx := context.Background()

	t.Run("a checkpoint is written every N versions and _last_checkpoint points at it", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir, CheckpointEvery: 4}, executor.SinkSpec{})
		for e := int64(1); e <= 9; e++ {
			commitRows(t, s, mem, e, rows(row(e, "x", 1)))
		}
		l, err := listLog(dir)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(l.checkpoints) != "[4 8]" {
			t.Errorf("checkpoints at %v, want [4 8]", l.checkpoints)
		}
		data, err := os.ReadFile(filepath.Join(dir, logDir, "_last_checkpoint"))
		if err != nil {
			t.Fatal(err)
		}
		var lc map[string]int64
		if err := json.Unmarshal(data, &lc); err != nil {
			t.Fatalf("_last_checkpoint %s: %v", data, err)
		}
		// Version 8: protocol, metaData, one txn, 8 adds.
		if lc["version"] != 8 || lc["size"] != 11 || lc["numOfAddFiles"] != 8 {
			t.Errorf("_last_checkpoint = %s", data)
		}
	})

	t.Run("the checkpoint holds one row per action in struct columns", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir, CheckpointEvery: 3, PartitionBy: []string{"name"}}, upsertSpec())
		commitRows(t, s, mem, 1, rows(row(1, "a", 1), row(2, "b", 1)))
		commitRows(t, s, mem, 2, rows(row(1, "a", 2)))
		commitRows(t, s, mem, 3, rows(row(3, "a", 2)))
		recs, sc, err := pqfile.Read(ctx, checkpointFile(dir, 3), mem)
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		var names []string
		for _, f := range sc.Fields() {
			names = append(names, f.Name+":"+f.Type.ID().String())
		}
		if got := strings.Join(names, ","); got != "txn:STRUCT,add:STRUCT,remove:STRUCT,metaData:STRUCT,protocol:STRUCT" {
			t.Errorf("checkpoint columns %s", got)
		}
		var kinds []string
		for _, rec := range recs {
			for i := range int(rec.NumRows()) {
				var set []string
				for c := range int(rec.NumCols()) {
					if rec.Column(c).IsValid(i) {
						set = append(set, sc.Field(c).Name)
					}
				}
				kinds = append(kinds, strings.Join(set, "+"))
			}
		}
		// One remove: epoch 2 rewrote partition a's file.
		want := "protocol,metaData,txn,add,add,add,remove"
		if got := strings.Join(kinds, ","); got != want {
			t.Errorf("checkpoint rows %s, want %s", got, want)
		}
	})

	t.Run("a reader starting from the checkpoint gives the same table", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir, CheckpointEvery: 5, CompactEvery: 3, PartitionBy: []string{"ok"}}, upsertSpec())
		for e := int64(1); e <= 13; e++ {
			commitRows(t, s, mem, e, rows(row(e%6, fmt.Sprint("v", e), float64(e)), row(100+e, "n", 0)))
		}
		full, _, version, err := ReadTable(dir, mem)
		if err != nil {
			t.Fatal(err)
		}
		want := rowStrings(full)
		release(full)
		snap, err := loadSnapshot(ctx, dir, mem)
		if err != nil {
			t.Fatal(err)
		}
		if snap.checkpoint < 10 {
			t.Fatalf("newest checkpoint %d, want one at 10 or later", snap.checkpoint)
		}
		// Delete every JSON commit up to the checkpoint, as log cleanup
		// would: only the checkpoint can give the table now.
		for v := int64(0); v <= snap.checkpoint; v++ {
			if err := os.Remove(commitFile(dir, v)); err != nil {
				t.Fatal(err)
			}
		}
		recs, _, v2, err := ReadTable(dir, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		if v2 != version {
			t.Errorf("version from the checkpoint = %d, want %d", v2, version)
		}
		equalRows(t, rowStrings(recs), want)

		// The txn is in the checkpoint too: a reopened sink knows its epoch.
		s.Close()
		again := openSink(t, mem, Config{Path: dir}, upsertSpec())
		if e, err := again.LastEpoch(ctx); err != nil || e != 13 {
			t.Errorf("LastEpoch from the checkpoint = %d, %v; want 13", e, err)
		}
		commitRows(t, again, mem, 14, rows(row(1, "after", 1)))
	})

	t.Run("a checkpoint newer than _last_checkpoint is used", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir, CheckpointEvery: 2}, executor.SinkSpec{})
		for e := int64(1); e <= 4; e++ {
			commitRows(t, s, mem, e, rows(row(e, "x", 1)))
		}
		// As if the writer crashed between the checkpoint at 4 and its pointer.
		if err := writeLastCheckpoint(dir, lastCheckpoint{Version: 2, Size: 5}); err != nil {
			t.Fatal(err)
		}
		snap, err := loadSnapshot(ctx, dir, mem)
		if err != nil {
			t.Fatal(err)
		}
		if snap.checkpoint != 4 || snap.version != 4 || len(snap.files) != 4 {
			t.Errorf("snapshot from checkpoint %d at version %d with %d files, want 4, 4, 4", snap.checkpoint, snap.version, len(snap.files))
		}
	})
}
