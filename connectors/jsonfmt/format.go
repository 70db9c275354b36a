package jsonfmt

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/connectors/format"
)

// The json format: one JSON object per message value (Decoder), rows
// written as JSON objects (Encoder). It has no options of its own.
func init() {
	format.Register(&format.Format{
		Name: "json",
		NewSource: func(cfg format.Config) (format.Source, error) {
			schema := cfg.Table.Schema()
			if err := CheckSchema(schema); err != nil {
				return nil, err
			}
			return source{schema}, nil
		},
		NewSink: func(format.Config) (format.Sink, error) { return sink{}, nil },
	})
}

type source struct{ schema *arrow.Schema }

func (s source) Schema() *arrow.Schema { return s.schema }

func (s source) NewDecoder(mem memory.Allocator) format.Decoder { return NewDecoder(s.schema, mem) }

type sink struct{}

func (sink) NewEncoder(_ context.Context, spec format.EncoderSpec) (format.Encoder, error) {
	return NewEncoder(spec)
}
