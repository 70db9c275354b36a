package delta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
	"github.com/tide-sql/tide/executor"
)

// ErrNoTable is returned by ReadTable for a path that holds no Delta log.
var ErrNoTable = errors.New("no delta table")

// Sink writes a query's output into a Delta table, one commit per epoch.
type Sink struct {
	cfg      Config
	mem      memory.Allocator
	declared *arrow.Schema // the catalog's columns: Scan's schema before a table exists

	mu          sync.Mutex
	open        bool
	spec        executor.SinkSpec
	snap        *snapshot
	writer      *dataWriter
	buf         []arrow.Record   // rows of the current epoch
	changelog   bool             // the query's rows end with __deleted: TRUE deletes the key
	gone        []*array.Boolean // per record of buf, its __deleted column (changelog)
	dataCommits int              // commits that added files since the last compaction
	lastAdded   map[string]bool  // paths the last epoch commit added
	narrow      bool             // rows are converted to narrower table types
}

var (
	_ executor.Sink    = (*Sink)(nil)
	_ executor.Scanner = (*Sink)(nil)
)

// New returns a sink for the table cfg describes. declared may be nil.
func New(cfg Config, declared *arrow.Schema, mem memory.Allocator) *Sink {
	return &Sink{cfg: cfg, declared: declared, mem: mem}
}

// Open creates the table if it does not exist, or checks that the query's
// schema and partitioning match it, and replays its log.
func (s *Sink) Open(ctx context.Context, spec executor.SinkSpec) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	root := s.cfg.Path
	if s.open {
		return fmt.Errorf("delta sink for %s is already open", root)
	}
	if spec.Schema == nil {
		return fmt.Errorf("delta sink for %s: no schema", root)
	}
	if spec.Mode == 0 {
		spec.Mode = executor.SinkAppend
	}
	// A changelog's rows carry __deleted after the table's columns: the
	// sink keeps it beside the rows, never in the table.
	s.changelog = false
	if n := spec.Schema.NumFields(); n > 0 && spec.Schema.Field(n-1).Name == executor.DeletedColumn {
		if spec.Mode != executor.SinkUpsert {
			return fmt.Errorf("delta table at %s: the query's rows are changes (%s), which an append needs a primary key to apply", root, executor.DeletedColumn)
		}
		s.changelog = true
		spec.Schema = arrow.NewSchema(spec.Schema.Fields()[:n-1], nil)
	}
	if spec.Mode == executor.SinkUpsert {
		if len(spec.PrimaryKey) == 0 {
			return fmt.Errorf("upsert into delta table at %s needs a primary key", root)
		}
		for _, k := range spec.PrimaryKey {
			if k < 0 || k >= spec.Schema.NumFields() {
				return fmt.Errorf("delta table at %s: primary key column %d is out of range", root, k)
			}
		}
	}
	if _, err := schemaString(spec.Schema); err != nil {
		return fmt.Errorf("delta table at %s: %w", root, err)
	}
	for _, p := range s.cfg.PartitionBy {
		i := columnIndex(spec.Schema, p)
		if i < 0 {
			return fmt.Errorf("delta table at %s: partition_by column %q is not a column of the query (columns: %s)", root, p, fieldNames(spec.Schema))
		}
		if t := spec.Schema.Field(i).Type; catalog.IsNested(t) {
			return fmt.Errorf("delta table at %s: partition_by column %q is %s: a table cannot be partitioned by a nested column", root, p, catalog.TypeName(t))
		}
	}
	if err := os.MkdirAll(filepath.Join(root, logDir), 0o755); err != nil {
		return fmt.Errorf("create delta table at %s: %w", root, err)
	}
	removeStaleTemps(root)
	snap, err := loadSnapshot(ctx, root, s.mem)
	if err != nil {
		return err
	}
	if snap.version < 0 {
		if snap, err = s.create(ctx, spec.Schema); err != nil {
			return err
		}
	}
	if err := s.checkTable(snap, spec); err != nil {
		return err
	}
	// Write with the table's column names and types: the query's, or
	// narrower ones its rows are converted to (checked above).
	fields := make([]arrow.Field, spec.Schema.NumFields())
	s.narrow = false
	for i, f := range spec.Schema.Fields() {
		t := snap.schema.Field(i).Type
		fields[i] = arrow.Field{Name: snap.schema.Field(i).Name, Type: t, Nullable: f.Nullable}
		s.narrow = s.narrow || !arrow.TypeEqual(t, f.Type)
	}
	w, err := newDataWriter(root, arrow.NewSchema(fields, nil), snap.metadata.PartitionColumns, s.mem)
	if err != nil {
		return err
	}
	s.spec, s.snap, s.writer, s.open, s.dataCommits = spec, snap, w, true, 0
	return nil
}

