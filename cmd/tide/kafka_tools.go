package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Bounds of the Kafka tools (topic, consume, group), so that an
// unreachable or silent broker is an error, not a hang.
const (
	toolDialTimeout = 5 * time.Second
	toolTimeout     = 30 * time.Second // one admin command, start to end
)

// toolBrokers is the bootstrap list of a Kafka tool: --brokers or
// $TIDE_BROKERS. An embedded broker would be empty and vanish with the
// command, so without either the tool fails with a hint.
func (a *app) toolBrokers(g globalOptions, cmd string) (string, bool) {
	brokers := a.configuredBrokers(g)
	if brokers == "" {
		fmt.Fprintf(a.stderr, "tide %s: no broker configured: give --brokers or $TIDE_BROKERS (tide broker starts one)\n", cmd)
		return "", false
	}
	return brokers, true
}

// withAdmin runs one admin command (cmd names it in errors) against the
// configured brokers, within toolTimeout, and returns its exit code.
func (a *app) withAdmin(g globalOptions, cmd string, run func(ctx context.Context, adm *kadm.Client, brokers string) error) int {
	brokers, ok := a.toolBrokers(g, strings.Fields(cmd)[0])
	if !ok {
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cl, err := dialKafka(ctx, brokers)
	if err == nil {
		defer cl.Close()
		err = run(ctx, kadm.NewClient(cl), brokers)
	}
	if err != nil {
		return a.fail(cmd, err)
	}
	return exitOK
}

// dialKafka opens a franz-go client on brokers and checks that the cluster
// answers within ctx.
func dialKafka(ctx context.Context, brokers string, opts ...kgo.Opt) (*kgo.Client, error) {
	opts = append([]kgo.Opt{
		kgo.SeedBrokers(splitBrokers(brokers)...),
		kgo.DialTimeout(toolDialTimeout),
		kgo.RetryTimeout(toolTimeout),
	}, opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("brokers %q: %w", brokers, err)
	}
	pctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	if err := cl.Ping(pctx); err != nil {
		cl.Close()
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("cannot reach Kafka at %s: no answer within %v", brokers, toolTimeout)
		}
		return nil, fmt.Errorf("cannot reach Kafka at %s: %w", brokers, err)
	}
	return cl, nil
}

// errNoTopic is the error for a topic the cluster does not have.
func errNoTopic(topic, brokers string) error {
	return fmt.Errorf("topic %q does not exist on %s", topic, brokers)
}

// requireTopic fails unless topic exists. It asks as Kafka's console
// clients do, allowing the broker to create the topic on first use if the
// broker does that.
func requireTopic(ctx context.Context, cl *kgo.Client, brokers, topic string, allowCreate bool) error {
	req := kmsg.NewPtrMetadataRequest()
	t := kmsg.NewMetadataRequestTopic()
	t.Topic = kmsg.StringPtr(topic)
	req.Topics = []kmsg.MetadataRequestTopic{t}
	req.AllowAutoTopicCreation = allowCreate
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("metadata of topic %q from %s: %w", topic, brokers, err)
	}
	for _, rt := range resp.Topics {
		if rt.Topic == nil || *rt.Topic != topic {
			continue
		}
		err := kerr.ErrorForCode(rt.ErrorCode)
		switch {
		case errors.Is(err, kerr.UnknownTopicOrPartition) || (err == nil && len(rt.Partitions) == 0):
			return errNoTopic(topic, brokers)
		case err != nil:
			return fmt.Errorf("topic %q on %s: %w", topic, brokers, err)
		}
		return nil
	}
	return errNoTopic(topic, brokers)
}

// kafkaErr makes an admin error read as what it is about.
func kafkaErr(what string, err error) error {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return fmt.Errorf("%s: %s: %s", what, ke.Message, ke.Description)
	}
	return fmt.Errorf("%s: %w", what, err)
}
