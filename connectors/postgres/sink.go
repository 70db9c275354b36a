package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tide-sql/tide/executor"
)

// Sink writes a query's output into a PostgreSQL table, one transaction per
// epoch. It also implements executor.Scanner.
type Sink struct {
	name    string // the tide table, for errors
	cfg     *pgxpool.Config
	schema  string // PostgreSQL schema, unquoted
	table   string // PostgreSQL table, unquoted
	tschema *arrow.Schema
	tkey    []int

	mu     sync.Mutex
	pool   *pgxpool.Pool
	plan   *plan // set by Open
	spec   executor.SinkSpec
	buf    []arrow.Record // the current epoch's rows
	method writeMethod
	closed bool
}

var (
	_ executor.Sink    = (*Sink)(nil)
	_ executor.Scanner = (*Sink)(nil)
)

func (s *Sink) errorf(format string, args ...any) error {
	return fmt.Errorf("postgres sink %s: "+format, append([]any{s.name}, args...)...)
}

// connect returns the pool, connecting and checking the server first if
// needed. The caller holds s.mu.
func (s *Sink) connect(ctx context.Context) (*pgxpool.Pool, error) {
	if s.closed {
		return nil, s.errorf("sink is closed")
	}
	if s.pool != nil {
		return s.pool, nil
	}
	cc := s.cfg.ConnConfig
	where := fmt.Sprintf("%s:%d/%s", cc.Host, cc.Port, cc.Database)
	pool, err := pgxpool.NewWithConfig(ctx, s.cfg)
	if err != nil {
		return nil, s.errorf("connect to %s: %w", where, err)
	}
	pctx, cancel := context.WithTimeout(ctx, cc.ConnectTimeout+5*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, s.errorf("connect to %s: %w", where, err)
	}
	s.pool = pool
	return pool, nil
}

// Open connects, creates or checks the table and the bookkeeping table.
func (s *Sink) Open(ctx context.Context, spec executor.SinkSpec) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := newPlan(s.schema, s.table, spec)
	if err != nil {
		return s.errorf("%v", err)
	}
	pool, err := s.connect(ctx)
	if err != nil {
		return err
	}
	if err := ensureSchema(ctx, pool, s.schema); err != nil {
		return s.errorf("%v", err)
	}
	if err := ensureOffsets(ctx, pool, s.schema); err != nil {
		return s.errorf("%v", err)
	}
	if err := ensureTable(ctx, pool, p); err != nil {
		return s.errorf("%v", err)
	}
	s.releaseBuf()
	s.plan, s.spec = p, spec
	return nil
}

// LastEpoch returns the epoch tide_offsets holds for the query, or -1.
func (s *Sink) LastEpoch(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plan == nil || s.pool == nil {
		return -1, s.errorf("last epoch: sink is not open")
	}
	var epoch int64
	err := s.pool.QueryRow(ctx, s.plan.lastEpochSQL, s.spec.QueryID).Scan(&epoch)
	if errors.Is(err, pgx.ErrNoRows) {
		return -1, nil
	}
	if err != nil {
		return -1, s.errorf("read %s.tide_offsets: %w", s.schema, err)
	}
	return epoch, nil
}

// QueryIDs lists the sink ids tide_offsets holds epochs of, so that a
// query that lost its checkpoint sees that it wrote here before
// (executor.EpochHistory).
func (s *Sink) QueryIDs(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plan == nil || s.pool == nil {
		return nil, s.errorf("query ids: sink is not open")
	}
	rows, err := s.pool.Query(ctx, s.plan.queryIDsSQL)
	if err != nil {
		return nil, s.errorf("read %s.tide_offsets: %w", s.schema, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, s.errorf("read %s.tide_offsets: %w", s.schema, err)
	}
	return ids, nil
}

var _ executor.EpochHistory = (*Sink)(nil)

// Write buffers rec until Commit.
func (s *Sink) Write(_ context.Context, rec arrow.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plan == nil {
		return s.errorf("write: sink is not open")
	}
	if err := s.plan.check(rec.Schema()); err != nil {
		return s.errorf("write: %v", err)
	}
	if rec.NumRows() == 0 {
		return nil
	}
	rec.Retain()
	s.buf = append(s.buf, rec)
	return nil
}

// Commit writes the buffered rows and records epoch in one transaction. An
// epoch at or below the one stored is skipped (and its rows dropped).
func (s *Sink) Commit(ctx context.Context, epoch int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.plan == nil || s.pool == nil {
		return s.errorf("commit: sink is not open")
	}
	if err := s.commit(ctx, epoch); err != nil {
		return s.errorf("commit epoch %d to %s.%s: %w", epoch, s.schema, s.table, err)
	}
	s.releaseBuf()
	return nil
}

// commit runs the epoch's transaction. Claiming the epoch in tide_offsets
// comes first: the conditional upsert both checks the stored epoch and locks
// the query's row, so that two writers of one query cannot both commit it.
func (s *Sink) commit(ctx context.Context, epoch int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	tag, err := tx.Exec(ctx, s.plan.claimSQL, s.spec.QueryID, epoch)
	if err != nil {
		return fmt.Errorf("claim epoch in tide_offsets: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil // replay of a committed epoch: a no-op
	}
	rows, err := s.plan.collect(s.buf)
	if err != nil {
		return err
	}
	if err := s.method.write(ctx, tx, s.plan, rows); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Abort drops the rows buffered since the last commit.
func (s *Sink) Abort(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseBuf()
	return nil
}

// Close releases the buffered rows and the connections. It is safe to call
// twice.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseBuf()
	if s.pool != nil {
		s.pool.Close()
		s.pool = nil
	}
	s.closed = true
	return nil
}

func (s *Sink) releaseBuf() {
	for _, r := range s.buf {
		r.Release()
	}
	s.buf = nil
}
