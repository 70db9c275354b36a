package kafka

// The Kafka sink (a table with connector = 'kafka').
//
// Each row becomes one record: the value is a JSON object with the column
// names as keys (timestamps as RFC 3339 strings with milliseconds in UTC,
// dates as "YYYY-MM-DD", NULL as null, NaN and infinities as null); the key
// is the primary key (one column: its value as text; several: a JSON object
// of them), or null without a primary key. A boolean column named __deleted
// is reserved for retractions: it is not written, and a row with __deleted =
// true becomes a tombstone (the key with a null value).
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
	"math"
	"net"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors"
	"github.com/tide-sql/tide/executor"
)

const (
	// sinkEpochTopic holds the sinks' commit markers: key = query id,
	// value = the epoch, as decimal text.
	sinkEpochTopic = "__tide_sink_epochs"
	// sinkDeletedColumn marks a retraction row.
	sinkDeletedColumn = "__deleted"
	// sinkOpenTimeout bounds reaching the brokers and creating topics.
	sinkOpenTimeout = 15 * time.Second
	// sinkTxnTimeout is how long a transaction (an epoch) may stay open.
	sinkTxnTimeout = 60 * time.Second
)

// Sink writes a query's output to a Kafka topic.
type Sink struct {
	name string // the tide table, for errors
	cfg  sinkConfig

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
}

var _ executor.Sink = (*Sink)(nil)

// NewSink builds the Kafka sink of table t. It checks the options; Open
// connects.
func NewSink(t *catalog.Table, env connectors.Env) (executor.Sink, error) {
	cfg, err := parseSinkConfig(t.Options, env.Brokers)
	if err != nil {
		return nil, fmt.Errorf("kafka sink %s: %v", t.Name, err)
	}
	return &Sink{name: t.Name, cfg: cfg}, nil
}

func (s *Sink) errorf(format string, args ...any) error {
	return fmt.Errorf("kafka sink %s: "+format, append([]any{s.name}, args...)...)
}

// Open connects to the brokers, creates the topic and the marker topic if
// they are missing, and (transactional) fences earlier instances of the
// query.
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
	enc, err := newSinkEncoder(spec)
	if err != nil {
		return s.errorf("open: %v", err)
	}
	octx, cancel := context.WithTimeout(ctx, sinkOpenTimeout)
	defer cancel()
	if err := sinkProbe(octx, s.cfg.brokers); err != nil {
		return s.errorf("open: %v", err)
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(s.cfg.brokers...),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.DialTimeout(5 * time.Second),
		kgo.ProducerLinger(5 * time.Millisecond),
	}
	if s.cfg.transactional {
		opts = append(opts, kgo.TransactionalID("tide-"+spec.QueryID), kgo.TransactionTimeout(sinkTxnTimeout))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return s.errorf("open: %v", err)
	}
	adm := kadm.NewClient(cl)
	compact := "compact"
	for _, t := range []struct {
		topic      string
		partitions int32
		configs    map[string]*string
	}{{s.cfg.topic, -1, nil}, {sinkEpochTopic, 1, map[string]*string{"cleanup.policy": &compact}}} {
		if err := sinkCreateTopic(octx, adm, t.topic, t.partitions, t.configs); err != nil {
			cl.Close()
			return s.errorf("open: %v", err)
		}
	}
	if s.cfg.transactional {
		// Load the producer id now: this fences an earlier instance of
		// the query and aborts its open transaction, so that LastEpoch
		// sees a settled marker topic.
		if _, _, err := cl.ProducerID(octx); err != nil {
			cl.Close()
			return s.errorf("open: init transactional producer tide-%s: %v", spec.QueryID, err)
		}
	}
	s.cl, s.spec, s.enc = cl, spec, enc
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.inTxn, s.lastKnown = false, false
	return nil
}

