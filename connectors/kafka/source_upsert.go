package kafka

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/executor"
)

// An upsert topic (mode = 'upsert', Flink's upsert-kafka): a message's
// value is the current row of the source's PRIMARY KEY, a tombstone (null
// value) deletes the key its message key names. Its records are a
// changelog: the value format's columns, then executor.DeletedColumn. The
// engine's changelog normalize turns a value into the update of the row
// the key held.
type upsertFormat struct {
	inner  format.Source
	schema *arrow.Schema
	key    []string // the PRIMARY KEY columns
}

// tombstoneDecoder is a decoder that turns a tombstone into a delete.
type tombstoneDecoder interface {
	AppendTombstone(key []byte) error
}

func newUpsertFormat(t *catalog.Table, inner format.Source) (format.Source, error) {
	if len(t.PrimaryKey) == 0 {
		return nil, fmt.Errorf("mode = 'upsert' needs a PRIMARY KEY: the columns of the message key")
	}
	if f := t.Options["format"]; f != "" && !strings.EqualFold(f, "json") {
		return nil, fmt.Errorf("mode = 'upsert' reads json values for now, not format %s", f)
	}
	fields := append(inner.Schema().Fields(), arrow.Field{Name: executor.DeletedColumn, Type: arrow.FixedWidthTypes.Boolean, Nullable: true})
	return &upsertFormat{inner: inner, schema: arrow.NewSchema(fields, nil), key: t.PrimaryKey}, nil
}

func (u *upsertFormat) Schema() *arrow.Schema { return u.schema }

func (u *upsertFormat) NewDecoder(mem memory.Allocator) format.Decoder {
	return &upsertDecoder{f: u, rows: u.inner.NewDecoder(mem), marks: array.NewBooleanBuilder(mem)}
}

type upsertDecoder struct {
	f     *upsertFormat
	rows  format.Decoder
	marks *array.BooleanBuilder
}

// Append decodes a value: the key's current row. Kafka Connect's JSON
// converter may wrap it ({"schema": ..., "payload": row}); Debezium's
// ExtractNewRecordState with delete.handling.mode = rewrite marks a delete
// with "__deleted": "true" in the row.
func (d *upsertDecoder) Append(value []byte) error {
	value = unwrapPayload(value)
	deleted := false
	if bytes.Contains(value, []byte(`"`+executor.DeletedColumn+`"`)) {
		var m struct {
			Deleted any `json:"__deleted"`
		}
		if json.Unmarshal(value, &m) == nil {
			deleted = m.Deleted == true || m.Deleted == "true"
		}
	}
	if err := d.rows.Append(value); err != nil {
		return err
	}
	d.marks.Append(deleted)
	return nil
}

// unwrapPayload returns the payload of a value that Kafka Connect's JSON
// converter wrapped with its schema, else the value.
func unwrapPayload(value []byte) []byte {
	if !bytes.HasPrefix(bytes.TrimLeft(value, " \t\r\n"), []byte(`{"schema"`)) {
		return value
	}
	var w struct {
		Schema  json.RawMessage `json:"schema"`
		Payload json.RawMessage `json:"payload"`
	}
	if json.Unmarshal(value, &w) != nil || len(w.Payload) == 0 || w.Payload[0] != '{' {
		return value
	}
	return w.Payload
}

// AppendTombstone decodes a tombstone's key into a row that holds only the
// key, marked deleted. The key is a JSON object with the key's columns, or,
// for a key of one column, its value alone (a string or a number).
func (d *upsertDecoder) AppendTombstone(key []byte) error {
	if len(key) == 0 {
		return fmt.Errorf("a tombstone without a key: it cannot say which row it deletes")
	}
	key = unwrapPayload(key)
	obj := key
	var probe map[string]json.RawMessage
	if json.Unmarshal(key, &probe) != nil {
		if len(d.f.key) != 1 {
			return fmt.Errorf("a tombstone whose key %q is not a JSON object with the key columns (%s)", key, strings.Join(d.f.key, ", "))
		}
		v := strconv.Quote(string(key))
		if json.Valid(key) { // a number or a JSON string
			v = string(key)
		}
		obj = []byte(`{` + strconv.Quote(d.f.key[0]) + `: ` + v + `}`)
	}
	if err := d.rows.Append(obj); err != nil {
		return fmt.Errorf("the key of a tombstone: %w", err)
	}
	d.marks.Append(true)
	return nil
}

func (d *upsertDecoder) Len() int { return d.rows.Len() }

func (d *upsertDecoder) NewRecord() arrow.Record {
	rec := d.rows.NewRecord()
	defer rec.Release()
	marks := d.marks.NewArray()
	defer marks.Release()
	return array.NewRecord(d.f.schema, append(rec.Columns(), marks), rec.NumRows())
}

func (d *upsertDecoder) Release() {
	d.rows.Release()
	d.marks.Release()
}
