package debeziumfmt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/connectors/jsonfmt"
)

// decoder decodes events: the image into a json decoder over the table's
// columns, the deleted mark into a builder of its own.
type decoder struct {
	src    *source
	images *jsonfmt.Decoder
	marks  *array.BooleanBuilder
}

func newDecoder(s *source, mem memory.Allocator) *decoder {
	return &decoder{src: s, images: jsonfmt.NewDecoder(s.images, mem), marks: array.NewBooleanBuilder(mem)}
}

// envelope is the part of an event the decoder reads.
type envelope struct {
	Payload json.RawMessage `json:"payload"`
	Op      *string         `json:"op"`
	Before  json.RawMessage `json:"before"`
	After   json.RawMessage `json:"after"`
}

var null = []byte("null")

// Append decodes one event into one row.
func (d *decoder) Append(value []byte) error {
	var env envelope
	if err := json.Unmarshal(value, &env); err != nil {
		return fmt.Errorf("not a Debezium event: %v", err)
	}
	if env.Op == nil && len(env.Payload) > 0 && !bytes.Equal(env.Payload, null) {
		// The JSON converter with schemas enabled wraps the event.
		if err := json.Unmarshal(env.Payload, &env); err != nil {
			return fmt.Errorf("not a Debezium event: payload: %v", err)
		}
	}
	if env.Op == nil {
		return errors.New("a Debezium event without op")
	}
	var image []byte
	deleted := false
	switch *env.Op {
	case "c", "r", "u":
		image = env.After
	case "d":
		image, deleted = env.Before, true
	case "t":
		return errors.New("a Debezium truncate event (op t): tide does not apply truncates; the rows stay")
	default:
		return fmt.Errorf("a Debezium event with unknown op %q (expected c, r, u or d)", *env.Op)
	}
	if len(image) == 0 || bytes.Equal(image, null) {
		which := "after"
		if deleted {
			which = "before"
		}
		return fmt.Errorf("a Debezium event with op %q but no %s image", *env.Op, which)
	}
	if err := d.images.Append(image); err != nil {
		return err
	}
	d.marks.Append(deleted)
	return nil
}

func (d *decoder) Len() int { return d.images.Len() }

// NewRecord returns the rows so far: the images' columns, then the marks.
func (d *decoder) NewRecord() arrow.Record {
	rec := d.images.NewRecord()
	defer rec.Release()
	marks := d.marks.NewArray()
	defer marks.Release()
	return array.NewRecord(d.src.schema, append(rec.Columns(), marks), rec.NumRows())
}

func (d *decoder) Release() {
	d.images.Release()
	d.marks.Release()
}
