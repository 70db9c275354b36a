package kafka

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor"
)

func kafkaConnector(t *testing.T) *executor.Connector {
	t.Helper()
	c, err := executor.Lookup("kafka")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSparkAndFlinkOptionNamesNormalise(t *testing.T) {
	c := kafkaConnector(t)
	t.Run("spark", func(t *testing.T) {
		opts, err := c.Normalize(map[string]string{
			"connector": "kafka", "subscribe": "clicks", "kafka.bootstrap.servers": "k1:9093,k2",
			"startingOffsets": "earliest", "endingOffsets": "latest", "maxOffsetsPerTrigger": "500", "kafka.group.id": "g",
		})
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]string{"topic": "clicks", "brokers": "k1:9093,k2", "start": "earliest",
			"stop": "latest", "max_batch": "500", "group": "g", "format": "json", "idle_timeout": "30s", "on_error": "fail"} {
			if opts[k] != want {
				t.Errorf("%s = %q, want %q", k, opts[k], want)
			}
		}
		cfg, err := parseSourceConfig(opts, "")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.start != startEarliest || !cfg.stopLatest || cfg.maxBatch != 500 || strings.Join(cfg.brokers, ",") != "k1:9093,k2:9092" {
			t.Errorf("parsed %+v", cfg)
		}
	})
	t.Run("flink", func(t *testing.T) {
		opts, err := c.Normalize(map[string]string{
			"topic": "clicks", "properties.bootstrap.servers": "k1:9092", "value.format": "json",
			"scan.startup.mode": "earliest-offset", "scan.bounded.mode": "latest-offset",
			"properties.group.id": "g", "scan.watermark.idle-timeout": "1 minute",
		})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := parseSourceConfig(opts, "")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.start != startEarliest || !cfg.stopLatest || cfg.group != "g" || cfg.idleTimeout != time.Minute {
			t.Errorf("parsed %+v", cfg)
		}
	})
	t.Run("flink timestamp and group offsets", func(t *testing.T) {
		opts, err := c.Normalize(map[string]string{"topic": "t", "scan.startup.mode": "timestamp", "scan.startup.timestamp-millis": "1714564800000"})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := parseSourceConfig(opts, "b:9092")
		if err != nil {
			t.Fatal(err)
		}
		if cfg.start != startTimestamp || !cfg.startTime.Equal(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("parsed %+v", cfg)
		}
		opts, _ = c.Normalize(map[string]string{"topic": "t", "scan.startup.mode": "group-offsets"})
		if _, err := parseSourceConfig(opts, "b:9092"); err == nil || !strings.Contains(err.Error(), "needs option group") {
			t.Errorf("group-offsets without a group: %v", err)
		}
	})
	t.Run("brokers default to the engine's", func(t *testing.T) {
		opts, _ := c.Normalize(map[string]string{"topic": "t"})
		cfg, err := parseSourceConfig(opts, "127.0.0.1:9092")
		if err != nil || strings.Join(cfg.brokers, ",") != "127.0.0.1:9092" {
			t.Fatalf("brokers %v, err %v", cfg.brokers, err)
		}
		if _, err := parseSourceConfig(opts, ""); err == nil || !strings.Contains(err.Error(), "has no brokers") {
			t.Fatalf("no brokers anywhere: %v", err)
		}
	})
}

func TestBadOptionValuesAreRejectedClearly(t *testing.T) {
	c := kafkaConnector(t)
	for _, tc := range []struct{ key, value, want string }{
		{"max_batch", "0", "greater than 0"},
		{"maxOffsetsPerTrigger", "lots", "greater than 0"},
		{"idle_timeout", "soon", "not a duration"},
		{"on_error", "ignore", "fail, skip or table:NAME"},
		{"on_error", "table:", "needs a table name"},
		{"late", "keep", "drop or table:NAME"},
		{"start", "yesterday", "earliest, latest, group or timestamp:<RFC3339>"},
		{"start", "timestamp:May 1st", "not an RFC 3339 time"},
		{"startingOffsets", `{"t":{"0":5}}`, "per-partition JSON offsets are not supported"},
		{"stop", "forever", "never or latest"},
		{"format", "xml", "expected one of"},
		{"brokers", "a:b:c", "not host:port"},
		{"brokers", "k:99999", "bad port"},
	} {
		_, err := c.Normalize(map[string]string{"topic": "t", tc.key: tc.value})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%s = '%s': error %v, want one naming the option and saying %q", tc.key, tc.value, err, tc.want)
		}
	}
	if _, err := c.Normalize(map[string]string{"brokers": "k:9092"}); err == nil || !strings.Contains(err.Error(), "topic") {
		t.Errorf("missing topic: %v", err)
	}
}

func TestDurationsAreReadAsUsersWriteThem(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30s": 30 * time.Second, "30 seconds": 30 * time.Second, "1.5 min": 90 * time.Second,
		"250ms": 250 * time.Millisecond, "2 HOURS": 2 * time.Hour, "0": 0,
	} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestKafkaIsOneConnectorForSourceAndSink(t *testing.T) {
	c := kafkaConnector(t)
	if c.NewSource == nil || c.NewSink == nil {
		t.Fatal("kafka must be both a source and a sink")
	}
	seen := map[string]int{}
	for _, o := range c.Options {
		seen[o.Name]++
	}
	for name, n := range seen {
		if n > 1 {
			t.Errorf("option %s is listed %d times", name, n)
		}
	}
	for _, name := range []string{"topic", "brokers", "start", "on_error"} {
		if seen[name] != 1 {
			t.Errorf("option %s missing", name)
		}
	}
	if _, err := c.Normalize(map[string]string{"subscribe": "t", "bootstrap.servers": "k:1"}); err != nil {
		t.Errorf("source synonyms after the merge: %v", err)
	}
}

func TestMergedOptionsKeepBothSidesRules(t *testing.T) {
	strict := func(v string) error {
		if strings.Contains(v, " ") {
			return errors.New("no spaces")
		}
		return nil
	}
	merged := mergeOptions(
		[]executor.Option{{Name: "topic", Required: true, Synonyms: []string{"subscribe"}, Check: checkNotEmpty}},
		[]executor.Option{{Name: "Topic", Synonyms: []string{"SUBSCRIBE", "topic-name"}, Check: strict}, {Name: "acks", Default: "all"}},
	)
	if len(merged) != 2 || merged[1].Name != "acks" {
		t.Fatalf("merged %+v", merged)
	}
	topic := merged[0]
	if !topic.Required || strings.Join(topic.Synonyms, ",") != "subscribe,topic-name" {
		t.Errorf("topic merged as %+v", topic)
	}
	if topic.Check("") == nil || topic.Check("a b") == nil || topic.Check("ab") != nil {
		t.Error("merged check must apply both checks")
	}
}
