package parquet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
	"github.com/tide-sql/tide/executor"
)

// ErrUpsert is the error of Open for a query with a primary key.
var ErrUpsert = errors.New("parquet sink is append-only; use connector 'delta' or 'postgres' for a table with a PRIMARY KEY")

// Sink appends each epoch's rows to a directory as one Parquet file.
type Sink struct {
	dir      string
	mem      memory.Allocator
	declared *arrow.Schema // the catalog's columns; may be nil

	mu   sync.Mutex
	open bool
	spec executor.SinkSpec
	last int64          // highest epoch of this query in dir
	buf  []arrow.Record // rows of the current epoch
}

var (
	_ executor.Sink    = (*Sink)(nil)
	_ executor.Scanner = (*Sink)(nil)
)

// New returns a sink writing into dir. declared may be nil.
func New(dir string, declared *arrow.Schema, mem memory.Allocator) *Sink {
	return &Sink{dir: dir, declared: declared, mem: mem}
}

// crashHook is set by the crash tests only: called after an epoch's file is
// written under its temporary name, before it is linked to its own.
var crashHook func()

// Open creates the directory and checks the query's schema against the
// files already there.
func (s *Sink) Open(_ context.Context, spec executor.SinkSpec) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open {
		return fmt.Errorf("parquet sink for %s is already open", s.dir)
	}
	if spec.Mode == executor.SinkUpsert || len(spec.PrimaryKey) > 0 {
		return ErrUpsert
	}
	if spec.Schema == nil {
		return fmt.Errorf("parquet sink for %s: no schema", s.dir)
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return fmt.Errorf("create parquet directory %s: %w", s.dir, err)
	}
	if err := s.checkSchema(spec.Schema); err != nil {
		return err
	}
	removeTemps(s.dir, spec.QueryID)
	last, err := lastEpoch(s.dir, spec.QueryID)
	if err != nil {
		return err
	}
	s.spec, s.last, s.open = spec, last, true
	return nil
}

// checkSchema compares the query's columns with the newest file's.
func (s *Sink) checkSchema(query *arrow.Schema) error {
	files, err := dataFiles(s.dir)
	if err != nil || len(files) == 0 {
		return err
	}
	newest := files[len(files)-1]
	have, err := pqfile.ReadSchema(newest)
	if err != nil {
		return err
	}
	if have.NumFields() != query.NumFields() {
		return fmt.Errorf("parquet table at %s has %d columns (file %s), but the query writes %d",
			s.dir, have.NumFields(), filepath.Base(newest), query.NumFields())
	}
	for i, f := range have.Fields() {
		q := query.Field(i)
		if !strings.EqualFold(f.Name, q.Name) {
			return fmt.Errorf("parquet table at %s: column %d is %q in file %s but %q in the query", s.dir, i+1, f.Name, filepath.Base(newest), q.Name)
		}
		if !arrow.TypeEqual(f.Type, q.Type) {
			return fmt.Errorf("parquet table at %s: column %q is %s in file %s but %s in the query",
				s.dir, f.Name, catalog.TypeName(f.Type), filepath.Base(newest), catalog.TypeName(q.Type))
		}
	}
	return nil
}

// LastEpoch returns the highest epoch among this query's files.
func (s *Sink) LastEpoch(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open {
		return 0, fmt.Errorf("parquet sink for %s is not open", s.dir)
	}
	last, err := lastEpoch(s.dir, s.spec.QueryID)
	if err != nil {
		return 0, err
	}
	s.last = max(s.last, last)
	return s.last, nil
}

// Write buffers rows of the current epoch.
func (s *Sink) Write(_ context.Context, rec arrow.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open {
		return fmt.Errorf("parquet sink for %s is not open", s.dir)
	}
	if int(rec.NumCols()) != s.spec.Schema.NumFields() {
		return fmt.Errorf("parquet sink for %s: record has %d columns, the table %d", s.dir, rec.NumCols(), s.spec.Schema.NumFields())
	}
	rec.Retain()
	s.buf = append(s.buf, rec)
	return nil
}

// Commit writes the epoch's file. An epoch whose file exists (or that is
// not after the last committed one) is dropped. After an error the rows
// stay buffered, so that Commit can be tried again.
func (s *Sink) Commit(_ context.Context, epoch int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open {
		return fmt.Errorf("parquet sink for %s is not open", s.dir)
	}
	final := filepath.Join(s.dir, fileName(s.spec.QueryID, epoch))
	if epoch <= s.last || exists(final) || rows(s.buf) == 0 {
		s.drop()
		return nil
	}
	tmp := filepath.Join(s.dir, tempPrefix(s.spec.QueryID, epoch)+randomSuffix()+".tmp")
	recs := make([]arrow.Record, len(s.buf))
	for i, r := range s.buf {
		recs[i] = relabel(r, s.spec.Schema)
	}
	_, err := pqfile.Write(tmp, s.spec.Schema, recs, s.mem)
	pqfile.Release(recs)
	if err != nil {
		return fmt.Errorf("parquet table at %s, epoch %d: %w", s.dir, epoch, err)
	}
	defer os.Remove(tmp)
	if crashHook != nil {
		crashHook()
	}
	// Link, not rename: if another incarnation of the query got there
	// first, its file stays and this one is dropped.
	if err := os.Link(tmp, final); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("parquet table at %s, epoch %d: %w", s.dir, epoch, err)
	}
	if err := pqfile.SyncDir(s.dir); err != nil {
		return err
	}
	s.drop()
	s.last = epoch
	return nil
}

// Abort drops the rows buffered since the last commit.
func (s *Sink) Abort(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop()
	return nil
}

// Close drops buffered rows. It is safe to call twice.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop()
	s.open = false
	return nil
}

func (s *Sink) drop() {
	pqfile.Release(s.buf)
	s.buf = nil
}

// Scan reads every file of the directory.
func (s *Sink) Scan(ctx context.Context) ([]arrow.Record, *arrow.Schema, error) {
	s.mu.Lock()
	sc := s.declared
	if s.open {
		sc = s.spec.Schema
	}
	s.mu.Unlock()
	return ReadDir(ctx, s.dir, sc, s.mem)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func rows(recs []arrow.Record) int64 {
	var n int64
	for _, r := range recs {
		n += r.NumRows()
	}
	return n
}
