package delta

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tide-sql/tide/executor"
)

// Commit writes the epoch's rows and commits them with the epoch's txn
// action. An epoch the log already holds for this query is dropped.
func (s *Sink) Commit(ctx context.Context, epoch int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	root := s.cfg.Path
	if !s.open {
		return fmt.Errorf("delta sink for %s is not open", root)
	}
	if s.holds(epoch) {
		s.drop()
		return nil
	}
	var (
		w       written
		removes []*removeAction
		err     error
	)
	if s.spec.Mode == executor.SinkUpsert {
		w, removes, err = s.merge(ctx)
	} else {
		w, err = s.writer.write(ctx, s.buf, true)
	}
	if err != nil {
		return fmt.Errorf("delta table at %s, epoch %d: %w", root, epoch, err)
	}
	crashPoint(pointDataWritten)
	if len(w.adds) == 0 && len(removes) == 0 {
		// Nothing changed: no version for it. A replay of the epoch writes
		// nothing either, and the next commit's txn covers this epoch.
		s.drop()
		return nil
	}
	now := time.Now()
	acts := make([]action, 0, 2+len(removes)+len(w.adds))
	acts = append(acts, action{CommitInfo: s.epochInfo(now, epoch)})
	for _, r := range removes {
		acts = append(acts, action{Remove: r})
	}
	for _, a := range w.adds {
		acts = append(acts, action{Add: a})
	}
	acts = append(acts, action{Txn: &txnAction{AppID: s.spec.QueryID, Version: epoch, LastUpdated: now.UnixMilli()}})
	v, err := s.commit(ctx, acts)
	if err != nil {
		if errors.Is(err, errVersionExists) {
			// The commit did not land: its files will never be referenced.
			// (After any other error they stay: the commit may have landed.)
			w.discard()
			if s.holds(epoch) { // another incarnation of this query committed it
				s.drop()
				return nil
			}
			return fmt.Errorf("delta table at %s was changed by another writer (version %d)", root, v)
		}
		return err
	}
	s.drop()
	crashPoint(pointCommitted)
	if len(w.adds) > 0 {
		s.dataCommits++
		s.lastAdded = map[string]bool{}
		for _, a := range w.adds {
			s.lastAdded[a.Path] = true
		}
	}
	if err := s.maintain(ctx); err != nil {
		return fmt.Errorf("delta table at %s: epoch %d is committed, but %w", root, epoch, err)
	}
	return nil
}

// holds reports whether the snapshot has this query at epoch or later.
func (s *Sink) holds(epoch int64) bool {
	t, ok := s.snap.txns[s.spec.QueryID]
	return ok && t.Version >= epoch
}

// commit writes acts as the next version. If another writer took that
// version, it catches up with the log and returns errVersionExists.
func (s *Sink) commit(ctx context.Context, acts []action) (int64, error) {
	v := s.snap.version + 1
	err := writeCommit(s.cfg.Path, v, acts)
	if errors.Is(err, errVersionExists) {
		snap, uerr := s.snap.update(ctx, s.cfg.Path, s.mem)
		if uerr != nil {
			return v, uerr
		}
		s.snap = snap
		return v, errVersionExists
	}
	if err != nil {
		return v, err
	}
	if err := s.snap.apply(acts); err != nil {
		return v, err
	}
	s.snap.version = v
	return v, nil
}

// maintain compacts and checkpoints when they are due.
func (s *Sink) maintain(ctx context.Context) error {
	if s.cfg.CompactEvery > 0 && s.dataCommits >= s.cfg.CompactEvery {
		s.dataCommits = 0
		if err := s.compact(ctx); err != nil {
			return fmt.Errorf("compaction failed: %w", err)
		}
	}
	if n := int64(s.cfg.CheckpointEvery); n > 0 {
		// Versions that are multiples of n, as Delta writers do; or, if a
		// crash skipped one, as soon as n versions passed without one.
		v, last := s.snap.version, max(s.snap.checkpoint, 0)
		if v > s.snap.checkpoint && (v%n == 0 || v-last >= n) {
			now := time.Now()
			if err := writeCheckpoint(s.cfg.Path, s.snap, now, s.mem); err != nil {
				return fmt.Errorf("checkpoint failed: %w", err)
			}
			s.snap.checkpoint = v
			return s.tidy(now)
		}
	}
	return nil
}

// tidy runs after a checkpoint: the log cleanup and the vacuum of files no
// version refers to.
func (s *Sink) tidy(now time.Time) error {
	logCutoff := now.Add(-s.retention(s.cfg.LogRetention, propLogRetention, defaultLogRetention))
	if err := cleanLog(s.cfg.Path, logCutoff); err != nil {
		return fmt.Errorf("log cleanup failed: %w", err)
	}
	fileCutoff := now.Add(-s.retention(s.cfg.DeletedFileRetention, propDeletedFileRetention, defaultDeletedFileRetention))
	if _, err := vacuum(s.cfg.Path, s.snap, fileCutoff); err != nil {
		return err
	}
	return nil
}

const engineInfo = "tide"

func (s *Sink) epochInfo(now time.Time, epoch int64) *commitInfo {
	mode := "Append"
	if s.spec.Mode == executor.SinkUpsert {
		mode = "Update"
	}
	return &commitInfo{
		Timestamp: now.UnixMilli(),
		Operation: "STREAMING UPDATE",
		OperationParameters: map[string]string{
			"outputMode": mode,
			"queryId":    s.spec.QueryID,
			"epochId":    strconv.FormatInt(epoch, 10),
		},
		EngineInfo:    engineInfo,
		TxnID:         newUUID(),
		IsBlindAppend: s.spec.Mode != executor.SinkUpsert,
	}
}
