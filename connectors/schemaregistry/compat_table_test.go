package schemaregistry

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hamba/avro/v2"
)

// evolution is a schema change and what the Avro specification's
// resolution rules say of it: whether the new schema reads data written
// with the old one (backward), and the old one data written with the new
// (forward); when one cannot, the incompatibility Confluent's registry
// names (errorType) and where (the path in the reader schema).
type evolution struct {
	name           string
	old, new       string
	backward       bool
	backwardReason string // errorType and path when !backward
	forward        bool
	forwardReason  string // errorType and path when !forward
}

// rec is a record R with the given fields.
func rec(fields ...string) string {
	return `{"type":"record","name":"R","namespace":"com.example","fields":[` + strings.Join(fields, ",") + `]}`
}

// field is a field's JSON; extra holds further attributes.
func field(name, typ string, extra ...string) string {
	s := `{"name":"` + name + `","type":` + typ
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

var evolutions = []evolution{
	{"a field added with a default", rec(field("a", `"int"`)), rec(field("a", `"int"`), field("b", `"string"`, `"default":"x"`)),
		true, "", true, ""},
	{"a field added without a default", rec(field("a", `"int"`)), rec(field("a", `"int"`), field("b", `"string"`)),
		false, "READER_FIELD_MISSING_DEFAULT_VALUE /fields/1", true, ""},
	{"a nullable field added with a null default", rec(field("a", `"int"`)), rec(field("a", `"int"`), field("b", `["null","int"]`, `"default":null`)),
		true, "", true, ""},
	{"a field without a default removed", rec(field("a", `"int"`), field("b", `"string"`)), rec(field("a", `"int"`)),
		true, "", false, "READER_FIELD_MISSING_DEFAULT_VALUE /fields/1"},
	{"a field with a default removed", rec(field("a", `"int"`), field("b", `"string"`, `"default":""`)), rec(field("a", `"int"`)),
		true, "", true, ""},
	{"fields reordered", rec(field("a", `"int"`), field("b", `"string"`)), rec(field("b", `"string"`), field("a", `"int"`)),
		true, "", true, ""},
	{"int promoted to long", rec(field("a", `"int"`)), rec(field("a", `"long"`)),
		true, "", false, "TYPE_MISMATCH /fields/0/type"},
	{"int promoted to float", rec(field("a", `"int"`)), rec(field("a", `"float"`)),
		true, "", false, "TYPE_MISMATCH /fields/0/type"},
	{"int promoted to double", rec(field("a", `"int"`)), rec(field("a", `"double"`)),
		true, "", false, "TYPE_MISMATCH /fields/0/type"},
	{"long promoted to float", rec(field("a", `"long"`)), rec(field("a", `"float"`)),
		true, "", false, "TYPE_MISMATCH /fields/0/type"},
	{"long promoted to double", rec(field("a", `"long"`)), rec(field("a", `"double"`)),
		true, "", false, "TYPE_MISMATCH /fields/0/type"},
	{"float promoted to double", rec(field("a", `"float"`)), rec(field("a", `"double"`)),
		true, "", false, "TYPE_MISMATCH /fields/0/type"},
	{"long narrowed to int", rec(field("a", `"long"`)), rec(field("a", `"int"`)),
		false, "TYPE_MISMATCH /fields/0/type", true, ""},
	{"double narrowed to float", rec(field("a", `"double"`)), rec(field("a", `"float"`)),
		false, "TYPE_MISMATCH /fields/0/type", true, ""},
	{"string to bytes", rec(field("a", `"string"`)), rec(field("a", `"bytes"`)),
		true, "", true, ""},
	{"bytes to string", rec(field("a", `"bytes"`)), rec(field("a", `"string"`)),
		true, "", true, ""},
	{"int to string", rec(field("a", `"int"`)), rec(field("a", `"string"`)),
		false, "TYPE_MISMATCH /fields/0/type", false, "TYPE_MISMATCH /fields/0/type"},
	{"boolean to int", rec(field("a", `"boolean"`)), rec(field("a", `"int"`)),
		false, "TYPE_MISMATCH /fields/0/type", false, "TYPE_MISMATCH /fields/0/type"},
	{"a logical type added (Avro ignores logical types)", rec(field("ts", `"long"`)), rec(field("ts", `{"type":"long","logicalType":"timestamp-millis"}`)),
		true, "", true, ""},
	{"an enum symbol added", rec(field("s", `{"type":"enum","name":"S","symbols":["A","B"]}`)), rec(field("s", `{"type":"enum","name":"S","symbols":["A","B","C"]}`)),
		true, "", false, "MISSING_ENUM_SYMBOLS /fields/0/type/symbols"},
	{"an enum symbol removed", rec(field("s", `{"type":"enum","name":"S","symbols":["A","B","C"]}`)), rec(field("s", `{"type":"enum","name":"S","symbols":["A","B"]}`)),
		false, "MISSING_ENUM_SYMBOLS /fields/0/type/symbols", true, ""},
	{"an enum symbol removed, the reader having a default", rec(field("s", `{"type":"enum","name":"S","symbols":["A","B","C"]}`)), rec(field("s", `{"type":"enum","name":"S","symbols":["A","B"],"default":"A"}`)),
		true, "", true, ""},
	{"an enum renamed", rec(field("s", `{"type":"enum","name":"S","symbols":["A"]}`)), rec(field("s", `{"type":"enum","name":"T","symbols":["A"]}`)),
		false, "NAME_MISMATCH /fields/0/type/name", false, "NAME_MISMATCH /fields/0/type/name"},
	{"a union branch added", rec(field("u", `["null","string"]`, `"default":null`)), rec(field("u", `["null","string","int"]`, `"default":null`)),
		true, "", false, "MISSING_UNION_BRANCH /fields/0/type/2"},
	{"a union branch removed", rec(field("u", `["null","string","int"]`, `"default":null`)), rec(field("u", `["null","string"]`, `"default":null`)),
		false, "MISSING_UNION_BRANCH /fields/0/type/2", true, ""},
	{"a field made nullable", rec(field("a", `"string"`)), rec(field("a", `["null","string"]`, `"default":null`)),
		true, "", false, "TYPE_MISMATCH /fields/0/type"},
	{"a nullable field made required", rec(field("a", `["null","string"]`, `"default":null`)), rec(field("a", `"string"`)),
		false, "TYPE_MISMATCH /fields/0/type", true, ""},
	{"int into a union with long", rec(field("a", `"int"`)), rec(field("a", `["null","long"]`, `"default":null`)),
		true, "", false, "TYPE_MISMATCH /fields/0/type"},
	{"int into a union without a reader for it", rec(field("a", `"int"`)), rec(field("a", `["null","string"]`, `"default":null`)),
		false, "MISSING_UNION_BRANCH /fields/0/type", false, "TYPE_MISMATCH /fields/0/type"},
	{"a union branch promoted", rec(field("u", `["null","int"]`, `"default":null`)), rec(field("u", `["null","long"]`, `"default":null`)),
		true, "", false, "MISSING_UNION_BRANCH /fields/0/type/1"},
	{"a nested record gains a field with a default",
		rec(field("a", `"int"`), field("addr", `{"type":"record","name":"Addr","fields":[{"name":"city","type":"string"}]}`)),
		rec(field("a", `"int"`), field("addr", `{"type":"record","name":"Addr","fields":[{"name":"city","type":"string"},{"name":"zip","type":"string","default":""}]}`)),
		true, "", true, ""},
	{"a nested record's field changes type",
		rec(field("a", `"int"`), field("addr", `{"type":"record","name":"Addr","fields":[{"name":"zip","type":"int"}]}`)),
		rec(field("a", `"int"`), field("addr", `{"type":"record","name":"Addr","fields":[{"name":"zip","type":"string"}]}`)),
		false, "TYPE_MISMATCH /fields/1/type/fields/0/type", false, "TYPE_MISMATCH /fields/1/type/fields/0/type"},
	{"a record in an array gains a field without a default",
		rec(field("items", `{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"sku","type":"string"}]}}`)),
		rec(field("items", `{"type":"array","items":{"type":"record","name":"Item","fields":[{"name":"sku","type":"string"},{"name":"qty","type":"int"}]}}`)),
		false, "READER_FIELD_MISSING_DEFAULT_VALUE /fields/0/type/items/fields/1", true, ""},
	{"array items promoted", rec(field("xs", `{"type":"array","items":"int"}`)), rec(field("xs", `{"type":"array","items":"long"}`)),
		true, "", false, "TYPE_MISMATCH /fields/0/type/items"},
	{"map values changed", rec(field("m", `{"type":"map","values":"string"}`)), rec(field("m", `{"type":"map","values":"int"}`)),
		false, "TYPE_MISMATCH /fields/0/type/values", false, "TYPE_MISMATCH /fields/0/type/values"},
	{"an array made a map", rec(field("xs", `{"type":"array","items":"int"}`)), rec(field("xs", `{"type":"map","values":"int"}`)),
		false, "TYPE_MISMATCH /fields/0/type", false, "TYPE_MISMATCH /fields/0/type"},
	{"a fixed resized", rec(field("f", `{"type":"fixed","name":"F","size":4}`)), rec(field("f", `{"type":"fixed","name":"F","size":8}`)),
		false, "FIXED_SIZE_MISMATCH /fields/0/type/size", false, "FIXED_SIZE_MISMATCH /fields/0/type/size"},
	{"a record renamed", `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`, `{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}`,
		false, "NAME_MISMATCH /name", false, "NAME_MISMATCH /name"},
	{"a record renamed with an alias of the old name", `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`, `{"type":"record","name":"S","aliases":["R"],"fields":[{"name":"a","type":"int"}]}`,
		true, "", false, "NAME_MISMATCH /name"},
	{"a record moved to another namespace (names match unqualified)", `{"type":"record","name":"a.R","fields":[{"name":"x","type":"int"}]}`, `{"type":"record","name":"b.R","fields":[{"name":"x","type":"int"}]}`,
		true, "", true, ""},
	{"a field renamed with an alias of the old name", rec(field("a", `"int"`)), rec(field("b", `"int"`, `"aliases":["a"]`)),
		true, "", false, "READER_FIELD_MISSING_DEFAULT_VALUE /fields/0"},
	{"a field renamed without an alias", rec(field("a", `"int"`)), rec(field("b", `"int"`)),
		false, "READER_FIELD_MISSING_DEFAULT_VALUE /fields/0", false, "READER_FIELD_MISSING_DEFAULT_VALUE /fields/0"},
	{"a recursive list gains a field with a default",
		`{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"],"default":null}]}`,
		`{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"],"default":null},{"name":"w","type":"int","default":0}]}`,
		true, "", true, ""},
	{"a recursive list's value promoted",
		`{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"],"default":null}]}`,
		`{"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","Node"],"default":null}]}`,
		true, "", false, "TYPE_MISMATCH /fields/0/type"},
	{"a record made a string", rec(field("a", `"int"`)), `"string"`,
		false, "TYPE_MISMATCH /", false, "TYPE_MISMATCH /"},
}

// Each mode accepts and refuses what the specification says, through the
// HTTP API: the compatibility check (with its reasons) and registration
// (200 or 409) agree.
func TestCompatibilityModesFollowTheSpecification(t *testing.T) {
	r := newTestRegistry(t)
	modes := []Level{Backward, BackwardTransitive, Forward, ForwardTransitive, Full, FullTransitive, None}
	for i, ev := range evolutions {
		for _, mode := range modes {
			t.Run(ev.name+"/"+string(mode), func(t *testing.T) {
				r.t = t
				subj := fmt.Sprintf("case%d-%s", i, mode)
				r.expect("PUT", "/config/"+subj, map[string]string{"compatibility": string(mode)}, http.StatusOK, fmt.Sprintf(`{"compatibility":%q}`, mode))
				r.register(subj, ev.old)
				var wantReasons []string
				if mode.oldReadsNew() && !ev.forward {
					wantReasons = append(wantReasons, ev.forwardReason)
				}
				if mode.newReadsOld() && !ev.backward && !slices.Contains(wantReasons, ev.backwardReason) {
					wantReasons = append(wantReasons, ev.backwardReason)
				}
				sort.Strings(wantReasons)
				_, text := r.do("POST", "/compatibility/subjects/"+subj+"/versions/latest?verbose=true", map[string]string{"schema": ev.new})
				var ans struct {
					IsCompatible bool     `json:"is_compatible"`
					Messages     []string `json:"messages"`
				}
				if err := json.Unmarshal([]byte(text), &ans); err != nil {
					t.Fatalf("compatibility answer %s: %v", text, err)
				}
				if got := reasons(ans.Messages); ans.IsCompatible != (len(wantReasons) == 0) || strings.Join(got, "; ") != strings.Join(wantReasons, "; ") {
					t.Errorf("compatible %v for reasons %q, want %v for %q\n%s", ans.IsCompatible, got, len(wantReasons) == 0, wantReasons, text)
				}
				status, text := r.do("POST", "/subjects/"+subj+"/versions", map[string]string{"schema": ev.new})
				if want := map[bool]int{true: 200, false: 409}[len(wantReasons) == 0]; status != want {
					t.Errorf("registering answered %d %s, want %d", status, text, want)
				}
			})
		}
	}
	r.t = t
}

// reasons takes the distinct "errorType path" out of Confluent-style
// messages, sorted (a writer union reports each branch the reader cannot
// read; FULL may report the same place from both sides).
func reasons(msgs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range msgs {
		kind, ok := between(m, "{errorType:'", "'")
		if !ok {
			continue
		}
		path, _ := between(m, "path '", "'")
		if r := kind + " " + path; !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

func between(s, start, end string) (string, bool) {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return "", false
	}
	v, _, ok := strings.Cut(rest, end)
	return v, ok
}

// hamba/avro's SchemaCompatibility, run afresh for each pair, agrees with
// the specification on every case of the table: the verdicts the registry
// gives are those of the library the Avro format decodes with.
func TestHambaSchemaCompatibilityAgreesOnTheTable(t *testing.T) {
	for _, ev := range evolutions {
		old := mustParse(t, ev.old)
		nw := mustParse(t, ev.new)
		if got := avro.NewSchemaCompatibility().Compatible(nw.parsed, old.parsed) == nil; got != ev.backward {
			t.Errorf("%s: hamba says the new schema reads the old: %v, the specification %v", ev.name, got, ev.backward)
		}
		if got := avro.NewSchemaCompatibility().Compatible(old.parsed, nw.parsed) == nil; got != ev.forward {
			t.Errorf("%s: hamba says the old schema reads the new: %v, the specification %v", ev.name, got, ev.forward)
		}
	}
}

// hamba/avro's SchemaCompatibility remembers its answers by the schemas'
// canonical fingerprints, which leave defaults out: asked first about a
// reader with a default, it then takes the same reader without one for
// compatible. The registry's checker has no such memory across checks.
func TestACheckerSharedAcrossChecksIsWhyTheRegistryHasItsOwn(t *testing.T) {
	writer := mustParse(t, rec(field("a", `"int"`)))
	withDefault := mustParse(t, rec(field("a", `"int"`), field("b", `"int"`, `"default":0`)))
	without := mustParse(t, rec(field("a", `"int"`), field("b", `"int"`)))
	shared := avro.NewSchemaCompatibility()
	if err := shared.Compatible(withDefault.parsed, writer.parsed); err != nil {
		t.Fatal(err)
	}
	if err := shared.Compatible(without.parsed, writer.parsed); err != nil {
		t.Logf("hamba/avro no longer confuses them: %v", err)
	}
	if got := readIncompatibilities(without.parsed, writer.parsed); len(got) != 1 || got[0].kind != missingDefault {
		t.Errorf("the registry's checker found %v, want one %s", got, missingDefault)
	}
}

func mustParse(t *testing.T, text string) *avroSchema {
	t.Helper()
	s, err := parseAvro(text)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return s
}
