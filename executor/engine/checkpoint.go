package engine

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tide-sql/tide/executor"
)

// checkpoint is a query's durable progress after a committed epoch
// (version 1). States holds each stateful operator's snapshot in build
// order; Plan fingerprints the plan that wrote it, so that a changed query
// does not load state it cannot read.
type checkpoint struct {
	Version int              `json:"version"`
	QueryID string           `json:"query_id"`
	Plan    string           `json:"plan"`
	Epoch   int64            `json:"epoch"`
	Offsets executor.Offsets `json:"offsets"`
	States  [][]byte         `json:"states"`
}

// offsetLog records, before an epoch's rows are processed, where the epoch
// ends (Spark's offset log): a restart replays exactly that range.
type offsetLog struct {
	Epoch int64            `json:"epoch"`
	End   executor.Offsets `json:"end"`
	// Watermark is the watermark (µs) the epoch reached, so that a replay
	// closes the same windows even where the advance came from the clock.
	Watermark *int64 `json:"watermark,omitempty"`
}

// checkpointStore reads and writes one query's checkpoint directory.
type checkpointStore struct{ dir string }

func (s checkpointStore) enabled() bool { return s.dir != "" }

func writeJSONAtomic(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp-" + randomHex(4) // two writers never share a temp file
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func readJSON(path string, v any) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("%s is damaged: %w", path, err)
	}
	return true, nil
}

func (s checkpointStore) load() (*checkpoint, *offsetLog, error) {
	if !s.enabled() {
		return nil, nil, nil
	}
	var cp checkpoint
	ok, err := readJSON(filepath.Join(s.dir, "checkpoint.json"), &cp)
	if err != nil {
		return nil, nil, err
	}
	var ol offsetLog
	olOK, err := readJSON(filepath.Join(s.dir, "offsets.json"), &ol)
	if err != nil {
		return nil, nil, err
	}
	var cpp *checkpoint
	if ok {
		if cp.Version != 1 {
			return nil, nil, fmt.Errorf("checkpoint %s has version %d; this tide reads version 1", s.dir, cp.Version)
		}
		cpp = &cp
	}
	var olp *offsetLog
	if olOK && (cpp == nil || ol.Epoch > cpp.Epoch) {
		olp = &ol
	}
	return cpp, olp, nil
}

func (s checkpointStore) saveOffsets(ol offsetLog) error {
	if !s.enabled() {
		return nil
	}
	return writeJSONAtomic(filepath.Join(s.dir, "offsets.json"), ol)
}

func (s checkpointStore) save(cp checkpoint) error {
	if !s.enabled() {
		return nil
	}
	cp.Version = 1
	return writeJSONAtomic(filepath.Join(s.dir, "checkpoint.json"), cp)
}

// identity is a query's persistent identity (version 1): the id its sinks
// know it by. Spark keeps the same in its checkpoint's metadata file. Two
// deployments that run a query of the same name against the same Kafka
// cluster or PostgreSQL database must not take each other's epochs for
// their own, so the id carries a random part made when the query first ran.
type identity struct {
	Version int    `json:"version"`
	SinkID  string `json:"sink_id"`
}

// sinkID returns the query's sink id, creating it on the first run.
func (s checkpointStore) sinkID(name string) (string, error) {
	fresh := name + "-" + randomHex(6)
	if !s.enabled() {
		return fresh, nil
	}
	path := filepath.Join(s.dir, "query.json")
	var id identity
	ok, err := readJSON(path, &id)
	if err != nil {
		return "", err
	}
	if ok && id.SinkID != "" {
		return id.SinkID, nil
	}
	if err := writeJSONAtomic(path, identity{Version: 1, SinkID: fresh}); err != nil {
		return "", err
	}
	return fresh, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
