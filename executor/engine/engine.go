package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/parser"
	"github.com/tide-sql/tide/planner"
)

// Engine executes statements.
type Engine struct {
	cfg      Config
	cat      *catalog.Catalog
	plan     *planner.Planner
	mem      memory.Allocator
	instance string

	mu       sync.Mutex
	queries  map[string]*query // continuous queries by id
	starting map[string]bool   // ids of queries being started
	streams  map[*Stream]bool  // open push queries, closed with the engine
	order    []string
	settings map[string]string
	closed   bool
}

// Open loads the catalog from cfg.StateDir. Continuous queries start when
// their INSERT is executed again: `tide run` of the same file resumes each
// one from its checkpoint.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	var (
		cat *catalog.Catalog
		err error
	)
	if cfg.StateDir != "" {
		if err := os.MkdirAll(cfg.StateDir, 0o755); err != nil {
			return nil, fmt.Errorf("state directory: %w", err)
		}
		cat, err = catalog.Open(cfg.StateDir)
		if err != nil {
			return nil, err
		}
	} else {
		cat = catalog.New()
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	e := &Engine{
		cfg: cfg, cat: cat, plan: &planner.Planner{Catalog: cat, ShowsChanges: executor.ShowsChanges}, mem: memory.DefaultAllocator,
		instance: hex.EncodeToString(id[:]), queries: map[string]*query{}, settings: map[string]string{},
		starting: map[string]bool{}, streams: map[*Stream]bool{},
	}
	e.plan.Setting = e.setting
	e.plan.Changelog = executor.Changelog
	return e, nil
}

// Catalog returns the engine's catalog.
func (e *Engine) Catalog() *catalog.Catalog { return e.cat }

// env is what connectors get from the engine.
func (e *Engine) env() executor.Env {
	return executor.Env{Brokers: e.cfg.Brokers, Registry: e.cfg.Registry, StateDir: e.cfg.StateDir, Instance: e.instance, Console: e.cfg.Console, Table: e.sinkFor, Paths: e.cfg.Paths, Hosts: e.cfg.Hosts}
}

// sinkFor resolves a table name to a new sink over it.
func (e *Engine) sinkFor(name string) (*catalog.Table, executor.Sink, error) {
	t, err := e.cat.Get(name)
	if err != nil {
		return nil, nil, fmt.Errorf("table %q not found", name)
	}
	if t.Kind != catalog.KindTable {
		return nil, nil, fmt.Errorf("%s is not a table", name)
	}
	c, err := executor.Lookup(t.Connector)
	if err != nil {
		return nil, nil, err
	}
	if c.NewSink == nil {
		return nil, nil, fmt.Errorf("connector %s cannot be written to", t.Connector)
	}
	s, err := c.NewSink(t, e.env())
	if err != nil {
		return nil, nil, fmt.Errorf("table %s: %w", t.Name, err)
	}
	return t, s, nil
}

// Execute parses script and runs its statements in order, calling onResult
// for each. It stops at the first error, which is a *parser.Error (with the
// position in script) for anything the user's SQL caused.
func (e *Engine) Execute(ctx context.Context, script string, onResult func(*Result) error) error {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return ErrClosed
	}
	stmts, err := parser.Parse(script)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		res, err := e.exec(ctx, st)
		if err != nil {
			return err
		}
		res.Statement = st.Text()
		if onResult != nil {
			if err := onResult(res); err != nil {
				return err
			}
		} else {
			if res.Stream != nil {
				res.Stream.Close()
			}
			res.Release()
		}
	}
	return nil
}

// exec runs one statement; a panic in it becomes the statement's error.
func (e *Engine) exec(ctx context.Context, st parser.Statement) (res *Result, err error) {
	defer func() {
		if err != nil {
			res = nil
		}
	}()
	defer e.recoverPanic(statementLabel(st), &err)
	return e.dispatch(ctx, st)
}

func (e *Engine) dispatch(ctx context.Context, st parser.Statement) (*Result, error) {
	switch s := st.(type) {
	case *parser.CreateSource:
		return e.createSource(ctx, s)
	case *parser.CreateTable:
		if s.As != nil {
			return e.createTableAs(ctx, s)
		}
		return e.createTable(s)
	case *parser.CreateView:
		return e.createView(s)
	case *parser.Insert:
		return e.insert(ctx, s)
	case *parser.Select:
		return e.selectQuery(ctx, s)
	case *parser.Explain:
		return e.explain(s)
	case *parser.Show:
		return e.show(s)
	case *parser.Describe:
		return e.describe(s)
	case *parser.StopQuery:
		if err := e.StopQuery(s.ID); err != nil {
			return nil, &parser.Error{Pos: s.IDPos, Msg: err.Error(), Hint: "SHOW QUERIES lists the running queries"}
		}
		return &Result{Kind: ResultOK, Message: "query " + s.ID + " stopped"}, nil
	case *parser.Drop:
		return e.drop(s)
	case *parser.Set:
		return e.set(s)
	}
	return nil, &parser.Error{Pos: st.Pos(), Msg: fmt.Sprintf("statement %T is not supported", st)}
}

// settingNames are the settings SET accepts.
var settingNames = []string{"trigger_interval", "run_once", "execution.runtime-mode", "state.max_bytes", "state.ttl", "parallelism"}

