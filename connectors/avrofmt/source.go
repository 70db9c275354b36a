package avrofmt

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/hamba/avro/v2"

	"github.com/tide-sql/tide/connectors/format"
)

// Backoff between failed registry lookups.
const (
	firstBackoff = 200 * time.Millisecond
	maxBackoff   = 10 * time.Second
)

// source is the avro format bound to one source table. It is shared by
// the table's decoders (one per partition) and safe for concurrent use.
type source struct {
	table        string // for messages
	schema       *arrow.Schema
	cols         []column
	inline       *program // raw Avro: the program of the inline schema
	inlineSchema avro.Schema
	reg          *registry // Confluent's wire format: where writer schemas are

	mu       sync.RWMutex
	programs map[int32]*program // by schema id: compiled, or found bad

	retryMu sync.Mutex
	backoff time.Duration // after the last failed lookup
	nextTry time.Time     // no lookup before, after a failure
	lastErr error         // of the last failed lookup
}

var (
	_ format.Source       = (*source)(nil)
	_ format.Preparer     = (*source)(nil)
	_ format.Noticer      = (*source)(nil)
	_ format.ColumnPruner = (*source)(nil)
)

func newSource(cfg format.Config) (format.Source, error) {
	c, err := parseConfig(cfg)
	if err != nil {
		return nil, err
	}
	if len(cfg.Table.Columns) == 0 {
		return nil, fmt.Errorf("the source has no columns: declare them")
	}
	cols, err := tableColumns(cfg.Table)
	if err != nil {
		return nil, err
	}
	s := &source{table: cfg.Table.Name, schema: cfg.Table.Schema(), cols: cols, programs: map[int32]*program{}}
	if c.inline != nil {
		p := compile(-1, c.inline, cols)
		if p.err != nil {
			return nil, fmt.Errorf("option schema cannot be read as the columns: %v", p.err)
		}
		s.inline, s.inlineSchema = p, c.inline
		return s, nil
	}
	if s.reg, err = newRegistry(c.urls); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *source) Schema() *arrow.Schema { return s.schema }

// PruneColumns leaves out the columns the query does not read: their
// fields are skipped, whatever type a writer gives them, and they are NULL.
// It is called before any decoder is made.
func (s *source) PruneColumns(used []bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.cols {
		s.cols[i].unused = i < len(used) && !used[i]
	}
	clear(s.programs)
	if s.inline != nil {
		s.inline = compile(-1, s.inlineSchema, s.cols)
	}
}

func (s *source) NewDecoder(mem memory.Allocator) format.Decoder { return newDecoder(s, mem) }

// program returns the program of schema id, looking it up in the registry
// if no Prepare did. cached is false when the lookup failed for a reason
// that may pass (then the program's err says so).
func (s *source) program(id int32) (p *program, cached bool) {
	s.mu.RLock()
	p = s.programs[id]
	s.mu.RUnlock()
	if p != nil {
		return p, true
	}
	if s.reg == nil {
		return &program{id: id, err: &DecodeError{SchemaID: id, Msg: "no writer schema is known by this id"}}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), registryTimeout)
	defer cancel()
	if err := s.lookup(ctx, id); err != nil {
		return &program{id: id, err: &DecodeError{SchemaID: id, Msg: err.Error()}}, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.programs[id], true
}

// lookup fetches writer schema id and compiles it against the columns; a
// schema the registry does not have, or that is no Avro record, gives a
// program that finds every record of it bad. The error is the registry
// failing in a way that may pass.
func (s *source) lookup(ctx context.Context, id int32) error {
	w, err := s.reg.schemaByID(ctx, id)
	var p *program
	var unavailable *unavailableError
	switch {
	case errors.As(err, &unavailable):
		return err
	case err != nil:
		p = &program{id: id, err: &DecodeError{SchemaID: id, Msg: err.Error()}}
	default:
		p = compile(id, w, s.cols)
	}
	s.mu.Lock()
	s.programs[id] = p
	s.mu.Unlock()
	return nil
}

// Prepare looks up the writer schemas of values that are not known yet.
// A registry that cannot be reached is asked again after a backoff that
// grows from one failure to the next (also across calls) until ctx ends;
// then the error says which registry failed and why.
func (s *source) Prepare(ctx context.Context, values iter.Seq[[]byte]) error {
	if s.reg == nil {
		return nil
	}
	var missing []int32
	last := int32(-1)
	s.mu.RLock()
	for v := range values {
		id, ok := schemaID(v)
		if !ok || id == last {
			continue
		}
		last = id
		if s.programs[id] == nil && !contains(missing, id) {
			missing = append(missing, id)
		}
	}
	s.mu.RUnlock()
	for _, id := range missing {
		for {
			if wait, lastErr := s.retryIn(); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return fmt.Errorf("%v (writer schema id %d; asking again in %s, the records wait)", lastErr, id, wait.Round(time.Millisecond))
				}
			}
			err := s.lookup(ctx, id)
			s.retryMu.Lock()
			if err == nil {
				s.backoff, s.nextTry, s.lastErr = 0, time.Time{}, nil
			} else {
				s.backoff = min(max(2*s.backoff, firstBackoff), maxBackoff)
				s.nextTry, s.lastErr = time.Now().Add(s.backoff), err
			}
			s.retryMu.Unlock()
			if err == nil {
				break
			}
		}
	}
	return nil
}

// retryIn is how long to wait before the next lookup, and why.
func (s *source) retryIn() (time.Duration, error) {
	s.retryMu.Lock()
	defer s.retryMu.Unlock()
	return time.Until(s.nextTry), s.lastErr
}

func contains(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// Notice says, when the source is created, that its registry cannot be
// reached: queries wait for it.
func (s *source) Notice(ctx context.Context) string {
	if s.reg == nil {
		return ""
	}
	err := s.reg.ping(ctx)
	var unavailable *unavailableError
	if err == nil || !errors.As(err, &unavailable) {
		return ""
	}
	return fmt.Sprintf("%v: queries on %s wait for it, their records kept", err, s.table)
}
