package pqfile

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// File is a Parquet file opened to read some of its top-level columns, as
// table readers do when a table's schema names the columns to read (by
// name or by Parquet field id) and the file may hold others.
//
// INT96 timestamps (Spark's and Impala's legacy encoding) are read as
// microseconds, so that instants outside the nanosecond range of int64
// (before 1677, after 2262, such as 9999-12-31) read exactly instead of
// failing.
type File struct {
	path string
	f    *os.File
	pr   *file.Reader
	fr   *pqarrow.FileReader
	mem  memory.Allocator
	cols []Column
}

// Column is a top-level column of a Parquet file.
type Column struct {
	Name string
	// Type is the Arrow type the column reads as.
	Type arrow.DataType
	// FieldID is the Parquet field id of the column, -1 if it has none.
	FieldID int32

	int96  bool
	leaves []int // Parquet leaf column indexes
}

// timestampMicrosUTC is what INT96 columns read as.
var timestampMicrosUTC = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// Open opens the Parquet file at path and reads its footer.
func Open(path string, mem memory.Allocator) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open parquet file: %w", err)
	}
	pr, err := file.NewParquetReader(f, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read parquet file %s: %w", path, err)
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: readBatch}, mem)
	if err != nil {
		pr.Close()
		return nil, fmt.Errorf("read parquet file %s: %w", path, err)
	}
	root := pr.MetaData().Schema.Root()
	cols := make([]Column, len(fr.Manifest.Fields))
	for i := range fr.Manifest.Fields {
		sf := &fr.Manifest.Fields[i]
		node := root.Field(i)
		c := Column{Name: sf.Field.Name, Type: sf.Field.Type, FieldID: node.FieldID(), leaves: leafIndexes(sf, nil)}
		if p, ok := node.(*schema.PrimitiveNode); ok && p.PhysicalType() == parquet.Types.Int96 {
			c.Type, c.int96 = timestampMicrosUTC, true
		}
		cols[i] = c
	}
	return &File{path: path, f: f, pr: pr, fr: fr, mem: mem, cols: cols}, nil
}

func leafIndexes(sf *pqarrow.SchemaField, out []int) []int {
	if sf.IsLeaf() {
		return append(out, sf.ColIndex)
	}
	for i := range sf.Children {
		out = leafIndexes(&sf.Children[i], out)
	}
	return out
}

// Columns returns the file's top-level columns.
func (f *File) Columns() []Column { return f.cols }

// NumRows returns the number of rows in the file.
func (f *File) NumRows() int64 { return f.pr.NumRows() }

// Close closes the file. It is safe to call twice.
func (f *File) Close() error {
	if f.pr == nil {
		return nil
	}
	err := f.pr.Close() // closes f.f too
	f.pr = nil
	return err
}

// Read reads the columns at the given indexes of Columns, in that order, as
// records (the caller releases them) of at most readBatch rows, in file
// order. With no columns it returns records without columns that still
// count the file's rows.
func (f *File) Read(ctx context.Context, idx []int) ([]arrow.Record, error) {
	return f.ReadPruned(ctx, idx, nil)
}

// ReadPruned is Read, reading of nested columns only the leaves for which
// keep (if not nil) is true; a leaf's path is its field names from the
// top-level column down (a map's entries are key_value.key and
// key_value.value). Every chosen column must keep a leaf.
func (f *File) ReadPruned(ctx context.Context, idx []int, keep func(path []string) bool) ([]arrow.Record, error) {
	fields := make([]arrow.Field, len(idx))
	var pq, i96 []int // indexes into idx
	for j, c := range idx {
		if c < 0 || c >= len(f.cols) {
			return nil, fmt.Errorf("read parquet file %s: no column %d", f.path, c)
		}
		fields[j] = arrow.Field{Name: f.cols[c].Name, Type: f.cols[c].Type, Nullable: true}
		if f.cols[c].int96 {
			i96 = append(i96, j)
		} else {
			pq = append(pq, j)
		}
	}
	sc := arrow.NewSchema(fields, nil)

	int96Cols := make(map[int]arrow.Array, len(i96))
	defer func() {
		for _, a := range int96Cols {
			a.Release()
		}
	}()
	for _, j := range i96 {
		a, err := f.readInt96(idx[j])
		if err != nil {
			return nil, err
		}
		int96Cols[j] = a
	}
	if len(pq) == 0 {
		return f.chunks(sc, idx, int96Cols), nil
	}

	// pqarrow returns the chosen columns in file order.
	sort.Slice(pq, func(a, b int) bool { return idx[pq[a]] < idx[pq[b]] })
	var leaves []int
	for _, j := range pq {
		n := len(leaves)
		for _, l := range f.cols[idx[j]].leaves {
			if keep == nil || keep(f.pr.MetaData().Schema.Column(l).ColumnPath()) {
				leaves = append(leaves, l)
			}
		}
		if len(leaves) == n {
			return nil, fmt.Errorf("read parquet file %s: column %s has no field left to read", f.path, f.cols[idx[j]].Name)
		}
	}
	rr, err := f.fr.GetRecordReader(ctx, leaves, nil)
	if err != nil {
		return nil, fmt.Errorf("read parquet file %s: %w", f.path, err)
	}
	defer rr.Release()
	var out []arrow.Record
	off := int64(0)
	for rr.Next() {
		r := rr.RecordBatch()
		n := r.NumRows()
		if off == 0 {
			// A pruned struct has fewer fields than the column's type.
			for pos, j := range pq {
				fields[j].Type = r.Column(pos).DataType()
			}
			sc = arrow.NewSchema(fields, nil)
		}
		cols := make([]arrow.Array, len(idx))
		for pos, j := range pq {
			cols[j] = r.Column(pos)
		}
		var slices []arrow.Array
		for j, a := range int96Cols {
			s := array.NewSlice(a, off, off+n)
			slices = append(slices, s)
			cols[j] = s
		}
		out = append(out, array.NewRecord(sc, cols, n))
		for _, s := range slices {
			s.Release()
		}
		off += n
	}
	if err := rr.Err(); err != nil && !errors.Is(err, context.Canceled) {
		Release(out)
		return nil, fmt.Errorf("read parquet file %s: %w", f.path, err)
	}
	if err := ctx.Err(); err != nil {
		Release(out)
		return nil, err
	}
	return out, nil
}

