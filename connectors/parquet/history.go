package parquet

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
)

// QueryIDs lists the queries whose epochs the directory holds (the query
// id in each data file's name), so that a query that lost its checkpoint
// sees that it wrote here before (executor.EpochHistory).
func (s *Sink) QueryIDs(context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open {
		return nil, fmt.Errorf("parquet sink for %s is not open", s.dir)
	}
	files, err := dataFiles(s.dir)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ids []string
	for _, f := range files {
		if q, _, ok := parseName(filepath.Base(f)); ok && !seen[q] {
			seen[q] = true
			ids = append(ids, q)
		}
	}
	sort.Strings(ids)
	return ids, nil
}
