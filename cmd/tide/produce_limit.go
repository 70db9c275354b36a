package main

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// kgoBatchBytes bound what franz-go accepts as a record batch size.
const (
	kgoMinBatchBytes     = 512
	kgoDefaultBatchBytes = 1000012
	kgoMaxBatchBytes     = 1 << 30
)

// batchLimit is the producer's record batch size, set once the topic's
// limit is known (franz-go asks when it first produces to a partition).
type batchLimit struct{ n atomic.Int32 }

func (b *batchLimit) forTopic(string) int32 {
	if n := b.n.Load(); n > 0 {
		return n
	}
	return kgoDefaultBatchBytes
}

// set makes batches at most limit bytes (0: unknown, the default).
func (b *batchLimit) set(limit int) {
	if limit > 0 {
		b.n.Store(int32(min(max(limit, kgoMinBatchBytes), kgoMaxBatchBytes)))
	}
}

// topicMaxMessageBytes is the largest record batch topic accepts: its
// max.message.bytes if set on the topic, else the broker's
// message.max.bytes; 0 if the cluster does not say.
func topicMaxMessageBytes(ctx context.Context, cl *kgo.Client, topic string) int {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rcs, err := kadm.NewClient(cl).DescribeTopicConfigs(ctx, topic)
	if err != nil {
		return 0
	}
	rc, err := rcs.On(topic, nil)
	if err != nil || rc.Err != nil {
		return 0
	}
	// Kafka shows the effective value under the topic's name with where
	// it comes from; kfake lists the broker's setting under its own name.
	values := map[string]int{}
	var topicSet bool
	for _, c := range rc.Configs {
		if n, err := strconv.Atoi(c.MaybeValue()); err == nil {
			values[c.Key] = n
			topicSet = topicSet || (c.Key == "max.message.bytes" && c.Source == kmsg.ConfigSourceDynamicTopicConfig)
		}
	}
	if n, ok := values["message.max.bytes"]; ok && !topicSet {
		return n
	}
	return values["max.message.bytes"]
}

// tooLargeText says why a record of size bytes was refused.
func tooLargeText(size int, topic string, limit int) string {
	if limit <= 0 {
		return fmt.Sprintf("record of %d bytes is too large for topic %s (MESSAGE_TOO_LARGE)", size, topic)
	}
	return fmt.Sprintf("record of %d bytes is too large for topic %s, whose limit is %d bytes per record batch (max.message.bytes; MESSAGE_TOO_LARGE)", size, topic, limit)
}
