package kafka

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/executor"
)

// Reader reads every partition of one topic as a tide source. It is not
// safe for concurrent use, except Lag, which may be called at any time.
type Reader struct {
	table      string
	cfg        sourceConfig
	schema     *arrow.Schema
	format     format.Source // decodes the message values
	mem        memory.Allocator
	decodeTime time.Duration // spent decoding in the last Fetch

	cl  *kgo.Client
	adm *kadm.Client

	parts  map[int32]*partition
	order  []int32            // partition ids, ascending
	paused map[int32]bool     // partitions paused in the client
	dead   *deadLetterBuilder // on_error = 'table:NAME' only
	resume executor.Offsets   // checkpointed offsets given to Open

	availableNow bool  // ReadAvailableNow: bounded by the end offsets seen at Open
	tombstones   int64 // null-valued messages skipped since Open
	// rowOrigins holds, per partition, the message behind each row of
	// the last fetch's record, for RejectRows.
	rowOrigins map[int32][]*kgo.Record

	disc *discovery // finds partitions added to the topic; nil when bounded

	mu         sync.Mutex // guards what Lag and Status read: partition next, highWater, lastRecordTime, waiting, formatWait
	waiting    bool       // the topic did not exist at Open and has not appeared yet
	formatWait error      // why the format could not prepare the last fetch's records (format.Preparer)
}

// partition is the read state of one topic partition.
type partition struct {
	id      int32
	next    int64         // next offset to deliver
	stop    int64         // stop = 'latest': end offset at Open; -1 when unbounded
	done    bool          // reached stop and removed from the client
	pending []*kgo.Record // fetched, not delivered yet; ascending offsets ≥ next
	dec     format.Decoder
	lastRec time.Time // wall clock when a record last arrived (Open time before)

	ctrlNext       int64     // offset after the last transaction marker seen beyond pending
	highWater      int64     // log end offset last seen
	lastRecordTime time.Time // Kafka timestamp of the last record delivered
}

var _ executor.SourceReader = (*Reader)(nil)

// NewSource builds a reader for the Kafka source t; it connects at Open.
func NewSource(t *catalog.Table, env executor.Env) (executor.SourceReader, error) {
	return NewSourceReader(t, env, memory.DefaultAllocator)
}

// NewSourceReader is NewSource with the allocator of the records it returns.
func NewSourceReader(t *catalog.Table, env executor.Env, mem memory.Allocator) (*Reader, error) {
	cfg, err := parseSourceConfig(t.Options, env.Brokers)
	if err == nil {
		err = allowedBrokers(env.Hosts, cfg.brokers)
	}
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", t.Name, err)
	}
	fs, err := newSourceFormat(t, cfg.topic, env)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", t.Name, err)
	}
	if cfg.upsert {
		if fs, err = newUpsertFormat(t, fs); err != nil {
			return nil, fmt.Errorf("source %s: %w", t.Name, err)
		}
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	r := &Reader{table: t.Name, cfg: cfg, schema: fs.Schema(), format: fs, mem: mem, paused: map[int32]bool{}}
	if cfg.onError == errorTable {
		if env.Table != nil {
			dt, _, err := env.Table(cfg.deadLetters)
			if err != nil {
				return nil, fmt.Errorf("source %s: on_error = 'table:%s': %w", t.Name, cfg.deadLetters, err)
			}
			if err := CheckDeadLetterTable(dt); err != nil {
				return nil, fmt.Errorf("source %s: on_error = 'table:%s': %w", t.Name, cfg.deadLetters, err)
			}
		}
		r.dead = newDeadLetterBuilder(mem)
	}
	return r, nil
}

// Schema is the schema of every record the reader returns.
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// Topic is the topic the reader reads.
func (r *Reader) Topic() string { return r.cfg.topic }

// DeadLetterTable names the table that on_error = 'table:NAME' sends
// undecodable messages to, or "".
func (r *Reader) DeadLetterTable() string { return r.cfg.deadLetters }

// DeadLetters returns the dead-letter rows (DeadLetterSchema) gathered by
// the fetches since the last call, or nil if there are none. The caller owns
// the record; the engine writes it to the dead-letter table in the epoch of
// the fetch that produced it.
func (r *Reader) DeadLetters() arrow.Record {
	if r.dead == nil {
		return nil
	}
	return r.dead.take()
}

// CommitOffsets records offsets (next offsets to read, as in Fetch.End) as
// the committed offsets of the source's consumer group, so that Kafka tools
// show its progress and start = 'group' resumes there. Without a group it
// does nothing. tide's own checkpoints do not depend on it.
func (r *Reader) CommitOffsets(ctx context.Context, offsets executor.Offsets) error {
	if r.cfg.group == "" || len(offsets) == 0 {
		return nil
	}
	if r.adm == nil {
		return fmt.Errorf("source %s: commit offsets before Open", r.table)
	}
	var os kadm.Offsets
	for p, o := range offsets {
		os.Add(kadm.Offset{Topic: r.cfg.topic, Partition: p, At: o, LeaderEpoch: -1})
	}
	resp, err := r.adm.CommitOffsets(ctx, r.cfg.group, os)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		return fmt.Errorf("source %s: commit offsets of group %q on topic %q: %w", r.table, r.cfg.group, r.cfg.topic, err)
	}
	return nil
}

// Close releases the client, the decoders and buffered records. It is safe
// to call twice.
func (r *Reader) Close() error {
	if r.disc != nil {
		r.disc.stop()
		r.disc = nil
	}
	if r.cl != nil {
		r.cl.Close()
		r.cl = nil
	}
	for _, p := range r.parts {
		if p.dec != nil {
			p.dec.Release()
			p.dec = nil
		}
		p.pending = nil
	}
	r.rowOrigins = nil
	if r.dead != nil {
		r.dead.release()
		r.dead = nil
	}
	return nil
}

// addPartition starts tracking partition id at offset next.
func (r *Reader) addPartition(id int32, next, stop int64, now time.Time) *partition {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := &partition{id: id, next: next, stop: stop, lastRec: now, highWater: next}
	if r.parts == nil {
		r.parts = map[int32]*partition{}
	}
	r.parts[id] = p
	r.order = append(r.order, id)
	sort.Slice(r.order, func(i, j int) bool { return r.order[i] < r.order[j] })
	return p
}

// brokerList is the bootstrap list as it appears in error messages.
func (r *Reader) brokerList() string { return strings.Join(r.cfg.brokers, ",") }
