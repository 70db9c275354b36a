package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/tide-sql/tide/connectors/jsonfmt"
)

// scanChunk is the most rows one scanned record holds.
const scanChunk = 64 * 1024

// Scan reads the whole table as a snapshot, ordered by the primary key, in
// the tide table's schema. It works without Open.
func (s *Sink) Scan(ctx context.Context) ([]arrow.Record, *arrow.Schema, error) {
	s.mu.Lock()
	pool, err := s.connect(ctx)
	s.mu.Unlock()
	if err != nil {
		return nil, nil, err
	}
	schema := s.tschema
	sels := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		typ, err := pgTypeFor(f.Type)
		if err != nil {
			return nil, nil, s.errorf("scan: column %s: %v", f.Name, err)
		}
		if typ == "JSONB" {
			typ = "TEXT" // read back with jsonfmt (appendValue)
		}
		sels[i] = pgx.Identifier{strings.ToLower(f.Name)}.Sanitize() + "::" + typ
	}
	sql := "SELECT " + strings.Join(sels, ", ") + " FROM " + pgx.Identifier{s.schema, s.table}.Sanitize()
	if len(s.tkey) > 0 {
		keys := make([]string, len(s.tkey))
		for i, k := range s.tkey {
			keys[i] = pgx.Identifier{strings.ToLower(schema.Field(k).Name)}.Sanitize()
		}
		sql += " ORDER BY " + strings.Join(keys, ", ")
	}
	rows, err := pool.Query(ctx, sql)
	if err != nil {
		return nil, nil, s.errorf("scan %s.%s: %w", s.schema, s.table, err)
	}
	defer rows.Close()
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	var out []arrow.Record
	release := func() {
		for _, r := range out {
			r.Release()
		}
	}
	n := 0
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			release()
			return nil, nil, s.errorf("scan %s.%s: %w", s.schema, s.table, err)
		}
		for i, v := range vals {
			if err := appendValue(b.Field(i), v); err != nil {
				release()
				return nil, nil, s.errorf("scan %s.%s: column %s: %v", s.schema, s.table, schema.Field(i).Name, err)
			}
		}
		if n++; n == scanChunk {
			out = append(out, b.NewRecord())
			n = 0
		}
	}
	if err := rows.Err(); err != nil {
		release()
		return nil, nil, s.errorf("scan %s.%s: %w", s.schema, s.table, err)
	}
	if n > 0 || len(out) == 0 {
		out = append(out, b.NewRecord())
	}
	return out, schema, nil
}

func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	ok := false
	switch b := b.(type) {
	case *array.BooleanBuilder:
		var x bool
		if x, ok = v.(bool); ok {
			b.Append(x)
		}
	case *array.Int64Builder:
		var x int64
		if x, ok = v.(int64); ok {
			b.Append(x)
		}
	case *array.Float64Builder:
		var x float64
		if x, ok = v.(float64); ok {
			b.Append(x)
		}
	case *array.StringBuilder:
		var x string
		if x, ok = v.(string); ok {
			b.Append(x)
		}
	case *array.TimestampBuilder:
		var t time.Time
		if t, ok = v.(time.Time); ok {
			ts, err := arrow.TimestampFromTime(t, b.Type().(*arrow.TimestampType).Unit)
			if err != nil {
				return err
			}
			b.Append(ts)
		}
	case *array.Date32Builder:
		var t time.Time
		if t, ok = v.(time.Time); ok {
			b.Append(arrow.Date32FromTime(t))
		}
	case *array.StructBuilder, *array.ListBuilder, *array.MapBuilder:
		var x string
		if x, ok = v.(string); ok {
			if err := jsonfmt.DecodeValue(b, []byte(x)); err != nil {
				return fmt.Errorf("jsonb value %s: %w", truncateText(x), err)
			}
		}
	default:
		return fmt.Errorf("cannot read into %s", b.Type())
	}
	if !ok {
		return fmt.Errorf("unexpected value %v (%T)", v, v)
	}
	return nil
}

// truncateText shortens s for a message.
func truncateText(s string) string {
	if len(s) > 60 {
		return strings.ToValidUTF8(s[:60], "") + "..."
	}
	return s
}
