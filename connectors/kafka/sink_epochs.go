package kafka

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

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
