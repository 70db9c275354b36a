// Package panicconn is a connector that panics on purpose, for the tests
// that check a panicking query or statement fails alone. Importing it
// registers the connector test_panic; only tests import it.
//
// With panic_in = 'new' it panics in NewSource (in the statement that
// builds the source), with panic_in = 'fetch' in its second Fetch (in the
// running query's operators).
package panicconn

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

func init() {
	executor.Register(&executor.Connector{
		Name:    "test_panic",
		Options: []executor.Option{{Name: "panic_in", Required: true, Check: executor.OneOf("new", "fetch")}},
		NewSource: func(t *catalog.Table, _ executor.Env) (executor.SourceReader, error) {
			if t.Options["panic_in"] == "new" {
				panic("test_panic: deliberate panic in NewSource")
			}
			return &panicReader{schema: t.Schema()}, nil
		},
	})
}

type panicReader struct {
	schema  *arrow.Schema
	fetches int
}

func (r *panicReader) Schema() *arrow.Schema                        { return r.schema }
func (r *panicReader) Open(context.Context, executor.Offsets) error { return nil }
func (r *panicReader) Close() error                                 { return nil }

func (r *panicReader) Fetch(context.Context, time.Duration, executor.Offsets) (executor.Fetch, error) {
	r.fetches++
	if r.fetches == 2 {
		panic("test_panic: deliberate panic in Fetch")
	}
	return executor.Fetch{End: executor.Offsets{}}, nil
}
