package delta

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
)

// Reading checkpoints of every kind the protocol has:
//
//   - classic: NNN.checkpoint.parquet, one file;
//   - multi-part (V1, deprecated): NNN.checkpoint.OOOOOOOOOO.PPPPPPPPPP.parquet,
//     part O of P; usable only when all P parts are there;
//   - UUID-named (V2): NNN.checkpoint.<uuid>.json or .parquet, whose add
//     and remove actions may live in sidecar files, _delta_log/_sidecars/
//     (a classic checkpoint of a table with V2 checkpoints may have them
//     too).
//
// A Parquet checkpoint has a struct column per action kind; only the
// fields tide uses are read (never the typed add.stats_parsed and
// add.partitionValues_parsed, whose types are the table's).

// checkpointRef is one complete checkpoint in the log: its version and its
// files, by name in _delta_log.
type checkpointRef struct {
	version int64
	files   []string
}

// addOtherCheckpoint records a multi-part or UUID-named checkpoint file;
// rest is its name after "NNN.checkpoint.".
func (l *logListing) addOtherCheckpoint(v int64, name, rest string) {
	if p := strings.Split(rest, "."); len(p) == 3 && p[2] == "parquet" && len(p[0]) == 10 && len(p[1]) == 10 {
		part, err1 := strconv.Atoi(p[0])
		total, err2 := strconv.Atoi(p[1])
		if err1 == nil && err2 == nil && part >= 1 && part <= total {
			if l.multiPart == nil {
				l.multiPart = map[int64]map[int][]int{}
			}
			if l.multiPart[v] == nil {
				l.multiPart[v] = map[int][]int{}
			}
			l.multiPart[v][total] = append(l.multiPart[v][total], part)
			return
		}
	}
	if strings.HasSuffix(rest, ".json") || strings.HasSuffix(rest, ".parquet") {
		if l.uuidNamed == nil {
			l.uuidNamed = map[int64][]string{}
		}
		l.uuidNamed[v] = append(l.uuidNamed[v], name)
	}
}

// newestCheckpoint returns the newest complete checkpoint, or ok false.
// At one version a classic checkpoint is preferred, then a UUID-named one,
// then a complete multi-part one.
func (l logListing) newestCheckpoint() (checkpointRef, bool) {
	versions := map[int64]bool{}
	for _, v := range l.checkpoints {
		versions[v] = true
	}
	for v := range l.uuidNamed {
		versions[v] = true
	}
	for v, byTotal := range l.multiPart {
		for total, parts := range byTotal {
			if complete(parts, total) {
				versions[v] = true
			}
		}
	}
	best := int64(-1)
	for v := range versions {
		best = max(best, v)
	}
	if best < 0 {
		return checkpointRef{}, false
	}
	ref := checkpointRef{version: best}
	switch {
	case contains(l.checkpoints, best):
		ref.files = []string{fmt.Sprintf("%020d.checkpoint.parquet", best)}
	case len(l.uuidNamed[best]) > 0:
		names := append([]string(nil), l.uuidNamed[best]...)
		sort.Strings(names)
		ref.files = names[:1] // any one of them holds the whole snapshot
	default:
		totals := make([]int, 0, len(l.multiPart[best]))
		for total, parts := range l.multiPart[best] {
			if complete(parts, total) {
				totals = append(totals, total)
			}
		}
		sort.Ints(totals)
		for o := 1; o <= totals[0]; o++ {
			ref.files = append(ref.files, fmt.Sprintf("%020d.checkpoint.%010d.%010d.parquet", best, o, totals[0]))
		}
	}
	return ref, true
}

// complete reports whether parts holds every part 1..total.
func complete(parts []int, total int) bool {
	seen := map[int]bool{}
	for _, p := range parts {
		seen[p] = true
	}
	return len(seen) == total
}

