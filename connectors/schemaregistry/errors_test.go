package schemaregistry

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Every error answers Confluent's status and error_code, with a message
// that says what is wrong.
func TestErrorCodes(t *testing.T) {
	r := newTestRegistry(t)
	r.register("s", orderV1)
	schema := func(s string) map[string]string { return map[string]string{"schema": s} }
	cases := []struct {
		name         string
		method, path string
		body         any
		status, code int
		message      string
	}{
		{"subject not found: versions", "GET", "/subjects/nosuch/versions", nil, 404, 40401, "Subject 'nosuch' not found."},
		{"subject not found: a version", "GET", "/subjects/nosuch/versions/1", nil, 404, 40401, "Subject 'nosuch' not found."},
		{"subject not found: latest", "GET", "/subjects/nosuch/versions/latest", nil, 404, 40401, "Subject 'nosuch' not found."},
		{"subject not found: lookup", "POST", "/subjects/nosuch", schema(orderV1), 404, 40401, "Subject 'nosuch' not found."},
		{"subject not found: delete", "DELETE", "/subjects/nosuch", nil, 404, 40401, "Subject 'nosuch' not found."},
		{"subject not found: delete a version", "DELETE", "/subjects/nosuch/versions/1", nil, 404, 40401, "Subject 'nosuch' not found."},
		{"version not found", "GET", "/subjects/s/versions/7", nil, 404, 40402, "Version 7 not found."},
		{"version not found: delete", "DELETE", "/subjects/s/versions/7", nil, 404, 40402, "Version 7 not found."},
		{"version not found: compatibility", "POST", "/compatibility/subjects/s/versions/7", schema(orderV2), 404, 40402, "Version 7 not found."},
		{"version not found: compatibility without subject", "POST", "/compatibility/subjects/nosuch/versions/1", schema(orderV2), 404, 40402, "Version 1 not found."},
		{"schema id not found", "GET", "/schemas/ids/99", nil, 404, 40403, "Schema 99 not found"},
		{"schema id not found: raw", "GET", "/schemas/ids/0/schema", nil, 404, 40403, "Schema 0 not found"},
		{"schema id not found: subjects", "GET", "/schemas/ids/99/subjects", nil, 404, 40403, "Schema not found"},
		{"schema id not found: versions", "GET", "/schemas/ids/99/versions", nil, 404, 40403, "Schema not found"},
		{"schema not under subject", "POST", "/subjects/s", schema(userV1), 404, 40403, "Schema not found"},
		{"no subject-level compatibility", "GET", "/config/s", nil, 404, 40408, "Subject 's' does not have subject-level compatibility configured"},
		{"incompatible", "POST", "/subjects/s/versions", schema(userV1), 409, 409, `incompatible with an earlier schema for subject "s"`},
		{"invalid schema: not JSON", "POST", "/subjects/s/versions", schema(`{"type":`), 422, 42201, "Invalid schema: not JSON"},
		{"invalid schema: unknown type", "POST", "/subjects/s/versions", schema(`{"type":"record","name":"R","fields":[{"name":"a","type":"Nope"}]}`), 422, 42201, "unknown type: Nope"},
		{"invalid schema: bad default", "POST", "/subjects/t/versions", schema(`{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}`), 422, 42201, "invalid default for field a"},
		{"invalid schema: empty", "POST", "/subjects/t/versions", map[string]string{}, 422, 42201, "empty schema"},
		{"invalid schema: JSON type", "POST", "/subjects/t/versions", map[string]string{"schema": `{"type":"object"}`, "schemaType": "JSON"}, 422, 42201, "schemaType JSON is not supported"},
		{"invalid schema: PROTOBUF type", "POST", "/subjects/t/versions", map[string]string{"schema": `syntax = "proto3";`, "schemaType": "PROTOBUF"}, 422, 42201, "schemaType PROTOBUF is not supported"},
		{"invalid schema: references", "POST", "/subjects/t/versions", map[string]any{"schema": `"int"`, "references": []map[string]any{{"name": "x", "subject": "s", "version": 1}}}, 422, 42201, "schema references are not supported"},
		{"invalid schema: metadata", "POST", "/subjects/t/versions", map[string]any{"schema": `"int"`, "metadata": map[string]any{"properties": map[string]string{"a": "b"}}}, 422, 42201, "metadata is not supported"},
		{"invalid schema: compatibility", "POST", "/compatibility/subjects/s/versions/latest", schema(`{"type":"nope"}`), 422, 42201, "Invalid schema"},
		{"invalid schema: lookup", "POST", "/subjects/s", schema(`[`), 422, 42201, "Invalid schema"},
		{"invalid version: zero", "GET", "/subjects/s/versions/0", nil, 422, 42202, "The specified version '0' is not a valid version id"},
		{"invalid version: word", "GET", "/subjects/s/versions/first", nil, 422, 42202, "The specified version 'first' is not a valid version id"},
		{"invalid version: -2", "DELETE", "/subjects/s/versions/-2", nil, 422, 42202, "'-2'"},
		{"invalid version: too large", "GET", "/subjects/s/versions/2147483648/schema", nil, 422, 42202, "'2147483648'"},
		{"invalid version: compatibility", "POST", "/compatibility/subjects/s/versions/x", schema(orderV2), 422, 42202, "'x'"},
		{"invalid compatibility level", "PUT", "/config", map[string]string{"compatibility": "SIDEWAYS"}, 422, 42203, `Invalid compatibility level "SIDEWAYS"`},
		{"invalid compatibility level: subject", "PUT", "/config/s", map[string]string{"compatibility": "backwards"}, 422, 42203, "Valid values are none, backward"},
		{"id given outside import mode", "POST", "/subjects/s/versions", map[string]any{"schema": orderV2, "id": 7}, 422, 42205, "not in import mode"},
		{"version not next", "POST", "/subjects/s/versions", map[string]any{"schema": orderV2, "version": 5}, 422, 42201, "Version 5 is not one more than the previous version"},
		{"invalid subject", "POST", "/subjects/a%01b/versions", schema(orderV1), 422, 42208, "is not a valid"},
		{"no such path", "GET", "/nope", nil, 404, 404, "HTTP 404 Not Found"},
		{"no such schema id form", "GET", "/schemas/ids/abc", nil, 404, 404, "HTTP 404 Not Found"},
		{"no such method", "PUT", "/subjects", "[]", 405, 405, "HTTP 405 Method Not Allowed"},
		{"body not JSON", "POST", "/subjects/s/versions", `{"schema": `, 400, 400, "not the JSON object expected"},
		{"body empty", "POST", "/subjects/s/versions", ` `, 422, 422, "the request body is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r.t = t
			r.expectError(c.method, c.path, c.body, c.status, c.code, c.message)
		})
	}
	r.t = t
	// Nothing that was refused was stored.
	r.expect("GET", "/subjects", nil, http.StatusOK, `["s"]`)
	r.expect("GET", "/subjects/s/versions", nil, http.StatusOK, `[1]`)
}

