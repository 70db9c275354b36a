// Package kafkatest holds what tests ask a Kafka broker directly, with
// franz-go's admin client: whether a topic exists, its partitions, a
// group's offsets. Only tests import it.
package kafkatest

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Timeout bounds each request of a test to the broker.
const Timeout = 10 * time.Second

// Ask runs f with an admin client on the broker at addr and a context
// bounded by Timeout, then closes the client: tests poll with it.
func Ask(tb testing.TB, addr string, f func(ctx context.Context, adm *kadm.Client)) {
	tb.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		tb.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	f(ctx, kadm.NewClient(cl))
}

// Topics lists the broker's topics (a metadata request that creates none).
func Topics(tb testing.TB, addr string) kadm.TopicDetails {
	tb.Helper()
	var topics kadm.TopicDetails
	var err error
	Ask(tb, addr, func(ctx context.Context, adm *kadm.Client) { topics, err = adm.ListTopics(ctx) })
	if err != nil {
		tb.Fatal(err)
	}
	return topics
}

// TopicExists asks the broker whether topic exists, without creating it.
func TopicExists(tb testing.TB, addr, topic string) bool {
	tb.Helper()
	return Topics(tb, addr).Has(topic)
}
