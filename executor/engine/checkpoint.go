package engine

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/internal/durable"
	"github.com/tide-sql/tide/planner"
)

// checkpointVersion is the version of checkpoint.json and offsets.json
// this tide writes; it reads version 1 too.
const checkpointVersion = 2

// checkpoint is a query's durable progress after a committed epoch
// (checkpoint.json, version 2). Snapshots holds each stateful operator's
// snapshot in build order; Stateful describes what they depend on, so
// that a changed query resumes when its state is still usable and is
// refused, with what changed, when it is not.
type checkpoint struct {
	Version  int                         `json:"version"`
	QueryID  string                      `json:"query_id"`
	Epoch    int64                       `json:"epoch"`
	Stateful planner.State               `json:"stateful"`
	Sources  map[string]executor.Offsets `json:"sources"` // by planner.StateSource.ID
	// Snapshots are the operators' snapshots, in Stateful.Operators order.
	Snapshots [][]byte `json:"snapshots"`
	// Parallelism is the number of tasks the query ran as (0: one); the
	// snapshots then hold each stateful operator of the plan once per task.
	Parallelism int `json:"parallelism,omitempty"`
	// Delivered lists the bounded inputs (VALUES, in build order) whose
	// rows the checkpointed epochs hold: a restart does not send them again.
	Delivered []int `json:"delivered,omitempty"`
}

// checkpointV1 is checkpoint.json as tide wrote it before version 2: one
// source's offsets, and a hash of the plan's EXPLAIN text.
type checkpointV1 struct {
	Version int              `json:"version"`
	QueryID string           `json:"query_id"`
	Plan    string           `json:"plan"`
	Epoch   int64            `json:"epoch"`
	Offsets executor.Offsets `json:"offsets"`
	States  [][]byte         `json:"states"`
}

// offsetLog records, before an epoch's rows are processed, where the epoch
// ends in each source (Spark's offset log): a restart replays exactly that
// range (offsets.json, version 2).
type offsetLog struct {
	Version int                  `json:"version"`
	Epoch   int64                `json:"epoch"`
	Sources map[string]sourceEnd `json:"sources"` // by planner.StateSource.ID
}

// sourceEnd is where an epoch ends in one source.
type sourceEnd struct {
	End executor.Offsets `json:"end"`
	// Watermark is the watermark (µs) the epoch reached, so that a replay
	// closes the same windows even where the advance came from the clock.
	Watermark *int64 `json:"watermark,omitempty"`
}

// offsetLogV1 is offsets.json before version 2 (it had no version field).
type offsetLogV1 struct {
	Epoch     int64            `json:"epoch"`
	End       executor.Offsets `json:"end"`
	Watermark *int64           `json:"watermark,omitempty"`
}

// checkpointStore reads and writes one query's checkpoint directory.
type checkpointStore struct{ dir string }

func (s checkpointStore) enabled() bool { return s.dir != "" }

func writeJSONAtomic(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	// Small files are indented for people to read; a checkpoint of large
	// state is written as it is (indenting would cost as much again).
	if len(data) <= readableJSON {
		var b bytes.Buffer
		if err := json.Indent(&b, data, "", "  "); err == nil {
			data = b.Bytes()
		}
	}
	return durable.WriteFile(path, append(data, '\n'), 0o644)
}

// readableJSON is the largest file writeJSONAtomic indents.
const readableJSON = 64 << 10

// readJSON reads path into v; ok is false if there is no such file.
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

// versionOf reads the version field of a JSON file (0 if it has none).
func versionOf(path string) (int, bool, error) {
	var v struct {
		Version int `json:"version"`
	}
	ok, err := readJSON(path, &v)
	return v.Version, ok, err
}

// load reads the checkpoint and the offset log of query id, converting
// version 1 files, and checks that the checkpoint holds the state the
// query needs now (its plan's StateOf; root is the plan, for version 1).
// The offset log is returned only if it is ahead of the checkpoint.
func (s checkpointStore) load(id string, now planner.State, root planner.Node) (*checkpoint, *offsetLog, error) {
	if !s.enabled() {
		return nil, nil, nil
	}
	cp, err := s.loadCheckpoint(id, now, root)
	if err != nil {
		return nil, nil, err
	}
	ol, err := s.loadOffsetLog(now)
	if err != nil {
		return nil, nil, err
	}
	if ol != nil && cp != nil && ol.Epoch <= cp.Epoch {
		ol = nil
	}
	return cp, ol, nil
}

