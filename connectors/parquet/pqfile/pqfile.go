package pqfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/tide-sql/tide/internal/durable"
)

// maxRowGroup bounds the rows of one row group; records are buffered into
// row groups of up to this many rows whatever their own sizes.
const maxRowGroup = 1 << 20

// readBatch is the number of rows per record returned by Read.
const readBatch = 1 << 16

// Write creates the file at path (it must not exist), writes recs into it
// with snappy compression, syncs it to disk and returns its size in bytes.
// Every record must have schema sc. A failed write removes the partial file.
func Write(path string, sc *arrow.Schema, recs []arrow.Record, mem memory.Allocator) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, fmt.Errorf("create parquet file: %w", err)
	}
	size, err := write(f, sc, recs, mem)
	if err != nil {
		f.Close()
		os.Remove(path)
		return 0, fmt.Errorf("write parquet file %s: %w", path, err)
	}
	return size, nil
}

func write(f *os.File, sc *arrow.Schema, recs []arrow.Record, mem memory.Allocator) (int64, error) {
	props := parquet.NewWriterProperties(
		parquet.WithAllocator(mem),
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithMaxRowGroupLength(maxRowGroup),
		parquet.WithCreatedBy("tide"),
	)
	aprops := pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem), pqarrow.WithStoreSchema())
	// The writer closes an io.Closer it writes to; hand it a buffered
	// writer instead so that the file stays open for Sync.
	bw := bufio.NewWriterSize(f, 1<<20)
	fw, err := pqarrow.NewFileWriter(sc, bw, props, aprops)
	if err != nil {
		return 0, err
	}
	for _, r := range recs {
		if r.NumRows() == 0 {
			continue
		}
		if err := fw.WriteBuffered(r); err != nil {
			fw.Close()
			return 0, err
		}
	}
	if err := fw.Close(); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// Read reads the whole file at path. The records are the caller's to
// release; the schema is the file's Arrow schema.
func Read(ctx context.Context, path string, mem memory.Allocator) ([]arrow.Record, *arrow.Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open parquet file: %w", err)
	}
	defer f.Close()
	pr, err := file.NewParquetReader(f, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return nil, nil, fmt.Errorf("read parquet file %s: %w", path, err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: readBatch}, mem)
	if err != nil {
		return nil, nil, fmt.Errorf("read parquet file %s: %w", path, err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("read parquet file %s: %w", path, err)
	}
	defer rr.Release()
	sc := plain(rr.Schema())
	var out []arrow.Record
	for rr.Next() {
		r := rr.RecordBatch()
		out = append(out, array.NewRecord(sc, r.Columns(), r.NumRows()))
	}
	if err := rr.Err(); err != nil && !errors.Is(err, context.Canceled) {
		Release(out)
		return nil, nil, fmt.Errorf("read parquet file %s: %w", path, err)
	}
	if err := ctx.Err(); err != nil {
		Release(out)
		return nil, nil, err
	}
	return out, sc, nil
}

// ReadSchema returns the Arrow schema of the file at path without reading
// its rows.
func ReadSchema(path string) (*arrow.Schema, error) {
	pr, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("open parquet file %s: %w", path, err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("read parquet file %s: %w", path, err)
	}
	sc, err := fr.Schema()
	if err != nil {
		return nil, err
	}
	return plain(sc), nil
}

// plain drops the field metadata the Parquet reader adds (field ids), so
// that schemas read back equal the ones written.
func plain(sc *arrow.Schema) *arrow.Schema {
	fields := make([]arrow.Field, sc.NumFields())
	for i, f := range sc.Fields() {
		fields[i] = arrow.Field{Name: f.Name, Type: f.Type, Nullable: f.Nullable}
	}
	md := sc.Metadata()
	return arrow.NewSchema(fields, &md)
}

// Release releases every record of recs.
func Release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

// SyncDir syncs a directory so that entries created in it survive a crash.
func SyncDir(dir string) error { return durable.SyncDir(dir) }
