package delta

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// A snapshot is the table at one version: the replay of the newest
// checkpoint and the JSON commits after it. The sink keeps one in memory
// and applies its own commits to it, so that it reads the log only at Open
// and when another writer may have committed.

// fileEntry is one active data file.
type fileEntry struct {
	add *addAction
	// keyBounds is what the file's stats and partition values say about
	// each primary key column; computed on the first merge that needs it.
	keyBounds []colBounds
}

type snapshot struct {
	version    int64 // -1: no table yet
	checkpoint int64 // newest checkpoint version known, -1 if none
	protocol   *protocolAction
	metadata   *metadataAction
	schema     *arrow.Schema // from metadata.schemaString
	files      map[string]*fileEntry
	tombstones map[string]*removeAction
	txns       map[string]txnAction
}

func newSnapshot() *snapshot {
	return &snapshot{
		version:    -1,
		checkpoint: -1,
		files:      map[string]*fileEntry{},
		tombstones: map[string]*removeAction{},
		txns:       map[string]txnAction{},
	}
}

// apply replays the actions of one commit or checkpoint.
func (s *snapshot) apply(acts []action) error {
	for _, a := range acts {
		switch {
		case a.Protocol != nil:
			s.protocol = a.Protocol
		case a.MetaData != nil:
			sc, err := parseSchemaString(a.MetaData.SchemaString)
			if err != nil {
				return err
			}
			s.metadata, s.schema = a.MetaData, sc
		case a.Txn != nil:
			s.txns[a.Txn.AppID] = *a.Txn
		case a.Add != nil:
			s.files[a.Add.Path] = &fileEntry{add: a.Add}
			delete(s.tombstones, a.Add.Path)
		case a.Remove != nil:
			delete(s.files, a.Remove.Path)
			s.tombstones[a.Remove.Path] = a.Remove
		}
	}
	return nil
}

// loadSnapshot replays the log of the table at root: the newest checkpoint
// (_last_checkpoint names it; a newer one in the listing wins, since a
// crash can leave _last_checkpoint behind) and the commits after it.
func loadSnapshot(ctx context.Context, root string, mem memory.Allocator) (*snapshot, error) {
	l, err := listLog(root)
	if err != nil {
		return nil, err
	}
	s := newSnapshot()
	cp := int64(-1)
	if lc, ok := readLastCheckpoint(root); ok && contains(l.checkpoints, lc.Version) {
		cp = lc.Version
	}
	if n := len(l.checkpoints); n > 0 && l.checkpoints[n-1] > cp {
		cp = l.checkpoints[n-1]
	}
	if cp >= 0 {
		acts, err := readCheckpoint(ctx, root, cp, mem)
		if err != nil {
			return nil, err
		}
		if err := s.apply(acts); err != nil {
			return nil, fmt.Errorf("delta checkpoint %d of %s: %w", cp, root, err)
		}
		s.version, s.checkpoint = cp, cp
	}
	if err := s.replay(root, l.commits); err != nil {
		return nil, err
	}
	return s, nil
}

// replay applies the commits after s.version, which must follow on
// without a gap.
func (s *snapshot) replay(root string, commits []int64) error {
	for _, v := range commits {
		if v <= s.version {
			continue
		}
		if v != s.version+1 {
			return fmt.Errorf("delta log of %s is missing version %d", root, s.version+1)
		}
		acts, err := readCommit(root, v)
		if err != nil {
			return err
		}
		if err := s.apply(acts); err != nil {
			return fmt.Errorf("delta log %d of %s: %w", v, root, err)
		}
		s.version = v
	}
	if s.version >= 0 && (s.metadata == nil || s.protocol == nil) {
		return fmt.Errorf("delta log of %s has no metaData or protocol action", root)
	}
	return nil
}

// update catches up with commits other writers made since s.version.
func (s *snapshot) update(ctx context.Context, root string, mem memory.Allocator) (*snapshot, error) {
	l, err := listLog(root)
	if err != nil {
		return nil, err
	}
	if len(l.commits) == 0 || l.commits[len(l.commits)-1] <= s.version {
		return s, nil
	}
	if !contains(l.commits, s.version+1) {
		// The commits we lack were cleaned up behind a checkpoint.
		return loadSnapshot(ctx, root, mem)
	}
	if err := s.replay(root, l.commits); err != nil {
		return nil, err
	}
	return s, nil
}

// sortedFiles returns the active files in a stable order: oldest first.
func (s *snapshot) sortedFiles() []*fileEntry {
	out := make([]*fileEntry, 0, len(s.files))
	for _, f := range s.files {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].add, out[j].add
		if a.ModificationTime != b.ModificationTime {
			return a.ModificationTime < b.ModificationTime
		}
		return a.Path < b.Path
	})
	return out
}

// checkProtocol refuses tables that need features tide does not have.
func (s *snapshot) checkProtocol(root string, write bool) error {
	p := s.protocol
	switch {
	case p.MinReaderVersion == 3:
		for _, f := range p.ReaderFeatures {
			if f != "timestampNtz" {
				return fmt.Errorf("delta table at %s needs reader feature %s, which tide does not have", root, f)
			}
		}
	case p.MinReaderVersion > 1:
		return fmt.Errorf("delta table at %s needs reader version %d; tide reads version 1", root, p.MinReaderVersion)
	}
	if !write {
		return nil
	}
	switch {
	case p.MinWriterVersion == 7:
		for _, f := range p.WriterFeatures {
			if f != "appendOnly" && f != "invariants" && f != "timestampNtz" {
				return fmt.Errorf("delta table at %s needs writer feature %s, which tide does not have", root, f)
			}
		}
	case p.MinWriterVersion > 2:
		return fmt.Errorf("delta table at %s needs writer version %d; tide writes version 2", root, p.MinWriterVersion)
	}
	return nil
}

// appendOnly reports whether the table forbids changing existing rows.
func (s *snapshot) appendOnly() bool {
	return strings.EqualFold(s.metadata.Configuration["delta.appendOnly"], "true")
}

func contains(vs []int64, v int64) bool {
	i := sort.Search(len(vs), func(i int) bool { return vs[i] >= v })
	return i < len(vs) && vs[i] == v
}
