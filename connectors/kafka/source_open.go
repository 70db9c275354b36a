package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/executor"
)

// openTimeout bounds Open: an unreachable or silent broker fails it instead
// of hanging the query.
const openTimeout = 8 * time.Second

// dialTimeout bounds one connection attempt.
const dialTimeout = 3 * time.Second

// Open connects, finds the topic's partitions and starts consuming them:
// partitions in start resume there, the others start per the start option.
func (r *Reader) Open(ctx context.Context, start executor.Offsets) error {
	if r.cl != nil {
		return fmt.Errorf("source %s: already open", r.table)
	}
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := probe(ctx, r.cfg.brokers); err != nil {
		return fmt.Errorf("cannot reach Kafka at %s: %v", r.brokerList(), err)
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(r.cfg.brokers...),
		kgo.ClientID("tide"),
		kgo.DialTimeout(dialTimeout),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), // a checkpointed offset that retention removed
		kgo.FetchMaxWait(time.Second),
		// Exactly-once chains: read only committed transactions, and see
		// the commit markers so that a partition whose last offset is a
		// marker still reaches its end offset.
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		kgo.KeepControlRecords(),
		kgo.MetadataMinAge(time.Second), // new partitions are picked up soon after discovery
	)
	if err != nil {
		return fmt.Errorf("source %s: kafka client for %s: %w", r.table, r.brokerList(), err)
	}
	r.cl, r.adm = cl, kadm.NewClient(cl)
	if err := r.open(ctx, start); err != nil {
		r.Close()
		return err
	}
	return nil
}

func (r *Reader) open(ctx context.Context, start executor.Offsets) error {
	r.resume = start.Clone()
	ids, err := r.topicPartitions(ctx)
	if err != nil {
		return err
	}
	if ids == nil {
		// The topic does not exist yet (the job often starts before the
		// producer): an unbounded source waits for it, a bounded one has
		// nothing to read.
		if !r.bounded() {
			r.mu.Lock()
			r.waiting = true
			r.mu.Unlock()
			r.disc = startDiscovery(r.adm, r.cfg.topic, nil)
		}
		return nil
	}
	starts, err := r.startOffsets(ctx)
	if err != nil {
		return err
	}
	ends, err := r.listOffsets(ctx, "end offsets", r.adm.ListEndOffsets)
	if err != nil {
		return err
	}
	stops := ends
	if r.bounded() {
		// Read committed: the last stable offset is the end a bounded
		// read can reach without waiting for open transactions.
		if stops, err = r.listOffsets(ctx, "last stable offsets", r.adm.ListCommittedOffsets); err != nil {
			return err
		}
	}
	now := time.Now()
	consume := map[int32]kgo.Offset{}
	for _, id := range ids {
		next, ok := start[id]
		if !ok {
			if next, ok = starts[id]; !ok {
				return fmt.Errorf("source %s: no start offset for topic %q partition %d", r.table, r.cfg.topic, id)
			}
		}
		end, _ := ends.Lookup(r.cfg.topic, id)
		stop := int64(-1)
		if r.bounded() {
			s, _ := stops.Lookup(r.cfg.topic, id)
			stop = s.Offset
		}
		p := r.addPartition(id, next, stop, now)
		r.mu.Lock()
		p.highWater = max(p.highWater, end.Offset)
		r.mu.Unlock()
		if stop >= 0 && next >= stop {
			p.done = true // nothing to read before the end seen now
			continue
		}
		consume[id] = kgo.NewOffset().At(next)
	}
	if len(consume) > 0 {
		r.cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{r.cfg.topic: consume})
	}
	if !r.bounded() {
		r.disc = startDiscovery(r.adm, r.cfg.topic, ids)
	}
	return nil
}

// listOffsets lists one kind of offsets of the topic's partitions.
func (r *Reader) listOffsets(ctx context.Context, what string, list func(context.Context, ...string) (kadm.ListedOffsets, error)) (kadm.ListedOffsets, error) {
	listed, err := list(ctx, r.cfg.topic)
	if err == nil {
		err = listed.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("source %s: %s of topic %q: %w", r.table, what, r.cfg.topic, err)
	}
	return listed, nil
}

