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
	columns    []tableColumn // from metadata.schemaString
	// schema is the Arrow schema tide writes the table with; nil, with
	// schemaErr saying why, if a column has a type tide cannot write.
	schema    *arrow.Schema
	schemaErr error
	// files are the active data files by path (a path is in the table
	// once, with at most one deletion vector).
	files map[string]*fileEntry
	// tombstones are the removed files, by path and deletion vector id.
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
			cols, err := parseColumns(a.MetaData.SchemaString)
			if err != nil {
				return err
			}
			s.metadata, s.columns = a.MetaData, cols
			s.schema, s.schemaErr = writeSchema(cols)
		case a.Txn != nil:
			s.txns[a.Txn.AppID] = *a.Txn
		case a.Add != nil:
			s.files[a.Add.Path] = &fileEntry{add: a.Add}
			delete(s.tombstones, tombstoneKey(a.Add.Path, a.Add.DeletionVector))
		case a.Remove != nil:
			// A remove takes out the file only with the deletion vector
			// it names: a commit that adds a new deletion vector to a file
			// removes it with the old one, in either order.
			if fe, ok := s.files[a.Remove.Path]; ok && fe.add.DeletionVector.uniqueID() == a.Remove.DeletionVector.uniqueID() {
				delete(s.files, a.Remove.Path)
			}
			s.tombstones[tombstoneKey(a.Remove.Path, a.Remove.DeletionVector)] = a.Remove
		}
	}
	return nil
}

// loadSnapshot replays the log of the table at root: the newest complete
// checkpoint in the listing (_last_checkpoint is only a hint, which a
// crash can leave behind) and the commits after it.
func loadSnapshot(ctx context.Context, root string, mem memory.Allocator) (*snapshot, error) {
	l, err := listLog(root)
	if err != nil {
		return nil, err
	}
	s := newSnapshot()
	if cp, ok := l.newestCheckpoint(); ok {
		acts, err := readCheckpointRef(ctx, root, cp, mem)
		if err != nil {
			return nil, err
		}
		if err := s.apply(acts); err != nil {
			return nil, fmt.Errorf("delta checkpoint %d of %s: %w", cp.version, root, err)
		}
		s.version, s.checkpoint = cp.version, cp.version
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

// appendOnly reports whether the table forbids changing existing rows.
func (s *snapshot) appendOnly() bool {
	return strings.EqualFold(s.metadata.Configuration["delta.appendOnly"], "true")
}

// tombstoneKey is the key of a removed file: its path, and its deletion
// vector's id if it has one.
func tombstoneKey(path string, dv *deletionVector) string {
	if id := dv.uniqueID(); id != "" {
		return path + "\x00" + id
	}
	return path
}

func contains(vs []int64, v int64) bool {
	i := sort.Search(len(vs), func(i int) bool { return vs[i] >= v })
	return i < len(vs) && vs[i] == v
}