// Media types: answers are application/vnd.schemaregistry.v1+json, or
// application/json when only that is accepted; a body of another type is
// refused with 415, an Accept the registry cannot answer with 406.
func TestMediaTypes(t *testing.T) {
	r := newTestRegistry(t)
	send := func(method, path, contentType, accept, body string) (int, string, string) {
		req, err := http.NewRequest(method, r.url+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), strings.TrimSpace(string(b))
	}
	reg, _ := json.Marshal(map[string]string{"schema": userV1})
	cases := []struct {
		name, contentType, accept string
		status                    int
		answered                  string
	}{
		{"v1 in, nothing said of out", mediaV1, "", 200, mediaV1},
		{"plain JSON in and out", mediaJSON, mediaJSON, 200, mediaJSON},
		{"the generic registry type", mediaDefault, mediaDefault, 200, mediaDefault},
		{"octet-stream in, any out", "application/octet-stream", "*/*", 200, mediaV1},
		{"the preferred of several", mediaJSON, "application/json; q=0.5, application/vnd.schemaregistry.v1+json", 200, mediaV1},
		{"no content type", "", "", 200, mediaV1},
		{"a form is refused", "application/x-www-form-urlencoded", "", 415, mediaV1},
		{"text is refused", "text/plain", mediaJSON, 415, mediaJSON},
		{"an answer nobody takes", mediaJSON, "text/html", 406, mediaV1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, answered, body := send("POST", "/subjects/users-value/versions", c.contentType, c.accept, string(reg))
			if status != c.status || answered != c.answered {
				t.Errorf("got %d as %s (%s), want %d as %s", status, answered, body, c.status, c.answered)
			}
			if status != 200 && !strings.Contains(body, `"error_code":`) {
				t.Errorf("error without error_code: %s", body)
			}
		})
	}
	// kafkajs sends a Content-Type with its GET requests, which have no body.
	if status, _, body := send("GET", "/subjects", "text/plain", "", ""); status != 200 || body != `["users-value"]` {
		t.Errorf("GET with a content type and no body: %d %s", status, body)
	}
}
