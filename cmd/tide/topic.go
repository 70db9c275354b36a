package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/tide-sql/tide/cmd/tide/internal/render"
	"github.com/tide-sql/tide/connectors/kafka"
)

const topicUsage = `tide topic create T [--partitions N] [--replication-factor R] [--config k=v ...] [--if-not-exists]
       tide topic list
       tide topic describe T
       tide topic delete T

Manages the topics of any Kafka cluster (--brokers or $TIDE_BROKERS), as
kafka-topics --create / --list / --describe / --delete do; T may also be
given as --topic T. create uses the broker's defaults for what is not
given; describe shows each partition's leader, replicas, in-sync replicas,
start and end offsets, and (in a table) the configs set on the topic.

  kafka-topics --create --bootstrap-server B --topic events --partitions 3 --replication-factor 1
  tide topic create events --partitions 3 --replication-factor 1 --brokers B
  kafka-topics --describe --bootstrap-server B --topic events
  tide topic describe events --brokers B`

func (a *app) cmdTopic(g globalOptions, args []string) int {
	var (
		topic       string
		partitions  int // 0: the broker's default
		replication int
		ifNotExists bool
		configs     = map[string]*string{}
	)
	fs := newFlagSet("topic", topicUsage, &g, a.stderr)
	fs.StringVar(&topic, "topic", "", "the `topic` (instead of T)")
	fs.IntVar(&partitions, "partitions", 0, "create: number of partitions (default: the broker's)")
	fs.IntVar(&replication, "replication-factor", 0, "create: replicas of each partition (default: the broker's)")
	fs.BoolVar(&ifNotExists, "if-not-exists", false, "create: succeed if the topic exists already")
	fs.Var(configFlag(configs), "config", "create: a topic config `key=value` (repeatable), e.g. retention.ms=3600000")
	var pos []string
	if err := parseFlags(fs, args, func(s string) { pos = append(pos, s) }); err != nil {
		return flagExit(err)
	}
	if len(pos) == 0 {
		fmt.Fprintln(a.stderr, "tide topic: give an action: create, list, describe or delete (tide topic -h)")
		return exitUsage
	}
	action, rest := pos[0], pos[1:]
	if topic == "" && len(rest) > 0 {
		topic, rest = rest[0], rest[1:]
	}
	if err := unexpectedArgs("topic "+action, rest); err != nil {
		fmt.Fprintln(a.stderr, "tide", err)
		return exitUsage
	}
	switch action {
	case "create", "describe", "delete":
		if topic == "" {
			fmt.Fprintf(a.stderr, "tide topic %s: give the topic: tide topic %s T\n", action, action)
			return exitUsage
		}
	case "list":
	default:
		fmt.Fprintf(a.stderr, "tide topic: unknown action %q: use create, list, describe or delete\n", action)
		return exitUsage
	}
	if action == "create" {
		if err := kafka.CheckTopicName(topic); err != nil {
			fmt.Fprintf(a.stderr, "tide topic create: %v\n", err)
			return exitUsage
		}
	}
	if partitions < 0 || replication < 0 || partitions > 1<<20 || replication > 1<<15-1 {
		fmt.Fprintf(a.stderr, "tide topic %s: --partitions and --replication-factor must be positive\n", action)
		return exitUsage
	}
	if action != "create" && (partitions != 0 || replication != 0 || ifNotExists || len(configs) > 0) {
		fmt.Fprintf(a.stderr, "tide topic %s: --partitions, --replication-factor, --config and --if-not-exists are for create\n", action)
		return exitUsage
	}
	return a.withAdmin(g, "topic "+action, func(ctx context.Context, adm *kadm.Client, brokers string) error {
		switch action {
		case "create":
			return a.topicCreate(ctx, adm, brokers, topic, orDefault(partitions), int16(orDefault(replication)), configs, ifNotExists)
		case "list":
			return a.topicList(ctx, adm, g.format)
		case "describe":
			return a.topicDescribe(ctx, adm, brokers, topic, g.format)
		}
		return a.topicDelete(ctx, adm, brokers, topic)
	})
}

// orDefault is n, or -1 (the broker's default) for 0.
func orDefault(n int) int32 {
	if n == 0 {
		return -1
	}
	return int32(n)
}

// configFlag is the repeatable --config key=value.
type configFlag map[string]*string

func (c configFlag) String() string { return "" }
func (c configFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want key=value, not %q", s)
	}
	c[strings.TrimSpace(k)] = &v
	return nil
}

var _ flag.Value = configFlag(nil)

