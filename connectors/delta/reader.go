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
// active files of its newest snapshot (checkpoint plus later commits). It
// returns the rows as records of the table's schema, which the caller
// releases, and the table version read.
func ReadTable(path string, mem memory.Allocator) ([]arrow.Record, *arrow.Schema, int64, error) {
	ctx := context.Background()
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
	recs, err := readFiles(ctx, path, snap, snap.sortedFiles(), mem)
	if err != nil {
		return nil, nil, 0, err
	}
	return recs, snap.schema, snap.version, nil
}

// readFiles reads the given files of a snapshot as records of its schema.
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

// readFile reads one data file and rebuilds the table's rows: partition
// columns come from the add action, the others from the file by name (a
// column the file lacks reads as null).
func readFile(ctx context.Context, root string, sc *arrow.Schema, partCols []string, add *addAction, mem memory.Allocator) ([]arrow.Record, error) {
	abs, err := dataFilePath(root, add.Path)
	if err != nil {
		return nil, err
	}
	recs, _, err := pqfile.Read(ctx, abs, mem)
	if err != nil {
		return nil, fmt.Errorf("delta table at %s: %w", root, err)
	}
	defer pqfile.Release(recs)
	out := make([]arrow.Record, 0, len(recs))
	for _, rec := range recs {
		r, err := tableRecord(sc, partCols, add, rec, mem)
		if err != nil {
			pqfile.Release(out)
			return nil, fmt.Errorf("delta table at %s, file %s: %w", root, add.Path, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func tableRecord(sc *arrow.Schema, partCols []string, add *addAction, rec arrow.Record, mem memory.Allocator) (arrow.Record, error) {
	n := int(rec.NumRows())
	cols := make([]arrow.Array, sc.NumFields())
	release := func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}
	for i, f := range sc.Fields() {
		if p := partitionColumn(partCols, f.Name); p != "" {
			c, err := constantColumn(f.Type, add.PartitionValues[p], n, mem)
			if err != nil {
				release()
				return nil, fmt.Errorf("column %q: %w", f.Name, err)
			}
			cols[i] = c
			continue
		}
		j := columnIndex(rec.Schema(), f.Name)
		if j < 0 {
			c, _ := constantColumn(f.Type, nil, n, mem)
			cols[i] = c
			continue
		}
		c, err := conform(rec.Column(j), f)
		if err != nil {
			release()
			return nil, err
		}
		cols[i] = c
	}
	out := array.NewRecord(sc, cols, int64(n))
	release()
	return out, nil
}

// conform returns arr as an array of field f's type: the same array, or a
// timestamp relabelled with the table's time zone.
func conform(arr arrow.Array, f arrow.Field) (arrow.Array, error) {
	if arrow.TypeEqual(arr.DataType(), f.Type) {
		arr.Retain()
		return arr, nil
	}
	got, ok1 := arr.DataType().(*arrow.TimestampType)
	want, ok2 := f.Type.(*arrow.TimestampType)
	if ok1 && ok2 && got.Unit == want.Unit {
		d := arr.Data()
		nd := array.NewData(f.Type, d.Len(), d.Buffers(), d.Children(), d.NullN(), d.Offset())
		defer nd.Release()
		return array.MakeFromData(nd), nil
	}
	return nil, fmt.Errorf("column %q is %s in the data file but %s in the table", f.Name, arr.DataType(), f.Type)
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
