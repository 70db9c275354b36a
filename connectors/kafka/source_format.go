package kafka

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/executor"
)

// newSourceFormat binds the source's format option to table t.
func newSourceFormat(t *catalog.Table, topic string, env executor.Env) (format.Source, error) {
	f, cfg, err := format.Bind(t, "format", "json", topic, env)
	if err != nil {
		return nil, err
	}
	if f.NewSource == nil {
		return nil, fmt.Errorf("format %s cannot be read", cfg.Name)
	}
	fs, err := f.NewSource(cfg)
	if err != nil {
		return nil, fmt.Errorf("format %s: %w", cfg.Name, err)
	}
	return fs, nil
}

// PruneColumns passes the columns the query reads to the format, if it can
// leave the others out (Avro: a field of an unread column is skipped, so a
// writer schema may change or drop it).
func (r *Reader) PruneColumns(used []bool) {
	if p, ok := r.format.(format.ColumnPruner); ok {
		p.PruneColumns(used)
	}
}

var _ executor.ColumnPruner = (*Reader)(nil)

// prepareWait bounds how long one Fetch waits for its format to look up
// what the records refer to (a schema registry); the records stay buffered
// and the next Fetch tries again.
const prepareWait = time.Second

// prepare lets the format look up what the jobs' records refer to. It
// returns false, with the reason kept for Status, when that cannot be done
// now: nothing is decoded.
func (r *Reader) prepare(ctx context.Context, jobs []decodeJob, wait time.Duration) bool {
	p, ok := r.format.(format.Preparer)
	if !ok || len(jobs) == 0 {
		return true
	}
	values := func(yield func([]byte) bool) {
		for _, j := range jobs {
			for _, rec := range j.recs {
				if rec.Value != nil && !yield(rec.Value) {
					return
				}
			}
		}
	}
	pctx, cancel := context.WithTimeout(ctx, max(wait, prepareWait))
	defer cancel()
	err := p.Prepare(pctx, iter.Seq[[]byte](values))
	r.mu.Lock()
	r.formatWait = err
	r.mu.Unlock()
	return err == nil
}
