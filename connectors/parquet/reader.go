package parquet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
)

// ReadDir reads every visible Parquet file of dir, in name order (so a
// query's epochs come in order). If sc is not nil the records carry it (the
// files must have its column types); otherwise they carry the first file's
// schema. The records are the caller's to release.
func ReadDir(ctx context.Context, dir string, sc *arrow.Schema, mem memory.Allocator) ([]arrow.Record, *arrow.Schema, error) {
	files, err := dataFiles(dir)
	if err != nil {
		return nil, nil, err
	}
	var out []arrow.Record
	for _, f := range files {
		recs, fsc, err := pqfile.Read(ctx, f, mem)
		if err != nil {
			pqfile.Release(out)
			return nil, nil, err
		}
		if sc == nil {
			sc = fsc
		}
		if err := sameTypes(sc, fsc); err != nil {
			pqfile.Release(recs)
			pqfile.Release(out)
			return nil, nil, fmt.Errorf("parquet table at %s, file %s: %w", dir, filepath.Base(f), err)
		}
		for _, r := range recs {
			out = append(out, relabel(r, sc))
			r.Release()
		}
	}
	return out, sc, nil
}

func sameTypes(want, got *arrow.Schema) error {
	if want.NumFields() != got.NumFields() {
		return fmt.Errorf("file has %d columns, the table %d", got.NumFields(), want.NumFields())
	}
	for i, f := range want.Fields() {
		if !arrow.TypeEqual(f.Type, got.Field(i).Type) {
			return fmt.Errorf("column %q is %s in the file but %s in the table", f.Name, got.Field(i).Type, f.Type)
		}
	}
	return nil
}

// relabel returns rec's columns under schema sc (same types, perhaps other
// names or nullability), as a new reference.
func relabel(rec arrow.Record, sc *arrow.Schema) arrow.Record {
	if rec.Schema().Equal(sc) {
		rec.Retain()
		return rec
	}
	return array.NewRecord(sc, rec.Columns(), rec.NumRows())
}

func randomSuffix() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