// readCheckpointRef reads the actions of a checkpoint: its files, and the
// sidecars they name in place of their add and remove actions.
func readCheckpointRef(ctx context.Context, root string, cp checkpointRef, mem memory.Allocator) ([]action, error) {
	var acts []action
	for _, name := range cp.files {
		a, err := readCheckpointFile(ctx, filepath.Join(root, logDir, name), mem)
		if err != nil {
			return nil, fmt.Errorf("read delta checkpoint %d of %s: %w", cp.version, root, err)
		}
		acts = append(acts, a...)
	}
	out := acts[:0:0]
	for _, a := range acts {
		if a.Sidecar == nil {
			out = append(out, a)
			continue
		}
		p, err := sidecarPath(root, a.Sidecar.Path)
		if err != nil {
			return nil, fmt.Errorf("read delta checkpoint %d of %s: %w", cp.version, root, err)
		}
		side, err := readCheckpointFile(ctx, p, mem)
		if err != nil {
			return nil, fmt.Errorf("read delta checkpoint %d of %s, sidecar %s: %w", cp.version, root, a.Sidecar.Path, err)
		}
		for _, s := range side {
			if s.Add != nil || s.Remove != nil {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// sidecarPath resolves a sidecar action's path: a file name in
// _delta_log/_sidecars, or a URI.
func sidecarPath(root, p string) (string, error) {
	if strings.Contains(p, ":") || strings.HasPrefix(p, "/") {
		return dataFilePath(root, p)
	}
	name, err := filePath(p)
	if err != nil {
		return "", err
	}
	if strings.Contains(name, "/") {
		return "", fmt.Errorf("sidecar path %q is not a file name in %s/_sidecars", p, logDir)
	}
	return filepath.Join(root, logDir, "_sidecars", name), nil
}

// readCheckpointFile reads the actions of one checkpoint file or sidecar:
// newline-delimited JSON, or Parquet.
func readCheckpointFile(ctx context.Context, path string, mem memory.Allocator) ([]action, error) {
	if strings.HasSuffix(path, ".json") {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		acts, err := decodeActions(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return acts, nil
	}
	return readCheckpointParquet(ctx, path, mem)
}

// checkpointColumns are the action columns a Parquet checkpoint may have.
var checkpointColumns = []string{"txn", "add", "remove", "metaData", "protocol", "sidecar", "checkpointMetadata"}

// readCheckpointParquet reads the actions of a Parquet checkpoint file.
// Columns and fields are found by name, so that checkpoints with more (or
// fewer) of them read too; a missing one reads as null.
func readCheckpointParquet(ctx context.Context, path string, mem memory.Allocator) ([]action, error) {
	f, err := pqfile.Open(path, mem)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var idx []int
	var names []string
	for i, c := range f.Columns() {
		for _, n := range checkpointColumns {
			if c.Name == n {
				idx, names = append(idx, i), append(names, n)
			}
		}
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("%s has none of the columns of a checkpoint", path)
	}
	recs, err := f.ReadPruned(ctx, idx, func(p []string) bool {
		return len(p) < 2 || !strings.HasSuffix(p[1], "_parsed")
	})
	if err != nil {
		return nil, err
	}
	defer pqfile.Release(recs)
	var out []action
	for _, rec := range recs {
		cols := map[string]structR{}
		for j, n := range names {
			cols[n] = newStructR(rec.Column(j))
		}
		for i := range int(rec.NumRows()) {
			if a, ok := checkpointAction(cols, i); ok {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// checkpointAction is row i of a checkpoint: the action of its one non-null
// column.
func checkpointAction(c map[string]structR, i int) (action, bool) {
	txn, add, rem, md, proto := c["txn"], c["add"], c["remove"], c["metaData"], c["protocol"]
	side, cpm := c["sidecar"], c["checkpointMetadata"]
	switch {
	case txn.valid(i):
		return action{Txn: &txnAction{
			AppID: txn.str("appId", i), Version: txn.i64("version", i), LastUpdated: txn.i64("lastUpdated", i),
		}}, true
	case add.valid(i):
		return action{Add: &addAction{
			Path: add.str("path", i), PartitionValues: add.strMap("partitionValues", i), Size: add.i64("size", i),
			ModificationTime: add.i64("modificationTime", i), DataChange: add.bool("dataChange", i),
			Stats: add.str("stats", i), Tags: fromPtrMap(add.strMap("tags", i)),
			DeletionVector: dvAt(add.sub("deletionVector"), i),
		}}, true
	case rem.valid(i):
		return action{Remove: &removeAction{
			Path: rem.str("path", i), DeletionTimestamp: rem.i64("deletionTimestamp", i), DataChange: rem.bool("dataChange", i),
			ExtendedFileMetadata: rem.bool("extendedFileMetadata", i), PartitionValues: rem.strMap("partitionValues", i),
			Size: rem.i64("size", i), DeletionVector: dvAt(rem.sub("deletionVector"), i),
		}}, true
	case md.valid(i):
		format := md.sub("format")
		return action{MetaData: &metadataAction{
			ID: md.str("id", i), Name: md.str("name", i), Description: md.str("description", i),
			Format:       formatSpec{Provider: format.str("provider", i), Options: fromPtrMap(format.strMap("options", i))},
			SchemaString: md.str("schemaString", i), PartitionColumns: md.strList("partitionColumns", i),
			CreatedTime: md.i64("createdTime", i), Configuration: fromPtrMap(md.strMap("configuration", i)),
		}}, true
	case proto.valid(i):
		return action{Protocol: &protocolAction{
			MinReaderVersion: int32(proto.i64("minReaderVersion", i)), MinWriterVersion: int32(proto.i64("minWriterVersion", i)),
			ReaderFeatures: proto.strList("readerFeatures", i), WriterFeatures: proto.strList("writerFeatures", i),
		}}, true
	case side.valid(i):
		return action{Sidecar: &sidecarAction{
			Path: side.str("path", i), SizeInBytes: side.i64("sizeInBytes", i), ModificationTime: side.i64("modificationTime", i),
		}}, true
	case cpm.valid(i):
		return action{CheckpointMetadata: &checkpointMetadata{Version: cpm.i64("version", i)}}, true
	}
	return action{}, false
}

// dvAt reads the deletion vector descriptor at row i, nil if there is none.
func dvAt(d structR, i int) *deletionVector {
	if !d.valid(i) {
		return nil
	}
	dv := &deletionVector{
		StorageType: d.str("storageType", i), PathOrInlineDv: d.str("pathOrInlineDv", i),
		SizeInBytes: int32(d.i64("sizeInBytes", i)), Cardinality: d.i64("cardinality", i),
	}
	if d.field("offset", i) != nil {
		off := int32(d.i64("offset", i))
		dv.Offset = &off
	}
	return dv
}
