package schemaregistry

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

const (
	orderV1 = `{"type":"record","name":"Order","namespace":"com.example","fields":[{"name":"order_id","type":"string"},{"name":"amount","type":"double"}]}`
	orderV2 = `{"type":"record","name":"Order","namespace":"com.example","fields":[{"name":"order_id","type":"string"},{"name":"amount","type":"double"},{"name":"status","type":"string","default":"PENDING"}]}`
	userV1  = `{"type":"record","name":"User","fields":[{"name":"name","type":"string"}]}`
)

// A schema's life through the API: registered, found by id, by version, by
// lookup; the same schema again keeps its id and version; a compatible
// one is the next version; another subject reuses the id.
func TestRegisterFetchAndLookUp(t *testing.T) {
	r := newTestRegistry(t)
	r.expect("GET", "/subjects", nil, http.StatusOK, `[]`)
	r.expect("POST", "/subjects/orders-value/versions", map[string]string{"schema": orderV1}, http.StatusOK, `{"id":1}`)
	// Registering it again, even spelled differently, changes nothing.
	spaced := "{ \"namespace\": \"com.example\", \"name\": \"Order\", \"type\": \"record\",\n \"fields\": [ {\"name\": \"order_id\", \"type\": {\"type\": \"string\"}}, {\"name\":\"amount\",\"type\":\"double\"} ] }"
	r.expect("POST", "/subjects/orders-value/versions", map[string]string{"schema": spaced}, http.StatusOK, `{"id":1}`)
	r.expect("GET", "/subjects/orders-value/versions", nil, http.StatusOK, `[1]`)
	r.expect("POST", "/subjects/orders-value/versions", map[string]string{"schema": orderV2}, http.StatusOK, `{"id":2}`)
	r.expect("POST", "/subjects/users-value/versions", map[string]string{"schema": userV1}, http.StatusOK, `{"id":3}`)
	r.expect("POST", "/subjects/orders-copy/versions", map[string]string{"schema": orderV2}, http.StatusOK, `{"id":2}`)

	r.expect("GET", "/subjects", nil, http.StatusOK, `["orders-copy","orders-value","users-value"]`)
	r.expect("GET", "/subjects/orders-value/versions", nil, http.StatusOK, `[1,2]`)
	r.expect("GET", "/schemas/ids/1", nil, http.StatusOK, `{"schema":`+quote(orderV1)+`}`)
	r.expect("GET", "/schemas/ids/2/schema", nil, http.StatusOK, orderV2)
	r.expect("GET", "/schemas/ids/2/subjects", nil, http.StatusOK, `["orders-copy","orders-value"]`)
	r.expect("GET", "/schemas/ids/2/versions", nil, http.StatusOK, `[{"subject":"orders-copy","version":1},{"subject":"orders-value","version":2}]`)
	r.expect("GET", "/subjects/orders-value/versions/1", nil, http.StatusOK,
		`{"subject":"orders-value","version":1,"id":1,"schema":`+quote(orderV1)+`}`)
	r.expect("GET", "/subjects/orders-value/versions/latest", nil, http.StatusOK,
		`{"subject":"orders-value","version":2,"id":2,"schema":`+quote(orderV2)+`}`)
	r.expect("GET", "/subjects/orders-value/versions/-1/schema", nil, http.StatusOK, orderV2)
	r.expect("POST", "/subjects/orders-value", map[string]string{"schema": spaced}, http.StatusOK,
		`{"subject":"orders-value","version":1,"id":1,"schema":`+quote(orderV1)+`}`)
	r.expect("GET", "/schemas/types", nil, http.StatusOK, `["AVRO"]`)
	r.expect("GET", "/schemas?subjectPrefix=orders-v&latestOnly=true", nil, http.StatusOK,
		`[{"subject":"orders-value","version":2,"id":2,"schema":`+quote(orderV2)+`}]`)
	r.expect("GET", "/", nil, http.StatusOK, `{}`)
}

