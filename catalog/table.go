// Package catalog holds what exists: sources, tables, views and their
// schemas and connector options. It does no I/O beyond persisting itself as
// one JSON file under the state directory.
package catalog

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind says what a catalog entry is.
type Kind string

const (
	KindSource Kind = "SOURCE" // an input stream (Kafka topic, generator)
	KindTable  Kind = "TABLE"  // a sink that queries write into (memory, delta, ...)
	KindView   Kind = "VIEW"   // a named query
)

// Column is one column of a source or table.
type Column struct {
	Name    string         `json:"name"`
	Type    arrow.DataType `json:"-"`
	SQLType string         `json:"sql_type"` // as the user declared it, e.g. "TIMESTAMP(3)"
	NotNull bool           `json:"not_null,omitempty"`
}

// Table is a source, table or view.
type Table struct {
	Name    string   `json:"name"`
	Kind    Kind     `json:"kind"`
	Columns []Column `json:"columns"`
	// PrimaryKey names the key columns of a table; writes are upserts by it.
	PrimaryKey []string `json:"primary_key,omitempty"`
	// EventTime is the column carrying event time, "" if the source has no watermark.
	EventTime string `json:"event_time,omitempty"`
	// WatermarkDelay is subtracted from the largest event time seen.
	WatermarkDelay time.Duration `json:"watermark_delay,omitempty"`
	// Connector is the connector name ("kafka", "memory", "delta", ...).
	Connector string `json:"connector,omitempty"`
	// Options are the connector options with canonical (tide) names.
	Options map[string]string `json:"options,omitempty"`
	// SQL is the statement that created the entry (a view's query for views).
	SQL string `json:"sql"`
}

// Schema returns the Arrow schema of the table's columns.
func (t *Table) Schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type, Nullable: !c.NotNull}
	}
	return arrow.NewSchema(fields, nil)
}

// ColumnIndex returns the index of the named column (case-insensitive) or -1.
func (t *Table) ColumnIndex(name string) int {
	for i, c := range t.Columns {
		if equalFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// PrimaryKeyIndexes returns the column indexes of the primary key.
func (t *Table) PrimaryKeyIndexes() []int {
	out := make([]int, 0, len(t.PrimaryKey))
	for _, k := range t.PrimaryKey {
		out = append(out, t.ColumnIndex(k))
	}
	return out
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
