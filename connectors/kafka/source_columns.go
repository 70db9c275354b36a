package kafka

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/executor"
)

// columnsTimeout bounds asking a format for a source's columns (a schema
// registry's answer) at CREATE SOURCE.
const columnsTimeout = 15 * time.Second

// sourceColumns supplies the columns of a source declared without them
// from its format (Avro: the latest schema of the subject <topic>-value,
// or the inline schema). Declared columns are read as they are: each
// record is resolved against them.
func sourceColumns(t *catalog.Table, env executor.Env) ([]catalog.Column, *executor.DefaultWatermark, error) {
	if len(t.Columns) > 0 {
		return nil, nil, nil
	}
	f, cfg, err := format.Bind(t, "format", "json", strings.TrimSpace(t.Options["topic"]), env)
	if err != nil {
		return nil, nil, err
	}
	if f.Columns == nil {
		return nil, nil, fmt.Errorf("format %s %w", cfg.Name, executor.ErrNoColumns)
	}
	ctx, cancel := context.WithTimeout(context.Background(), columnsTimeout)
	defer cancel()
	cols, err := f.Columns(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("format %s: %v", cfg.Name, err)
	}
	return cols, nil, nil
}