// create writes version 0: protocol, metadata and commit info.
func (s *Sink) create(ctx context.Context, sc *arrow.Schema) (*snapshot, error) {
	root := s.cfg.Path
	ss, err := schemaString(sc)
	if err != nil {
		return nil, err
	}
	parts := make([]string, 0, len(s.cfg.PartitionBy))
	for _, p := range s.cfg.PartitionBy {
		parts = append(parts, sc.Field(columnIndex(sc, p)).Name)
	}
	partJSON, _ := json.Marshal(parts)
	now := time.Now()
	acts := []action{
		{CommitInfo: &commitInfo{Timestamp: now.UnixMilli(), Operation: "CREATE TABLE", EngineInfo: engineInfo, TxnID: newUUID(),
			OperationParameters: map[string]string{"partitionBy": string(partJSON)}}},
		{Protocol: &protocolAction{MinReaderVersion: 1, MinWriterVersion: 2}},
		{MetaData: &metadataAction{ID: newUUID(), Format: formatSpec{Provider: "parquet", Options: map[string]string{}},
			SchemaString: ss, PartitionColumns: parts, CreatedTime: now.UnixMilli(), Configuration: s.cfg.properties()}},
	}
	err = writeCommit(root, 0, acts)
	if err != nil && !errors.Is(err, errVersionExists) {
		return nil, err
	}
	// Created by us or, if we lost the race, by another writer: read it.
	return loadSnapshot(ctx, root, s.mem)
}

// checkTable checks that the query can write into the existing table.
func (s *Sink) checkTable(snap *snapshot, spec executor.SinkSpec) error {
	root := s.cfg.Path
	if err := snap.checkProtocol(root, true); err != nil {
		return err
	}
	if snap.schemaErr != nil {
		return fmt.Errorf("delta table at %s: %w", root, snap.schemaErr)
	}
	if err := checkSchema(root, snap.schema, spec.Schema); err != nil {
		return err
	}
	have := snap.metadata.PartitionColumns
	if len(s.cfg.PartitionBy) > 0 && !strings.EqualFold(strings.Join(have, ","), strings.Join(s.cfg.PartitionBy, ",")) {
		return fmt.Errorf("delta table at %s is partitioned by (%s), but partition_by is (%s)",
			root, strings.Join(have, ", "), strings.Join(s.cfg.PartitionBy, ", "))
	}
	if spec.Mode == executor.SinkUpsert && snap.appendOnly() {
		return fmt.Errorf("delta table at %s is append-only (delta.appendOnly), so a query with a primary key cannot update it", root)
	}
	return nil
}

// LastEpoch returns the newest epoch of this query in the table's log
// (txn action with appId = query id), reading commits other writers made.
func (s *Sink) LastEpoch(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open {
		return 0, fmt.Errorf("delta sink for %s is not open", s.cfg.Path)
	}
	snap, err := s.snap.update(ctx, s.cfg.Path, s.mem)
	if err != nil {
		return 0, err
	}
	s.snap = snap
	if t, ok := snap.txns[s.spec.QueryID]; ok {
		return t.Version, nil
	}
	return -1, nil
}

// Write buffers rows of the current epoch.
func (s *Sink) Write(_ context.Context, rec arrow.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.open {
		return fmt.Errorf("delta sink for %s is not open", s.cfg.Path)
	}
	if s.changelog {
		n := int(rec.NumCols()) - 1
		gone, ok := rec.Column(n).(*array.Boolean)
		if n < 0 || !ok {
			return fmt.Errorf("delta sink for %s: a changelog record without its %s column", s.cfg.Path, executor.DeletedColumn)
		}
		gone.Retain()
		s.gone = append(s.gone, gone)
		rec = array.NewRecord(s.spec.Schema, rec.Columns()[:n], rec.NumRows())
		defer rec.Release()
	}
	if int(rec.NumCols()) != s.spec.Schema.NumFields() {
		return fmt.Errorf("delta sink for %s: record has %d columns, the table %d", s.cfg.Path, rec.NumCols(), s.spec.Schema.NumFields())
	}
	if s.narrow {
		r, err := narrowRecord(rec, s.writer.schema, s.mem)
		if err != nil {
			return fmt.Errorf("delta table at %s: %w", s.cfg.Path, err)
		}
		s.buf = append(s.buf, r)
		return nil
	}
	rec.Retain()
	s.buf = append(s.buf, rec)
	return nil
}

// Abort drops the rows buffered since the last commit.
func (s *Sink) Abort(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop()
	return nil
}

func (s *Sink) drop() {
	pqfile.Release(s.buf)
	s.buf = nil
	for _, g := range s.gone {
		g.Release()
	}
	s.gone = nil
}

// Close drops buffered rows. It is safe to call twice.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop()
	s.open, s.snap, s.writer = false, nil, nil
	return nil
}

// Scan returns the table's current contents: the declared columns (all of
// the table's if none are declared). A table not created yet is empty.
func (s *Sink) Scan(ctx context.Context) ([]arrow.Record, *arrow.Schema, error) {
	var want *arrow.Schema
	if s.declared != nil && s.declared.NumFields() > 0 {
		want = s.declared
	}
	recs, sc, _, err := ReadColumns(ctx, s.cfg.Path, want, s.mem)
	if errors.Is(err, ErrNoTable) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.open {
			return nil, s.spec.Schema, nil
		}
		return nil, s.declared, nil
	}
	return recs, sc, err
}
