package kafka

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"time"
)

// checkedListener wraps the broker's listener so that every connection is a
// checkedConn.
type checkedListener struct {
	net.Listener
	b *Broker
}

func (l *checkedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &checkedConn{Conn: c, b: l.b}, nil
}

// checkedConn hands kfake only whole, well-formed Kafka request frames.
// kfake trusts what it reads: it allocates whatever size a frame claims
// and dereferences the request of any API key, known or not, so an HTTP
// request or random bytes sent to the port would crash the process.
// Anything that is not a Kafka request is logged once, with the client's
// address and what was wrong, and the connection is closed.
type checkedConn struct {
	net.Conn
	b       *Broker
	pending []byte // the checked frame kfake has not read yet
	err     error  // why the connection ended; sticky
}

// errRejected ends a connection whose bytes were not a Kafka request.
var errRejected = errors.New("not a Kafka request")

// minRequestBytes is the smallest request header: API key, version,
// correlation ID and a client ID's length.
const minRequestBytes = 2 + 2 + 4 + 2

func (c *checkedConn) Read(p []byte) (int, error) {
	for len(c.pending) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		c.pending, c.err = c.nextFrame()
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// nextFrame reads one request frame (its 4-byte size and the request) and
// checks it.
func (c *checkedConn) nextFrame() ([]byte, error) {
	var head [4]byte
	if n, err := io.ReadFull(c.Conn, head[:]); err != nil {
		if n > 0 {
			c.reject("closed the connection after %d bytes, in the middle of a request's size", n)
		}
		return nil, err
	}
	if what := foreignProtocol(head); what != "" {
		c.rejectForeign(head, what)
		return nil, errRejected
	}
	size := int64(binary.BigEndian.Uint32(head[:]))
	limit := int64(max(maxRequestBytes, c.b.cfg.MaxMessageBytes+1<<20))
	switch {
	case size < minRequestBytes:
		c.reject("sent a request frame of %d bytes, too short for a Kafka request header (first bytes % x)", size, head)
		return nil, errRejected
	case size > limit:
		c.reject("sent a request frame of %d bytes, over the limit of %d (socket.request.max.bytes); not a Kafka client? (first bytes % x)", size, limit, head)
		return nil, errRejected
	}
	// Grow the buffer as bytes arrive rather than trusting the size.
	buf := bytes.NewBuffer(make([]byte, 0, min(4+size, 1<<20)))
	buf.Write(head[:])
	if n, err := io.CopyN(buf, c.Conn, size); err != nil {
		c.reject("closed the connection after %d of the %d bytes of a request", n, size)
		return nil, err
	}
	frame := buf.Bytes()
	if err := c.b.inspect(c, frame[4:]); err != nil {
		if !errors.Is(err, errBrokerClosed) {
			c.reject("%v", err)
		}
		return nil, errRejected
	}
	return frame, nil
}

// reject logs one line about this client, unless the broker is stopping
// (then connections end mid-request for the broker's own reasons).
func (c *checkedConn) reject(format string, args ...any) {
	if c.b.closed.Load() {
		return
	}
	c.b.log.printf("client %s: "+format+"; connection closed", append([]any{c.RemoteAddr()}, args...)...)
}

// foreignProtocol names the protocol that the first four bytes of a
// connection begin, if they are not Kafka's: text protocols would claim
// absurd frame sizes ("GET " is 1.2 GB).
func foreignProtocol(head [4]byte) string {
	switch string(head[:]) {
	case "GET ", "POST", "PUT ", "HEAD", "DELE", "OPTI", "PATC", "CONN", "TRAC":
		return "HTTP"
	case "PRI ":
		return "HTTP/2"
	}
	if head[0] == 0x16 && head[1] == 0x03 {
		return "TLS"
	}
	return ""
}

// rejectForeign logs a client that speaks another protocol, quoting an
// HTTP client's request line, and tells an HTTP client where it is.
func (c *checkedConn) rejectForeign(head [4]byte, what string) {
	switch what {
	case "TLS":
		c.reject("began a TLS handshake; this broker speaks plaintext Kafka only (security.protocol=PLAINTEXT)")
	case "HTTP":
		line := string(head[:]) + c.restOfLine(200)
		c.reject("sent an HTTP request (%q), not Kafka: this port is a Kafka broker", line)
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = io.WriteString(c.Conn, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"+
			"this port is a Kafka broker (tide broker); point a Kafka client at it, not HTTP\n")
	default:
		c.reject("sent %s, not Kafka: this port is a Kafka broker", what)
	}
}

// restOfLine reads what arrives within a second up to a newline or n
// bytes, for quoting.
func (c *checkedConn) restOfLine(n int) string {
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	defer func() { _ = c.SetReadDeadline(time.Time{}) }()
	var out []byte
	one := make([]byte, 1)
	for len(out) < n {
		if _, err := c.Conn.Read(one); err != nil || one[0] == '\n' {
			break
		}
		out = append(out, one[0])
	}
	return string(bytes.TrimRight(out, "\r"))
}
