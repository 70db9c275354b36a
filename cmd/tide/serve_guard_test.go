package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/engine"
)

// guardedServer serves the real engine behind the guard on a loopback port,
// with delta and parquet confined to root, and returns its address.
func guardedServer(t *testing.T, token, root string, allowHosts ...string) string {
	t.Helper()
	paths, err := executor.NewPathPolicy(root)
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(context.Background(), engine.Config{StateDir: t.TempDir(), Paths: paths,
		Hosts: executor.NewHostPolicy(allowHosts...)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ctx, cancel := context.WithCancel(context.Background())
	srv := newHTTPServer(&guard{next: newServer(engineAdapter{e}), token: token, loopback: isLoopbackListener(ln), port: port}, ctx)
	go srv.Serve(ln)
	t.Cleanup(func() { cancel(); srv.Close(); e.Close() })
	return ln.Addr().String()
}

// send posts body to addr+path with the given Host, Origin and
// Authorization headers ("" = not sent) and returns the status and body.
func send(t *testing.T, addr, path, host, origin, auth, body string) (int, string) {
	t.Helper()
	method := http.MethodPost
	if body == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain") // what a cross-site form or fetch may send
	if host != "" {
		req.Host = host
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeRefusesCrossOriginAndForeignHosts(t *testing.T) {
	addr := guardedServer(t, "", t.TempDir())
	_, port, _ := net.SplitHostPort(addr)
	const sql = "SHOW TABLES;"
	for _, c := range []struct {
		name, host, origin string
		want               int
	}{
		{"curl-like: no Origin", "", "", http.StatusOK},
		{"localhost Host", "localhost:" + port, "", http.StatusOK},
		{"same origin", "", "http://" + addr, http.StatusOK},
		{"localhost page of this server", "localhost:" + port, "http://localhost:" + port, http.StatusOK},
		{"another site's page", "", "http://evil.example", http.StatusForbidden},
		{"another local port's page", "", "http://127.0.0.1:1", http.StatusForbidden},
		{"sandboxed page (null origin)", "", "null", http.StatusForbidden},
		{"DNS rebinding", "evil.example:" + port, "", http.StatusForbidden},
		{"DNS rebinding with matching origin", "evil.example:" + port, "http://evil.example:" + port, http.StatusForbidden},
		{"another port in Host", "127.0.0.1:1", "", http.StatusForbidden},
	} {
		got, body := send(t, addr, "/v1/sql", c.host, c.origin, "", sql)
		if got != c.want {
			t.Errorf("%s: status %d, want %d (%s)", c.name, got, c.want, body)
		}
	}
}

func TestServeToken(t *testing.T) {
	addr := guardedServer(t, "s3cret", t.TempDir())
	for _, c := range []struct {
		name, path, auth, body string
		want                   int
	}{
		{"no token", "/v1/sql", "", "SHOW TABLES;", http.StatusUnauthorized},
		{"wrong token", "/v1/sql", "Bearer nope", "SHOW TABLES;", http.StatusUnauthorized},
		{"basic auth", "/v1/sql", "Basic czNjcmV0", "SHOW TABLES;", http.StatusUnauthorized},
		{"right token", "/v1/sql", "Bearer s3cret", "SHOW TABLES;", http.StatusOK},
		{"queries need it too", "/v1/queries", "", "", http.StatusUnauthorized},
		{"metrics need it too", "/metrics", "", "", http.StatusUnauthorized},
		{"health probe is open", "/healthz", "", "", http.StatusOK},
	} {
		got, body := send(t, addr, c.path, "", "", c.auth, c.body)
		if got != c.want {
			t.Errorf("%s: status %d, want %d (%s)", c.name, got, c.want, body)
		}
	}
}

func TestServeNeedsATokenOffLoopback(t *testing.T) {
	ta := newTestApp(t, &fakeEngine{})
	code := ta.main([]string{"serve", "--addr", "0.0.0.0:0"})
	if code != exitUsage || !strings.Contains(ta.errb.String(), "needs a token") {
		t.Fatalf("exit %d, stderr %q; want a refusal asking for a token", code, ta.errb.String())
	}
}

func TestServeConfinesFileConnectorsToTheDataRoot(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	addr := guardedServer(t, "", root)
	table := func(name, connector, path string) string {
		return "CREATE TABLE " + name + " (a BIGINT) WITH (connector = '" + connector + "', path = '" + path + "');"
	}
	for _, c := range []struct{ name, sql string }{
		{"absolute", table("abs", "delta", outside+"/t")},
		{"dot-dot", table("up", "parquet", "out/../../t")},
		{"symlink out", table("sym", "delta", "link/t")},
		{"file URI", table("uri", "delta", "file://"+outside+"/t")},
	} {
		got, body := send(t, addr, "/v1/sql", "", "", "", c.sql)
		if got != http.StatusBadRequest || !strings.Contains(body, "outside the data root") {
			t.Errorf("%s: status %d %s; want 400 naming the data root", c.name, got, body)
		}
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("something was written outside the root: %v", entries)
	}
	got, body := send(t, addr, "/v1/sql", "", "", "", threeRows+table("ok", "delta", "lake/ok")+
		"INSERT INTO ok SELECT a FROM g;")
	if got != http.StatusOK {
		t.Fatalf("a table under the root: status %d %s", got, body)
	}
	// The relative path resolves under the root, not the working directory.
	log := filepath.Join(root, "lake", "ok", "_delta_log")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if entries, _ := os.ReadDir(log); len(entries) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no Delta log appeared at %s", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeConfinesBrokersAndDSNsToAllowedHosts(t *testing.T) {
	addr := guardedServer(t, "", t.TempDir(), "db.example")
	for _, c := range []struct {
		name, sql string
		want      int
	}{
		{"a broker elsewhere", "CREATE SOURCE s (a BIGINT) WITH (connector = 'kafka', topic = 't', brokers = '10.1.2.3:9092', stop = 'latest');", http.StatusBadRequest},
		{"a sink broker elsewhere", "CREATE TABLE k (a BIGINT) WITH (connector = 'kafka', topic = 't', brokers = 'evil.example:9092');", http.StatusBadRequest},
		{"a PostgreSQL host elsewhere", "CREATE TABLE p (a BIGINT) WITH (connector = 'postgres', dsn = 'postgres://u@10.9.9.9:5432/x');", http.StatusBadRequest},
		{"an allowed PostgreSQL host", "CREATE TABLE q (a BIGINT) WITH (connector = 'postgres', dsn = 'postgres://u@db.example:5432/x');", http.StatusOK},
		{"a loopback sink broker", "CREATE TABLE l (a BIGINT) WITH (connector = 'kafka', topic = 't', brokers = '127.0.0.1:1');", http.StatusOK},
	} {
		got, body := send(t, addr, "/v1/sql", "", "", "", c.sql)
		if got != c.want || c.want != http.StatusOK && !strings.Contains(body, "is not a host this server may reach") {
			t.Errorf("%s: status %d %s; want %d", c.name, got, body, c.want)
		}
	}
}