// sinkProbe fails fast, with the dial error, when no broker answers.
func sinkProbe(ctx context.Context, brokers []string) error {
	var d net.Dialer
	var errs []error
	for _, b := range brokers {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		c, err := d.DialContext(pctx, "tcp", b)
		cancel()
		if err == nil {
			c.Close()
			return nil
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("cannot reach any broker: %w", errors.Join(errs...))
}

// sinkCreateTopic creates topic if the brokers do not know it.
func sinkCreateTopic(ctx context.Context, adm *kadm.Client, topic string, partitions int32, configs map[string]*string) error {
	known, err := adm.ListTopics(ctx, topic)
	if err != nil {
		return fmt.Errorf("look up topic %s: %w", topic, err)
	}
	if d, ok := known[topic]; ok && d.Err == nil {
		return nil
	}
	resp, err := adm.CreateTopic(ctx, partitions, -1, configs, topic)
	if err == nil {
		err = resp.Err
	}
	if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return fmt.Errorf("create topic %s: %w", topic, err)
	}
	return nil
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

// sinkReadLastEpoch reads the marker topic to its end with a read_committed
// consumer and returns the last epoch marked for query, or -1. The end is
// the high watermark at the start: the read waits for transactions open then
// to finish, so a committed marker behind another query's open transaction
// is not missed.
func sinkReadLastEpoch(ctx context.Context, cl *kgo.Client, brokers []string, query string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, sinkTxnTimeout+30*time.Second)
	defer cancel()
	adm := kadm.NewClient(cl)
	var ends, starts kadm.ListedOffsets
	var err error
	for try := 0; ; try++ {
		// Just after Open created the topic, a broker may not know it
		// yet: retry for a while.
		ends, err = adm.ListEndOffsets(ctx, sinkEpochTopic)
		if err == nil {
			err = ends.Error()
		}
		if err == nil {
			starts, err = adm.ListStartOffsets(ctx, sinkEpochTopic)
			if err == nil {
				err = starts.Error()
			}
		}
		if err == nil || !errors.Is(err, kerr.UnknownTopicOrPartition) || try == 200 {
			break
		}
		cl.ForceMetadataRefresh()
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err != nil {
		return -1, fmt.Errorf("list offsets: %w", err)
	}
	want := map[int32]int64{} // partition → offset to read past
	from := map[int32]kgo.Offset{}
	ends.Each(func(o kadm.ListedOffset) {
		start, _ := starts.Lookup(sinkEpochTopic, o.Partition)
		if o.Offset > start.Offset {
			want[o.Partition] = o.Offset - 1
			from[o.Partition] = kgo.NewOffset().At(start.Offset)
		}
	})
	if len(want) == 0 {
		return -1, nil
	}
	consumer, err := kgo.NewClient(
		kgo.SeedBrokers(brokers...),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{sinkEpochTopic: from}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.KeepControlRecords(), // so that the read reaches every partition's end
	)
	if err != nil {
		return -1, err
	}
	defer consumer.Close()
	last := int64(-1)
	for len(want) > 0 {
		fetches := consumer.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return -1, fmt.Errorf("read to the end: %w", err)
		}
		var ferr error
		fetches.EachError(func(_ string, _ int32, err error) { ferr = err })
		if ferr != nil {
			return -1, ferr
		}
		fetches.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() && string(r.Key) == query {
				if e, err := strconv.ParseInt(string(r.Value), 10, 64); err == nil && e > last {
					last = e
				}
			}
			if end, ok := want[r.Partition]; ok && r.Offset >= end {
				delete(want, r.Partition)
			}
		})
	}
	return last, nil
}

// sinkEncoder turns rows into records.
type sinkEncoder struct {
	names   [][]byte // `"name":` of each value column, the first with "{"
	cols    []int    // record columns written as values
	key     []int    // record columns of the key
	keyName [][]byte // `"name":` of each key column, the first with "{"
	deleted int      // record column of __deleted, or -1
	nfields int
	types   []arrow.DataType
}

