package avrofmt

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/executor"
)

// The format's options, with Flink's and Confluent's spellings.
var options = []executor.Option{
	{Name: "schema.registry", Synonyms: []string{"avro-confluent.url", "avro-confluent.schema-registry.url", "schema.registry.url"},
		Check: checkRegistryURLs,
		Help:  "schema registry URL (http://host:port; several separated by commas): values in Confluent's wire format"},
	{Name: "schema", Synonyms: []string{"avro.schema"}, Check: checkSchema,
		Help: "inline Avro schema (JSON) of raw Avro values, without a registry"},
	{Name: "schema.registry.subject", Synonyms: []string{"avro-confluent.subject"}, Check: checkNotEmpty,
		Help: "registry subject of the values (default <topic>-value)"},
}

func init() {
	format.Register(&format.Format{
		Name:      "avro",
		Aliases:   []string{"avro-confluent"},
		Options:   options,
		NewSource: newSource,
		NewSink:   newSink,
		Columns:   sourceColumns,
	})
}

// config is the format's options, parsed.
type config struct {
	urls       []string    // schema.registry; none: raw Avro
	inline     avro.Schema // schema, parsed
	subject    string      // of the values
	keySubject string      // of the keys
}

// parseConfig reads and checks the format's options of cfg's table.
func parseConfig(cfg format.Config) (config, error) {
	opts := cfg.Table.Options
	var c config
	registry := strings.TrimSpace(opts["schema.registry"])
	if registry == "" && strings.TrimSpace(opts["schema"]) == "" {
		registry = cfg.Registry // the engine's: $TIDE_SCHEMA_REGISTRY or the embedded broker's
	}
	if v := registry; v != "" {
		urls, err := splitURLs(v)
		if err != nil {
			return c, fmt.Errorf("option schema.registry = '%s': %v", v, err)
		}
		for _, u := range urls {
			if err := cfg.Hosts.Check("schema registry", hostPort(u)); err != nil {
				return c, err
			}
		}
		c.urls = urls
	}
	if v := strings.TrimSpace(opts["schema"]); v != "" {
		s, err := parseSchema(v)
		if err != nil {
			return c, fmt.Errorf("option schema: %v", err)
		}
		c.inline = s
	}
	switch {
	case cfg.Name == "avro-confluent" && c.urls == nil:
		return c, fmt.Errorf("format avro-confluent reads and writes through a schema registry: set option schema.registry (or avro-confluent.url) = 'http://host:port', or $TIDE_SCHEMA_REGISTRY")
	case c.urls != nil && c.inline != nil:
		return c, fmt.Errorf("options schema.registry and schema exclude each other: with a registry, each value names its writer schema")
	case c.urls == nil && c.inline == nil:
		return c, fmt.Errorf("format avro needs option schema.registry = 'http://host:port' (values in Confluent's wire format; $TIDE_SCHEMA_REGISTRY or the embedded broker's registry when not set) or schema = '{...}' (raw Avro values written with that schema)")
	}
	c.subject = strings.TrimSpace(opts["schema.registry.subject"])
	if c.subject == "" {
		c.subject = cfg.Topic + "-value"
	}
	c.keySubject = cfg.Topic + "-key"
	return c, nil
}

func checkRegistryURLs(v string) error {
	_, err := splitURLs(v)
	return err
}

// splitURLs splits a comma-separated list of http(s) URLs.
func splitURLs(v string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%q is not an http:// or https:// URL (like http://127.0.0.1:8081)", s)
		}
		out = append(out, strings.TrimRight(s, "/"))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no URL given")
	}
	return out, nil
}

// hostPort is the host:port a registry URL connects to.
func hostPort(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	if u.Scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

func checkSchema(v string) error {
	_, err := parseSchema(v)
	return err
}

// parseSchema parses an inline Avro schema with a cache of its own: named
// types of one table's schema never leak into another's.
func parseSchema(v string) (avro.Schema, error) {
	s, err := avro.ParseWithCache(v, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("not a valid Avro schema: %v", strings.TrimPrefix(err.Error(), "avro: "))
	}
	return s, nil
}

func checkNotEmpty(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("empty value")
	}
	return nil
}
