package delta

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// The checkpoint files of these tests are written by hand from the
// protocol's checkpoint schema (PROTOCOL.md, "Checkpoint Schema"), with
// typed stats_parsed as Spark writes it, not with the package's writer.

func nf(name string, t arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: true}
}

var (
	sMap  = arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String)
	sList = arrow.ListOf(arrow.BinaryTypes.String)
	tStr  = arrow.BinaryTypes.String
	tI64  = arrow.PrimitiveTypes.Int64

	handFileActions = []arrow.Field{
		nf("add", arrow.StructOf(nf("path", tStr), nf("partitionValues", sMap), nf("size", tI64), nf("modificationTime", tI64),
			nf("dataChange", arrow.FixedWidthTypes.Boolean), nf("stats", tStr),
			nf("stats_parsed", arrow.StructOf(nf("numRecords", tI64), nf("minValues", arrow.StructOf(nf("n", tI64))))))),
		nf("remove", arrow.StructOf(nf("path", tStr), nf("deletionTimestamp", tI64), nf("dataChange", arrow.FixedWidthTypes.Boolean))),
	}
	handCheckpointSchema = arrow.NewSchema(append([]arrow.Field{
		nf("protocol", arrow.StructOf(nf("minReaderVersion", arrow.PrimitiveTypes.Int32), nf("minWriterVersion", arrow.PrimitiveTypes.Int32),
			nf("readerFeatures", sList), nf("writerFeatures", sList))),
		nf("metaData", arrow.StructOf(nf("id", tStr), nf("format", arrow.StructOf(nf("provider", tStr), nf("options", sMap))),
			nf("schemaString", tStr), nf("partitionColumns", sList), nf("configuration", sMap), nf("createdTime", tI64))),
		nf("checkpointMetadata", arrow.StructOf(nf("version", tI64))),
		nf("sidecar", arrow.StructOf(nf("path", tStr), nf("sizeInBytes", tI64), nf("modificationTime", tI64))),
	}, handFileActions...), nil)
	handSidecarSchema = arrow.NewSchema(handFileActions, nil)
)

// Checkpoint rows, as the JSON arrow-go reads records from.
const nSchema = `{\"type\":\"struct\",\"fields\":[{\"name\":\"n\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}`

func cpProtocol(reader, writer int, features string) string {
	if features == "" {
		return fmt.Sprintf(`{"protocol":{"minReaderVersion":%d,"minWriterVersion":%d}}`, reader, writer)
	}
	return fmt.Sprintf(`{"protocol":{"minReaderVersion":%d,"minWriterVersion":%d,"readerFeatures":[%s],"writerFeatures":[%s]}}`, reader, writer, features, features)
}

const cpMetaData = `{"metaData":{"id":"hand-made","format":{"provider":"parquet","options":[]},"schemaString":"` + nSchema + `","partitionColumns":[],"configuration":[],"createdTime":1}}`

func cpAdd(path string, size int64, n int) string {
	return fmt.Sprintf(`{"add":{"path":%q,"partitionValues":[],"size":%d,"modificationTime":1,"dataChange":false,"stats_parsed":{"numRecords":1,"minValues":{"n":%d}}}}`, path, size, n)
}

func cpRemove(path string) string {
	return fmt.Sprintf(`{"remove":{"path":%q,"deletionTimestamp":%d,"dataChange":true}}`, path, int64(4102444800000)) // 2100: not expired
}

// checkpointHistory writes versions 0 to 2 of a table of one column n:
// a.parquet (1, 2) added at 1, then at 2 b (3) and c (4) added and a
// removed, and returns the file sizes. The caller checkpoints version 2,
// deletes commits 0 to 2 (as a log cleanup does), and commits 3, which
// adds d (5): the table then holds 3, 4 and 5, readable only through the
// checkpoint.
func checkpointHistory(h *handTable, protocol string) map[string]int64 {
	sc := arrow.NewSchema([]arrow.Field{nf("n", tI64)}, nil)
	sizes := map[string]int64{
		"a.parquet": h.parquet("a.parquet", sc, `[{"n":1},{"n":2}]`),
		"b.parquet": h.parquet("b.parquet", sc, `[{"n":3}]`),
		"c.parquet": h.parquet("c.parquet", sc, `[{"n":4}]`),
		"d.parquet": h.parquet("d.parquet", sc, `[{"n":5}]`),
	}
	h.commit(protocol, metaDataLine(nil, nil, field("n", "long", nil)))
	h.commit(addLine("a.parquet", sizes["a.parquet"], nil, nil))
	h.commit(addLine("b.parquet", sizes["b.parquet"], nil, nil), removeLine("a.parquet", nil), addLine("c.parquet", sizes["c.parquet"], nil, nil))
	return sizes
}

// finishHistory deletes commits 0 to 2 and commits version 3.
func finishHistory(h *handTable, sizes map[string]int64) {
	for v := int64(0); v < 3; v++ {
		if err := os.Remove(commitFile(h.dir, v)); err != nil {
			h.t.Fatal(err)
		}
	}
	h.commit(addLine("d.parquet", sizes["d.parquet"], nil, nil))
}

