package kafka

// What the Kafka sink asks the brokers before it writes: whether they
// answer, whether its topic exists (or is created on first use, as a Kafka
// producer's topic is), and how large a record the topic accepts.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const (
	// sinkDefaultMaxMessageBytes is Kafka's default max.message.bytes,
	// assumed when the brokers do not say.
	sinkDefaultMaxMessageBytes = 1048588
	// sinkRecordOverhead bounds what a record adds to its key and value in a
	// batch of its own: the v2 batch header (61 bytes) and the record's
	// varints and attributes.
	sinkRecordOverhead = 61 + 28
)

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

// sinkEnsureTopic makes sure topic exists. A missing topic is asked for
// with auto-creation allowed, as a producer does: brokers that create
// topics on first use (auto.create.topics.enable, tide's broker) create it
// with their default partitions; others leave it missing, and the error says
// so, naming the topic and the brokers.
func sinkEnsureTopic(ctx context.Context, cl *kgo.Client, brokers []string, topic string) error {
	for try := 0; ; try++ {
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
		req.AllowAutoTopicCreation = true
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return fmt.Errorf("look up topic %s on %s: %w", topic, strings.Join(brokers, ","), err)
		}
		var code int16 = kerr.UnknownTopicOrPartition.Code
		for _, t := range resp.Topics {
			if t.Topic != nil && *t.Topic == topic {
				code = t.ErrorCode
				if code == 0 && len(t.Partitions) == 0 {
					code = kerr.LeaderNotAvailable.Code // created, not ready yet
				}
			}
		}
		err = kerr.ErrorForCode(code)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, kerr.UnknownTopicOrPartition) && try >= 10:
			return fmt.Errorf("topic %s does not exist on %s, and the brokers do not create topics on first use "+
				"(auto.create.topics.enable=false): create it first (tide topic create %s --brokers %s)",
				topic, strings.Join(brokers, ","), topic, brokers[0])
		case !kerr.IsRetriable(err) && !errors.Is(err, kerr.UnknownTopicOrPartition):
			return fmt.Errorf("topic %s on %s: %w", topic, strings.Join(brokers, ","), err)
		case try >= 100:
			return fmt.Errorf("topic %s on %s is not ready: %w", topic, strings.Join(brokers, ","), err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("topic %s on %s: %w", topic, strings.Join(brokers, ","), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sinkCreateTopic creates topic (tide's own marker topic) if the brokers do
// not know it.
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

// sinkMaxMessageBytes is the largest record batch topic accepts: its
// max.message.bytes (the brokers' message.max.bytes unless the topic
// overrides it), or Kafka's default when the brokers do not tell.
func sinkMaxMessageBytes(ctx context.Context, adm *kadm.Client, topic string) int32 {
	rcs, err := adm.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		return sinkDefaultMaxMessageBytes
	}
	rc, err := rcs.On(topic, nil)
	if err != nil || rc.Err != nil {
		return sinkDefaultMaxMessageBytes
	}
	for _, c := range rc.Configs {
		if c.Key == "max.message.bytes" && c.Value != nil {
			if n, err := strconv.ParseInt(*c.Value, 10, 32); err == nil && n >= 512 && n <= 1<<30 {
				return int32(n)
			}
		}
	}
	return sinkDefaultMaxMessageBytes
}

// sinkTooLarge says which limit a record of size bytes exceeds.
func sinkTooLarge(topic string, brokers []string, size int, limit int32) error {
	return fmt.Errorf("a record of %d bytes (key, value and batch overhead) exceeds the %d bytes that topic %s accepts "+
		"on %s (max.message.bytes of the topic, message.max.bytes of the brokers)", size, limit, topic, strings.Join(brokers, ","))
}
