package delta

import (
	"context"
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
	opt("protocol", arrow.StructOf(opt("minReaderVersion", i32), opt("minWriterVersion", i32))),
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

// readCheckpoint reads the actions of checkpoint v. Columns are found by
// name, so checkpoints other writers made (with more fields) read too.
func readCheckpoint(ctx context.Context, root string, v int64, mem memory.Allocator) ([]action, error) {
	recs, _, err := pqfile.Read(ctx, checkpointFile(root, v), mem)
	if err != nil {
		return nil, fmt.Errorf("read delta checkpoint %d of %s: %w", v, root, err)
	}
	defer pqfile.Release(recs)
	var out []action
	for _, rec := range recs {
		col := func(name string) structR {
			idx := rec.Schema().FieldIndices(name)
			if len(idx) == 0 {
				return structR{}
			}
			return newStructR(rec.Column(idx[0]))
		}
		txn, add, rem, md, proto := col("txn"), col("add"), col("remove"), col("metaData"), col("protocol")
		for i := range int(rec.NumRows()) {
			switch {
			case txn.valid(i):
				out = append(out, action{Txn: &txnAction{
					AppID: txn.str("appId", i), Version: txn.i64("version", i), LastUpdated: txn.i64("lastUpdated", i),
				}})
			case add.valid(i):
				out = append(out, action{Add: &addAction{
					Path: add.str("path", i), PartitionValues: add.strMap("partitionValues", i), Size: add.i64("size", i),
					ModificationTime: add.i64("modificationTime", i), DataChange: add.bool("dataChange", i),
					Stats: add.str("stats", i), Tags: fromPtrMap(add.strMap("tags", i)),
				}})
			case rem.valid(i):
				out = append(out, action{Remove: &removeAction{
					Path: rem.str("path", i), DeletionTimestamp: rem.i64("deletionTimestamp", i), DataChange: rem.bool("dataChange", i),
					ExtendedFileMetadata: rem.bool("extendedFileMetadata", i), PartitionValues: rem.strMap("partitionValues", i),
					Size: rem.i64("size", i),
				}})
			case md.valid(i):
				format := md.sub("format")
				out = append(out, action{MetaData: &metadataAction{
					ID: md.str("id", i), Name: md.str("name", i), Description: md.str("description", i),
					Format:       formatSpec{Provider: format.str("provider", i), Options: fromPtrMap(format.strMap("options", i))},
					SchemaString: md.str("schemaString", i), PartitionColumns: md.strList("partitionColumns", i),
					CreatedTime: md.i64("createdTime", i), Configuration: fromPtrMap(md.strMap("configuration", i)),
				}})
			case proto.valid(i):
				out = append(out, action{Protocol: &protocolAction{
					MinReaderVersion: int32(proto.i64("minReaderVersion", i)), MinWriterVersion: int32(proto.i64("minWriterVersion", i)),
					ReaderFeatures: proto.strList("readerFeatures", i), WriterFeatures: proto.strList("writerFeatures", i),
				}})
			}
		}
	}
	return out, nil
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