func newSinkEncoder(spec executor.SinkSpec) (*sinkEncoder, error) {
	e := &sinkEncoder{deleted: -1, nfields: spec.Schema.NumFields()}
	for i, f := range spec.Schema.Fields() {
		e.types = append(e.types, f.Type)
		if f.Name == sinkDeletedColumn {
			if f.Type.ID() != arrow.BOOL {
				return nil, fmt.Errorf("column %s must be BOOLEAN, it is %s", sinkDeletedColumn, f.Type)
			}
			e.deleted = i
			continue
		}
		if err := sinkCheckType(f.Type); err != nil {
			return nil, fmt.Errorf("column %s: %v", f.Name, err)
		}
		e.names = append(e.names, sinkFieldName(len(e.cols) == 0, f.Name))
		e.cols = append(e.cols, i)
	}
	for _, k := range spec.PrimaryKey {
		if k < 0 || k >= e.nfields || k == e.deleted {
			return nil, fmt.Errorf("primary key column index %d is not a column", k)
		}
		e.keyName = append(e.keyName, sinkFieldName(len(e.key) == 0, spec.Schema.Field(k).Name))
		e.key = append(e.key, k)
	}
	if spec.Mode == executor.SinkUpsert && len(e.key) == 0 {
		return nil, fmt.Errorf("upsert needs a primary key")
	}
	return e, nil
}

func sinkFieldName(first bool, name string) []byte {
	b := []byte{','}
	if first {
		b[0] = '{'
	}
	return append(sinkAppendString(b, name), ':')
}

// records encodes every row of rec. The keys and values share a few large
// buffers.
func (e *sinkEncoder) records(topic string, rec arrow.Record) ([]*kgo.Record, error) {
	if int(rec.NumCols()) != e.nfields {
		return nil, fmt.Errorf("record has %d columns, the sink was opened with %d", rec.NumCols(), e.nfields)
	}
	for i, f := range rec.Schema().Fields() {
		if !arrow.TypeEqual(f.Type, e.types[i]) {
			return nil, fmt.Errorf("column %d (%s) is %s, the sink was opened with %s", i, f.Name, f.Type, e.types[i])
		}
	}
	n := int(rec.NumRows())
	out := make([]*kgo.Record, n)
	all := make([]kgo.Record, n)
	var del *array.Boolean
	if e.deleted >= 0 {
		del = rec.Column(e.deleted).(*array.Boolean)
	}
	var buf []byte
	cut := func(start int) []byte {
		if start == len(buf) {
			return nil
		}
		return buf[start:len(buf):len(buf)]
	}
	for row := 0; row < n; row++ {
		if cap(buf)-len(buf) < 4096 {
			buf = make([]byte, 0, 256*1024)
		}
		r := &all[row]
		r.Topic = topic
		start := len(buf)
		buf = e.appendKey(buf, rec, row)
		r.Key = cut(start)
		if del != nil && del.IsValid(row) && del.Value(row) {
			if len(e.key) == 0 {
				return nil, fmt.Errorf("row %d is a retraction (%s) but the table has no primary key to key a tombstone", row, sinkDeletedColumn)
			}
			out[row] = r // a tombstone: nil value
			continue
		}
		start = len(buf)
		for i, c := range e.cols {
			buf = append(buf, e.names[i]...)
			buf = sinkAppendJSON(buf, rec.Column(c), row)
		}
		buf = append(buf, '}')
		r.Value = cut(start)
		out[row] = r
	}
	return out, nil
}

// appendKey appends the row's key: nothing without a primary key, the text
// of a one-column key (nothing if it is NULL), a JSON object otherwise.
func (e *sinkEncoder) appendKey(b []byte, rec arrow.Record, row int) []byte {
	switch len(e.key) {
	case 0:
		return b
	case 1:
		return sinkAppendText(b, rec.Column(e.key[0]), row)
	}
	for i, k := range e.key {
		b = append(b, e.keyName[i]...)
		b = sinkAppendJSON(b, rec.Column(k), row)
	}
	return append(b, '}')
}

