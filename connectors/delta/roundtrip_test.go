package delta

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

const epoch1 = `[
 {"id":1,"name":"ann","amount":1.5,"ok":true,"day":"2024-03-01","ts":"2024-03-01T10:00:00.123456Z"},
 {"id":2,"name":null,"amount":-7,"ok":false,"day":"2024-03-02","ts":"2024-03-01T10:00:01Z"},
 {"id":3,"name":"bob","amount":null,"ok":null,"day":null,"ts":null}]`

const epoch2 = `[
 {"id":4,"name":"cy","amount":2.25,"ok":true,"day":"2024-03-01","ts":"2024-03-02T00:00:00Z"}]`

func TestRoundTrip(t *testing.T) {
	t.Run("rows written in epochs read back with ReadTable", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{})
		commitRows(t, s, mem, 1, epoch1)
		commitRows(t, s, mem, 2, epoch2)
		recs, sc, version, err := ReadTable(dir, mem)
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		if version != 2 {
			t.Errorf("version = %d, want 2 (create, epoch 1, epoch 2)", version)
		}
		for i, f := range sc.Fields() {
			if f.Name != testSchema.Field(i).Name || !arrow.TypeEqual(f.Type, testSchema.Field(i).Type) {
				t.Errorf("column %d is %s %s, want %s %s", i, f.Name, f.Type, testSchema.Field(i).Name, testSchema.Field(i).Type)
			}
		}
		equalRows(t, rowStrings(recs), jsonRows(t, testSchema, epoch1, epoch2))
	})

	t.Run("ReadTable of a directory without a delta log says so", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		_, _, _, err := ReadTable(dir, mem)
		if !errors.Is(err, ErrNoTable) || err.Error() != "no delta table at "+dir {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("Scan returns the table, and an empty table before the first commit", func(t *testing.T) {
		mem := newMem(t)
		dir := filepath.Join(t.TempDir(), "t")
		s := New(Config{Path: dir}, testSchema, mem)
		recs, sc, err := s.Scan(context.Background())
		if err != nil || len(recs) != 0 || sc != testSchema {
			t.Fatalf("scan before open = %d records, %v, %v; want none, the declared schema", len(recs), sc, err)
		}
		if err := s.Open(context.Background(), executor.SinkSpec{QueryID: "q", Schema: testSchema}); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		commitRows(t, s, mem, 0, epoch1)
		recs, _, err = s.Scan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer release(recs)
		equalRows(t, rowStrings(recs), jsonRows(t, testSchema, epoch1))
	})

	t.Run("add stats hold numRecords, min and max values and null counts", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{})
		commitRows(t, s, mem, 1, epoch1)
		adds := addsOf(logActions(t, dir)[1])
		if len(adds) != 1 {
			t.Fatalf("epoch commit has %d adds, want 1", len(adds))
		}
		var st map[string]any
		if err := json.Unmarshal([]byte(adds[0].Stats), &st); err != nil {
			t.Fatalf("stats %q: %v", adds[0].Stats, err)
		}
		want := map[string]any{
			"numRecords": 3.0,
			"minValues":  map[string]any{"id": 1.0, "name": "ann", "amount": -7.0, "day": "2024-03-01", "ts": "2024-03-01T10:00:00.123Z"},
			"maxValues":  map[string]any{"id": 3.0, "name": "bob", "amount": 1.5, "day": "2024-03-02", "ts": "2024-03-01T10:00:01.000Z"},
			"nullCount":  map[string]any{"id": 0.0, "name": 1.0, "amount": 1.0, "ok": 1.0, "day": 1.0, "ts": 1.0},
		}
		for k, v := range want {
			got, _ := json.Marshal(st[k])
			exp, _ := json.Marshal(v)
			if string(got) != string(exp) {
				t.Errorf("stats %s = %s, want %s", k, got, exp)
			}
		}
		if info, err := os.Stat(filepath.Join(dir, adds[0].Path)); err != nil || info.Size() != adds[0].Size {
			t.Errorf("add size %d does not match the file (%v, %v)", adds[0].Size, info, err)
		}
		if !adds[0].DataChange || adds[0].ModificationTime == 0 {
			t.Errorf("add = %+v, want dataChange and a modification time", adds[0])
		}
		if !strings.HasPrefix(adds[0].Path, "part-00000-") || !strings.HasSuffix(adds[0].Path, ".snappy.parquet") {
			t.Errorf("file name %s, want part-00000-<uuid>...snappy.parquet", adds[0].Path)
		}
	})

	t.Run("partitioned table has col=value directories and partitionValues", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir, PartitionBy: []string{"day", "name"}}, executor.SinkSpec{})
		rowsIn := `[
		 {"id":1,"name":"a/b","amount":1,"ok":true,"day":"2024-03-01","ts":null},
		 {"id":2,"name":"a/b","amount":2,"ok":true,"day":"2024-03-01","ts":null},
		 {"id":3,"name":null,"amount":3,"ok":true,"day":"2024-03-02","ts":null},
		 {"id":4,"name":"x","amount":4,"ok":true,"day":null,"ts":null}]`
		commitRows(t, s, mem, 1, rowsIn)
		var got []string
		for _, a := range addsOf(logActions(t, dir)[1]) {
			pv, _ := json.Marshal(a.PartitionValues)
			got = append(got, filepath.Dir(a.Path)+" "+string(pv))
		}
		want := sorted(
			"day=2024-03-01/name=a%252Fb "+`{"day":"2024-03-01","name":"a/b"}`,
			"day=2024-03-02/name=__HIVE_DEFAULT_PARTITION__ "+`{"day":"2024-03-02","name":null}`,
			"day=__HIVE_DEFAULT_PARTITION__/name=x "+`{"day":null,"name":"x"}`,
		)
		equalRows(t, sorted(got...), want)
		// The log path is a URI: its directory on disk is day=.../name=a%2Fb.
		if _, err := os.Stat(filepath.Join(dir, "day=2024-03-01", "name=a%2Fb")); err != nil {
			t.Errorf("partition directory: %v", err)
		}
		equalRows(t, tableRows(t, dir, mem), jsonRows(t, testSchema, rowsIn))
	})

	t.Run("partition columns are not stored in the data files", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir, PartitionBy: []string{"day"}}, executor.SinkSpec{})
		commitRows(t, s, mem, 1, epoch2)
		files := parquetFiles(t, dir)
		if len(files) != 1 {
			t.Fatalf("files = %v", files)
		}
		sc := fileSchema(t, filepath.Join(dir, files[0]))
		if len(sc.FieldIndices("day")) != 0 || sc.NumFields() != testSchema.NumFields()-1 {
			t.Errorf("data file columns = %v, want all but day", sc)
		}
	})

	t.Run("schemaString is a Delta struct schema", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		openSink(t, mem, Config{Path: dir, PartitionBy: []string{"day"}}, executor.SinkSpec{})
		first := logActions(t, dir)[0]
		var md *metadataAction
		var proto *protocolAction
		for _, a := range first {
			if a.MetaData != nil {
				md = a.MetaData
			}
			if a.Protocol != nil {
				proto = a.Protocol
			}
		}
		if proto == nil || proto.MinReaderVersion != 1 || proto.MinWriterVersion != 2 {
			t.Errorf("protocol = %+v, want reader 1, writer 2", proto)
		}
		if md == nil || md.Format.Provider != "parquet" || len(md.ID) != 36 || md.CreatedTime == 0 {
			t.Fatalf("metaData = %+v", md)
		}
		if strings.Join(md.PartitionColumns, ",") != "day" {
			t.Errorf("partitionColumns = %v", md.PartitionColumns)
		}
		want := `{"type":"struct","fields":[` +
			`{"name":"id","type":"long","nullable":false,"metadata":{}},` +
			`{"name":"name","type":"string","nullable":true,"metadata":{}},` +
			`{"name":"amount","type":"double","nullable":true,"metadata":{}},` +
			`{"name":"ok","type":"boolean","nullable":true,"metadata":{}},` +
			`{"name":"day","type":"date","nullable":true,"metadata":{}},` +
			`{"name":"ts","type":"timestamp","nullable":true,"metadata":{}}]}`
		if md.SchemaString != want {
			t.Errorf("schemaString =\n %s\nwant\n %s", md.SchemaString, want)
		}
	})

	t.Run("an epoch without rows makes no version; the next commit carries the newer epoch", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		s := openSink(t, mem, Config{Path: dir}, executor.SinkSpec{QueryID: "q1"})
		commitRows(t, s, mem, 5, "")
		commitRows(t, s, mem, 6, "")
		if n := len(logActions(t, dir)); n != 1 {
			t.Fatalf("the log has %d versions after two empty epochs; want only the table's creation", n)
		}
		if n := len(parquetFiles(t, dir)); n != 0 {
			t.Errorf("%d data files written for no rows", n)
		}
		commitRows(t, s, mem, 7, rows(row(1, "a", 1)))
		acts := logActions(t, dir)
		if len(acts) != 2 {
			t.Fatalf("the log has %d versions; want the creation and one commit", len(acts))
		}
		var txn *txnAction
		for _, a := range acts[1] {
			if a.Txn != nil {
				txn = a.Txn
			}
		}
		if txn == nil || txn.AppID != "q1" || txn.Version != 7 {
			t.Errorf("txn of the data commit = %+v; want q1 at epoch 7", txn)
		}
	})

	t.Run("a query with another schema is refused, naming the column", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		openSink(t, mem, Config{Path: dir}, executor.SinkSpec{})
		other := arrow.NewSchema(append(append([]arrow.Field(nil), testSchema.Fields()[:2]...),
			arrow.Field{Name: "amount", Type: catalog.Int64}, testSchema.Field(3), testSchema.Field(4), testSchema.Field(5)), nil)
		err := New(Config{Path: dir}, nil, mem).Open(context.Background(), executor.SinkSpec{QueryID: "q2", Schema: other})
		if err == nil || !strings.Contains(err.Error(), `column "amount" is DOUBLE in the table but BIGINT in the query`) {
			t.Errorf("err = %v", err)
		}
		fewer := arrow.NewSchema(testSchema.Fields()[:2], nil)
		err = New(Config{Path: dir}, nil, mem).Open(context.Background(), executor.SinkSpec{QueryID: "q2", Schema: fewer})
		if err == nil || !strings.Contains(err.Error(), "has 6 columns") {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("partition_by that differs from the table is refused", func(t *testing.T) {
		mem := newMem(t)
		dir := t.TempDir()
		openSink(t, mem, Config{Path: dir, PartitionBy: []string{"day"}}, executor.SinkSpec{})
		err := New(Config{Path: dir, PartitionBy: []string{"name"}}, nil, mem).Open(context.Background(), executor.SinkSpec{QueryID: "q", Schema: testSchema})
		if err == nil || !strings.Contains(err.Error(), "is partitioned by (day), but partition_by is (name)") {
			t.Errorf("err = %v", err)
		}
		err = New(Config{Path: t.TempDir(), PartitionBy: []string{"nosuch"}}, nil, mem).Open(context.Background(), executor.SinkSpec{QueryID: "q", Schema: testSchema})
		if err == nil || !strings.Contains(err.Error(), `partition_by column "nosuch" is not a column of the query`) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestOptions(t *testing.T) {
	c, err := executor.Lookup("delta")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("synonyms and defaults are normalized", func(t *testing.T) {
		opts, err := c.Normalize(map[string]string{"connector": "delta", "path": "/tmp/x", "partitionBy": "a, b", "checkpointInterval": "3"})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := ParseConfig(opts)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Path != "/tmp/x" || strings.Join(cfg.PartitionBy, "|") != "a|b" || cfg.CheckpointEvery != 3 || cfg.CompactEvery != 10 {
			t.Errorf("config = %+v", cfg)
		}
	})
	t.Run("bad values are refused", func(t *testing.T) {
		for _, raw := range []map[string]string{
			{"path": "/x", "compact_every": "-1"},
			{"path": "/x", "partition_by": "a,,b"},
			{"path": "/x", "partition_by": "a,A"},
			{"compact_every": "1"},
		} {
			if _, err := c.Normalize(raw); err == nil {
				t.Errorf("options %v accepted", raw)
			}
		}
	})
}

func addsOf(acts []action) []*addAction {
	var out []*addAction
	for _, a := range acts {
		if a.Add != nil {
			out = append(out, a.Add)
		}
	}
	return out
}
