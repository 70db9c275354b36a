package avrofmt

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
)

// sink is the avro format bound to one sink table.
type sink struct {
	cfg   config
	reg   *registry
	table *catalog.Table
}

func newSink(cfg format.Config) (format.Sink, error) {
	c, err := parseConfig(cfg)
	if err != nil {
		return nil, err
	}
	if c.urls == nil {
		return nil, fmt.Errorf("writing Avro needs option schema.registry: the sink registers its schema there and writes Confluent's wire format (an inline schema is for reading raw Avro)")
	}
	reg, err := newRegistry(c.urls)
	if err != nil {
		return nil, err
	}
	return &sink{cfg: c, reg: reg, table: cfg.Table}, nil
}

// NewEncoder registers the schema of spec's value columns under the value
// subject, and that of its key columns (one column: its type alone;
// several: a record) under <topic>-key.
func (s *sink) NewEncoder(ctx context.Context, spec format.EncoderSpec) (format.Encoder, error) {
	value, err := newWriterSchema(spec.Schema, spec.Value, s.table.Name, false, s.table)
	if err != nil {
		return nil, err
	}
	e := &Encoder{value: value}
	if e.valueID, err = s.registerRetrying(ctx, s.cfg.subject, value.text); err != nil {
		return nil, err
	}
	if len(spec.Key) > 0 {
		if e.key, err = newWriterSchema(spec.Schema, spec.Key, s.table.Name+"_key", true, s.table); err != nil {
			return nil, fmt.Errorf("key: %v", err)
		}
		if e.keyID, err = s.registerRetrying(ctx, s.cfg.keySubject, e.key.text); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// registerRetrying registers a schema, asking a registry that cannot be
// reached again with backoff until ctx ends.
func (s *sink) registerRetrying(ctx context.Context, subject, schema string) (int32, error) {
	backoff := firstBackoff
	for {
		id, err := s.reg.register(ctx, subject, schema)
		var unavailable *unavailableError
		if err == nil || !errors.As(err, &unavailable) {
			return id, err
		}
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return 0, fmt.Errorf("register the schema under subject %s: %v", subject, err)
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// Encoder writes rows in Confluent's wire format. It is safe for
// concurrent use.
type Encoder struct {
	value   *writerSchema
	valueID int32
	key     *writerSchema // nil: no key
	keyID   int32
}

var _ format.Encoder = (*Encoder)(nil)

// AppendValue appends the row's value: the header and the Avro record.
func (e *Encoder) AppendValue(b []byte, rec arrow.Record, row int) ([]byte, error) {
	return e.value.append(appendHeader(b, e.valueID), rec, row)
}

// AppendKey appends the row's key, nothing without key columns.
func (e *Encoder) AppendKey(b []byte, rec arrow.Record, row int) ([]byte, error) {
	if e.key == nil {
		return b, nil
	}
	return e.key.append(appendHeader(b, e.keyID), rec, row)
}

// append appends the Avro encoding of the row's columns.
func (w *writerSchema) append(b []byte, rec arrow.Record, row int) ([]byte, error) {
	for k := range w.fields {
		f := &w.fields[k]
		arr := rec.Column(f.col)
		if f.code == wNull {
			continue
		}
		if arr.IsNull(row) {
			if !f.nullable {
				return b, fmt.Errorf("column %s is NULL, but NOT NULL in the Avro schema", f.name)
			}
			b = append(b, 0) // union branch 0: null
			continue
		}
		if f.nullable {
			b = append(b, 2) // union branch 1, zigzag
		}
		var err error
		if b, err = f.append(b, arr, row); err != nil {
			return b, fmt.Errorf("column %s: %v", f.name, err)
		}
	}
	return b, nil
}

// append appends one value that is not NULL.
func (f *fieldWriter) append(b []byte, arr arrow.Array, row int) ([]byte, error) {
	switch f.code {
	case wLong:
		return appendLong(b, integer(arr, row)), nil
	case wDouble:
		return appendDouble(b, arr.(*array.Float64).Value(row)), nil
	case wString:
		return appendString(b, arr.(*array.String).Value(row)), nil
	case wTimestamp:
		v := int64(arr.(*array.Timestamp).Value(row))
		target := arrow.Microsecond
		if f.millis {
			target = arrow.Millisecond
		}
		return appendLong(b, convertUnit(v, f.unit, target)), nil
	case wBool:
		if arr.(*array.Boolean).Value(row) {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	case wDate:
		return appendLong(b, int64(arr.(*array.Date32).Value(row))), nil
	case wFloat:
		return appendFloat(b, arr.(*array.Float32).Value(row)), nil
	case wUint64:
		v := arr.(*array.Uint64).Value(row)
		if v > math.MaxInt64 {
			return b, fmt.Errorf("%d does not fit an Avro long", v)
		}
		return appendLong(b, int64(v)), nil
	}
	return b, fmt.Errorf("internal error: unknown write code %d", f.code)
}

// integer reads a signed or small unsigned integer column.
func integer(arr arrow.Array, row int) int64 {
	switch a := arr.(type) {
	case *array.Int64:
		return a.Value(row)
	case *array.Int32:
		return int64(a.Value(row))
	case *array.Int16:
		return int64(a.Value(row))
	case *array.Int8:
		return int64(a.Value(row))
	case *array.Uint32:
		return int64(a.Value(row))
	case *array.Uint16:
		return int64(a.Value(row))
	case *array.Uint8:
		return int64(a.Value(row))
	}
	return 0
}

// convertUnit converts v from one time unit to another (flooring).
func convertUnit(v int64, from, to arrow.TimeUnit) int64 {
	for ; from < to; from++ {
		v *= 1000
	}
	for ; from > to; from-- {
		v = floorDiv(v, 1000)
	}
	return v
}
