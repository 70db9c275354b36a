package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tide-sql/tide/executor"
)

const serveUsage = `tide serve [--addr 127.0.0.1:8080] [--init FILE.sql] [--token T] [--data-dir D] [flags]

The HTTP endpoint:
  POST   /v1/sql            SQL text in the body; one JSON line per statement,
                            a push SELECT streams one JSON line per row
  GET    /v1/queries        continuous queries with their last progress
  GET    /v1/queries/{id}   one query
  DELETE /v1/queries/{id}   stop a query (its checkpoint is kept)
  GET    /metrics           Prometheus metrics per query
  GET    /healthz           200 when the server is up

Security: requests whose Origin is not the server's own are refused (a web
page cannot drive the server), and on loopback so are Host headers that do
not name it (DNS rebinding). With --token (or $TIDE_TOKEN) every request but
/healthz needs "Authorization: Bearer <token>"; a token is required to listen
on anything but loopback. delta and parquet paths must lie under --data-dir
(default: the current directory; relative paths resolve there) or an
--allow-path directory, and Kafka brokers and PostgreSQL hosts named in SQL
must be loopback, a --brokers host or an --allow-host one.`

// Server timeouts. There is no write timeout: push queries stream for as
// long as the client reads.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 10 * time.Second
)

func (a *app) cmdServe(g globalOptions, args []string) int {
	addr, initFile, token, dataDir := "127.0.0.1:8080", "", a.getenv("TIDE_TOKEN"), "."
	var allow, allowHosts []string
	fs := newFlagSet("serve", serveUsage, &g, a.stderr)
	fs.StringVar(&addr, "addr", addr, "`host:port` to listen on")
	fs.StringVar(&initFile, "init", "", "run `FILE.sql` at start")
	fs.StringVar(&token, "token", token, "bearer `token` every request must carry (default $TIDE_TOKEN)")
	fs.StringVar(&dataDir, "data-dir", dataDir, "`directory` that delta and parquet paths must lie under")
	fs.Var(stringList{add: func(v string) { allow = append(allow, v) }}, "allow-path", "another `directory` file connectors may use (repeatable)")
	fs.Var(stringList{add: func(v string) { allowHosts = append(allowHosts, v) }}, "allow-host", "another `host` Kafka brokers and PostgreSQL DSNs in SQL may name (repeatable)")
	var extra []string
	if err := parseFlags(fs, args, func(s string) { extra = append(extra, s) }); err != nil {
		return flagExit(err)
	}
	if err := unexpectedArgs("serve", extra); err != nil {
		fmt.Fprintln(a.stderr, "tide", err)
		return exitUsage
	}
	var initText string
	if initFile != "" {
		b, err := os.ReadFile(initFile)
		if err != nil {
			return a.fail("serve", err)
		}
		initText = string(b)
	}

	paths, err := executor.NewPathPolicy(dataDir, allow...)
	if err != nil {
		fmt.Fprintf(a.stderr, "tide serve: --data-dir/--allow-path: %v\n", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return a.fail("serve", err)
	}
	defer ln.Close()
	loopback := isLoopbackListener(ln)
	if !loopback && token == "" {
		fmt.Fprintf(a.stderr, "tide serve: listening on %s (not loopback) needs a token: --token or $TIDE_TOKEN\n", ln.Addr())
		return exitUsage
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs, stopSigs := a.notify()
	defer stopSigs()

	brokers, _, stopBroker, err := a.resolveBrokers(g)
	if err != nil {
		return a.fail("serve", err)
	}
	defer stopBroker()
	hosts := executor.NewHostPolicy(append([]string{brokers.Brokers}, allowHosts...)...)
	eng, err := a.openWith(ctx, g, brokers, a.stdout, a.stderr, paths, hosts)
	if err != nil {
		return a.fail("serve", err)
	}
	defer eng.Close()

	if initText != "" {
		p := &printer{out: a.stderr, msgs: a.stderr, format: g.format}
		err := eng.Execute(ctx, initText, func(r *result) error { return p.print(ctx, r) })
		if err != nil {
			fmt.Fprint(a.stderr, scriptError(initFile, initText, err))
			return exitFail
		}
	}

	h := &guard{next: newServer(eng), token: token, loopback: loopback, port: port}
	srv := newHTTPServer(h, ctx)
	fmt.Fprintf(a.stderr, "tide: serving http://%s (POST /v1/sql, GET /v1/queries, GET /metrics)\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return a.fail("serve", err)
	case <-sigs:
	}
	// Clean stop: end the streams (their requests' base context), let other
	// requests finish, then stop the queries keeping their checkpoints.
	cancel()
	sctx, scancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(a.stderr, "tide serve: shutdown: %v\n", err)
	}
	return exitOK
}

// newHTTPServer wraps h with the timeouts; requests' contexts derive from
// base, so that cancelling base ends every push query being streamed.
func newHTTPServer(h http.Handler, base context.Context) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
}

// server is the HTTP endpoint over an engine.
type server struct {
	eng     sqlEngine
	maxBody int64        // largest SQL body accepted
	metrics http.Handler // Prometheus text
	routes  http.Handler
}

// maxSQLBody is the largest SQL body POST /v1/sql accepts (413 beyond).
const maxSQLBody = 1 << 20

func newServer(eng sqlEngine) *server {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newQueryCollector(eng.Queries))
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s := &server{eng: eng, maxBody: maxSQLBody, metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{})}
	s.routes = s.mux()
	return s
}

// ServeHTTP routes the endpoint's paths, checking methods itself so that a
// wrong one gets a JSON 405 with an Allow header.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.routes.ServeHTTP(w, r)
}

func (s *server) mux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/v1/sql", methods(s.handleSQL, http.MethodPost))
	m.HandleFunc("/v1/queries", methods(s.handleQueries, http.MethodGet))
	m.HandleFunc("/v1/queries/{id}", methods(s.handleQuery, http.MethodGet, http.MethodDelete))
	m.HandleFunc("/metrics", methods(s.metrics.ServeHTTP, http.MethodGet))
	m.HandleFunc("/healthz", methods(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}, http.MethodGet))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no endpoint %s (see POST /v1/sql, GET /v1/queries, GET /metrics)", r.URL.Path))
	})
	return m
}

// methods answers 405 for a method not in allowed (HEAD goes with GET).
func methods(h http.HandlerFunc, allowed ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, m := range allowed {
			if r.Method == m || (m == http.MethodGet && r.Method == http.MethodHead) {
				h(w, r)
				return
			}
		}
		allow := ""
		for i, m := range allowed {
			if i > 0 {
				allow += ", "
			}
			allow += m
		}
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed here (allowed: %s)", r.Method, allow))
	}
}
