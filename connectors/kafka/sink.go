package kafka

// The Kafka sink (a table with connector = 'kafka').
//
// Each row becomes one record, its key and value encoded by the table's
// format (package format; json by default: the value is a JSON object with
// the column names as keys, the key the text of a one-column key or a JSON
// object of several). The key is made of the key option's columns, by
// default the primary key, or null without either. A boolean column named __deleted is reserved for
// retractions: it is not written, and a row with __deleted = true becomes a
// tombstone (the key with a null value). Batches are compressed as the
// compression option says (none by default, which every client reads).
//
// Open makes sure the topic exists: a missing one is created the way a
// Kafka producer gets it, by the brokers' auto-creation; brokers that do not
// create topics on first use leave it missing and Open fails naming the
// topic and the brokers. A record larger than the topic's max.message.bytes
// fails the write with both sizes.
//
// With transactional = 'true' (the default) delivery is exactly once for
// read_committed consumers. The sink is a transactional producer with
// transactional id "tide-<query id>"; opening it fences (and aborts the open
// transaction of) any earlier instance of the query. Write produces into an
// open transaction; Commit(epoch) adds a marker record (key = query id,
// value = epoch) to the compacted topic __tide_sink_epochs in the same
// transaction and commits it; Abort aborts it. LastEpoch reads the last
// committed marker of the query with a read_committed consumer, and Commit
// of an epoch at or below it aborts instead, so a replayed epoch is not
// duplicated. After a failed Commit the transaction is aborted and the
// epoch must be replayed from its first Write.
//
// With transactional = 'false' Write keeps the epoch's records and Commit
// produces them idempotently (no duplicates from the producer's own
// retries), waits for them, then writes the marker: delivery is at least
// once. A replayed epoch that the marker topic already holds is skipped and
// Abort drops the records, but a crash between the rows and the marker
// leaves rows that the replay writes again, and every row is visible as
// soon as it is written, before its epoch is committed.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/executor"
)

const (
	// sinkEpochTopic holds the sinks' commit markers: key = query id,
	// value = the epoch, as decimal text.
	sinkEpochTopic = "__tide_sink_epochs"
	// sinkDeletedColumn marks a retraction row.
	sinkDeletedColumn = executor.DeletedColumn
	// sinkOpenTimeout bounds reaching the brokers and creating topics.
	sinkOpenTimeout = 15 * time.Second
	// sinkTxnTimeout is how long a transaction (an epoch) may stay open.
	sinkTxnTimeout = 60 * time.Second
)

// Sink writes a query's output to a Kafka topic.
type Sink struct {
	name   string // the tide table, for errors
	cfg    sinkConfig
	format format.Sink // encodes the records

	mu        sync.Mutex
	cl        *kgo.Client
	spec      executor.SinkSpec
	enc       *sinkEncoder
	ctx       context.Context // produce context, ended by Close
	cancel    context.CancelFunc
	inTxn     bool
	pending   []*kgo.Record // the epoch's records, without transactions
	last      int64         // last committed epoch, if lastKnown
	lastKnown bool
	closed    bool

	errMu      sync.Mutex
	produceErr error // first failed record of the epoch

	maxBytes atomic.Int32 // the topic's max.message.bytes, known after Open
}

var _ executor.Sink = (*Sink)(nil)

// NewSink builds the Kafka sink of table t. It checks the options; Open
// connects.
func NewSink(t *catalog.Table, env executor.Env) (executor.Sink, error) {
	cfg, err := parseSinkConfig(t.Options, env.Brokers)
	if err == nil {
		err = checkSinkKey(cfg.key, t)
	}
	if err == nil {
		err = allowedBrokers(env.Hosts, cfg.brokers)
	}
	var fs format.Sink
	if err == nil {
		fs, err = newSinkFormat(t, cfg.topic, env)
	}
	if err != nil {
		return nil, fmt.Errorf("kafka sink %s: %v", t.Name, err)
	}
	return &Sink{name: t.Name, cfg: cfg, format: fs}, nil
}

// newSinkFormat binds the sink's format option to table t.
func newSinkFormat(t *catalog.Table, topic string, env executor.Env) (format.Sink, error) {
	f, cfg, err := format.Bind(t, "format", "json", topic, env)
	if err != nil {
		return nil, err
	}
	if f.NewSink == nil {
		return nil, fmt.Errorf("format %s cannot be written", cfg.Name)
	}
	fs, err := f.NewSink(cfg)
	if err != nil {
		return nil, fmt.Errorf("format %s: %v", cfg.Name, err)
	}
	return fs, nil
}

