package delta

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
)

// ReadTable reads the current contents of the Delta table at path: the
// active files of its newest snapshot (checkpoint plus later commits),
// every column as its tide type. It returns the rows, which the caller
// releases, their schema and the table version read.
func ReadTable(path string, mem memory.Allocator) ([]arrow.Record, *arrow.Schema, int64, error) {
	return ReadColumns(context.Background(), path, nil, mem)
}

// ReadColumns reads the columns want declares (nil: all of them) of the
// Delta table at path, matched by name without case, in want's order and
// with want's schema. A declared column the table lacks, or whose type
// reads as another tide type, is an error naming it.
func ReadColumns(ctx context.Context, path string, want *arrow.Schema, mem memory.Allocator) ([]arrow.Record, *arrow.Schema, int64, error) {
	snap, err := loadSnapshot(ctx, path, mem)
	if err != nil {
		return nil, nil, 0, err
	}
	if snap.version < 0 {
		return nil, nil, 0, fmt.Errorf("%w at %s", ErrNoTable, path)
	}
	if err := snap.checkProtocol(path, false); err != nil {
		return nil, nil, 0, err
	}
	plan, err := planScan(path, snap, want)
	if err != nil {
		return nil, nil, 0, err
	}
	var out []arrow.Record
	for _, f := range snap.sortedFiles() {
		recs, err := readPlanned(ctx, path, plan, f.add, mem)
		if err != nil {
			pqfile.Release(out)
			return nil, nil, 0, err
		}
		out = append(out, recs...)
	}
	return out, plan.schema, snap.version, nil
}

// CheckColumns checks, if a Delta table exists at path, that tide can read
// it and that it has the columns want declares, with types that read as
// the declared ones. No table is no error: a sink creates it.
func CheckColumns(ctx context.Context, path string, want *arrow.Schema, mem memory.Allocator) error {
	snap, err := loadSnapshot(ctx, path, mem)
	if err != nil || snap.version < 0 {
		return err
	}
	if err := snap.checkProtocol(path, false); err != nil {
		return err
	}
	if want == nil || want.NumFields() == 0 {
		want = nil
	}
	_, err = planScan(path, snap, want)
	return err
}

// readFiles reads the given files of a snapshot as records of its write
// schema (for compaction).
func readFiles(ctx context.Context, root string, snap *snapshot, files []*fileEntry, mem memory.Allocator) ([]arrow.Record, error) {
	var out []arrow.Record
	for _, f := range files {
		recs, err := readFile(ctx, root, snap.schema, snap.metadata.PartitionColumns, f.add, mem)
		if err != nil {
			pqfile.Release(out)
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// readFile reads one data file of a table tide writes as rows of sc, the
// table's write schema: partition columns from the add action, the others
// from the file by name.
func readFile(ctx context.Context, root string, sc *arrow.Schema, partCols []string, add *addAction, mem memory.Allocator) ([]arrow.Record, error) {
	p := &scanPlan{mode: "none", schema: sc}
	for _, f := range sc.Fields() {
		p.cols = append(p.cols, scanColumn{out: f, name: f.Name, fileName: f.Name, partKey: partitionColumn(partCols, f.Name)})
	}
	return readPlanned(ctx, root, p, add, mem)
}

// readPlanned reads one data file as rows of the plan's schema: the
// file's columns the plan needs, less the rows its deletion vector
// deletes, with the partition values added.
func readPlanned(ctx context.Context, root string, p *scanPlan, add *addAction, mem memory.Allocator) ([]arrow.Record, error) {
	abs, err := dataFilePath(root, add.Path)
	if err != nil {
		return nil, err
	}
	f, err := pqfile.Open(abs, mem)
	if err != nil {
		return nil, fmt.Errorf("delta table at %s: %w", root, err)
	}
	defer f.Close()
	at := make([]int, len(p.cols)) // column of the records read; -1: none
	var idx []int
	for i := range p.cols {
		at[i] = -1
		if p.cols[i].partKey != "" {
			continue
		}
		if j := p.fileColumn(&p.cols[i], f.Columns()); j >= 0 {
			at[i] = len(idx)
			idx = append(idx, j)
		}
	}
	recs, err := f.Read(ctx, idx)
	if err != nil {
		return nil, fmt.Errorf("delta table at %s: %w", root, err)
	}
	if dv := add.DeletionVector; dv != nil && dv.Cardinality > 0 {
		deleted, err := loadDeletionVector(root, dv)
		if err != nil {
			pqfile.Release(recs)
			return nil, fmt.Errorf("delta table at %s, file %s: %w", root, add.Path, err)
		}
		if recs, err = dropDeleted(ctx, recs, deleted, mem); err != nil {
			return nil, fmt.Errorf("delta table at %s, file %s: %w", root, add.Path, err)
		}
	}
	defer pqfile.Release(recs)
	out := make([]arrow.Record, 0, len(recs))
	for _, rec := range recs {
		r, err := p.tableRecord(ctx, rec, at, add, mem)
		if err != nil {
			pqfile.Release(out)
			return nil, fmt.Errorf("delta table at %s, file %s: %w", root, add.Path, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// tableRecord builds the plan's columns for the rows of rec, the columns
// read from one data file (at[i]: rec's column for plan column i).
func (p *scanPlan) tableRecord(ctx context.Context, rec arrow.Record, at []int, add *addAction, mem memory.Allocator) (arrow.Record, error) {
	n := int(rec.NumRows())
	cols := make([]arrow.Array, len(p.cols))
	release := func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}
	for i := range p.cols {
		c := &p.cols[i]
		var err error
		switch {
		case c.partKey != "":
			cols[i], err = constantColumn(c.out.Type, c.partitionValue(add), n, mem)
		case at[i] < 0:
			cols[i] = array.MakeArrayOfNull(mem, c.out.Type, n)
		default:
			cols[i], err = convertColumn(ctx, rec.Column(at[i]), c.out.Type, mem)
		}
		if err != nil {
			release()
			if c.deltaType != "" {
				return nil, fmt.Errorf("column %q (delta type %s): %w", c.name, c.deltaType, err)
			}
			return nil, fmt.Errorf("column %q: %w", c.name, err)
		}
	}
	out := array.NewRecord(p.schema, cols, int64(n))
	release()
	return out, nil
}

// partitionColumn returns the spelling of name in partCols, or "".
func partitionColumn(partCols []string, name string) string {
	for _, p := range partCols {
		if strings.EqualFold(p, name) {
			return p
		}
	}
	return ""
}

// dataFilePath resolves a log path: relative to the table root, or an
// absolute path or file: URI.
func dataFilePath(root, p string) (string, error) {
	if strings.HasPrefix(p, "file:") {
		u, err := url.Parse(p)
		if err != nil {
			return "", fmt.Errorf("bad file path %q in the log of %s: %w", p, root, err)
		}
		return u.Path, nil
	}
	rel, err := filePath(p)
	if err != nil {
		return "", err
	}
	if filepath.IsAbs(rel) {
		return rel, nil
	}
	return filepath.Join(root, filepath.FromSlash(rel)), nil
}
