package engine

import (
	"context"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/parser"
)

// selectQuery runs a SELECT: a snapshot (all rows at once) when it reads
// only tables, a push query (a Stream) when it reads a source.
func (e *Engine) selectQuery(ctx context.Context, s *parser.Select) (*Result, error) {
	plan, err := e.plan.PlanQuery(s.Query)
	if err != nil {
		return nil, err
	}
	b := newBuilt(plan.Root)
	root, err := e.build(plan.Root, b, e.setting("run_once") == "true")
	if err != nil {
		return nil, err
	}
	if !plan.Streaming {
		defer root.Close()
		if err := root.Open(ctx); err != nil {
			return nil, err
		}
		var recs []arrow.Record
		for {
			m, err := root.Next(ctx)
			if err == io.EOF || err == nil && m.Kind == executor.MsgBarrier && m.Barrier.Final {
				break
			}
			if err != nil {
				for _, r := range recs {
					r.Release()
				}
				return nil, err
			}
			if m.Kind == executor.MsgBatch {
				recs = append(recs, m.Batch)
			}
		}
		return &Result{Kind: ResultRows, Schema: root.Schema(), Records: recs}, nil
	}
	qctx, cancel := context.WithCancel(ctx)
	if err := root.Open(qctx); err != nil {
		cancel()
		root.Close()
		return nil, err
	}
	ch := make(chan pushItem, 4)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ch)
		defer root.Close()
		var panicked error // a panic in the operators ends the stream with it
		defer func() {
			if panicked != nil {
				select {
				case ch <- pushItem{err: panicked}:
				case <-qctx.Done():
				}
			}
		}()
		defer e.recoverPanic("push query", &panicked)
		for {
			m, err := root.Next(qctx)
			if err == nil && m.Kind == executor.MsgBarrier && m.Barrier.Final {
				err = io.EOF
			}
			if err != nil {
				select {
				case ch <- pushItem{err: err}:
				case <-qctx.Done():
				}
				return
			}
			if m.Kind == executor.MsgBarrier && len(b.sources) > 0 {
				// A push query has no late or dead-letter table: drop (and
				// count, in the scans) what the epoch set aside.
				c, err := b.capture(b.top)
				if err != nil {
					select {
					case ch <- pushItem{err: err}:
					case <-qctx.Done():
					}
					return
				}
				for _, mark := range c.marks {
					late, dead := mark.takeSideOutputs()
					for _, r := range append(late, dead...) {
						r.Release()
					}
				}
			}
			if m.Kind != executor.MsgBatch {
				continue
			}
			select {
			case ch <- pushItem{rec: m.Batch}:
			case <-qctx.Done():
				m.Batch.Release()
				return
			}
		}
	}()
	st := &Stream{Schema: root.Schema(), Update: plan.Update, Key: plan.Key}
	st.next = func(ctx context.Context) (arrow.Record, error) {
		select {
		case it, ok := <-ch:
			if !ok {
				return nil, io.EOF
			}
			return it.rec, it.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	st.close = func() {
		cancel()
		for it := range ch {
			if it.rec != nil {
				it.rec.Release()
			}
		}
		wg.Wait()
		e.mu.Lock()
		delete(e.streams, st)
		e.mu.Unlock()
	}
	e.mu.Lock()
	e.streams[st] = true
	e.mu.Unlock()
	return &Result{Kind: ResultStream, Schema: root.Schema(), Stream: st}, nil
}

type pushItem struct {
	rec arrow.Record
	err error
}