// topicPartitions returns the topic's partitions, nil if the topic does not
// exist, or says why it cannot tell. It is the first request, so it also
// tells whether the brokers speak Kafka. The request never creates the
// topic (the client does not allow auto-creation).
func (r *Reader) topicPartitions(ctx context.Context) ([]int32, error) {
	md, err := firstMetadata(ctx, r.adm, r.cfg.topic)
	if err != nil {
		return nil, fmt.Errorf("cannot reach Kafka at %s: %v", r.brokerList(), err)
	}
	td, ok := md.Topics[r.cfg.topic]
	switch {
	case !ok || errors.Is(td.Err, kerr.UnknownTopicOrPartition):
		return nil, nil
	case td.Err != nil:
		return nil, fmt.Errorf("topic %q on %s: %w", r.cfg.topic, r.brokerList(), td.Err)
	case len(td.Partitions) == 0:
		return nil, fmt.Errorf("topic %q on %s has no partitions", r.cfg.topic, r.brokerList())
	}
	var ids []int32
	for _, id := range td.Partitions.Numbers() {
		if r.cfg.mine(id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// startOffsets resolves the start option to an offset per partition, so that
// every partition has a concrete position (and a checkpoint taken before its
// first record still records where it starts).
func (r *Reader) startOffsets(ctx context.Context) (map[int32]int64, error) {
	var (
		listed kadm.ListedOffsets
		err    error
		what   string
	)
	switch r.cfg.start {
	case startLatest:
		what = "latest offsets"
		listed, err = r.adm.ListEndOffsets(ctx, r.cfg.topic)
	case startTimestamp:
		what = "offsets at " + r.cfg.startTime.Format(time.RFC3339Nano)
		listed, err = r.adm.ListOffsetsAfterMilli(ctx, r.cfg.startTime.UnixMilli(), r.cfg.topic)
	default: // earliest, and group for partitions the group never committed
		what = "earliest offsets"
		listed, err = r.adm.ListStartOffsets(ctx, r.cfg.topic)
	}
	if err == nil {
		err = listed.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("source %s: %s of topic %q: %w", r.table, what, r.cfg.topic, err)
	}
	out := map[int32]int64{}
	listed.Each(func(o kadm.ListedOffset) {
		if o.Topic == r.cfg.topic && o.Offset >= 0 {
			out[o.Partition] = o.Offset
		}
	})
	if r.cfg.start != startGroup {
		return out, nil
	}
	committed, err := r.adm.FetchOffsets(ctx, r.cfg.group)
	if err == nil {
		err = committed.Error()
	}
	if errors.Is(err, kerr.GroupIDNotFound) {
		return out, nil // a group that never committed starts at earliest
	}
	if err != nil {
		return nil, fmt.Errorf("source %s: committed offsets of group %q: %w", r.table, r.cfg.group, err)
	}
	for id := range out {
		if c, ok := committed.Lookup(r.cfg.topic, id); ok && c.Err == nil && c.At >= 0 {
			out[id] = c.At
		}
	}
	return out, nil
}

// firstMetadata is a metadata request bounded by ctx even while the client
// is still in its connection handshake, which does not watch ctx: a host
// that accepts connections but never answers would otherwise hold Open for
// the client's request timeout.
func firstMetadata(ctx context.Context, adm *kadm.Client, topic string) (kadm.Metadata, error) {
	type result struct {
		md  kadm.Metadata
		err error
	}
	ch := make(chan result, 1)
	go func() {
		md, err := adm.Metadata(ctx, topic)
		ch <- result{md, err}
	}()
	select {
	case res := <-ch:
		return res.md, res.err
	case <-ctx.Done():
		return kadm.Metadata{}, fmt.Errorf("no answer to a metadata request: %w", ctx.Err())
	}
}

// probe dials the brokers until one accepts a connection, so that a wrong
// address fails at once with the network's own reason.
func probe(ctx context.Context, brokers []string) error {
	var first error
	for _, b := range brokers {
		dctx, cancel := context.WithTimeout(ctx, dialTimeout)
		var d net.Dialer
		c, err := d.DialContext(dctx, "tcp", b)
		cancel()
		if err == nil {
			c.Close()
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return first
}