// chunks cuts whole-file columns into records of at most readBatch rows.
func (f *File) chunks(sc *arrow.Schema, idx []int, whole map[int]arrow.Array) []arrow.Record {
	var out []arrow.Record
	total := f.NumRows()
	for off := int64(0); off < total; off += readBatch {
		n := min(readBatch, total-off)
		cols := make([]arrow.Array, len(idx))
		for j, a := range whole {
			cols[j] = array.NewSlice(a, off, off+n)
		}
		out = append(out, array.NewRecord(sc, cols, n))
		for _, c := range cols {
			c.Release()
		}
	}
	return out
}

// julianUnixEpoch is the Julian day number of 1970-01-01.
const julianUnixEpoch = 2440588

const nanosPerDay = 86400 * 1_000_000_000

// maxMicroDays bounds the days from the epoch an int64 of microseconds holds.
const maxMicroDays = math.MaxInt64/86400_000_000 - 1

// readInt96 reads a whole top-level INT96 column as microsecond timestamps.
func (f *File) readInt96(c int) (arrow.Array, error) {
	leaf := f.cols[c].leaves[0]
	b := array.NewTimestampBuilder(f.mem, timestampMicrosUTC)
	defer b.Release()
	b.Reserve(int(f.NumRows()))
	maxDef := f.pr.MetaData().Schema.Column(leaf).MaxDefinitionLevel()
	for rg := range f.pr.NumRowGroups() {
		cr, err := f.pr.RowGroup(rg).Column(leaf)
		if err != nil {
			return nil, fmt.Errorf("read parquet file %s, column %s: %w", f.path, f.cols[c].Name, err)
		}
		r, ok := cr.(*file.Int96ColumnChunkReader)
		if !ok {
			cr.Close()
			return nil, fmt.Errorf("read parquet file %s: column %s is not INT96", f.path, f.cols[c].Name)
		}
		err = f.readInt96Chunk(b, r, maxDef, c)
		r.Close()
		if err != nil {
			return nil, err
		}
	}
	return b.NewArray(), nil
}

// readInt96Chunk appends one row group's values of INT96 column c to b.
func (f *File) readInt96Chunk(b *array.TimestampBuilder, r *file.Int96ColumnChunkReader, maxDef int16, c int) error {
	const batch = 4096
	vals := make([]parquet.Int96, batch)
	defs := make([]int16, batch)
	for r.HasNext() {
		rows, nv, err := r.ReadBatch(batch, vals, defs, nil)
		if err != nil {
			return fmt.Errorf("read parquet file %s, column %s: %w", f.path, f.cols[c].Name, err)
		}
		v := 0
		for i := range int(rows) {
			if defs[i] < maxDef {
				b.AppendNull()
				continue
			}
			us, err := int96Micros(vals[v])
			if err != nil {
				return fmt.Errorf("read parquet file %s, column %s: %w", f.path, f.cols[c].Name, err)
			}
			b.Append(arrow.Timestamp(us))
			v++
		}
		if v != nv {
			return fmt.Errorf("read parquet file %s, column %s: %d values for %d present rows", f.path, f.cols[c].Name, nv, v)
		}
	}
	return nil
}

// int96Micros converts an INT96 timestamp (nanoseconds of the day, then
// the Julian day, little-endian) to microseconds since the Unix epoch.
func int96Micros(v parquet.Int96) (int64, error) {
	nanos := binary.LittleEndian.Uint64(v[:8])
	if nanos >= nanosPerDay {
		return 0, fmt.Errorf("bad INT96 timestamp: %d nanoseconds in a day", nanos)
	}
	days := int64(binary.LittleEndian.Uint32(v[8:])) - julianUnixEpoch
	if days > maxMicroDays || days < -maxMicroDays {
		return 0, fmt.Errorf("bad INT96 timestamp: Julian day %d is out of range", days+julianUnixEpoch)
	}
	return days*86400_000_000 + int64(nanos/1000), nil
}