func sinkCheckType(t arrow.DataType) error {
	switch t.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32,
		arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.LARGE_STRING, arrow.TIMESTAMP,
		arrow.DATE32, arrow.DATE64, arrow.NULL:
		return nil
	}
	return fmt.Errorf("type %s cannot be written as JSON", t)
}

const sinkTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// sinkAppendText appends row i of arr as key text (nothing for NULL).
func sinkAppendText(b []byte, arr arrow.Array, i int) []byte {
	if arr.IsNull(i) {
		return b
	}
	switch a := arr.(type) {
	case *array.String:
		return append(b, a.Value(i)...)
	case *array.LargeString:
		return append(b, a.Value(i)...)
	case *array.Timestamp, *array.Date32, *array.Date64:
		return sinkAppendTime(b, arr, i)
	}
	return sinkAppendJSON(b, arr, i)
}

// sinkAppendTime appends a timestamp as RFC 3339 with milliseconds in UTC,
// a date as YYYY-MM-DD.
func sinkAppendTime(b []byte, arr arrow.Array, i int) []byte {
	switch a := arr.(type) {
	case *array.Timestamp:
		t := a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit)
		return t.UTC().AppendFormat(b, sinkTimeLayout)
	case *array.Date32:
		return a.Value(i).ToTime().AppendFormat(b, time.DateOnly)
	case *array.Date64:
		return a.Value(i).ToTime().UTC().AppendFormat(b, time.DateOnly)
	}
	return b
}

// sinkAppendJSON appends row i of arr as a JSON value.
func sinkAppendJSON(b []byte, arr arrow.Array, i int) []byte {
	if arr.IsNull(i) {
		return append(b, "null"...)
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return strconv.AppendBool(b, a.Value(i))
	case *array.Int64:
		return strconv.AppendInt(b, a.Value(i), 10)
	case *array.Int32:
		return strconv.AppendInt(b, int64(a.Value(i)), 10)
	case *array.Int16:
		return strconv.AppendInt(b, int64(a.Value(i)), 10)
	case *array.Int8:
		return strconv.AppendInt(b, int64(a.Value(i)), 10)
	case *array.Uint64:
		return strconv.AppendUint(b, a.Value(i), 10)
	case *array.Uint32:
		return strconv.AppendUint(b, uint64(a.Value(i)), 10)
	case *array.Uint16:
		return strconv.AppendUint(b, uint64(a.Value(i)), 10)
	case *array.Uint8:
		return strconv.AppendUint(b, uint64(a.Value(i)), 10)
	case *array.Float64:
		return sinkAppendFloat(b, a.Value(i), 64)
	case *array.Float32:
		return sinkAppendFloat(b, float64(a.Value(i)), 32)
	case *array.String:
		return sinkAppendString(b, a.Value(i))
	case *array.LargeString:
		return sinkAppendString(b, a.Value(i))
	case *array.Timestamp, *array.Date32, *array.Date64:
		return append(sinkAppendTime(append(b, '"'), arr, i), '"')
	}
	return sinkAppendString(b, arr.ValueStr(i))
}

// sinkAppendFloat writes f as encoding/json does; NaN and infinities, which
// JSON lacks, become null.
func sinkAppendFloat(b []byte, f float64, bits int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := f
	if abs < 0 {
		abs = -abs
	}
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' { // clean up e-09 to e-9, as encoding/json does
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const sinkHex = "0123456789abcdef"

// sinkAppendString appends s as a JSON string. Invalid UTF-8 becomes
// \ufffd; U+2028 and U+2029 are escaped, as encoding/json does.
func sinkAppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', sinkHex[c>>4], sinkHex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0xFFFD && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', sinkHex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
