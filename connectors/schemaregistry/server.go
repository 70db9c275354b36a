package schemaregistry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is a Registry served over HTTP on a TCP address.
type Server struct {
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
}

// Start serves a new, empty registry on addr (host:port; port 0 picks a
// free one) until Close.
func Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("schema registry: %w", err)
	}
	s := &Server{
		ln:   ln,
		srv:  &http.Server{Handler: New(), ReadHeaderTimeout: 10 * time.Second},
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln) // returns http.ErrServerClosed on Close
	}()
	return s, nil
}

// Addr is the host:port the registry listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the registry's base URL, what clients take as schema.registry.url.
func (s *Server) URL() string { return "http://" + s.Addr() }

// Close stops the server, letting requests under way finish for a moment.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	<-s.done
	return err
}
