package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/connectors/format"
)

// noticeTimeout bounds the broker check of Notice: creating a source must
// not hang on a silent host.
const noticeTimeout = 3 * time.Second

// Status says what the reader is waiting for, or "" while it reads: a source
// whose topic did not exist at Open waits for it; one whose format could
// not look up what its records refer to (a schema registry that cannot be
// reached) waits for that, its records kept.
func (r *Reader) Status() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.waiting {
		return fmt.Sprintf("waiting for topic %q on %s", r.cfg.topic, r.brokerList())
	}
	if r.formatWait != nil {
		return fmt.Sprintf("waiting to decode topic %q: %v", r.cfg.topic, r.formatWait)
	}
	return ""
}

// Notice checks, when the source is created, what would hold its queries
// up without being an error in the statement: a topic that does not exist
// yet, brokers that cannot be reached, or what the format says
// (format.Noticer). It returns "" when none is the case. It never creates
// the topic.
func (r *Reader) Notice(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, noticeTimeout)
	defer cancel()
	var notices []string
	if n := r.brokerNotice(ctx); n != "" {
		notices = append(notices, n)
	}
	if f, ok := r.format.(format.Noticer); ok {
		if n := f.Notice(ctx); n != "" {
			notices = append(notices, n)
		}
	}
	return strings.Join(notices, "; ")
}

// brokerNotice is Notice's check of the brokers and the topic.
func (r *Reader) brokerNotice(ctx context.Context) string {
	unreachable := func(err error) string {
		return fmt.Sprintf("cannot reach Kafka at %s (%v): queries on %s fail to start until it can be reached", r.brokerList(), err, r.table)
	}
	if err := probe(ctx, r.cfg.brokers); err != nil {
		return unreachable(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(r.cfg.brokers...), kgo.ClientID("tide"), kgo.DialTimeout(dialTimeout))
	if err != nil {
		return unreachable(err)
	}
	defer cl.Close()
	md, err := firstMetadata(ctx, kadm.NewClient(cl), r.cfg.topic)
	if err != nil {
		return unreachable(err)
	}
	td, ok := md.Topics[r.cfg.topic]
	if ok && !errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
		return ""
	}
	then := "queries on " + r.table + " wait until it is created"
	if r.cfg.stopLatest {
		then = "queries on " + r.table + " find nothing to read until it is created"
	}
	return fmt.Sprintf("topic %q does not exist on %s yet: %s", r.cfg.topic, r.brokerList(), then)
}

// Group is the consumer group the source commits its offsets to ("" for
// none).
func (r *Reader) Group() string { return r.cfg.group }

// ReadAvailableNow, called before Open, bounds the reader by the input
// available when it opens (Spark's Trigger.AvailableNow): each partition
// ends at its last stable offset seen at Open, partitions added later are
// not read, and the Fetch that reaches the end of the last partition is
// Done. Partitions are not reported idle for reaching that end: the next
// run goes on from there. It returns whether the source ends there anyway
// (stop = 'latest'), so that Done also means the input is complete.
func (r *Reader) ReadAvailableNow() (complete bool) {
	r.availableNow = true
	return r.cfg.stopLatest
}

// Tombstones counts the null-valued messages skipped since Open.
func (r *Reader) Tombstones() int64 { return r.tombstones }

// Partitions is how many partitions the reader reads: those of its task
// (all of them, but in a parallel query) that exist so far.
func (r *Reader) Partitions() int { return len(r.parts) }