func (s checkpointStore) loadCheckpoint(id string, now planner.State, root planner.Node) (*checkpoint, error) {
	path := filepath.Join(s.dir, "checkpoint.json")
	version, ok, err := versionOf(path)
	if err != nil || !ok {
		return nil, err
	}
	switch version {
	case 1:
		var v1 checkpointV1
		if _, err := readJSON(path, &v1); err != nil {
			return nil, err
		}
		if v1.Plan != v1Fingerprint(root) {
			return nil, fmt.Errorf("checkpoint of query %s (format 1, which records only a hash of the plan) was written for a different plan; "+
				"restore the query as it was, or remove %s to start it over", id, s.dir)
		}
		src, err := onlySource(now, path)
		if err != nil {
			return nil, err
		}
		return &checkpoint{Version: checkpointVersion, QueryID: v1.QueryID, Epoch: v1.Epoch, Stateful: now,
			Sources: map[string]executor.Offsets{src: v1.Offsets}, Snapshots: v1.States}, nil
	case checkpointVersion:
		var cp checkpoint
		if _, err := readJSON(path, &cp); err != nil {
			return nil, err
		}
		if changes := planner.CompareState(cp.Stateful, now); len(changes) > 0 {
			return nil, incompatible(id, s.dir, changes)
		}
		if len(cp.Snapshots) != len(cp.Stateful.Operators)*max(1, cp.Parallelism) {
			return nil, fmt.Errorf("%s is damaged: %d snapshots for %d stateful operators", path, len(cp.Snapshots), len(cp.Stateful.Operators))
		}
		return &cp, nil
	}
	return nil, fmt.Errorf("checkpoint %s has version %d; this tide reads versions 1 and %d", path, version, checkpointVersion)
}

func (s checkpointStore) loadOffsetLog(now planner.State) (*offsetLog, error) {
	path := filepath.Join(s.dir, "offsets.json")
	version, ok, err := versionOf(path)
	if err != nil || !ok {
		return nil, err
	}
	switch version {
	case 0: // version 1 had no version field
		var v1 offsetLogV1
		if _, err := readJSON(path, &v1); err != nil {
			return nil, err
		}
		src, err := onlySource(now, path)
		if err != nil {
			return nil, err
		}
		return &offsetLog{Version: checkpointVersion, Epoch: v1.Epoch,
			Sources: map[string]sourceEnd{src: {End: v1.End, Watermark: v1.Watermark}}}, nil
	case checkpointVersion:
		var ol offsetLog
		_, err := readJSON(path, &ol)
		return &ol, err
	}
	return nil, fmt.Errorf("offset log %s has version %d; this tide reads versions 1 and %d", path, version, checkpointVersion)
}

// onlySource is the id of the one source a version 1 file was written for.
func onlySource(now planner.State, path string) (string, error) {
	if len(now.Sources) != 1 {
		return "", fmt.Errorf("%s (format 1) holds the offsets of one source; the query now reads %d", path, len(now.Sources))
	}
	return now.Sources[0].ID, nil
}

// incompatible is the error for a checkpoint whose state the query cannot
// use: it names each change, as written and as the query has it now.
func incompatible(id, dir string, changes []planner.StateChange) error {
	parts := make([]string, len(changes))
	for i, c := range changes {
		parts[i] = fmt.Sprintf("was written for %s, the query now has %s", c.Written, c.Now)
	}
	return &checkpointMismatch{id: id, dir: dir, what: fmt.Sprintf("checkpoint of query %s %s", id, strings.Join(parts, "; it "))}
}

// checkpointMismatch is a checkpoint written for another query into the
// same table: the user's statement is at fault, not the engine (INSERT
// turns it into a positioned SQL error).
type checkpointMismatch struct{ id, dir, what string }

func (m *checkpointMismatch) Error() string {
	return m.what + "; restore the query as it was, or remove " + m.dir + " (the checkpoint) to start the query over"
}

// v1Fingerprint is how version 1 matched a checkpoint to its query: a
// hash of the plan's EXPLAIN text.
func v1Fingerprint(root planner.Node) string {
	h := fnv.New64a()
	h.Write([]byte(planner.Explain(root)))
	return fmt.Sprintf("%016x", h.Sum64())
}

// parallelism is the number of tasks the checkpoint was written with, and
// whether there is one.
func (s checkpointStore) parallelism() (int, bool) {
	if !s.enabled() {
		return 0, false
	}
	var head struct {
		Parallelism int `json:"parallelism"`
	}
	ok, err := readJSON(filepath.Join(s.dir, "checkpoint.json"), &head)
	if err != nil || !ok {
		return 0, false
	}
	return max(1, head.Parallelism), true
}

func (s checkpointStore) saveOffsets(ol offsetLog) error {
	if !s.enabled() {
		return nil
	}
	ol.Version = checkpointVersion
	return writeJSONAtomic(filepath.Join(s.dir, "offsets.json"), ol)
}

func (s checkpointStore) save(cp checkpoint) error {
	if !s.enabled() {
		return nil
	}
	cp.Version = checkpointVersion
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
