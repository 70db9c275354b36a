package delta

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
	"github.com/tide-sql/tide/executor"
)

// dataWriter writes rows of the table as new data files, one per
// partition, and describes each with an add action. Partition columns are
// not stored in the files (their values are in the add action), as Delta
// writers do.
type dataWriter struct {
	root       string
	schema     *arrow.Schema // the table's columns
	partCols   []string      // partition column names, as in the table metadata
	partIdx    []int         // their indexes in schema
	dataSchema *arrow.Schema // the other columns: what the files hold
	dataIdx    []int         // their indexes in schema
	mem        memory.Allocator
}

func newDataWriter(root string, sc *arrow.Schema, partCols []string, mem memory.Allocator) (*dataWriter, error) {
	w := &dataWriter{root: root, schema: sc, partCols: partCols, mem: mem}
	isPart := map[int]bool{}
	for _, p := range partCols {
		i := columnIndex(sc, p)
		if i < 0 {
			return nil, fmt.Errorf("partition column %q is not a column of the table (columns: %s)", p, fieldNames(sc))
		}
		isPart[i] = true
		w.partIdx = append(w.partIdx, i)
	}
	var fields []arrow.Field
	for i, f := range sc.Fields() {
		if !isPart[i] {
			w.dataIdx = append(w.dataIdx, i)
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("delta table at %s would have only partition columns", root)
	}
	w.dataSchema = arrow.NewSchema(fields, nil)
	return w, nil
}

// written is the outcome of a write: the add actions and the files' paths
// on disk, which the caller removes if the commit does not land.
type written struct {
	adds  []*addAction
	files []string
}

// discard deletes the files of a write that will not be committed.
func (wr *written) discard() {
	for _, f := range wr.files {
		os.Remove(f)
	}
	wr.adds, wr.files = nil, nil
}

// write writes recs (rows of the table's schema, possibly under other
// column names) as one new file per partition.
func (w *dataWriter) write(ctx context.Context, recs []arrow.Record, dataChange bool) (written, error) {
	var out written
	groups, err := w.split(ctx, recs)
	if err != nil {
		return out, err
	}
	defer func() {
		for _, g := range groups {
			pqfile.Release(g.recs)
		}
	}()
	dirs := map[string]bool{}
	for i, g := range groups {
		add, file, err := w.writeFile(i, g.values, g.recs, dataChange)
		if err != nil {
			out.discard()
			return out, err
		}
		out.adds = append(out.adds, add)
		out.files = append(out.files, file)
		for d := filepath.Dir(file); ; d = filepath.Dir(d) {
			dirs[d] = true
			if d == filepath.Clean(w.root) || d == filepath.Dir(d) {
				break
			}
		}
	}
	// The files' directory entries must be durable before a commit names
	// them (and so must new partition directories).
	for d := range dirs {
		if err := pqfile.SyncDir(d); err != nil {
			out.discard()
			return out, err
		}
	}
	return out, nil
}

// partGroup is the rows of one partition, as records of the data columns.
type partGroup struct {
	values map[string]*string
	recs   []arrow.Record
}

// split groups rows by partition and projects them on the data columns.
func (w *dataWriter) split(ctx context.Context, recs []arrow.Record) ([]*partGroup, error) {
	var groups []*partGroup
	byKey := map[string]*partGroup{}
	add := func(vals map[string]*string, rec arrow.Record) {
		k := partitionKey(w.partCols, vals)
		g := byKey[k]
		if g == nil {
			g = &partGroup{values: vals}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.recs = append(g.recs, w.project(rec))
	}
	ctx = compute.WithAllocator(ctx, w.mem)
	for _, rec := range recs {
		n := int(rec.NumRows())
		if n == 0 {
			continue
		}
		if len(w.partIdx) == 0 {
			add(map[string]*string{}, rec)
			continue
		}
		// Row indexes per partition, in order of first appearance.
		var order []string
		rows := map[string][]int64{}
		vals := map[string]map[string]*string{}
		for i := range n {
			pv := make(map[string]*string, len(w.partIdx))
			for j, c := range w.partIdx {
				pv[w.partCols[j]] = partitionString(rec.Column(c), i)
			}
			k := partitionKey(w.partCols, pv)
			if _, ok := rows[k]; !ok {
				order = append(order, k)
				vals[k] = pv
			}
			rows[k] = append(rows[k], int64(i))
		}
		if len(order) == 1 {
			add(vals[order[0]], rec)
			continue
		}
		for _, k := range order {
			sub, err := executor.TakeRows(ctx, rec, rows[k], w.mem)
			if err != nil {
				return nil, err
			}
			add(vals[k], sub)
			sub.Release()
		}
	}
	return groups, nil
}

// project returns the data columns of rec as a record of the file schema.
func (w *dataWriter) project(rec arrow.Record) arrow.Record {
	cols := make([]arrow.Array, len(w.dataIdx))
	for i, c := range w.dataIdx {
		cols[i] = rec.Column(c)
	}
	return array.NewRecord(w.dataSchema, cols, rec.NumRows())
}

// writeFile writes one partition's rows to a new file.
func (w *dataWriter) writeFile(seq int, vals map[string]*string, recs []arrow.Record, dataChange bool) (*addAction, string, error) {
	stats, err := computeStats(w.dataSchema, recs)
	if err != nil {
		return nil, "", err
	}
	name := fmt.Sprintf("part-%05d-%s.c000.snappy.parquet", seq, newUUID())
	rel := name
	if len(w.partCols) > 0 {
		rel = partitionDir(w.partCols, vals) + "/" + name
	}
	abs := filepath.Join(w.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, "", fmt.Errorf("create partition directory: %w", err)
	}
	size, err := pqfile.Write(abs, w.dataSchema, recs, w.mem)
	if err != nil {
		return nil, "", err
	}
	return &addAction{
		Path:             logPath(rel),
		PartitionValues:  vals,
		Size:             size,
		ModificationTime: time.Now().UnixMilli(),
		DataChange:       dataChange,
		Stats:            stats,
	}, abs, nil
}

// columnIndex finds a column by name, exactly or else without case.
func columnIndex(sc *arrow.Schema, name string) int {
	if idx := sc.FieldIndices(name); len(idx) > 0 {
		return idx[0]
	}
	for i, f := range sc.Fields() {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}
