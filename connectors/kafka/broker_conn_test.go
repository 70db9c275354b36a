package kafka

import (
	"encoding/binary"
	"io"
	"math/rand"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestBrokerSurvivesWhatIsNotKafka sends the broker things that are not
// Kafka requests: each gets one log line naming the client's address and
// what was wrong, its connection is closed, and the broker keeps serving.
func TestBrokerSurvivesWhatIsNotKafka(t *testing.T) {
	b, log := startConfiguredBroker(t, BrokerConfig{})
	frame := func(body ...byte) []byte {
		return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
	}
	random := make([]byte, 300)
	rand.New(rand.NewSource(1)).Read(random)
	metadata := requestFrame(metadataRequest(1, false, "x"), 1)
	cases := []struct {
		name, send string
		want       string // in the log line
		answer     string // the start of what the client reads back
	}{
		{"an HTTP request", "GET /topics HTTP/1.1\r\nHost: localhost\r\n\r\n",
			`sent an HTTP request ("GET /topics HTTP/1.1"), not Kafka`, "HTTP/1.1 400 Bad Request"},
		{"random bytes", string(random), "sent a request frame of", ""},
		{"an unknown API key", string(frame(0x7f, 0x00, 0, 0, 0, 0, 0, 1, 0, 0)),
			"sent a request with unknown API key 32512", ""},
		{"a version past the newest", string(frame(0, 3, 0, 99, 0, 0, 0, 1, 0, 0)),
			"sent Metadata version 99; this broker serves versions 0 to", ""},
		{"a huge size", "\x7f\xff\xff\xff\x00\x03", "sent a request frame of 2147483647 bytes, over the limit", ""},
		{"a frame too short for a header", string(frame(0, 3, 0)), "sent a request frame of 3 bytes, too short", ""},
		{"a truncated header", string(frame(0, 3, 0, 1, 0, 0, 0, 1, 0, 9)), "sent a truncated request header", ""},
		{"a malformed request", string(frame(0, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 5, 0)),
			"sent a malformed Metadata v1 request", ""},
		{"a request cut off", string(metadata[:len(metadata)-3]), "closed the connection after", ""},
		{"TLS", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "began a TLS handshake", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(log.lines())
			conn, err := net.Dial("tcp", b.Addr())
			if err != nil {
				t.Fatal(err)
			}
			local := conn.LocalAddr().String()
			_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
			if _, err := io.WriteString(conn, c.send); err != nil {
				t.Fatal(err)
			}
			if c.name == "a request cut off" {
				conn.(*net.TCPConn).CloseWrite()
			}
			answer, _ := io.ReadAll(conn) // until the broker closes it (or resets it)
			conn.Close()
			if !strings.HasPrefix(string(answer), c.answer) {
				t.Errorf("answer %q, want %q", answer, c.answer)
			}
			lines := log.lines()[before:]
			if len(lines) != 1 || !strings.Contains(lines[0], "client "+local+": "+c.want) || !strings.HasSuffix(lines[0], "; connection closed") {
				t.Errorf("log %q, want one line about client %s: %s", lines, local, c.want)
			}
			// Still serving.
			resp := rawRequest(t, b.Addr(), metadataRequest(1, false, "still")).(*kmsg.MetadataResponse)
			if len(resp.Topics) != 1 || resp.Topics[0].ErrorCode != 0 {
				t.Errorf("metadata after: %+v", resp.Topics)
			}
		})
	}
}

// TestBrokerLogsBatchesOverTheLimit: a batch over --max-message-bytes gets
// MESSAGE_TOO_LARGE and a log line naming its size and the limit; one
// under it is stored.
func TestBrokerLogsBatchesOverTheLimit(t *testing.T) {
	b, log := startConfiguredBroker(t, BrokerConfig{MaxMessageBytes: 1000})
	big := recordBatch([]byte(strings.Repeat("x", 2000)))
	resp := rawRequest(t, b.Addr(), produceRequest("big", big)).(*kmsg.ProduceResponse)
	if code := resp.Topics[0].Partitions[0].ErrorCode; code != 10 { // MESSAGE_TOO_LARGE
		t.Errorf("error code %d, want 10 (MESSAGE_TOO_LARGE)", code)
	}
	want := `produce to topic "big" partition 0 refused with MESSAGE_TOO_LARGE: a record batch of ` +
		strconv.Itoa(len(big)) + ` bytes is over the limit of 1000 bytes (the broker's message.max.bytes, tide broker --max-message-bytes)`
	if got := strings.Join(log.lines(), "\n"); !strings.Contains(got, want) {
		t.Errorf("log:\n%s\nwant a line with %s", got, want)
	}
	resp = rawRequest(t, b.Addr(), produceRequest("big", recordBatch([]byte("small")))).(*kmsg.ProduceResponse)
	if p := resp.Topics[0].Partitions[0]; p.ErrorCode != 0 || p.BaseOffset != 0 {
		t.Errorf("small batch: error %d at offset %d", p.ErrorCode, p.BaseOffset)
	}
}