func (e *Engine) set(s *parser.Set) (*Result, error) {
	switch s.Name {
	case "trigger_interval", "trigger.interval":
		if _, err := parser.ParseDurationText(s.Value); err != nil {
			return nil, &parser.Error{Pos: s.ValuePos, Msg: err.Error()}
		}
		s.Name = "trigger_interval"
	case "parallelism", "parallelism.default", "table.exec.resource.default-parallelism":
		// Flink's spellings too.
		if n, err := strconv.Atoi(strings.TrimSpace(s.Value)); err != nil || n < 1 || n > maxParallelism {
			return nil, &parser.Error{Pos: s.ValuePos, Msg: fmt.Sprintf("parallelism takes a whole number from 1 to %d", maxParallelism)}
		}
		s.Name = "parallelism"
	case "run_once":
		if s.Value != "true" && s.Value != "false" {
			return nil, &parser.Error{Pos: s.ValuePos, Msg: "run_once takes 'true' or 'false'"}
		}
	case "execution.runtime-mode", "runtime_mode", "execution.runtime_mode":
		// Flink's switch: 'batch' reads every source up to the end offsets
		// seen at start (stop = 'latest'), closes every window and finishes.
		v := strings.ToLower(s.Value)
		if v != "batch" && v != "streaming" {
			return nil, &parser.Error{Pos: s.ValuePos, Msg: "execution.runtime-mode takes 'streaming' or 'batch'"}
		}
		s.Name, s.Value = "execution.runtime-mode", v
	case "state.max_bytes", "state.max-bytes":
		// Read by the queries started after it.
		if _, err := parseByteSize(s.Value); err != nil {
			return nil, &parser.Error{Pos: s.ValuePos, Msg: "state.max_bytes: " + err.Error()}
		}
		s.Name = "state.max_bytes"
	case "state.ttl", "table.exec.state.ttl":
		// Flink's spelling too. Read by the joins planned after it.
		d, err := parser.ParseDurationText(s.Value)
		if err != nil || d < 0 {
			return nil, &parser.Error{Pos: s.ValuePos, Msg: "state.ttl takes a duration such as '1 hour' or '30 min'"}
		}
		s.Name = "state.ttl"
	default:
		return nil, &parser.Error{Pos: s.Pos(), Msg: fmt.Sprintf("unknown setting %q", s.Name), Hint: "settings are " + strings.Join(settingNames, ", ")}
	}
	e.mu.Lock()
	e.settings[s.Name] = s.Value
	e.mu.Unlock()
	return &Result{Kind: ResultOK, Message: fmt.Sprintf("%s = '%s'", s.Name, s.Value)}, nil
}

func (e *Engine) setting(name string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.settings[name]
}

func (e *Engine) triggerInterval() time.Duration {
	d, _ := parser.ParseDurationText(e.setting("trigger_interval"))
	return d
}

// Queries lists the continuous queries, oldest first.
func (e *Engine) Queries() []QueryInfo {
	e.mu.Lock()
	qs := make([]*query, 0, len(e.order))
	for _, id := range e.order {
		qs = append(qs, e.queries[id])
	}
	e.mu.Unlock()
	out := make([]QueryInfo, len(qs))
	for i, q := range qs {
		out[i] = q.snapshotInfo()
	}
	return out
}

// Query returns one continuous query's status.
func (e *Engine) Query(id string) (QueryInfo, bool) {
	e.mu.Lock()
	q, ok := e.queries[strings.ToLower(id)]
	e.mu.Unlock()
	if !ok {
		return QueryInfo{}, false
	}
	return q.snapshotInfo(), true
}

// ErrClosed is returned by Execute after Close.
var ErrClosed = errors.New("engine is closed")

// ErrQueryNotFound is returned for an unknown query id.
var ErrQueryNotFound = errors.New("query not found")

// StopQuery stops a continuous query, keeping its checkpoint.
func (e *Engine) StopQuery(id string) error {
	e.mu.Lock()
	q, ok := e.queries[strings.ToLower(id)]
	e.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", ErrQueryNotFound, id)
	}
	q.stop()
	return nil
}

// Wait blocks until every continuous query has ended (bounded inputs) or
// ctx is done; it returns the first query failure.
func (e *Engine) Wait(ctx context.Context) error {
	e.mu.Lock()
	qs := make([]*query, 0, len(e.queries))
	for _, id := range e.order {
		qs = append(qs, e.queries[id])
	}
	e.mu.Unlock()
	var first error
	for _, q := range qs {
		select {
		case <-q.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := q.err(); err != nil && first == nil {
			first = fmt.Errorf("query %s: %w", q.id, err)
		}
	}
	return first
}

// Close stops every query (keeping checkpoints) and releases resources.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	qs := make([]*query, 0, len(e.queries))
	for _, q := range e.queries {
		qs = append(qs, q)
	}
	streams := make([]*Stream, 0, len(e.streams))
	for s := range e.streams {
		streams = append(streams, s)
	}
	e.mu.Unlock()
	for _, s := range streams {
		s.Close()
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i].id < qs[j].id })
	for _, q := range qs {
		q.stop()
	}
	return nil
}
