package kafka

// The Kafka sink's record encoding: each row becomes one record whose key
// and value the table's format encodes (the key: the key option's columns,
// else the primary key, else none). A boolean column __deleted is not
// written: a row with __deleted = true becomes a tombstone.

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/executor"
)

// sinkEncoder turns rows into records.
type sinkEncoder struct {
	enc     format.Encoder
	key     []int // record columns of the key
	deleted int   // record column of __deleted, or -1
	nfields int
	types   []arrow.DataType
}

// newSinkEncoder prepares the encoding of spec's rows in format f, keyed by
// the columns named in key (nil: the spec's primary key).
func newSinkEncoder(ctx context.Context, f format.Sink, spec executor.SinkSpec, key []string) (*sinkEncoder, error) {
	e := &sinkEncoder{deleted: -1, nfields: spec.Schema.NumFields()}
	var value []int
	for i, fd := range spec.Schema.Fields() {
		e.types = append(e.types, fd.Type)
		if fd.Name == sinkDeletedColumn {
			if fd.Type.ID() != arrow.BOOL {
				return nil, fmt.Errorf("column %s must be BOOLEAN, it is %s", sinkDeletedColumn, fd.Type)
			}
			e.deleted = i
			continue
		}
		value = append(value, i)
	}
	keyCols := spec.PrimaryKey
	if key != nil {
		keyCols = nil
		for _, name := range key {
			k := sinkColumnIndex(spec.Schema, name)
			if k < 0 || k == e.deleted {
				return nil, fmt.Errorf("key column %s is not a column of the output", name)
			}
			keyCols = append(keyCols, k)
		}
	}
	for _, k := range keyCols {
		if k < 0 || k >= e.nfields || k == e.deleted {
			return nil, fmt.Errorf("primary key column index %d is not a column", k)
		}
		e.key = append(e.key, k)
	}
	if spec.Mode == executor.SinkUpsert && len(e.key) == 0 {
		return nil, fmt.Errorf("upsert needs a primary key")
	}
	enc, err := f.NewEncoder(ctx, format.EncoderSpec{Schema: spec.Schema, Value: value, Key: e.key})
	if err != nil {
		return nil, err
	}
	e.enc = enc
	return e, nil
}

// sinkColumnIndex is the index of the named field (case-insensitive), or -1.
func sinkColumnIndex(s *arrow.Schema, name string) int {
	for i, f := range s.Fields() {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}

// records encodes every row of rec. The keys and values share a few large
// buffers.
func (e *sinkEncoder) records(topic string, rec arrow.Record) ([]*kgo.Record, error) {
	if int(rec.NumCols()) != e.nfields {
		return nil, fmt.Errorf("record has %d columns, the sink was opened with %d", rec.NumCols(), e.nfields)
	}
	for i, f := range rec.Schema().Fields() {
		if !arrow.TypeEqual(f.Type, e.types[i]) {
			return nil, fmt.Errorf("column %d (%s) is %s, the sink was opened with %s", i, f.Name, f.Type, e.types[i])
		}
	}
	n := int(rec.NumRows())
	out := make([]*kgo.Record, n)
	all := make([]kgo.Record, n)
	var del *array.Boolean
	if e.deleted >= 0 {
		del = rec.Column(e.deleted).(*array.Boolean)
	}
	var buf []byte
	cut := func(start int) []byte {
		if start == len(buf) {
			return nil
		}
		return buf[start:len(buf):len(buf)]
	}
	var err error
	for row := 0; row < n; row++ {
		if cap(buf)-len(buf) < 4096 {
			buf = make([]byte, 0, 256*1024)
		}
		r := &all[row]
		r.Topic = topic
		start := len(buf)
		if buf, err = e.enc.AppendKey(buf, rec, row); err != nil {
			return nil, fmt.Errorf("row %d: key: %v", row, err)
		}
		r.Key = cut(start)
		if del != nil && del.IsValid(row) && del.Value(row) {
			if len(e.key) == 0 {
				return nil, fmt.Errorf("row %d is a retraction (%s) but the table has no primary key to key a tombstone", row, sinkDeletedColumn)
			}
			out[row] = r // a tombstone: nil value
			continue
		}
		start = len(buf)
		if buf, err = e.enc.AppendValue(buf, rec, row); err != nil {
			return nil, fmt.Errorf("row %d: %v", row, err)
		}
		r.Value = cut(start)
		out[row] = r
	}
	return out, nil
}