// normalize=true stores the normalized form; without it the text as sent
// (whitespace removed) is what the id answers.
func TestNormalizeStoresTheNormalizedForm(t *testing.T) {
	r := newTestRegistry(t)
	text := `{"type": "record", "namespace": "n", "name": "R", "fields": [{"name": "a", "type": {"type": "int"}}]}`
	r.expect("POST", "/subjects/a/versions?normalize=true", map[string]string{"schema": text}, http.StatusOK, `{"id":1}`)
	r.expect("GET", "/schemas/ids/1/schema", nil, http.StatusOK, `{"name":"n.R","type":"record","fields":[{"name":"a","type":"int"}]}`)
	r.expect("POST", "/subjects/b/versions", map[string]string{"schema": userV1}, http.StatusOK, `{"id":2}`)
	if status, body := r.do("GET", "/schemas/ids/2/schema", nil); status != 200 || body != userV1 {
		t.Errorf("schema 2 answered %d %s, want %s", status, body, userV1)
	}
	// A subject configured to normalize does so without the parameter.
	r.expect("PUT", "/config/c", map[string]any{"normalize": true}, http.StatusOK, `{"normalize":true}`)
	r.expect("POST", "/subjects/c/versions", map[string]string{"schema": `{"type":"enum","name":"E","namespace":"x","symbols":["A"]}`}, http.StatusOK, `{"id":3}`)
	r.expect("GET", "/schemas/ids/3/schema", nil, http.StatusOK, `{"name":"x.E","type":"enum","symbols":["A"]}`)
}

// Soft deletion hides versions (but not their schemas by id) and leaves
// them out of compatibility checks; permanent deletion needs it first,
// and forgets them; version numbers go on after soft-deleted ones.
func TestDeleteSoftThenPermanently(t *testing.T) {
	r := newTestRegistry(t)
	r.register("s", orderV1)
	r.register("s", orderV2)
	r.expect("DELETE", "/subjects/s/versions/1", nil, http.StatusOK, `1`)
	r.expect("GET", "/subjects/s/versions", nil, http.StatusOK, `[2]`)
	r.expect("GET", "/subjects/s/versions?deleted=true", nil, http.StatusOK, `[1,2]`)
	r.expect("GET", "/subjects/s/versions?deletedOnly=true", nil, http.StatusOK, `[1]`)
	r.expect("GET", "/subjects/s/versions/1?deleted=true", nil, http.StatusOK, `{"subject":"s","version":1,"id":1,"schema":`+quote(orderV1)+`}`)
	r.expect("GET", "/schemas/ids/1", nil, http.StatusOK, `{"schema":`+quote(orderV1)+`}`)
	r.expectError("GET", "/subjects/s/versions/1", nil, http.StatusNotFound, codeVersionNotFound, "Version 1 not found.")
	r.expectError("DELETE", "/subjects/s/versions/1", nil, http.StatusNotFound, codeVersionSoftDeleted, "was soft deleted")
	r.expectError("DELETE", "/subjects/s/versions/2?permanent=true", nil, http.StatusNotFound, codeVersionNotSoftDeleted, "not deleted first")

	r.expect("DELETE", "/subjects/s", nil, http.StatusOK, `[2]`)
	r.expect("GET", "/subjects", nil, http.StatusOK, `[]`)
	r.expect("GET", "/subjects?deleted=true", nil, http.StatusOK, `["s"]`)
	r.expect("GET", "/subjects?deletedOnly=true", nil, http.StatusOK, `["s"]`)
	r.expectError("GET", "/subjects/s/versions", nil, http.StatusNotFound, codeSubjectNotFound, "Subject 's' not found.")
	r.expectError("DELETE", "/subjects/s", nil, http.StatusNotFound, codeSubjectSoftDeleted, "was soft deleted")
	// Registered again after a soft delete: a new version, with the old id.
	r.expect("POST", "/subjects/s/versions", map[string]string{"schema": orderV1}, http.StatusOK, `{"id":1}`)
	r.expect("GET", "/subjects/s/versions?deleted=true", nil, http.StatusOK, `[2,3]`)
	r.expect("DELETE", "/subjects/s", nil, http.StatusOK, `[3]`)
	r.expect("DELETE", "/subjects/s?permanent=true", nil, http.StatusOK, `[2,3]`)
	r.expect("GET", "/subjects?deleted=true", nil, http.StatusOK, `[]`)
	r.expectError("GET", "/schemas/ids/1", nil, http.StatusNotFound, codeSchemaNotFound, "Schema 1 not found")
	r.expectError("DELETE", "/subjects/s?permanent=true", nil, http.StatusNotFound, codeSubjectNotFound, "Subject 's' not found.")
	// Ids are stable: the same schema gets its id back; versions start again.
	r.expect("POST", "/subjects/s/versions", map[string]string{"schema": orderV2}, http.StatusOK, `{"id":2}`)
	r.expect("GET", "/subjects/s/versions", nil, http.StatusOK, `[1]`)
}

