package main

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor/engine"
)

// sqlEngine is what the commands need from the engine. *engine.Engine
// satisfies it through engineAdapter; tests use a fake.
type sqlEngine interface {
	// Execute runs the statements of script, calling onResult for each.
	Execute(ctx context.Context, script string, onResult func(*result) error) error
	Queries() []engine.QueryInfo
	Query(id string) (engine.QueryInfo, bool)
	StopQuery(id string) error
	Wait(ctx context.Context) error
	// Catalog may return nil (no catalog to complete or describe from).
	Catalog() *catalog.Catalog
	Close() error
}

// result is one statement's engine.Result as the commands see it. Records
// and Stream belong to the engine: they are released and closed when
// onResult returns.
type result struct {
	Kind      engine.ResultKind
	Statement string
	Message   string
	Schema    *arrow.Schema
	Records   []arrow.RecordBatch
	Stream    *pushStream // ResultStream
	QueryID   string
	Text      string
}

// pushStream is engine.Stream behind functions, so that tests can build one.
type pushStream struct {
	Schema *arrow.Schema
	Update bool
	Key    []int

	next  func(ctx context.Context) (arrow.RecordBatch, error)
	close func()
	once  sync.Once
}

// Next returns the next batch (the caller releases it), io.EOF at the end,
// or ctx.Err() when ctx is done.
func (s *pushStream) Next(ctx context.Context) (arrow.RecordBatch, error) { return s.next(ctx) }

// Close stops the push query; it is safe to call twice.
func (s *pushStream) Close() {
	if s == nil {
		return
	}
	s.once.Do(func() {
		if s.close != nil {
			s.close()
		}
	})
}

// engineAdapter makes *engine.Engine a sqlEngine.
type engineAdapter struct{ *engine.Engine }

var _ sqlEngine = engineAdapter{}

func (e engineAdapter) Execute(ctx context.Context, script string, onResult func(*result) error) error {
	return e.Engine.Execute(ctx, script, func(r *engine.Result) error {
		res := &result{
			Kind: r.Kind, Statement: r.Statement, Message: r.Message, Schema: r.Schema,
			Records: r.Records, QueryID: r.QueryID, Text: r.Text,
		}
		if s := r.Stream; s != nil {
			res.Stream = &pushStream{Schema: s.Schema, Update: s.Update, Key: s.Key, next: s.Next, close: s.Close}
			if res.Schema == nil {
				res.Schema = s.Schema
			}
		}
		defer r.Release()
		defer res.Stream.Close()
		if onResult == nil {
			return nil
		}
		return onResult(res)
	})
}

// openRealEngine opens the engine over cfg.
func openRealEngine(ctx context.Context, cfg engine.Config) (sqlEngine, error) {
	e, err := engine.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return engineAdapter{e}, nil
}
