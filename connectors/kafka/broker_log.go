package kafka

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// brokerLog writes the broker's log lines, one Write each, with the time.
type brokerLog struct {
	mu sync.Mutex
	w  io.Writer // nil: discard
}

func newBrokerLog(w io.Writer) *brokerLog { return &brokerLog{w: w} }

func (l *brokerLog) printf(format string, args ...any) {
	if l.w == nil {
		return
	}
	line := time.Now().Format("15:04:05.000 ") + fmt.Sprintf(format, args...)
	line = strings.TrimRight(line, "\n") + "\n"
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, line)
}

// kfakeLogger passes on what kfake logs that a developer needs: errors,
// warnings and requests it could not handle (a version it does not serve),
// not its per-request and per-group chatter.
type kfakeLogger struct{ l *brokerLog }

func (k kfakeLogger) Logf(level kfake.LogLevel, format string, args ...any) {
	if level <= kfake.LogLevelWarn || strings.HasPrefix(format, "client %s") {
		k.l.printf(format, args...)
	}
}