// The global level and a subject's own: GET /config/{s} answers 40408 for
// a subject without one, unless defaultToGlobal; DELETE goes back.
func TestConfigGlobalAndPerSubject(t *testing.T) {
	r := newTestRegistry(t)
	r.expect("GET", "/config", nil, http.StatusOK, `{"compatibilityLevel":"BACKWARD"}`)
	r.expectError("GET", "/config/s", nil, http.StatusNotFound, codeSubjectHasNoCompatibility, "Subject 's' does not have subject-level compatibility configured")
	r.expect("GET", "/config/s?defaultToGlobal=true", nil, http.StatusOK, `{"compatibilityLevel":"BACKWARD"}`)
	r.expect("PUT", "/config", map[string]string{"compatibility": "full"}, http.StatusOK, `{"compatibility":"FULL"}`)
	r.expect("GET", "/config", nil, http.StatusOK, `{"compatibilityLevel":"FULL"}`)
	r.expect("GET", "/config/s?defaultToGlobal=true", nil, http.StatusOK, `{"compatibilityLevel":"FULL"}`)
	r.expect("PUT", "/config/s", map[string]string{"compatibility": "NONE"}, http.StatusOK, `{"compatibility":"NONE"}`)
	r.expect("PUT", "/config/t", map[string]string{"compatibilityLevel": "forward_transitive"}, http.StatusOK, `{"compatibility":"FORWARD_TRANSITIVE"}`)
	r.expect("GET", "/config/s", nil, http.StatusOK, `{"compatibilityLevel":"NONE"}`)
	// A subject with only a config is no subject yet.
	r.expect("GET", "/subjects", nil, http.StatusOK, `[]`)
	r.expect("DELETE", "/config/s", nil, http.StatusOK, `{"compatibilityLevel":"NONE"}`)
	r.expectError("GET", "/config/s", nil, http.StatusNotFound, codeSubjectHasNoCompatibility, "")
	r.expectError("DELETE", "/config/s", nil, http.StatusNotFound, codeSubjectNotFound, "Subject 's' not found.")
	r.expect("DELETE", "/config", nil, http.StatusOK, `{"compatibilityLevel":"FULL"}`)
	r.expect("GET", "/config", nil, http.StatusOK, `{"compatibilityLevel":"BACKWARD"}`)
	r.expect("GET", "/mode", nil, http.StatusOK, `{"mode":"READWRITE"}`)
	r.expectError("GET", "/mode/s", nil, http.StatusNotFound, codeSubjectHasNoMode, "")
}

// The level in force decides: NONE lets an incompatible schema in, which
// BACKWARD refuses with 409 naming the field.
func TestRegisterRefusesAnIncompatibleSchema(t *testing.T) {
	r := newTestRegistry(t)
	r.register("s", orderV1)
	noDefault := `{"type":"record","name":"Order","namespace":"com.example","fields":[{"name":"order_id","type":"string"},{"name":"amount","type":"double"},{"name":"status","type":"string"}]}`
	r.expectError("POST", "/subjects/s/versions", map[string]string{"schema": noDefault}, http.StatusConflict, codeIncompatibleSchema,
		`Schema being registered is incompatible with an earlier schema for subject "s", details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'status' at path '/fields/2' in the new schema has no default value and is missing in the old schema', additionalInfo:'status'}, {oldSchemaVersion: 1}, {oldSchema: '`+orderV1+`'}, {compatibility: 'BACKWARD'}]`)
	r.expect("GET", "/subjects/s/versions", nil, http.StatusOK, `[1]`)
	r.expect("POST", "/compatibility/subjects/s/versions/latest?verbose=true", map[string]string{"schema": orderV2}, http.StatusOK, `{"is_compatible":true,"messages":[]}`)
	r.expect("POST", "/compatibility/subjects/s/versions/1", map[string]string{"schema": noDefault}, http.StatusOK, `{"is_compatible":false}`)
	r.expect("POST", "/compatibility/subjects/s/versions", map[string]string{"schema": noDefault}, http.StatusOK, `{"is_compatible":false}`)
	// Against no version at all, anything is compatible.
	r.expect("POST", "/compatibility/subjects/nosuch/versions/latest", map[string]string{"schema": noDefault}, http.StatusOK, `{"is_compatible":true}`)
	r.expect("PUT", "/config/s", map[string]string{"compatibility": "NONE"}, http.StatusOK, `{"compatibility":"NONE"}`)
	r.expect("POST", "/compatibility/subjects/s/versions/1", map[string]string{"schema": noDefault}, http.StatusOK, `{"is_compatible":true}`)
	r.expect("POST", "/subjects/s/versions", map[string]string{"schema": noDefault}, http.StatusOK, `{"id":2}`)
	r.expect("GET", "/subjects/s/versions", nil, http.StatusOK, `[1,2]`)
}