// cpParquet writes checkpoint rows (JSON objects, one action each) as a
// Parquet file in _delta_log (or _delta_log/_sidecars for a sidecar).
func cpParquet(h *handTable, name string, sc *arrow.Schema, rows ...string) int64 {
	return h.parquet("_delta_log/"+name, sc, "["+strings.Join(rows, ",")+"]")
}

func TestForeignCheckpoints(t *testing.T) {
	want := []string{"3", "4", "5"}
	const v2 = `"v2Checkpoint"`

	t.Run("UUID-named JSON V2 checkpoint whose file actions are in a sidecar", func(t *testing.T) {
		h := newHandTable(t)
		sizes := checkpointHistory(h, protocolLine(3, 7, []string{"v2Checkpoint"}, []string{"v2Checkpoint"}))
		side := cpParquet(h, "_sidecars/016ae953-37a9-438e-8683-9a9a4a79a395.parquet", handSidecarSchema,
			cpAdd("b.parquet", sizes["b.parquet"], 3), cpAdd("c.parquet", sizes["c.parquet"], 4), cpRemove("a.parquet"))
		h.logFile("00000000000000000002.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json",
			`{"checkpointMetadata":{"version":2,"tags":{}}}`,
			protocolLine(3, 7, []string{"v2Checkpoint"}, []string{"v2Checkpoint"}),
			metaDataLine(nil, nil, field("n", "long", nil)),
			fmt.Sprintf(`{"sidecar":{"path":"016ae953-37a9-438e-8683-9a9a4a79a395.parquet","sizeInBytes":%d,"modificationTime":1,"tags":{}}}`, side))
		finishHistory(h, sizes)
		if got := tableRows(t, h.dir, newMem(t)); !reflect.DeepEqual(got, want) {
			t.Errorf("rows %q, want %q", got, want)
		}
	})

	t.Run("UUID-named Parquet V2 checkpoint holding its file actions", func(t *testing.T) {
		h := newHandTable(t)
		sizes := checkpointHistory(h, protocolLine(3, 7, []string{"v2Checkpoint"}, []string{"v2Checkpoint"}))
		cpParquet(h, "00000000000000000002.checkpoint.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.parquet", handCheckpointSchema,
			`{"checkpointMetadata":{"version":2}}`, cpProtocol(3, 7, v2), cpMetaData,
			cpAdd("b.parquet", sizes["b.parquet"], 3), cpRemove("a.parquet"), cpAdd("c.parquet", sizes["c.parquet"], 4))
		finishHistory(h, sizes)
		if got := tableRows(t, h.dir, newMem(t)); !reflect.DeepEqual(got, want) {
			t.Errorf("rows %q, want %q", got, want)
		}
	})

	t.Run("classic-named V2 checkpoint with a sidecar", func(t *testing.T) {
		h := newHandTable(t)
		sizes := checkpointHistory(h, protocolLine(3, 7, []string{"v2Checkpoint"}, []string{"v2Checkpoint"}))
		side := cpParquet(h, "_sidecars/7d17ac10-5cc3-401b-bd1a-9c82dd2ea032.parquet", handSidecarSchema,
			cpAdd("b.parquet", sizes["b.parquet"], 3), cpAdd("c.parquet", sizes["c.parquet"], 4))
		cpParquet(h, "00000000000000000002.checkpoint.parquet", handCheckpointSchema,
			`{"checkpointMetadata":{"version":2}}`, cpProtocol(3, 7, v2), cpMetaData,
			fmt.Sprintf(`{"sidecar":{"path":"7d17ac10-5cc3-401b-bd1a-9c82dd2ea032.parquet","sizeInBytes":%d,"modificationTime":1}}`, side))
		finishHistory(h, sizes)
		if got := tableRows(t, h.dir, newMem(t)); !reflect.DeepEqual(got, want) {
			t.Errorf("rows %q, want %q", got, want)
		}
	})

	t.Run("multi-part checkpoint; an incomplete newer one is ignored", func(t *testing.T) {
		h := newHandTable(t)
		sizes := checkpointHistory(h, protocolLine(1, 2, nil, nil))
		cpParquet(h, "00000000000000000002.checkpoint.0000000001.0000000002.parquet", handCheckpointSchema,
			cpProtocol(1, 2, ""), cpMetaData, cpRemove("a.parquet"))
		cpParquet(h, "00000000000000000002.checkpoint.0000000002.0000000002.parquet", handCheckpointSchema,
			cpAdd("b.parquet", sizes["b.parquet"], 3), cpAdd("c.parquet", sizes["c.parquet"], 4))
		finishHistory(h, sizes)
		// Part 1 of 2 of a checkpoint of version 3, with no files: a reader
		// that used it would find the table empty.
		cpParquet(h, "00000000000000000003.checkpoint.0000000001.0000000002.parquet", handCheckpointSchema,
			cpProtocol(1, 2, ""), cpMetaData)
		if got := tableRows(t, h.dir, newMem(t)); !reflect.DeepEqual(got, want) {
			t.Errorf("rows %q, want %q", got, want)
		}
		l, err := listLog(h.dir)
		if err != nil {
			t.Fatal(err)
		}
		if cp, ok := l.newestCheckpoint(); !ok || cp.version != 2 || len(cp.files) != 2 {
			t.Errorf("newest checkpoint %+v, want the two parts of version 2", cp)
		}
	})
}