func (a *app) topicCreate(ctx context.Context, adm *kadm.Client, brokers, topic string, partitions int32, replication int16, configs map[string]*string, ifNotExists bool) error {
	resp, err := adm.CreateTopic(ctx, partitions, replication, configs, topic)
	if err == nil {
		err = resp.Err
	}
	switch {
	case errors.Is(err, kerr.TopicAlreadyExists) && ifNotExists:
		fmt.Fprintf(a.stdout, "topic %s exists already\n", topic)
		return nil
	case errors.Is(err, kerr.TopicAlreadyExists):
		return fmt.Errorf("topic %q already exists on %s (--if-not-exists accepts that)", topic, brokers)
	case err != nil:
		return kafkaErr(fmt.Sprintf("create topic %q on %s", topic, brokers), err)
	}
	fmt.Fprintf(a.stdout, "created topic %s (%d partitions, replication factor %d)\n", topic, resp.NumPartitions, resp.ReplicationFactor)
	return nil
}

func (a *app) topicList(ctx context.Context, adm *kadm.Client, f render.Format) error {
	topics, err := adm.ListTopics(ctx)
	if err != nil {
		return kafkaErr("list topics", err)
	}
	grid := render.Grid{Columns: []string{"TOPIC", "PARTITIONS", "REPLICATION-FACTOR"}, Right: []bool{false, true, true}}
	for _, t := range topics.Sorted() {
		grid.Rows = append(grid.Rows, []any{t.Topic, int64(len(t.Partitions)), int64(t.Partitions.NumReplicas())})
	}
	return render.Write(a.stdout, f, grid)
}

func (a *app) topicDescribe(ctx context.Context, adm *kadm.Client, brokers, topic string, f render.Format) error {
	topics, err := adm.ListTopics(ctx, topic)
	if err != nil {
		return kafkaErr(fmt.Sprintf("describe topic %q", topic), err)
	}
	td, ok := topics[topic]
	if !ok || errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
		return errNoTopic(topic, brokers)
	}
	if td.Err != nil {
		return kafkaErr(fmt.Sprintf("describe topic %q on %s", topic, brokers), td.Err)
	}
	starts, err := adm.ListStartOffsets(ctx, topic)
	if err == nil {
		err = starts.Error()
	}
	if err != nil {
		return kafkaErr(fmt.Sprintf("start offsets of %q", topic), err)
	}
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return kafkaErr(fmt.Sprintf("end offsets of %q", topic), err)
	}
	set, err := topicConfigsSet(ctx, adm, topic)
	if err != nil {
		return err
	}
	if f == render.Table {
		fmt.Fprintf(a.stdout, "Topic: %s\tTopicId: %s\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s\n",
			topic, base64.RawURLEncoding.EncodeToString(td.ID[:]), len(td.Partitions), td.Partitions.NumReplicas(), strings.Join(set, ","))
	}
	grid := render.Grid{
		Columns: []string{"TOPIC", "PARTITION", "LEADER", "REPLICAS", "ISR", "START-OFFSET", "END-OFFSET"},
		Right:   []bool{false, true, true, false, false, true, true},
	}
	for _, p := range td.Partitions.Sorted() {
		start, _ := starts.Lookup(topic, p.Partition)
		end, _ := ends.Lookup(topic, p.Partition)
		grid.Rows = append(grid.Rows, []any{topic, int64(p.Partition), int64(p.Leader),
			joinIDs(p.Replicas), joinIDs(p.ISR), start.Offset, end.Offset})
	}
	return render.Write(a.stdout, f, grid)
}

// topicConfigsSet lists the configs set on topic itself ("k=v"), the ones
// kafka-topics --describe shows.
func topicConfigsSet(ctx context.Context, adm *kadm.Client, topic string) ([]string, error) {
	rcs, err := adm.DescribeTopicConfigs(ctx, topic)
	if err != nil {
		return nil, kafkaErr(fmt.Sprintf("configs of topic %q", topic), err)
	}
	rc, err := rcs.On(topic, nil)
	if err == nil {
		err = rc.Err
	}
	if err != nil {
		return nil, kafkaErr(fmt.Sprintf("configs of topic %q", topic), err)
	}
	var set []string
	for _, c := range rc.Configs {
		if c.Source == kmsg.ConfigSourceDynamicTopicConfig {
			set = append(set, c.Key+"="+c.MaybeValue())
		}
	}
	sort.Strings(set)
	return set, nil
}

func joinIDs(ids []int32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return strings.Join(s, ",")
}

func (a *app) topicDelete(ctx context.Context, adm *kadm.Client, brokers, topic string) error {
	resp, err := adm.DeleteTopic(ctx, topic)
	if err == nil {
		err = resp.Err
	}
	switch {
	case errors.Is(err, kerr.UnknownTopicOrPartition):
		return errNoTopic(topic, brokers)
	case err != nil:
		return kafkaErr(fmt.Sprintf("delete topic %q on %s", topic, brokers), err)
	}
	fmt.Fprintf(a.stdout, "deleted topic %s\n", topic)
	return nil
}
