package main

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/tide-sql/tide/parser"
)

// guard is the HTTP endpoint's door: it refuses what a browser page of
// another site could send (an Origin that is not the server's own), Host
// headers that do not name a loopback server (DNS rebinding), and, when a
// token is set, requests without it. /healthz stays open for probes, but
// still checks Origin and Host.
type guard struct {
	next     http.Handler
	token    string // "" = no token required
	loopback bool   // the server listens on a loopback address only
	port     string // the port it listens on
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.loopback && !g.loopbackHost(r.Host) {
		writeError(w, http.StatusForbidden, fmt.Sprintf("Host %q does not name this server (it answers only to localhost and loopback addresses)", parser.Shorten(r.Host, 100)))
		return
	}
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
		writeError(w, http.StatusForbidden, fmt.Sprintf("cross-origin request from %q refused", parser.Shorten(o, 100)))
		return
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		writeError(w, http.StatusForbidden, "cross-site request refused")
		return
	}
	if g.token != "" && r.URL.Path != "/healthz" && !g.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tide"`)
		writeError(w, http.StatusUnauthorized, "missing or wrong bearer token (send Authorization: Bearer <token>)")
		return
	}
	g.next.ServeHTTP(w, r)
}

func (g *guard) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return false
	}
	got := strings.TrimSpace(h[len(prefix):])
	return subtle.ConstantTimeCompare([]byte(got), []byte(g.token)) == 1
}

// loopbackHost reports whether host (a Host header) names a loopback
// address or localhost, with this server's port or none.
func (g *guard) loopbackHost(host string) bool {
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		name, port = strings.Trim(host, "[]"), ""
	}
	if port != "" && port != g.port {
		return false
	}
	if strings.EqualFold(name, "localhost") || strings.HasSuffix(strings.ToLower(name), ".localhost") {
		return true
	}
	ip := net.ParseIP(name)
	return ip != nil && ip.IsLoopback()
}

// sameOrigin reports whether an Origin header names the host the request
// was sent to (scheme http or https).
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false // includes "null"
	}
	return strings.EqualFold(u.Host, host)
}

// isLoopbackListener reports whether the listener accepts only loopback
// connections.
func isLoopbackListener(ln net.Listener) bool {
	a, ok := ln.Addr().(*net.TCPAddr)
	return ok && a.IP != nil && a.IP.IsLoopback()
}
