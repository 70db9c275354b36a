package main

// Tests through the real engine. They skip while the engine answers "not
// implemented" and run as soon as it lands.

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/tide-sql/tide/executor/engine"
)

// requireEngine skips the test unless the real engine opens and runs a
// statement.
func requireEngine(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	e, err := engine.Open(ctx, engine.Config{StateDir: t.TempDir()})
	if err == nil {
		defer e.Close()
		err = e.Execute(ctx, "SHOW SOURCES;", func(r *engine.Result) error {
			if r.Stream != nil {
				r.Stream.Close()
			}
			r.Release()
			return nil
		})
	}
	if err != nil && strings.Contains(err.Error(), "not implemented") {
		t.Skipf("the engine is not there yet: %v", err)
	}
}

// realApp is an app over the real engine with captured output and an
// embedded broker when one is needed.
func realApp(t *testing.T) *testApp {
	ta := newTestApp(t, nil)
	ta.openEngine = openRealEngine
	ta.startBroker = startBroker
	return ta
}

// threeRows is a bounded source of a = 1, 2, 3.
const threeRows = "CREATE SOURCE g (a BIGINT) WITH (connector = 'datagen', rows = '3', rows_per_second = '0');\n"

func TestRealEngineRunSelect(t *testing.T) {
	requireEngine(t)
	for _, c := range []struct {
		format string
		want   string
	}{
		{"table", "│ one │\n├─────┤\n│   1 │\n│   2 │\n│   3 │\n└─────┘\n(3 rows)\n"},
		{"json", `{"one":1}` + "\n" + `{"one":2}` + "\n" + `{"one":3}` + "\n"},
		{"csv", "one\n1\n2\n3\n"},
	} {
		t.Run(c.format, func(t *testing.T) {
			ta := realApp(t)
			code := ta.main([]string{"run", "--state-dir", t.TempDir(), "--format", c.format, "-e", threeRows + "SELECT a AS one FROM g;"})
			if code != exitOK || !strings.Contains(ta.out.String(), c.want) {
				t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, ta.out.String(), ta.errb.String())
			}
		})
	}
}

func TestRealEngineRunReportsPosition(t *testing.T) {
	requireEngine(t)
	ta := realApp(t)
	code := ta.main([]string{"run", "--state-dir", t.TempDir(), "-e", "SHOW SOURCES;\nSELECT nosuch FROM nothing_here;"})
	if code != exitFail {
		t.Errorf("exit %d, want 1", code)
	}
	if !regexp.MustCompile(`(?m)^-e:2:\d+: .+\nSELECT nosuch FROM nothing_here;\n *\^`).MatchString(ta.errb.String()) {
		t.Errorf("stderr:\n%s", ta.errb.String())
	}
}

func TestRealEngineServe(t *testing.T) {
	requireEngine(t)
	e, err := openRealEngine(context.Background(), engine.Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ts := httptest.NewServer(newServer(e))
	defer ts.Close()

	resp, body := do(t, "POST", ts.URL+"/v1/sql", threeRows+"SHOW SOURCES; SELECT a AS one FROM g;")
	if resp.StatusCode != 200 || !strings.Contains(body, `"kind":"rows","columns":[`) ||
		!strings.HasSuffix(body, `"kind":"stream","columns":["one"]}`+"\n"+`{"one":1}`+"\n"+`{"one":2}`+"\n"+`{"one":3}`+"\n") {
		t.Errorf("SHOW and a push SELECT: %d\n%s", resp.StatusCode, body)
	}
	resp, body = do(t, "POST", ts.URL+"/v1/sql", "SHOW SOURCES;\nSELECT nosuch FROM nothing_here;")
	var e400 errorJSON
	_ = json.Unmarshal([]byte(body), &e400)
	if resp.StatusCode != 400 || e400.Line != 2 || e400.Column < 1 {
		t.Errorf("bad SQL: %d %s", resp.StatusCode, body)
	}
	// The same statement again is a no-op (a re-run script); another
	// definition under the same name is a conflict.
	create := "CREATE TABLE dup (a BIGINT);"
	do(t, "POST", ts.URL+"/v1/sql", create)
	if resp, body := do(t, "POST", ts.URL+"/v1/sql", create); resp.StatusCode != 200 {
		t.Errorf("the same CREATE again: %d %s, want 200", resp.StatusCode, body)
	}
	resp, body = do(t, "POST", ts.URL+"/v1/sql", "CREATE TABLE dup (b VARCHAR);")
	if resp.StatusCode != 409 {
		t.Errorf("CREATE twice: %d %s, want 409", resp.StatusCode, body)
	}
}
