package parquet

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

var options = []executor.Option{
	{Name: "path", Synonyms: []string{"location"}, Required: true,
		Help: "directory the Parquet files are written to (created if missing)"},
	{Name: "on_lost_checkpoint", Default: "fail", Check: executor.OneOf("fail", "append"),
		Help: "what a query without a checkpoint does when the directory holds its epochs from a lost state directory: fail, or append everything again"},
}

func init() {
	executor.Register(&executor.Connector{Name: "parquet", Options: options, NewSink: newSink})
}

func newSink(t *catalog.Table, env executor.Env) (executor.Sink, error) {
	dir := strings.TrimPrefix(strings.TrimSpace(t.Options["path"]), "file://")
	if dir == "" {
		return nil, fmt.Errorf("table %s: connector parquet needs option path", t.Name)
	}
	dir, err := env.Paths.Resolve(dir)
	if err != nil {
		return nil, fmt.Errorf("table %s: option %w", t.Name, err)
	}
	return New(dir, t.Schema(), memory.DefaultAllocator), nil
}
