package delta

import (
	"context"
	"fmt"
	"sort"
)

// QueryIDs lists the writers whose epochs the table's log records (the
// appId of every txn action), so that a query that lost its checkpoint
// sees that it wrote here before (executor.EpochHistory).
func (s *Sink) QueryIDs(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open {
		return nil, fmt.Errorf("delta sink for %s is not open", s.cfg.Path)
	}
	snap, err := s.snap.update(ctx, s.cfg.Path, s.mem)
	if err != nil {
		return nil, err
	}
	s.snap = snap
	ids := make([]string, 0, len(snap.txns))
	for id := range snap.txns {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}