// Transitive levels check every version that is not deleted; the others
// the latest only.
func TestTransitiveLevelsCheckEveryVersion(t *testing.T) {
	rec := func(fields string) string { return `{"type":"record","name":"R","fields":[` + fields + `]}` }
	cases := []struct {
		plain, transitive Level
		history           []string // v1, v2
		next              string   // compatible with v2, not with v1
	}{
		{Backward, BackwardTransitive,
			[]string{rec(`{"name":"x","type":"int"}`), rec(``)},
			rec(`{"name":"x","type":"string","default":""}`)},
		{Forward, ForwardTransitive,
			[]string{rec(`{"name":"x","type":"int"}`), rec(`{"name":"x","type":"int","default":0}`)},
			rec(``)},
		{Full, FullTransitive,
			[]string{rec(`{"name":"x","type":"int"}`), rec(`{"name":"x","type":"int","default":0}`)},
			rec(``)},
	}
	for _, c := range cases {
		t.Run(string(c.transitive), func(t *testing.T) {
			r := newTestRegistry(t)
			for _, level := range []Level{c.plain, c.transitive} {
				subj := "s-" + string(level)
				r.expect("PUT", "/config/"+subj, map[string]string{"compatibility": string(level)}, http.StatusOK, fmt.Sprintf(`{"compatibility":%q}`, level))
				for _, s := range c.history {
					r.register(subj, s)
				}
			}
			r.expect("POST", "/subjects/s-"+string(c.plain)+"/versions", map[string]string{"schema": c.next}, http.StatusOK, `{"id":3}`)
			r.expectError("POST", "/subjects/s-"+string(c.transitive)+"/versions", map[string]string{"schema": c.next}, http.StatusConflict, codeIncompatibleSchema, "{oldSchemaVersion: 1}")
			// With version 1 soft-deleted, the transitive level lets it in.
			r.expect("DELETE", "/subjects/s-"+string(c.transitive)+"/versions/1", nil, http.StatusOK, `1`)
			r.expect("POST", "/subjects/s-"+string(c.transitive)+"/versions", map[string]string{"schema": c.next}, http.StatusOK, `{"id":3}`)
		})
	}
}

// Subject names travel escaped in paths: a slash is %2F.
func TestSubjectNamesAreUnescaped(t *testing.T) {
	r := newTestRegistry(t)
	r.expect("POST", "/subjects/team%2Forders%20value/versions", map[string]string{"schema": orderV1}, http.StatusOK, `{"id":1}`)
	r.expect("GET", "/subjects", nil, http.StatusOK, `["team/orders value"]`)
	r.expect("GET", "/subjects/team%2Forders%20value/versions/1", nil, http.StatusOK,
		`{"subject":"team/orders value","version":1,"id":1,"schema":`+quote(orderV1)+`}`)
	r.expectError("GET", "/subjects/team/orders/versions", nil, http.StatusNotFound, 404, "HTTP 404 Not Found")
}

// Clients registering at once get one id per schema and one version per
// schema and subject.
func TestConcurrentRegistrationsAgree(t *testing.T) {
	r := newTestRegistry(t)
	r.expect("PUT", "/config", map[string]string{"compatibility": "NONE"}, http.StatusOK, `{"compatibility":"NONE"}`)
	schemas := []string{orderV1, orderV2, userV1}
	ids := make(chan [2]int, 60)
	var wg sync.WaitGroup
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			status, text := r.do("POST", fmt.Sprintf("/subjects/s%d/versions", i%2), map[string]string{"schema": schemas[i%3]})
			var ans struct {
				ID int `json:"id"`
			}
			if status != http.StatusOK || json.Unmarshal([]byte(text), &ans) != nil {
				t.Errorf("register: %d %s", status, text)
			}
			ids <- [2]int{i % 3, ans.ID}
		}(i)
	}
	wg.Wait()
	close(ids)
	byschema := map[int]int{}
	for p := range ids {
		if id, seen := byschema[p[0]]; seen && id != p[1] {
			t.Errorf("schema %d got ids %d and %d", p[0], id, p[1])
		}
		byschema[p[0]] = p[1]
	}
	r.expect("GET", "/subjects/s0/versions", nil, http.StatusOK, `[1,2,3]`)
	r.expect("GET", "/subjects/s1/versions", nil, http.StatusOK, `[1,2,3]`)
}
