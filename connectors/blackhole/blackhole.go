// Package blackhole is a sink that discards every row, as Flink's
// blackhole connector does: it takes appends and updates alike (with or
// without a primary key), counts what it was given, and keeps nothing, so
// that a benchmark measures the query and not the writing of its output.
package blackhole

import (
	"context"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

func init() {
	executor.Register(&executor.Connector{
		Name:    "blackhole",
		NewSink: func(*catalog.Table, executor.Env) (executor.Sink, error) { return &Sink{}, nil },
		// It takes the changelog of an updating query as it comes, like the
		// console: there is nothing to upsert into.
		ShowsChanges: true,
	})
}

// Sink discards rows and counts them.
type Sink struct {
	pending   int64 // rows written since the last commit
	committed atomic.Int64
	epochs    atomic.Int64
}

var _ executor.Sink = (*Sink)(nil)

// Open accepts any output: appends, upserts, updates.
func (s *Sink) Open(context.Context, executor.SinkSpec) error { return nil }

// LastEpoch is -1: a blackhole keeps no record of epochs, so a replayed
// epoch is discarded again.
func (s *Sink) LastEpoch(context.Context) (int64, error) { return -1, nil }

// Write counts rec's rows and keeps none of them.
func (s *Sink) Write(_ context.Context, rec arrow.Record) error {
	s.pending += rec.NumRows()
	return nil
}

// Commit counts the epoch's rows as committed.
func (s *Sink) Commit(context.Context, int64) error {
	s.committed.Add(s.pending)
	s.epochs.Add(1)
	s.pending = 0
	return nil
}

// Abort forgets the rows written since the last commit.
func (s *Sink) Abort(context.Context) error {
	s.pending = 0
	return nil
}

// Close does nothing; it is safe to call twice.
func (s *Sink) Close() error { return nil }

// Rows is the number of rows committed to the sink.
func (s *Sink) Rows() int64 { return s.committed.Load() }

// Epochs is the number of epochs committed to the sink.
func (s *Sink) Epochs() int64 { return s.epochs.Load() }
