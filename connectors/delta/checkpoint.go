package delta

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
)

// Checkpoints: the snapshot at a version written as one Parquet file, one
// row per action, with a struct column per action kind (the protocol's
// classic, V1 checkpoint). Exactly one column of a row is not null.

// tombstoneRetention is how long a remove stays in checkpoints: the
// protocol's default deleted-file retention.
const tombstoneRetention = 7 * 24 * time.Hour

var (
	strMap = arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String)
	str    = arrow.BinaryTypes.String
	i64    = arrow.PrimitiveTypes.Int64
	i32    = arrow.PrimitiveTypes.Int32
	boolT  = arrow.FixedWidthTypes.Boolean
)

func opt(name string, t arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: true}
}

// checkpointSchema is the Arrow schema of a checkpoint file.
var checkpointSchema = arrow.NewSchema([]arrow.Field{
	opt("txn", arrow.StructOf(opt("appId", str), opt("version", i64), opt("lastUpdated", i64))),
	opt("add", arrow.StructOf(opt("path", str), opt("partitionValues", strMap), opt("size", i64),
		opt("modificationTime", i64), opt("dataChange", boolT), opt("stats", str), opt("tags", strMap))),
	opt("remove", arrow.StructOf(opt("path", str), opt("deletionTimestamp", i64), opt("dataChange", boolT),
		opt("extendedFileMetadata", boolT), opt("partitionValues", strMap), opt("size", i64))),
	opt("metaData", arrow.StructOf(opt("id", str), opt("name", str), opt("description", str),
		opt("format", arrow.StructOf(opt("provider", str), opt("options", strMap))),
		opt("schemaString", str), opt("partitionColumns", arrow.ListOf(str)), opt("createdTime", i64),
		opt("configuration", strMap))),
	opt("protocol", arrow.StructOf(opt("minReaderVersion", i32), opt("minWriterVersion", i32),
		opt("readerFeatures", arrow.ListOf(str)), opt("writerFeatures", arrow.ListOf(str)))),
}, nil)

const (
	colTxn = iota
	colAdd
	colRemove
	colMetaData
	colProtocol
)

// writeCheckpoint writes the checkpoint of snapshot s (at s.version) and
// then points _last_checkpoint at it. Both appear atomically (rename).
func writeCheckpoint(root string, s *snapshot, now time.Time, mem memory.Allocator) error {
	rb := array.NewRecordBuilder(mem, checkpointSchema)
	defer rb.Release()
	row := func(col int) structW {
		for c := range checkpointSchema.NumFields() {
			if c != col {
				rb.Field(c).AppendNull()
			}
		}
		b := rb.Field(col).(*array.StructBuilder)
		b.Append(true)
		return structW{b}
	}

	p := row(colProtocol)
	p.i32(0, s.protocol.MinReaderVersion)
	p.i32(1, s.protocol.MinWriterVersion)
	// Feature lists exist at reader version 3 and writer version 7 only;
	// elsewhere they are null.
	if s.protocol.MinReaderVersion == 3 {
		p.strList(2, s.protocol.ReaderFeatures)
	} else {
		p.b.FieldBuilder(2).AppendNull()
	}
	if s.protocol.MinWriterVersion == 7 {
		p.strList(3, s.protocol.WriterFeatures)
	} else {
		p.b.FieldBuilder(3).AppendNull()
	}

	m := row(colMetaData)
	md := s.metadata
	m.str(0, md.ID)
	m.optStr(1, md.Name)
	m.optStr(2, md.Description)
	f := m.sub(3)
	f.b.Append(true)
	f.str(0, md.Format.Provider)
	f.strMap(1, toPtrMap(md.Format.Options))
	m.str(4, md.SchemaString)
	m.strList(5, md.PartitionColumns)
	m.i64(6, md.CreatedTime)
	m.strMap(7, toPtrMap(md.Configuration))

	apps := make([]string, 0, len(s.txns))
	for a := range s.txns {
		apps = append(apps, a)
	}
	sort.Strings(apps)
	for _, a := range apps {
		t := s.txns[a]
		w := row(colTxn)
		w.str(0, t.AppID)
		w.i64(1, t.Version)
		w.i64(2, t.LastUpdated)
	}

	adds := s.sortedFiles()
	for _, fe := range adds {
		a := fe.add
		w := row(colAdd)
		w.str(0, a.Path)
		w.strMap(1, a.PartitionValues)
		w.i64(2, a.Size)
		w.i64(3, a.ModificationTime)
		w.bool(4, a.DataChange)
		w.optStr(5, a.Stats)
		w.optStrMap(6, toPtrMap(a.Tags))
	}

	paths := make([]string, 0, len(s.tombstones))
	for p, r := range s.tombstones {
		if now.Sub(time.UnixMilli(r.DeletionTimestamp)) < tombstoneRetention {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		r := s.tombstones[p]
		w := row(colRemove)
		w.str(0, r.Path)
		w.i64(1, r.DeletionTimestamp)
		w.bool(2, r.DataChange)
		w.bool(3, r.ExtendedFileMetadata)
		w.optStrMap(4, r.PartitionValues)
		w.i64(5, r.Size)
	}

	rec := rb.NewRecord()
	defer rec.Release()
	tmp := filepath.Join(root, logDir, ".tmp-"+newUUID()+".checkpoint.parquet")
	size, err := pqfile.Write(tmp, checkpointSchema, []arrow.Record{rec}, mem)
	if err != nil {
		return fmt.Errorf("write delta checkpoint %d of %s: %w", s.version, root, err)
	}
	if err := os.Rename(tmp, checkpointFile(root, s.version)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write delta checkpoint %d of %s: %w", s.version, root, err)
	}
	if err := pqfile.SyncDir(filepath.Join(root, logDir)); err != nil {
		return err
	}
	crashPoint(pointCheckpointWritten)
	return writeLastCheckpoint(root, lastCheckpoint{
		Version:       s.version,
		Size:          rec.NumRows(),
		SizeInBytes:   size,
		NumOfAddFiles: int64(len(adds)),
	})
}

func toPtrMap(m map[string]string) map[string]*string {
	if m == nil {
		return nil
	}
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = &v
	}
	return out
}

func fromPtrMap(m map[string]*string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}
