package main

import (
	"strings"
	"testing"
)

func TestBrokerResolution(t *testing.T) {
	cases := []struct {
		name, flag, env string
		want            string
		src             brokerSource
		embedded        int
	}{
		{"--brokers wins", "k1:9092", "k2:9092", "k1:9092", fromFlag, 0},
		{"then $TIDE_BROKERS", "", "k2:9092", "k2:9092", fromEnv, 0},
		{"then an embedded broker", "", "", "127.0.0.1:19092", fromEmbedded, 1},
		{"blank values count as unset", "  ", " ", "127.0.0.1:19092", fromEmbedded, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ta := newTestApp(t, nil)
			ta.env["TIDE_BROKERS"] = c.env
			g := defaultGlobals()
			g.brokers = c.flag
			got, src, stop, err := ta.resolveBrokers(g)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			if got != c.want || src != c.src || ta.brokers != c.embedded {
				t.Errorf("got %q from %s (%d embedded), want %q from %s", got, src, ta.brokers, c.want, c.src)
			}
			announced := strings.Contains(ta.errb.String(),
				"tide: no broker configured; started an embedded Kafka-protocol broker at 127.0.0.1:19092")
			if announced != (c.embedded > 0) {
				t.Errorf("stderr announcement %v, want %v: %q", announced, c.embedded > 0, ta.errb.String())
			}
		})
	}
}

func TestEmbeddedBrokerReallyStarts(t *testing.T) {
	b, err := startBroker("127.0.0.1:0", 3)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !strings.HasPrefix(b.Addr(), "127.0.0.1:") || strings.HasSuffix(b.Addr(), ":0") {
		t.Errorf("addr %q", b.Addr())
	}
}
