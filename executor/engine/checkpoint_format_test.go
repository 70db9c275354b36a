package engine

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// scanPlan is a plan with one Kafka source scan, as StateOf sees it.
func scanPlan() planner.Node {
	t := &catalog.Table{Name: "Tx", Kind: catalog.KindSource, Connector: "kafka", Options: map[string]string{"topic": "tx"},
		Columns: []catalog.Column{{Name: "amount", Type: catalog.Float64}}}
	return &planner.SourceScan{Table: t, Out: t.Schema()}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Version 1 files, as tide wrote them, load as version 2: the one
// source's offsets and watermark under the source's id.
func TestVersion1FilesConvertOnRead(t *testing.T) {
	root := scanPlan()
	now := planner.StateOf(root)
	s := checkpointStore{dir: t.TempDir()}
	writeFile(t, filepath.Join(s.dir, "checkpoint.json"),
		`{"version":1,"query_id":"q","plan":"`+v1Fingerprint(root)+`","epoch":7,"offsets":{"0":40,"2":12},"states":["AQI="]}`)
	writeFile(t, filepath.Join(s.dir, "offsets.json"), `{"epoch":8,"end":{"0":55,"2":12},"watermark":1700000000000000}`)
	cp, ol, err := s.load("q", now, root)
	if err != nil {
		t.Fatal(err)
	}
	wantCP := &checkpoint{Version: 2, QueryID: "q", Epoch: 7, Stateful: now,
		Sources: map[string]executor.Offsets{"tx": {0: 40, 2: 12}}, Snapshots: [][]byte{{1, 2}}}
	if !reflect.DeepEqual(cp, wantCP) {
		t.Errorf("checkpoint\n got %+v\nwant %+v", cp, wantCP)
	}
	wm := int64(1700000000000000)
	wantOL := &offsetLog{Version: 2, Epoch: 8, Sources: map[string]sourceEnd{"tx": {End: executor.Offsets{0: 55, 2: 12}, Watermark: &wm}}}
	if !reflect.DeepEqual(ol, wantOL) {
		t.Errorf("offset log\n got %+v\nwant %+v", ol, wantOL)
	}

	// Saved again, they are version 2 and read back the same.
	if err := s.save(*cp); err != nil {
		t.Fatal(err)
	}
	if err := s.saveOffsets(*ol); err != nil {
		t.Fatal(err)
	}
	cp2, ol2, err := s.load("q", now, root)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cp2, wantCP) || !reflect.DeepEqual(ol2, wantOL) {
		t.Errorf("after a save: %+v %+v", cp2, ol2)
	}
	data, _ := os.ReadFile(filepath.Join(s.dir, "checkpoint.json"))
	if !strings.Contains(string(data), `"version": 2`) || !strings.Contains(string(data), `"kind": "source"`) {
		t.Errorf("checkpoint.json is not the readable version 2:\n%s", data)
	}
}

func TestUnreadableCheckpointFilesAreNamed(t *testing.T) {
	root := scanPlan()
	now := planner.StateOf(root)
	for _, c := range []struct{ file, content, want string }{
		{"checkpoint.json", `{"version":3}`, "has version 3; this tide reads versions 1 and 2"},
		{"offsets.json", `{"version":9,"epoch":1}`, "has version 9; this tide reads versions 1 and 2"},
		{"checkpoint.json", `{"version":2,`, "checkpoint.json is damaged"},
		{"checkpoint.json", `{"version":2,"stateful":{"sources":[{"id":"tx","name":"Tx","connector":"kafka","topic":"tx"}],"operators":[{"kind":"source","source":"tx"}]},"snapshots":[]}`,
			"checkpoint.json is damaged: 0 snapshots for 1 stateful operators"},
	} {
		s := checkpointStore{dir: t.TempDir()}
		writeFile(t, filepath.Join(s.dir, c.file), c.content)
		_, _, err := s.load("q", now, root)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), s.dir) {
			t.Errorf("%s %s: error %v, want %q and the path", c.file, c.content, err, c.want)
		}
	}
}

// An offset log no further than the checkpoint is not replayed.
func TestOffsetLogOfTheCheckpointedEpochIsIgnored(t *testing.T) {
	root := scanPlan()
	now := planner.StateOf(root)
	s := checkpointStore{dir: t.TempDir()}
	if err := s.save(checkpoint{QueryID: "q", Epoch: 3, Stateful: now, Sources: map[string]executor.Offsets{"tx": {0: 9}}, Snapshots: [][]byte{nil}}); err != nil {
		t.Fatal(err)
	}
	if err := s.saveOffsets(offsetLog{Epoch: 3, Sources: map[string]sourceEnd{"tx": {End: executor.Offsets{0: 9}}}}); err != nil {
		t.Fatal(err)
	}
	cp, ol, err := s.load("q", now, root)
	if err != nil || cp == nil || cp.Epoch != 3 || ol != nil {
		t.Fatalf("load: %+v %+v %v", cp, ol, err)
	}
}
