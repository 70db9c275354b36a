package delta

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/tide-sql/tide/connectors/parquet/pqfile"
	"github.com/tide-sql/tide/executor"
)

// Compaction merges the small files of each partition, in a commit of its
// own whose removes and adds have dataChange false: the table's rows do not
// change, so a reader tailing the log skips it.
//
// Which small files: those of a partition taken smallest first, as long as
// a file is no larger than the ones taken before it together (size-tiered).
// A file that earlier compactions made large waits until enough new data
// has piled up beside it, so every row is rewritten a logarithmic number of
// times, not once per compaction.
//
// In upsert mode the files of the last epoch are left out: a stream's keys
// move forward (new windows), so those files hold the keys the next epochs
// update, and merging them into a large file would make each of those
// updates rewrite the large file.

var (
	smallFileSize     int64 = 16 << 20  // files below this size are compacted
	compactTargetSize int64 = 128 << 20 // inputs per output file, at most about this much
)

// compact merges small files; it commits nothing if there is nothing to do.
func (s *Sink) compact(ctx context.Context) error {
	parts := s.snap.metadata.PartitionColumns
	byPart := map[string][]*fileEntry{}
	var order []string
	for _, fe := range s.snap.sortedFiles() {
		if fe.add.Size >= smallFileSize {
			continue
		}
		if s.spec.Mode == executor.SinkUpsert && s.lastAdded[fe.add.Path] {
			continue
		}
		k := partitionKey(parts, fe.add.PartitionValues)
		if _, ok := byPart[k]; !ok {
			order = append(order, k)
		}
		byPart[k] = append(byPart[k], fe)
	}
	var bins [][]*fileEntry
	for _, k := range order {
		bins = append(bins, compactionBins(byPart[k])...)
	}

	var (
		out     written
		removes []*removeAction
	)
	now := time.Now().UnixMilli()
	for _, bin := range bins {
		if len(bin) < 2 {
			continue
		}
		recs, err := readFiles(ctx, s.cfg.Path, s.snap, bin, s.mem)
		if err != nil {
			out.discard()
			return err
		}
		w, err := s.writer.write(ctx, recs, false)
		pqfile.Release(recs)
		if err != nil {
			out.discard()
			return err
		}
		out.adds = append(out.adds, w.adds...)
		out.files = append(out.files, w.files...)
		for _, fe := range bin {
			a := fe.add
			removes = append(removes, &removeAction{
				Path: a.Path, DeletionTimestamp: now, DataChange: false,
				ExtendedFileMetadata: true, PartitionValues: a.PartitionValues, Size: a.Size,
			})
		}
	}
	if len(removes) == 0 {
		return nil
	}
	crashPoint(pointCompactionWritten)
	acts := []action{{CommitInfo: &commitInfo{
		Timestamp: now, Operation: "OPTIMIZE", EngineInfo: engineInfo, TxnID: newUUID(),
		OperationParameters: map[string]string{"auto": "true"},
	}}}
	for _, r := range removes {
		acts = append(acts, action{Remove: r})
	}
	for _, a := range out.adds {
		acts = append(acts, action{Add: a})
	}
	v, err := s.commit(ctx, acts)
	if errors.Is(err, errVersionExists) {
		out.discard()
		return fmt.Errorf("delta table at %s was changed by another writer (version %d)", s.cfg.Path, v)
	}
	return err
}

// compactionBins picks the files of one partition to merge and groups them
// into bins of about compactTargetSize.
func compactionBins(files []*fileEntry) [][]*fileEntry {
	sort.SliceStable(files, func(i, j int) bool { return files[i].add.Size < files[j].add.Size })
	var (
		bins  [][]*fileEntry
		bin   []*fileEntry
		taken int64 // size of the files taken so far
		size  int64 // size of the current bin
	)
	for i, fe := range files {
		if i > 0 && fe.add.Size > taken {
			break
		}
		if size >= compactTargetSize {
			bins = append(bins, bin)
			bin, size = nil, 0
		}
		bin = append(bin, fe)
		size += fe.add.Size
		taken += fe.add.Size
	}
	return append(bins, bin)
}
