package engine

import (
	"context"
	"errors"

	"github.com/tide-sql/tide/catalog"
)

// Engine executes statements. (Implementation in progress.)
type Engine struct {
	cfg Config
	cat *catalog.Catalog
}

// Open loads the catalog from cfg.StateDir and restarts nothing: continuous
// queries start when their INSERT is executed again (tide run of the same
// file resumes each from its checkpoint).
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	return nil, errors.New("engine: not implemented yet")
}

// Execute parses script and runs its statements in order, calling onResult
// for each. It stops at the first error, which is a *parser.Error (with the
// position in script) for anything the user's SQL caused.
func (e *Engine) Execute(ctx context.Context, script string, onResult func(*Result) error) error {
	return errors.New("engine: not implemented yet")
}

// Queries lists the continuous queries, oldest first.
func (e *Engine) Queries() []QueryInfo { return nil }

// Query returns one continuous query's status.
func (e *Engine) Query(id string) (QueryInfo, bool) { return QueryInfo{}, false }

// StopQuery stops a continuous query, keeping its checkpoint.
func (e *Engine) StopQuery(id string) error { return errors.New("engine: not implemented yet") }

// Wait blocks until every continuous query has ended (bounded inputs) or
// ctx is done; it returns the first query failure.
func (e *Engine) Wait(ctx context.Context) error { return nil }

// Catalog returns the engine's catalog.
func (e *Engine) Catalog() *catalog.Catalog { return e.cat }

// Close stops every query (keeping checkpoints) and releases resources.
func (e *Engine) Close() error { return nil }
