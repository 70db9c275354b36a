package ops

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/planner"
)

// ChangelogNormalize keeps the current row of every key of a changelog and
// turns its changes into full retractions (see planner.ChangelogNormalize):
// a row that is not marked deleted replaces its key's row (the old one goes
// out marked deleted, the new one unmarked); a row marked deleted retracts
// its key's row, whatever columns besides the key it carries. A delete of
// a key it does not hold is counted and dropped.
type ChangelogNormalize struct {
	input   executor.Operator
	schema  *arrow.Schema
	key     []int
	del     int // the __deleted column, last
	mem     memory.Allocator
	rows    map[string][]any // by key: the current row, without the mark
	unknown int64
}

var (
	_ executor.Operator = (*ChangelogNormalize)(nil)
	_ executor.Stateful = (*ChangelogNormalize)(nil)
)

// NewChangelogNormalize builds the operator for n over input.
func NewChangelogNormalize(n *planner.ChangelogNormalize, input executor.Operator, mem memory.Allocator) (*ChangelogNormalize, error) {
	s := input.Schema()
	del := s.NumFields() - 1
	if del < 0 || s.Field(del).Name != planner.DeletedColumn {
		return nil, fmt.Errorf("changelog normalize: the input's last column is not %s", planner.DeletedColumn)
	}
	return &ChangelogNormalize{input: input, schema: s, key: n.Key, del: del, mem: mem, rows: map[string][]any{}}, nil
}

func (c *ChangelogNormalize) Schema() *arrow.Schema          { return c.schema }
func (c *ChangelogNormalize) Open(ctx context.Context) error { return c.input.Open(ctx) }
func (c *ChangelogNormalize) Close() error                   { return c.input.Close() }
func (c *ChangelogNormalize) Children() []executor.Operator  { return []executor.Operator{c.input} }

// StateRows is the number of keys held.
func (c *ChangelogNormalize) StateRows() int64 { return int64(len(c.rows)) }

// UnknownDeletes counts deletes of keys that were never seen.
func (c *ChangelogNormalize) UnknownDeletes() int64 { return c.unknown }

func (c *ChangelogNormalize) Next(ctx context.Context) (executor.Msg, error) {
	for {
		m, err := c.input.Next(ctx)
		if err != nil || m.Kind != executor.MsgBatch {
			return m, err
		}
		out, err := c.normalize(m.Batch)
		m.Batch.Release()
		if err != nil {
			return executor.Msg{}, err
		}
		if out == nil {
			continue
		}
		return executor.Msg{Kind: executor.MsgBatch, Batch: out}, nil
	}
}

func (c *ChangelogNormalize) normalize(rec arrow.Record) (arrow.Record, error) {
	var out [][]any
	marks, _ := rec.Column(c.del).(*array.Boolean)
	width := c.del
	for r := 0; r < int(rec.NumRows()); r++ {
		row := make([]any, width)
		for i := range row {
			row[i] = executor.Value(rec.Column(i), r)
		}
		key, null := executor.RowKey(row, c.key)
		if null {
			return nil, fmt.Errorf("a change without a value for its primary key (%s)", c.keyNames())
		}
		old, held := c.rows[key]
		deleted := marks != nil && marks.IsValid(r) && marks.Value(r)
		if held {
			out = append(out, append(old, true))
		}
		if deleted {
			if !held {
				c.unknown++
			}
			delete(c.rows, key)
			continue
		}
		c.rows[key] = row
		out = append(out, append(append([]any(nil), row...), false))
	}
	if len(out) == 0 {
		return nil, nil
	}
	return executor.BuildRecord(c.mem, c.schema, out)
}

func (c *ChangelogNormalize) keyNames() string {
	var s string
	for i, k := range c.key {
		if i > 0 {
			s += ", "
		}
		s += c.schema.Field(k).Name
	}
	return s
}

// Snapshot writes the rows held: their count, then each row.
func (c *ChangelogNormalize) Snapshot() ([]byte, error) {
	buf := binary.AppendUvarint(nil, uint64(len(c.rows)))
	var err error
	for _, row := range c.rows {
		if buf, err = appendValues(buf, row); err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// Restore loads what Snapshot wrote.
func (c *ChangelogNormalize) Restore(state []byte) error {
	r := &valueReader{buf: state}
	n := r.uvarint()
	c.rows = map[string][]any{}
	for i := uint64(0); i < n && r.err == nil; i++ {
		row := r.values()
		if r.err == nil {
			key, _ := executor.RowKey(row, c.key)
			c.rows[key] = row
		}
	}
	if r.err != nil {
		return fmt.Errorf("changelog normalize: %w", r.err)
	}
	return nil
}