func (s *Sink) errorf(format string, args ...any) error {
	return fmt.Errorf("kafka sink %s: "+format, append([]any{s.name}, args...)...)
}

// Open connects to the brokers, makes sure the topic exists (see above),
// creates the marker topic if it is missing, learns the topic's record size
// limit, and (transactional) fences earlier instances of the query.
func (s *Sink) Open(ctx context.Context, spec executor.SinkSpec) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return s.errorf("open: sink is closed")
	}
	if s.cl != nil {
		return s.errorf("open: already open")
	}
	if spec.Schema == nil || spec.QueryID == "" {
		return s.errorf("open: the spec needs a schema and a query id")
	}
	octx, cancel := context.WithTimeout(ctx, sinkOpenTimeout)
	defer cancel()
	enc, err := newSinkEncoder(octx, s.format, spec, s.cfg.key)
	if err != nil {
		return s.errorf("open: %v", err)
	}
	if err := sinkProbe(octx, s.cfg.brokers); err != nil {
		return s.errorf("open: %v", err)
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(s.cfg.brokers...),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.DialTimeout(5 * time.Second),
		kgo.ProducerLinger(5 * time.Millisecond),
		kgo.ProducerBatchCompression(sinkCompressions[s.cfg.compression]),
		kgo.ProducerBatchMaxBytesFn(s.batchMaxBytes),
	}
	if s.cfg.transactional {
		opts = append(opts, kgo.TransactionalID("tide-"+spec.QueryID), kgo.TransactionTimeout(sinkTxnTimeout))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return s.errorf("open: %v", err)
	}
	fail := func(err error) error {
		cl.Close()
		return s.errorf("open: %v", err)
	}
	if err := sinkEnsureTopic(octx, cl, s.cfg.brokers, s.cfg.topic); err != nil {
		return fail(err)
	}
	adm := kadm.NewClient(cl)
	compact := "compact"
	if err := sinkCreateTopic(octx, adm, sinkEpochTopic, 1, map[string]*string{"cleanup.policy": &compact}); err != nil {
		return fail(err)
	}
	s.maxBytes.Store(sinkMaxMessageBytes(octx, adm, s.cfg.topic))
	if s.cfg.transactional {
		// Load the producer id now: this fences an earlier instance of
		// the query and aborts its open transaction, so that LastEpoch
		// sees a settled marker topic.
		if _, _, err := cl.ProducerID(octx); err != nil {
			return fail(fmt.Errorf("init transactional producer tide-%s: %v", spec.QueryID, err))
		}
	}
	s.cl, s.spec, s.enc = cl, spec, enc
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.inTxn, s.lastKnown = false, false
	return nil
}

// batchMaxBytes is the producer's batch size limit for topic: the sink
// topic's max.message.bytes, so that a batch the client builds is one the
// brokers take. It is asked once per partition, at its first record.
func (s *Sink) batchMaxBytes(topic string) int32 {
	if n := s.maxBytes.Load(); n > 0 && topic == s.cfg.topic {
		return n
	}
	return 1000012 // franz-go's default
}

// LastEpoch returns the last epoch the query committed, or -1.
func (s *Sink) LastEpoch(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cl == nil {
		return -1, s.errorf("last epoch: sink is not open")
	}
	if err := s.loadLast(ctx); err != nil {
		return -1, err
	}
	return s.last, nil
}

func (s *Sink) loadLast(ctx context.Context) error {
	if s.lastKnown {
		return nil
	}
	last, err := sinkReadLastEpoch(ctx, s.cl, s.cfg.brokers, s.spec.QueryID)
	if err != nil {
		return s.errorf("read last epoch from %s: %v", sinkEpochTopic, err)
	}
	s.last, s.lastKnown = last, true
	return nil
}

