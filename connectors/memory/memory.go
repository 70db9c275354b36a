// Package memory is the default table connector: rows kept in the engine's
// memory, readable with SELECT * FROM table. A table with a PRIMARY KEY
// keeps the last row per key (upserts); one without appends. Contents live
// as long as the engine process.
package memory

import (
	"context"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

func init() {
	executor.Register(&executor.Connector{
		Name:     "memory",
		NewSink:  newSink,
		Volatile: true,
		Drop:     func(t *catalog.Table, env executor.Env) { Drop(env.Instance, t.Name) },
	})
}

// table is one memory table's contents.
type table struct {
	mu     sync.Mutex
	schema *arrow.Schema
	rows   [][]any
	index  map[string]int   // key → row, for tables with a primary key
	epochs map[string]int64 // query id → last committed epoch
}

var stores sync.Map // instance + "\x00" + table name → *table

func lookup(instance, name string, schema *arrow.Schema) *table {
	key := instance + "\x00" + strings.ToLower(name)
	t, _ := stores.LoadOrStore(key, &table{schema: schema, index: map[string]int{}, epochs: map[string]int64{}})
	return t.(*table)
}

// Drop forgets a memory table's contents (DROP TABLE).
func Drop(instance, name string) {
	stores.Delete(instance + "\x00" + strings.ToLower(name))
}

type sink struct {
	t       *table
	spec    executor.SinkSpec
	pending []arrow.Record
}

var _ executor.Sink = (*sink)(nil)
var _ executor.Scanner = (*sink)(nil)

func newSink(t *catalog.Table, env executor.Env) (executor.Sink, error) {
	return &sink{t: lookup(env.Instance, t.Name, t.Schema()), spec: executor.SinkSpec{Schema: t.Schema(), PrimaryKey: t.PrimaryKeyIndexes()}}, nil
}

func (s *sink) Open(ctx context.Context, spec executor.SinkSpec) error {
	s.spec = spec
	return nil
}

func (s *sink) LastEpoch(ctx context.Context) (int64, error) {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	if e, ok := s.t.epochs[s.spec.QueryID]; ok {
		return e, nil
	}
	return -1, nil
}

func (s *sink) Write(ctx context.Context, rec arrow.Record) error {
	rec.Retain()
	s.pending = append(s.pending, rec)
	return nil
}

func (s *sink) Commit(ctx context.Context, epoch int64) error {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	defer s.release()
	if last, ok := s.t.epochs[s.spec.QueryID]; ok && epoch <= last && s.spec.QueryID != "" {
		return nil
	}
	upsert := s.spec.Mode == executor.SinkUpsert && len(s.spec.PrimaryKey) > 0
	del := deletedIndex(s.spec.Schema) // rows of a changelog: TRUE deletes the key
	for _, rec := range s.pending {
		for i := 0; i < int(rec.NumRows()); i++ {
			width := int(rec.NumCols())
			if del >= 0 {
				width = del
			}
			row := make([]any, width)
			for c := range row {
				row[c] = executor.Value(rec.Column(c), i)
			}
			if del >= 0 && upsert {
				if v, _ := executor.Value(rec.Column(del), i).(bool); v {
					s.t.remove(row, s.spec.PrimaryKey)
					continue
				}
			}
			if !upsert {
				s.t.rows = append(s.t.rows, row)
				continue
			}
			k, _ := executor.RowKey(row, s.spec.PrimaryKey) // NULL keys form a group of their own
			if j, ok := s.t.index[k]; ok {
				s.t.rows[j] = row
			} else {
				s.t.index[k] = len(s.t.rows)
				s.t.rows = append(s.t.rows, row)
			}
		}
	}
	if s.spec.QueryID != "" {
		s.t.epochs[s.spec.QueryID] = epoch
	}
	return nil
}

// deletedIndex is the position of the __deleted column that marks the
// retractions of a changelog, -1 if the rows have none.
func deletedIndex(schema *arrow.Schema) int {
	if n := schema.NumFields(); n > 0 && schema.Field(n-1).Name == executor.DeletedColumn && schema.Field(n-1).Type.ID() == arrow.BOOL {
		return n - 1
	}
	return -1
}

// remove deletes the row with row's key, if there is one.
func (t *table) remove(row []any, key []int) {
	k, _ := executor.RowKey(row, key)
	j, ok := t.index[k]
	if !ok {
		return
	}
	delete(t.index, k)
	last := len(t.rows) - 1
	if j != last {
		t.rows[j] = t.rows[last]
		moved, _ := executor.RowKey(t.rows[j], key)
		t.index[moved] = j
	}
	t.rows = t.rows[:last]
}

func (s *sink) release() {
	for _, r := range s.pending {
		r.Release()
	}
	s.pending = nil
}

func (s *sink) Abort(ctx context.Context) error { s.release(); return nil }
func (s *sink) Close() error                    { s.release(); return nil }

// Scan returns the table's rows as one record.
func (s *sink) Scan(ctx context.Context) ([]arrow.Record, *arrow.Schema, error) {
	s.t.mu.Lock()
	defer s.t.mu.Unlock()
	rec, err := executor.BuildRecord(memory.DefaultAllocator, s.t.schema, s.t.rows)
	if err != nil {
		return nil, nil, err
	}
	return []arrow.Record{rec}, s.t.schema, nil
}
