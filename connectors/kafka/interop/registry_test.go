package interop

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// registryGet is what `tide broker`'s Schema Registry answers to a GET,
// read here with plain HTTP, not with the client under test.
func registryGet(t *testing.T, path string, into any) int {
	t.Helper()
	resp, err := http.Get(registryURL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if into != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, into); err != nil {
			t.Fatalf("GET %s: %s: %v", path, body, err)
		}
	}
	return resp.StatusCode
}

// registryVersion is a version of a subject as the registry answers it.
type registryVersion struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
	Schema  string `json:"schema"`
}

// subjectVersion is a version of a subject, soft-deleted or not.
func subjectVersion(t *testing.T, subject string, version int) registryVersion {
	t.Helper()
	var v registryVersion
	if status := registryGet(t, fmt.Sprintf("/subjects/%s/versions/%d?deleted=true", url.PathEscape(subject), version), &v); status != http.StatusOK {
		t.Fatalf("version %d of %s: status %d", version, subject, status)
	}
	return v
}

// steps decodes the JSON lines a registry script printed, by step.
func steps(t *testing.T, out []byte) map[string]map[string]any {
	t.Helper()
	got := map[string]map[string]any{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("script printed %q: %v", l, err)
		}
		got[fmt.Sprint(m["step"])] = m
	}
	return got
}

// num is a JSON number printed by a script, as an int.
func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}
