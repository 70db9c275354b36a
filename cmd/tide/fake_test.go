package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor/engine"
)

// fakeEngine is a sqlEngine whose Execute answers from a script of canned
// results: exec decides per script (nil: one ResultOK per call).
type fakeEngine struct {
	mu      sync.Mutex
	exec    func(ctx context.Context, script string, on func(*result) error) error
	scripts []string // every script Execute received
	queries []engine.QueryInfo
	stopped []string
	waitErr error
	waitFor chan struct{} // Wait blocks until closed (nil: returns at once)
	cat     *catalog.Catalog
	closed  bool
	cfg     engine.Config // what the app opened it with
}

var _ sqlEngine = (*fakeEngine)(nil)

func (f *fakeEngine) Execute(ctx context.Context, script string, on func(*result) error) error {
	f.mu.Lock()
	f.scripts = append(f.scripts, script)
	exec := f.exec
	f.mu.Unlock()
	if exec != nil {
		return exec(ctx, script, on)
	}
	return on(&result{Kind: engine.ResultOK, Statement: script, Message: "ok"})
}

func (f *fakeEngine) Queries() []engine.QueryInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]engine.QueryInfo(nil), f.queries...)
}

func (f *fakeEngine) Query(id string) (engine.QueryInfo, bool) {
	for _, q := range f.Queries() {
		if q.ID == id {
			return q, true
		}
	}
	return engine.QueryInfo{}, false
}

func (f *fakeEngine) StopQuery(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, q := range f.queries {
		if q.ID == id {
			f.queries[i].State = engine.QueryStopped
			f.stopped = append(f.stopped, id)
			return nil
		}
	}
	return engine.ErrQueryNotFound
}

func (f *fakeEngine) Wait(ctx context.Context) error {
	if f.waitFor != nil {
		select {
		case <-f.waitFor:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return f.waitErr
}

func (f *fakeEngine) Catalog() *catalog.Catalog { return f.cat }

func (f *fakeEngine) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

func (f *fakeEngine) executed() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.scripts...)
}

// fakeStream is a push query that returns its batches, then io.EOF, or
// with block set waits for the context after them.
type fakeStream struct {
	batches []arrow.RecordBatch
	block   bool
	closed  chan struct{}
	once    sync.Once
}

func newFakeStream(block bool, batches ...arrow.RecordBatch) *fakeStream {
	return &fakeStream{batches: batches, block: block, closed: make(chan struct{})}
}

func (s *fakeStream) push(schema *arrow.Schema, update bool, key ...int) *pushStream {
	return &pushStream{Schema: schema, Update: update, Key: key, next: s.next, close: s.close}
}

func (s *fakeStream) next(ctx context.Context) (arrow.RecordBatch, error) {
	if len(s.batches) > 0 {
		b := s.batches[0]
		s.batches = s.batches[1:]
		return b, nil
	}
	if !s.block {
		return nil, io.EOF
	}
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.closed:
		return nil, io.EOF
	}
}

func (s *fakeStream) close() {
	s.once.Do(func() {
		for _, b := range s.batches {
			b.Release()
		}
		s.batches = nil
		close(s.closed)
	})
}

func (s *fakeStream) wasClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// kvSchema is a small schema for hand-built results.
var kvSchema = arrow.NewSchema([]arrow.Field{
	{Name: "customer_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "event_time", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
}, nil)

// kv builds a kvSchema record: customer_id, amount (nil for NULL), and
// event_time at base + i seconds.
func kv(mem memory.Allocator, rows ...[2]any) arrow.RecordBatch {
	base := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	b := array.NewRecordBuilder(mem, kvSchema)
	defer b.Release()
	for i, r := range rows {
		b.Field(0).(*array.StringBuilder).Append(r[0].(string))
		if r[1] == nil {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Float64Builder).Append(r[1].(float64))
		}
		b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(base.Add(time.Duration(i) * time.Second).UnixMicro()))
	}
	return b.NewRecordBatch()
}

func checkedMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// testApp is an app with buffers for streams, a fake engine, no embedded
// broker (tests that need one set startBroker) and a signal channel.
type testApp struct {
	*app
	out, errb *syncBuffer
	eng       *fakeEngine
	env       map[string]string
	sigs      chan os.Signal
	brokers   int // embedded brokers started
}

func newTestApp(t *testing.T, eng *fakeEngine) *testApp {
	ta := &testApp{out: &syncBuffer{}, errb: &syncBuffer{}, eng: eng, env: map[string]string{}, sigs: make(chan os.Signal, 1)}
	ta.app = &app{
		stdin:  strings.NewReader(""),
		stdout: ta.out, stderr: ta.errb,
		getenv: func(k string) string { return ta.env[k] },
		openEngine: func(_ context.Context, cfg engine.Config) (sqlEngine, error) {
			if ta.eng == nil {
				return nil, errors.New("engine: not implemented yet")
			}
			ta.eng.cfg = cfg
			return ta.eng, nil
		},
		startBroker: func(addr string, partitions int32) (embeddedBroker, error) {
			ta.brokers++
			return fakeBroker{}, nil
		},
		notify:   func() (<-chan os.Signal, func()) { return ta.sigs, func() {} },
		terminal: func() bool { return false },
	}
	return ta
}

type fakeBroker struct{}

func (fakeBroker) Addr() string        { return "127.0.0.1:19092" }
func (fakeBroker) RegistryURL() string { return "http://127.0.0.1:18081" }
func (fakeBroker) Close()              {}

// syncBuffer is a bytes.Buffer safe for the goroutines of a command.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
