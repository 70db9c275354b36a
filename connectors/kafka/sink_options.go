package kafka

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/tide-sql/tide/connectors"
)

// sinkOptions are the options of a Kafka sink table, with the Spark and
// Flink spellings accepted for them.
var sinkOptions = []connectors.Option{
	{Name: "topic", Required: true, Check: sinkCheckTopic,
		Help: "topic to write"},
	{Name: "brokers", Synonyms: []string{"properties.bootstrap.servers", "kafka.bootstrap.servers", "bootstrap.servers"},
		Check: func(v string) error { _, err := sinkSplitBrokers(v); return err },
		Help:  "comma-separated bootstrap brokers host:port (default: --brokers, $TIDE_BROKERS or the embedded broker)"},
	{Name: "format", Default: "json", Synonyms: []string{"value.format"}, Check: connectors.OneOf("json"),
		Help: "message value format"},
	{Name: "transactional", Default: "true", Check: connectors.OneOf("true", "false"),
		Help: "true: exactly once through Kafka transactions (read with isolation.level=read_committed); " +
			"false: idempotent produce, at least once"},
}

// SinkOptions are the Kafka sink's options, for the kafka connector's
// registration (which merges them with the source's).
var SinkOptions = sinkOptions

// sinkConfig is a Kafka sink's options, parsed.
type sinkConfig struct {
	topic         string
	brokers       []string
	transactional bool
}

func parseSinkConfig(opts map[string]string, defaultBrokers string) (sinkConfig, error) {
	var c sinkConfig
	c.topic = strings.TrimSpace(opts["topic"])
	if err := sinkCheckTopic(c.topic); err != nil {
		return c, fmt.Errorf("option topic: %v", err)
	}
	if f := opts["format"]; f != "" && !strings.EqualFold(f, "json") {
		return c, fmt.Errorf("option format = '%s': only json is supported", f)
	}
	switch strings.ToLower(strings.TrimSpace(opts["transactional"])) {
	case "", "true":
		c.transactional = true
	case "false":
	default:
		return c, fmt.Errorf("option transactional = '%s': expected true or false", opts["transactional"])
	}
	brokers := opts["brokers"]
	if strings.TrimSpace(brokers) == "" {
		brokers = defaultBrokers
	}
	if strings.TrimSpace(brokers) == "" {
		return c, fmt.Errorf("no brokers: set option brokers, --brokers or $TIDE_BROKERS")
	}
	var err error
	if c.brokers, err = sinkSplitBrokers(brokers); err != nil {
		return c, fmt.Errorf("option brokers: %v", err)
	}
	return c, nil
}

func sinkCheckTopic(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return fmt.Errorf("empty topic")
	}
	if v == sinkEpochTopic {
		return fmt.Errorf("topic %s is tide's own bookkeeping topic", v)
	}
	return nil
}

// sinkSplitBrokers splits a comma-separated broker list; a broker without a
// port gets Kafka's 9092.
func sinkSplitBrokers(v string) ([]string, error) {
	var out []string
	for _, b := range strings.Split(v, ",") {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		host, port, err := net.SplitHostPort(b)
		switch {
		case err == nil:
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || host == "" {
				return nil, fmt.Errorf("broker %q is not host:port", b)
			}
		case strings.Contains(strings.Trim(b, "[]"), ":") && !strings.HasPrefix(b, "["):
			return nil, fmt.Errorf("broker %q is not host:port", b)
		default:
			b = net.JoinHostPort(strings.Trim(b, "[]"), "9092")
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no broker given")
	}
	return out, nil
}
