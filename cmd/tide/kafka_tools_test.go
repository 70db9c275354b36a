package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/connectors/kafka"
)

// toolBroker starts a real broker for the Kafka tools' tests.
func toolBroker(t *testing.T, cfg kafka.BrokerConfig) *kafka.Broker {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	if cfg.Partitions == 0 {
		cfg.Partitions = 3
	}
	b, err := cfg.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// runTool runs a tide command in-process against brokers and returns its
// exit code, stdout and stderr.
func runTool(t *testing.T, brokers string, args ...string) (int, string, string) {
	t.Helper()
	ta := newTestApp(t, nil)
	ta.env["TIDE_BROKERS"] = brokers
	code := ta.main(args)
	return code, ta.out.String(), ta.errb.String()
}

// jsonLines decodes output of --format json.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var row map[string]any
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		rows = append(rows, row)
	}
	return rows
}

// produceTo writes records synchronously to the given partitions.
func produceTo(t *testing.T, addr string, recs ...*kgo.Record) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

func rec(topic string, partition int32, key, value string) *kgo.Record {
	r := &kgo.Record{Topic: topic, Partition: partition, Value: []byte(value)}
	if key != "" {
		r.Key = []byte(key)
	}
	return r
}

// closedPort is an address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestToolsNeedABrokerAndSayWhenItIsUnreachable(t *testing.T) {
	for _, args := range [][]string{{"topic", "list"}, {"consume", "--topic", "t"}, {"group", "list"}} {
		ta := newTestApp(t, nil)
		if code := ta.main(args); code != exitUsage || !strings.Contains(ta.errb.String(), "no broker configured: give --brokers or $TIDE_BROKERS") {
			t.Errorf("%v without a broker: exit %d, stderr %q", args, code, ta.errb.String())
		}
		if ta.brokers != 0 {
			t.Errorf("%v started an embedded broker", args)
		}
		addr := closedPort(t)
		code, _, errText := runTool(t, addr, args...)
		if code != exitFail || !strings.Contains(errText, "cannot reach Kafka at "+addr+": ") || !strings.Contains(errText, "connection refused") {
			t.Errorf("%v on a closed port: exit %d, stderr %q", args, code, errText)
		}
	}
}

func TestToolsRejectBadArguments(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"topic"}, "give an action"},
		{[]string{"topic", "frobnicate"}, `unknown action "frobnicate"`},
		{[]string{"topic", "create"}, "give the topic"},
		{[]string{"topic", "create", "bad name"}, `topic name "bad name" has ' '`},
		{[]string{"topic", "create", "t", "--config", "novalue"}, `want key=value, not "novalue"`},
		{[]string{"topic", "list", "--partitions", "3"}, "are for create"},
		{[]string{"topic", "describe", "a", "b"}, "unexpected argument b"},
		{[]string{"consume"}, "--topic is required"},
		{[]string{"consume", "--topic", "t", "--isolation", "dirty"}, `--isolation is read_uncommitted or read_committed, not "dirty"`},
		{[]string{"consume", "--topic", "t", "--max-messages", "-1"}, "--max-messages must be 0"},
		{[]string{"group", "describe"}, "give the group"},
		{[]string{"group", "list", "x"}, "unexpected argument x"},
		{[]string{"group", "delete", "g"}, "give an action: list, or describe G"},
	} {
		code, _, errText := runTool(t, "127.0.0.1:1", c.args...)
		if code != exitUsage || !strings.Contains(errText, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errText, c.want)
		}
	}
}
