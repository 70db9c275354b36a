package interop

import (
	"fmt"
	"strings"
	"testing"
)

// confluent-kafka-python's SchemaRegistryClient (Debian's
// python3-confluent-kafka, the course's client) against `tide broker`'s
// registry: it registers the course's Order schema and changes of it,
// fetches them by id and version, looks them up, tests compatibility, sets
// the subject's level and deletes; every answer agrees with what the
// registry holds, read back over plain HTTP.
func TestConfluentSchemaRegistryClient(t *testing.T) {
	need(t, confluentRegistry)
	subject := newTopic(t, "orders-value")
	got := steps(t, runClient(t, "", python, script("confluent_registry.py"), subject))
	step := func(name string) map[string]any {
		t.Helper()
		s, ok := got[name]
		if !ok {
			t.Fatalf("the script did not report %q", name)
		}
		return s
	}

	// Versions 1 and 2 as the registry holds them (soft-deleted at the end).
	v1, v2 := subjectVersion(t, subject, 1), subjectVersion(t, subject, 2)
	if v1.ID == v2.ID {
		t.Fatalf("versions 1 and 2 share id %d", v1.ID)
	}
	for _, name := range []string{"register v1", "register v1 again"} {
		if id := num(step(name)["id"]); id != v1.ID {
			t.Errorf("%s: id %d, the registry says %d", name, id, v1.ID)
		}
	}
	if s := step("get schema"); s["schema"] != v1.Schema || s["type"] != "AVRO" {
		t.Errorf("get schema: %v, want %s", s, v1.Schema)
	}
	if s := step("lookup"); num(s["id"]) != v1.ID || num(s["version"]) != 1 || s["subject"] != subject {
		t.Errorf("lookup: %v", s)
	}
	if s := step("register v2"); num(s["id"]) != v2.ID {
		t.Errorf("register v2: %v, the registry says id %d", s, v2.ID)
	}
	if s := step("latest"); num(s["id"]) != v2.ID || num(s["version"]) != 2 || s["schema"] != v2.Schema {
		t.Errorf("latest: %v", s)
	}
	if s := step("version 1"); num(s["id"]) != v1.ID || s["schema"] != v1.Schema {
		t.Errorf("version 1: %v", s)
	}
	if !strings.Contains(v2.Schema, `"default":"PENDING"`) {
		t.Errorf("version 2 lost its default: %s", v2.Schema)
	}

	// Compatibility: a field with a default is BACKWARD compatible, one
	// without is not, until the subject's level is NONE.
	expect := map[string]string{
		"test v2":                     "map[compatible:true step:test v2]",
		"test v3":                     "map[compatible:false step:test v3]",
		"global compatibility":        "map[level:BACKWARD step:global compatibility]",
		"set compatibility":           "map[result:map[compatibility:NONE] step:set compatibility]",
		"subject compatibility":       "map[level:NONE step:subject compatibility]",
		"test v3 under NONE":          "map[compatible:true step:test v3 under NONE]",
		"versions":                    "map[step:versions versions:[1 2]]",
		"versions after":              "map[step:versions after versions:[1 2]]",
		"delete version 3":            "map[step:delete version 3 version:3]",
		"delete subject":              "map[step:delete subject versions:[1 2]]",
		"delete permanently":          "map[step:delete permanently versions:[1]]",
		"subject compatibility unset": fmt.Sprintf("map[code:40408 message:Subject '%s' does not have subject-level compatibility configured status:404 step:subject compatibility unset]", subject),
	}
	for name, want := range expect {
		if s := fmt.Sprint(step(name)); s != want {
			t.Errorf("%s:\n got %s\nwant %s", name, s, want)
		}
	}
	if subjects := fmt.Sprint(step("subjects")["subjects"]); !strings.Contains(subjects, subject) {
		t.Errorf("subjects %s lack %s", subjects, subject)
	}

	// Errors carry Confluent's status and code.
	for name, want := range map[string][2]int{
		"register v3":                     {409, 409},
		"register an invalid schema":      {422, 42201},
		"register a JSON schema":          {422, 42201},
		"get an unknown id":               {404, 40403},
		"an unknown version":              {404, 40402},
		"an unknown subject":              {404, 40401},
		"versions of the deleted subject": {404, 40401},
	} {
		s := step(name)
		if num(s["status"]) != want[0] || num(s["code"]) != want[1] || s["message"] == "" {
			t.Errorf("%s: %v, want status %d code %d", name, s, want[0], want[1])
		}
	}
	if msg := fmt.Sprint(step("register v3")["message"]); !strings.Contains(msg, "READER_FIELD_MISSING_DEFAULT_VALUE") || !strings.Contains(msg, "'note'") {
		t.Errorf("register v3 refused for %q", msg)
	}
	// Version 3, registered under NONE, was deleted with the subject.
	if id := num(step("register v3 under NONE")["id"]); id == v1.ID || id == v2.ID || id == 0 {
		t.Errorf("v3 id %d", id)
	}
	var deleted []int
	if status := registryGet(t, "/subjects/"+subject+"/versions?deleted=true", &deleted); status != 200 || fmt.Sprint(deleted) != "[1 2 3]" {
		t.Errorf("the soft-deleted subject's versions: %d %v", status, deleted)
	}
	if status := registryGet(t, "/subjects/"+subject+"-gone/versions?deleted=true", nil); status != 404 {
		t.Errorf("the permanently deleted subject answers %d", status)
	}
}
