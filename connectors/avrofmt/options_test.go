package avrofmt

import (
	"strings"
	"testing"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/executor"
)

// The format's options are checked when the table is created, with errors
// that say what to write instead.
func TestFormatOptionsAreCheckedWithClearErrors(t *testing.T) {
	const schema = `{"type": "record", "name": "R", "fields": [{"name": "x", "type": "long"}]}`
	for _, tc := range []struct {
		name   string
		format string
		opts   []string
		hosts  *executor.HostPolicy
		want   string // "" if accepted
		dflt   string // the engine's registry
	}{
		{"a registry", "avro", []string{"schema.registry", "http://127.0.0.1:8081"}, nil, "", ""},
		{"several registries", "avro", []string{"schema.registry", "http://127.0.0.1:8081, https://localhost/"}, nil, "", ""},
		{"an inline schema", "avro", []string{"schema", schema}, nil, "", ""},
		{"avro-confluent with its registry", "avro-confluent", []string{"schema.registry", "http://127.0.0.1:8081"}, nil, "", ""},
		{"neither", "avro", nil, nil, "format avro needs option schema.registry = 'http://host:port' (values in Confluent's wire format; $TIDE_SCHEMA_REGISTRY or the embedded broker's registry when not set) or schema = '{...}'", ""},
		{"neither, with the engine's registry", "avro-confluent", nil, nil, "", "http://127.0.0.1:8081"},
		{"an inline schema, with the engine's registry", "avro", []string{"schema", schema}, nil, "", "http://127.0.0.1:8081"},
		{"the engine's registry, refused by the host policy", "avro", nil, executor.NewHostPolicy(), "registry.example.com", "http://registry.example.com:8081"},
		{"avro-confluent without a registry", "avro-confluent", []string{"schema", schema}, nil, "format avro-confluent reads and writes through a schema registry", ""},
		{"both", "avro", []string{"schema", schema, "schema.registry", "http://127.0.0.1:8081"}, nil, "options schema.registry and schema exclude each other", ""},
		{"not a URL", "avro", []string{"schema.registry", "127.0.0.1:8081"}, nil, `"127.0.0.1:8081" is not an http:// or https:// URL`, ""},
		{"not a schema", "avro", []string{"schema", `{"type": "record"}`}, nil, "option schema: not a valid Avro schema", ""},
		{"a host the policy refuses", "avro", []string{"schema.registry", "http://registry.example.com:8081"}, executor.NewHostPolicy(), "registry.example.com", ""},
		{"a host the policy allows", "avro", []string{"schema.registry", "http://registry.example.com:8081"}, executor.NewHostPolicy("registry.example.com"), "", ""},
	} {
		tb := table(t, "x BIGINT", tc.opts...)
		_, err := newSource(format.Config{Name: tc.format, Table: tb, Topic: "t", Hosts: tc.hosts, Registry: tc.dflt})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	for _, o := range options {
		if o.Default != "" {
			t.Errorf("option %s has a default: every table of every format would get it", o.Name)
		}
	}
	// The inline schema is checked against the columns.
	_, err := newSource(format.Config{Name: "avro", Table: table(t, "x VARCHAR", "schema", schema), Topic: "t"})
	if err == nil || err.Error() != "option schema cannot be read as the columns: field x: the writer's long cannot be read as column x VARCHAR" {
		t.Errorf("an inline schema the columns cannot read: %v", err)
	}
	// A sink writes through a registry only.
	_, err = newSink(format.Config{Name: "avro", Table: table(t, "x BIGINT", "schema", schema), Topic: "t"})
	if err == nil || !strings.Contains(err.Error(), "writing Avro needs option schema.registry") {
		t.Errorf("a sink without a registry: %v", err)
	}
}

// ROW, ARRAY and MAP columns are refused by the avro format, saying that
// they are not supported yet, when the table is created.
func TestNestedColumnsAreNotSupportedYet(t *testing.T) {
	tb := table(t, "id BIGINT", "schema.registry", "http://127.0.0.1:1")
	tb.Columns = append(tb.Columns, catalog.Column{Name: "items", Type: catalog.ArrayOf(catalog.String), SQLType: "ARRAY<VARCHAR>"})
	_, err := newSource(format.Config{Name: "avro", Table: tb, Topic: "t"})
	if err == nil || !strings.HasPrefix(err.Error(), "column items: ARRAY<VARCHAR> columns are not supported yet by format avro") {
		t.Errorf("source: %v", err)
	}
	_, err = newWriterSchema(tb.Schema(), []int{0, 1}, "t", false, tb)
	if err == nil || err.Error() != "column items: ARRAY<VARCHAR> columns are not supported yet by format avro" {
		t.Errorf("sink: %v", err)
	}
}
