package schemaregistry

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// testRegistry is a Registry behind a real HTTP server on 127.0.0.1.
type testRegistry struct {
	t   *testing.T
	url string
}

func newTestRegistry(t *testing.T) *testRegistry {
	t.Helper()
	srv := httptest.NewServer(New())
	t.Cleanup(srv.Close)
	return &testRegistry{t: t, url: srv.URL}
}

// do sends a request (body: nil, a string sent as it is, or a value sent
// as JSON) and returns the status and the body.
func (r *testRegistry) do(method, path string, body any) (int, string) {
	r.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			r.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, r.url+path, rd)
	if err != nil {
		r.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", mediaV1)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	return resp.StatusCode, strings.TrimSpace(string(out))
}

// expect sends a request and fails unless it is answered with status and
// a body equal (as JSON) to want.
func (r *testRegistry) expect(method, path string, body any, status int, want string) {
	r.t.Helper()
	got, text := r.do(method, path, body)
	if got != status || !sameJSON(text, want) {
		r.t.Errorf("%s %s: got %d %s\nwant %d %s", method, path, got, text, status, want)
	}
}

// expectError sends a request and fails unless it is answered with status
// and a body {"error_code": code, "message": ...} whose message holds part.
func (r *testRegistry) expectError(method, path string, body any, status, code int, part string) {
	r.t.Helper()
	got, text := r.do(method, path, body)
	var e struct {
		Code    int    `json:"error_code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(text), &e); err != nil || got != status || e.Code != code || !strings.Contains(e.Message, part) {
		r.t.Errorf("%s %s: got %d %s\nwant %d with error_code %d and a message holding %q", method, path, got, text, status, code, part)
	}
}

// register registers schema under subject and returns its id.
func (r *testRegistry) register(subject, schema string) int {
	r.t.Helper()
	status, text := r.do("POST", "/subjects/"+subject+"/versions", map[string]string{"schema": schema})
	var ans struct {
		ID int `json:"id"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(text), &ans) != nil || ans.ID < 1 {
		r.t.Fatalf("register under %s: %d %s", subject, status, text)
	}
	return ans.ID
}

// sameJSON compares two JSON texts as values.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return bytes.Equal(xs, ys)
}

// quote is s as a JSON string.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