// Write produces rec's rows into the epoch's transaction (asynchronously;
// Commit waits for them), or without transactions keeps them for Commit.
func (s *Sink) Write(_ context.Context, rec arrow.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cl == nil {
		return s.errorf("write: sink is not open")
	}
	recs, err := s.enc.records(s.cfg.topic, rec)
	if err != nil {
		return s.errorf("write: %v", err)
	}
	limit := s.maxBytes.Load()
	for i, r := range recs {
		if n := len(r.Key) + len(r.Value) + sinkRecordOverhead; n > int(limit) {
			return s.errorf("write: row %d: %v", i, sinkTooLarge(s.cfg.topic, s.cfg.brokers, n, limit))
		}
	}
	if !s.cfg.transactional {
		s.pending = append(s.pending, recs...)
		return nil
	}
	if err := s.begin(); err != nil {
		return err
	}
	for _, r := range recs {
		s.cl.Produce(s.ctx, r, s.promise)
	}
	return nil
}

func (s *Sink) begin() error {
	if !s.cfg.transactional || s.inTxn {
		return nil
	}
	if err := s.cl.BeginTransaction(); err != nil {
		return s.errorf("begin transaction: %v", err)
	}
	s.inTxn = true
	s.setErr(nil)
	return nil
}

func (s *Sink) promise(_ *kgo.Record, err error) {
	if err != nil {
		s.errMu.Lock()
		if s.produceErr == nil {
			s.produceErr = err
		}
		s.errMu.Unlock()
	}
}

func (s *Sink) setErr(err error) {
	s.errMu.Lock()
	s.produceErr = err
	s.errMu.Unlock()
}

func (s *Sink) takeErr() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	err := s.produceErr
	s.produceErr = nil
	return err
}

// Commit makes the epoch's rows visible together with its marker. An epoch
// at or below the last committed one is aborted instead (a replay).
func (s *Sink) Commit(ctx context.Context, epoch int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cl == nil {
		return s.errorf("commit: sink is not open")
	}
	if err := s.loadLast(ctx); err != nil {
		s.abort(ctx)
		return err
	}
	if epoch <= s.last {
		return s.abort(ctx)
	}
	if err := s.commit(ctx, epoch); err != nil {
		s.abort(ctx)
		s.lastKnown = false // the outcome may be unknown: read it again
		return s.errorf("commit epoch %d to %s: %v", epoch, s.cfg.topic, err)
	}
	s.last = epoch
	return nil
}

func (s *Sink) commit(ctx context.Context, epoch int64) error {
	if err := s.begin(); err != nil {
		return err
	}
	for _, r := range s.pending {
		s.cl.Produce(s.ctx, r, s.promise)
	}
	s.pending = nil
	if err := s.flush(ctx); err != nil {
		return err
	}
	marker := &kgo.Record{Topic: sinkEpochTopic, Key: []byte(s.spec.QueryID), Value: strconv.AppendInt(nil, epoch, 10)}
	if err := s.cl.ProduceSync(ctx, marker).FirstErr(); err != nil {
		return fmt.Errorf("produce epoch marker: %w", err)
	}
	if !s.cfg.transactional {
		return nil
	}
	s.inTxn = false
	return s.cl.EndTransaction(ctx, kgo.TryCommit)
}

func (s *Sink) flush(ctx context.Context) error {
	if err := s.cl.Flush(ctx); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	if err := s.takeErr(); err != nil {
		if errors.Is(err, kerr.MessageTooLarge) {
			return fmt.Errorf("produce: %w: the topic takes at most %d bytes per record batch (max.message.bytes)", err, s.maxBytes.Load())
		}
		return fmt.Errorf("produce: %w", err)
	}
	return nil
}

// Abort aborts the epoch's transaction (without transactions: drops the
// epoch's records).
func (s *Sink) Abort(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cl == nil {
		return nil
	}
	return s.abort(ctx)
}

func (s *Sink) abort(ctx context.Context) error {
	s.pending = nil
	err := s.cl.AbortBufferedRecords(ctx)
	if s.inTxn || s.cfg.transactional {
		s.inTxn = false
		if e := s.cl.EndTransaction(ctx, kgo.TryAbort); e != nil && err == nil {
			err = e
		}
	}
	s.takeErr()
	if err != nil {
		return s.errorf("abort: %v", err)
	}
	return nil
}

// Close aborts an open transaction and closes the client. It is safe to
// call twice.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.pending = nil
	if s.cl == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	if s.inTxn {
		err = s.abort(ctx)
	}
	s.cancel()
	s.cl.Close()
	s.cl = nil
	return err
}
