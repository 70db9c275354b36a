package debeziumfmt

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/connectors/jsonfmt"
	"github.com/tide-sql/tide/executor"
)

func init() {
	format.Register(&format.Format{
		Name:      "debezium-json",
		Changelog: true,
		NewSource: newSource,
	})
}

// deletedField ends every record.
var deletedField = arrow.Field{Name: executor.DeletedColumn, Type: arrow.FixedWidthTypes.Boolean, Nullable: true}

type source struct {
	images *arrow.Schema // the table's columns: what an image decodes into
	schema *arrow.Schema // the images' columns and DeletedColumn
}

func newSource(cfg format.Config) (format.Source, error) {
	t := cfg.Table
	if len(t.PrimaryKey) == 0 {
		return nil, fmt.Errorf("format %s reads changes and needs a PRIMARY KEY on %s: the row identity the changes apply to", cfg.Name, t.Name)
	}
	images := t.Schema()
	if err := jsonfmt.CheckSchema(images); err != nil {
		return nil, err
	}
	return &source{images: images, schema: arrow.NewSchema(append(images.Fields(), deletedField), nil)}, nil
}

func (s *source) Schema() *arrow.Schema { return s.schema }

func (s *source) NewDecoder(mem memory.Allocator) format.Decoder {
	return newDecoder(s, mem)
}
