package kafka

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
	_ "github.com/tide-sql/tide/connectors/formats" // the formats the format option names
	"github.com/tide-sql/tide/executor"
)

// sinkCompressions are the compression option's values and their codecs.
var sinkCompressions = map[string]kgo.CompressionCodec{
	"none":   kgo.NoCompression(),
	"gzip":   kgo.GzipCompression(),
	"snappy": kgo.SnappyCompression(),
	"lz4":    kgo.Lz4Compression(),
	"zstd":   kgo.ZstdCompression(),
}

// sinkOptions are the options of a Kafka sink table, with the Spark and
// Flink spellings accepted for them.
var sinkOptions = []executor.Option{
	{Name: "topic", Required: true, Check: sinkCheckTopic,
		Help: "topic to write"},
	{Name: "brokers", Synonyms: []string{"properties.bootstrap.servers", "kafka.bootstrap.servers", "bootstrap.servers"},
		Check: func(v string) error { _, err := sinkSplitBrokers(v); return err },
		Help:  "comma-separated bootstrap brokers host:port (default: --brokers, $TIDE_BROKERS or the embedded broker)"},
	{Name: "format", Default: "json", Synonyms: []string{"value.format"}, Check: format.CheckName,
		Help: "message format: " + strings.Join(format.Names(), ", ")},
	{Name: "key", Synonyms: []string{"key.fields"}, Check: func(v string) error { _, err := sinkSplitKey(v); return err },
		Help: "comma-separated columns whose values make the message key (one column: its text; several: a JSON object); " +
			"default: the primary key, else no key"},
	{Name: "compression", Default: "none", Synonyms: []string{"compression.type", "properties.compression.type", "kafka.compression.type"},
		Check: executor.OneOf("none", "gzip", "snappy", "lz4", "zstd"),
		Help:  "compression of the record batches: none (readable by every client), gzip, snappy, lz4 or zstd"},
	{Name: "transactional", Default: "true", Check: executor.OneOf("true", "false"),
		Help: "true: exactly once through Kafka transactions (read with isolation.level=read_committed); " +
			"false: idempotent produce, at least once, for clients that cannot read committed only"},
}

// SinkOptions are the Kafka sink's options with those of every format, for
// the kafka connector's registration (which merges them with the source's).
var SinkOptions = append(append([]executor.Option(nil), sinkOptions...), format.Options()...)

// sinkConfig is a Kafka sink's options, parsed.
type sinkConfig struct {
	topic         string
	brokers       []string
	transactional bool
	compression   string   // a key of sinkCompressions
	key           []string // the key option's columns; nil: the primary key
}

func parseSinkConfig(opts map[string]string, defaultBrokers string) (sinkConfig, error) {
	var c sinkConfig
	c.topic = strings.TrimSpace(opts["topic"])
	if err := sinkCheckTopic(c.topic); err != nil {
		return c, fmt.Errorf("option topic: %v", err)
	}
	switch strings.ToLower(strings.TrimSpace(opts["transactional"])) {
	case "", "true":
		c.transactional = true
	case "false":
	default:
		return c, fmt.Errorf("option transactional = '%s': expected true or false", opts["transactional"])
	}
	c.compression = strings.ToLower(strings.TrimSpace(opts["compression"]))
	if c.compression == "" {
		c.compression = "none"
	}
	if _, ok := sinkCompressions[c.compression]; !ok {
		return c, fmt.Errorf("option compression = '%s': expected none, gzip, snappy, lz4 or zstd", opts["compression"])
	}
	if v, ok := opts["key"]; ok {
		var err error
		if c.key, err = sinkSplitKey(v); err != nil {
			return c, fmt.Errorf("option key = '%s': %v", v, err)
		}
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

// sinkSplitKey splits the key option: column names separated by commas
// (or semicolons, as Flink's key.fields writes them).
func sinkSplitKey(v string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
		f = strings.Trim(strings.TrimSpace(f), "`\"")
		if f == "" {
			continue
		}
		if seen[strings.ToLower(f)] {
			return nil, fmt.Errorf("column %s is named twice", f)
		}
		seen[strings.ToLower(f)] = true
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no column named")
	}
	return out, nil
}

// checkSinkKey checks the key option against table t: every column exists,
// and a table with a primary key (whose writes replace rows by key) is keyed
// by exactly its primary key columns.
func checkSinkKey(key []string, t *catalog.Table) error {
	if key == nil {
		return nil
	}
	var names []string
	for _, c := range t.Columns {
		names = append(names, c.Name)
	}
	for _, k := range key {
		if t.ColumnIndex(k) < 0 || strings.EqualFold(k, sinkDeletedColumn) {
			return fmt.Errorf("option key: column %s is not a column of %s (columns: %s)", k, t.Name, strings.Join(names, ", "))
		}
	}
	if len(t.PrimaryKey) == 0 {
		return nil
	}
	same := len(key) == len(t.PrimaryKey)
	for _, k := range key {
		found := false
		for _, p := range t.PrimaryKey {
			found = found || strings.EqualFold(k, p)
		}
		same = same && found
	}
	if !same {
		return fmt.Errorf("option key = '%s': %s has the PRIMARY KEY (%s) and its rows replace each other by it, "+
			"so the records must be keyed by those columns (or drop the PRIMARY KEY to key appended rows otherwise)",
			strings.Join(key, ", "), t.Name, strings.Join(t.PrimaryKey, ", "))
	}
	return nil
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
