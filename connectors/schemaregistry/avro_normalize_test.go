package schemaregistry

import "testing"

// Without defaults, aliases, docs or properties, the normalized form is
// Avro's Parsing Canonical Form (as hamba/avro writes it, logical types
// kept): full names, no namespace, attributes in order, no whitespace.
func TestNormalizedFormIsTheParsingCanonicalFormWhenNothingElseIsSaid(t *testing.T) {
	for _, text := range []string{
		`"int"`,
		`{"type": "string"}`,
		`["null", {"type": "long", "logicalType": "timestamp-millis"}]`,
		`{"fields": [{"type": "string", "name": "order_id"}, {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}}], "name": "Order", "namespace": "com.example", "type": "record"}`,
		`{"type": "record", "name": "a.b.Outer", "fields": [
			{"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "int"}]}},
			{"name": "again", "type": "Inner"},
			{"name": "elsewhere", "type": {"type": "enum", "name": "E", "namespace": "other", "symbols": ["A", "B"]}},
			{"name": "e2", "type": "other.E"},
			{"name": "tags", "type": {"type": "array", "items": {"type": "map", "values": "string"}}},
			{"name": "id", "type": {"type": "fixed", "name": "Id", "size": 16}}]}`,
		`{"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}`,
	} {
		s := mustParse(t, text)
		if s.normalized != s.parsed.String() {
			t.Errorf("%s\nnormalized %s\ncanonical  %s", text, s.normalized, s.parsed.String())
		}
	}
}

// What the normalized form keeps beyond the canonical form, and what it
// makes alike.
func TestNormalizedFormKeepsWhatChangesReading(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"defaults, in any JSON",
			`{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1},{"name":"n","type":["null","string"],"default":null},{"name":"m","type":{"type":"map","values":"int"},"default":{"z":1,"a":2}}]}`,
			`{"name":"R","type":"record","fields":[{"name":"a","type":"int","default":1},{"name":"n","type":["null","string"],"default":null},{"name":"m","type":{"type":"map","values":"int"},"default":{"a":2,"z":1}}]}`},
		{"aliases sorted, full names for types",
			`{"type":"record","name":"R","namespace":"n","aliases":["Z","m.A"],"fields":[{"name":"a","type":"int","aliases":["y","b"]}]}`,
			`{"name":"n.R","type":"record","fields":[{"name":"a","type":"int","aliases":["b","y"]}],"aliases":["m.A","n.Z"]}`},
		{"docs, order and other properties",
			`{"type":"record","name":"R","doc":"a record","connect.name":"R","fields":[{"name":"a","type":{"type":"string","avro.java.string":"String"},"order":"descending","doc":"the a"},{"name":"b","type":"int","order":"ascending"}]}`,
			`{"name":"R","type":"record","fields":[{"name":"a","type":{"type":"string","avro.java.string":"String"},"order":"descending","doc":"the a"},{"name":"b","type":"int"}],"doc":"a record","connect.name":"R"}`},
		{"an enum's default",
			`{"type":"enum","name":"E","symbols":["A","B"],"default":"A","doc":"<e>"}`,
			`{"name":"E","type":"enum","symbols":["A","B"],"default":"A","doc":"<e>"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := mustParse(t, c.text).normalized; got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// Ids follow the normalized form: another spelling of a schema has its id,
// a schema that reads differently gets a new one.
func TestSchemaIdsFollowTheNormalizedForm(t *testing.T) {
	r := newTestRegistry(t)
	base := `{"type":"record","name":"R","namespace":"n","fields":[{"name":"ts","type":"long"}]}`
	r.expect("PUT", "/config", map[string]string{"compatibility": "NONE"}, 200, `{"compatibility":"NONE"}`)
	if id := r.register("a", base); id != 1 {
		t.Fatalf("first id %d", id)
	}
	same := map[string]string{
		"whitespace and attribute order": "{\n  \"fields\": [ { \"type\": \"long\", \"name\": \"ts\" } ],\n  \"name\": \"R\", \"type\": \"record\", \"namespace\": \"n\"\n}",
		"a full name for the namespace":  `{"type":"record","name":"n.R","fields":[{"name":"ts","type":"long"}]}`,
		"a primitive as an object":       `{"type":"record","name":"R","namespace":"n","fields":[{"name":"ts","type":{"type":"long"}}]}`,
		"an ascending order said":        `{"type":"record","name":"R","namespace":"n","fields":[{"name":"ts","type":"long","order":"ascending"}]}`,
	}
	for name, text := range same {
		if id := r.register("b", text); id != 1 {
			t.Errorf("%s: id %d, want 1", name, id)
		}
	}
	other := []string{
		`{"type":"record","name":"R","namespace":"n","fields":[{"name":"ts","type":"long","default":0}]}`,
		`{"type":"record","name":"R","namespace":"n","fields":[{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}}]}`,
		`{"type":"record","name":"R","namespace":"n","fields":[{"name":"ts","type":"long","aliases":["time"]}]}`,
		`{"type":"record","name":"R","namespace":"n","doc":"now documented","fields":[{"name":"ts","type":"long"}]}`,
		`{"type":"record","name":"R","namespace":"m","fields":[{"name":"ts","type":"long"}]}`,
	}
	for i, text := range other {
		if id := r.register("c", text); id != i+2 {
			t.Errorf("%s: id %d, want %d", text, id, i+2)
		}
	}
}
