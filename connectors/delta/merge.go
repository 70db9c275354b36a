package delta

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
	"github.com/tide-sql/tide/executor"
)

// Upsert by primary key, copy-on-write (a MERGE per epoch):
//
//  1. Of the epoch's rows, the last one per key wins.
//  2. Files whose key statistics (min/max per key column, or the partition
//     value of a partition column) may hold one of those keys are read.
//  3. A file that does hold some is rewritten: its other rows plus the
//     epoch's rows for the keys it held, so that its key range stays what
//     it was. The old file is removed in the same commit.
//  4. The epoch's rows whose keys no file held are added as new files, one
//     per partition.
//
// Files that cannot hold a key are not read, which for windowed output
// keyed by window start leaves all but the newest files alone.

// merge builds the epoch's upsert and returns the files written and the
// files to remove.
func (s *Sink) merge(ctx context.Context) (written, []*removeAction, error) {
	ctx = compute.WithAllocator(ctx, s.mem)
	winners, deleted, err := s.lastPerKey(ctx)
	if err != nil {
		return written{}, nil, err
	}
	defer pqfile.Release(winners)
	if len(winners) == 0 {
		return written{}, nil, nil
	}
	type pos struct{ rec, row int }
	enc := keyEncoder{cols: s.spec.PrimaryKey}
	keys := map[string]pos{}  // key → its winning row
	where := map[string]pos{} // the same, until a rewritten file takes the row
	for ri, r := range winners {
		for i := range int(r.NumRows()) {
			k := enc.key(r, i)
			keys[k], where[k] = pos{ri, i}, pos{ri, i}
		}
	}
	probe := newKeyProbe(s.writer.schema, s.spec.PrimaryKey, winners)

	var (
		out     written
		removes []*removeAction
	)
	// rowsOf selects the winners of the given keys and forgets them.
	rowsOf := func(keys []string) ([]arrow.Record, error) {
		rows := make([][]int64, len(winners))
		for _, k := range keys {
			if p, ok := where[k]; ok {
				if !deleted[k] { // a deleted key's row leaves its file, and nothing replaces it
					rows[p.rec] = append(rows[p.rec], int64(p.row))
				}
				delete(where, k)
			}
		}
		return selectRows(ctx, winners, rows, s.mem)
	}
	now := time.Now().UnixMilli()
	for _, fe := range s.snap.sortedFiles() {
		if !probe.mayMatch(s.keyBounds(fe)) {
			continue
		}
		recs, err := readFile(ctx, s.cfg.Path, s.snap.schema, s.snap.metadata.PartitionColumns, fe.add, s.mem)
		if err != nil {
			out.discard()
			return written{}, nil, err
		}
		kept, hits, err := dropKeys(ctx, recs, &enc, keys)
		pqfile.Release(recs)
		if err != nil {
			out.discard()
			return written{}, nil, err
		}
		if len(hits) == 0 {
			continue
		}
		repl, err := rowsOf(hits)
		if err != nil {
			pqfile.Release(kept)
			out.discard()
			return written{}, nil, err
		}
		w, err := s.writer.write(ctx, append(kept, repl...), true)
		pqfile.Release(kept)
		pqfile.Release(repl)
		if err != nil {
			out.discard()
			return written{}, nil, err
		}
		out.adds = append(out.adds, w.adds...)
		out.files = append(out.files, w.files...)
		a := fe.add
		removes = append(removes, &removeAction{
			Path: a.Path, DeletionTimestamp: now, DataChange: true,
			ExtendedFileMetadata: true, PartitionValues: a.PartitionValues, Size: a.Size,
		})
	}
	// Keys no file held: new rows.
	rest := make([]string, 0, len(where))
	for k := range where {
		rest = append(rest, k)
	}
	ins, err := rowsOf(rest)
	if err != nil {
		out.discard()
		return written{}, nil, err
	}
	w, err := s.writer.write(ctx, ins, true)
	pqfile.Release(ins)
	if err != nil {
		out.discard()
		return written{}, nil, err
	}
	out.adds = append(out.adds, w.adds...)
	out.files = append(out.files, w.files...)
	return out, removes, nil
}

// selectRows returns, for each record, the rows listed for it (sorted, so
// that rows keep their order).
func selectRows(ctx context.Context, recs []arrow.Record, rows [][]int64, mem memory.Allocator) ([]arrow.Record, error) {
	var out []arrow.Record
	for ri, r := range recs {
		idx := rows[ri]
		switch {
		case len(idx) == 0:
			continue
		case len(idx) == int(r.NumRows()):
			r.Retain()
			out = append(out, r)
			continue
		}
		slices.Sort(idx)
		t, err := executor.TakeRows(ctx, r, idx, mem)
		if err != nil {
			pqfile.Release(out)
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// lastPerKey returns the buffered rows with, for each key, only the last
// row written, and the keys whose last row of a changelog deletes them.
func (s *Sink) lastPerKey(ctx context.Context) ([]arrow.Record, map[string]bool, error) {
	type pos struct{ rec, row int }
	enc := keyEncoder{cols: s.spec.PrimaryKey}
	last := map[string]pos{}
	deleted := map[string]bool{}
	for ri, r := range s.buf {
		for i := range int(r.NumRows()) {
			k := enc.key(r, i)
			last[k] = pos{ri, i}
			if s.changelog {
				g := s.gone[ri]
				deleted[k] = g.IsValid(i) && g.Value(i)
			}
		}
	}
	rows := make([][]int64, len(s.buf))
	for _, p := range last {
		rows[p.rec] = append(rows[p.rec], int64(p.row))
	}
	recs, err := selectRows(ctx, s.buf, rows, s.mem)
	return recs, deleted, err
}

// dropKeys removes the rows whose key is in keys and returns the keys it
// found.
func dropKeys[V any](ctx context.Context, recs []arrow.Record, enc *keyEncoder, keys map[string]V) (kept []arrow.Record, hits []string, err error) {
	masks := make([][]bool, len(recs))
	for ri, r := range recs {
		m := make([]bool, r.NumRows())
		for i := range m {
			k := enc.key(r, i)
			_, found := keys[k]
			m[i] = !found
			if found {
				hits = append(hits, k)
			}
		}
		masks[ri] = m
	}
	if len(hits) == 0 {
		return nil, nil, nil
	}
	mem := compute.GetAllocator(ctx)
	for ri, r := range recs {
		bb := array.NewBooleanBuilder(mem)
		bb.AppendValues(masks[ri], nil)
		mask := bb.NewArray()
		bb.Release()
		f, err := compute.FilterRecordBatch(ctx, r, mask, compute.DefaultFilterOptions())
		mask.Release()
		if err != nil {
			pqfile.Release(kept)
			return nil, nil, fmt.Errorf("filter rows: %w", err)
		}
		if f.NumRows() == 0 {
			f.Release()
			continue
		}
		kept = append(kept, f)
	}
	return kept, hits, nil
}
