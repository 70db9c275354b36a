package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestBrokerResolution(t *testing.T) {
	cases := []struct {
		name, flag, env, registryEnv string
		want, registry               string
		src                          brokerSource
		embedded                     int
	}{
		{"--brokers wins", "k1:9092", "k2:9092", "", "k1:9092", "", fromFlag, 0},
		{"then $TIDE_BROKERS", "", "k2:9092", "", "k2:9092", "", fromEnv, 0},
		{"then an embedded broker, with its registry", "", "", "", "127.0.0.1:19092", "http://127.0.0.1:18081", fromEmbedded, 1},
		{"blank values count as unset", "  ", " ", " ", "127.0.0.1:19092", "http://127.0.0.1:18081", fromEmbedded, 1},
		{"$TIDE_SCHEMA_REGISTRY with --brokers", "k1:9092", "", "http://sr:8081", "k1:9092", "http://sr:8081", fromFlag, 0},
		{"$TIDE_SCHEMA_REGISTRY over the embedded one", "", "", "http://sr:8081", "127.0.0.1:19092", "http://sr:8081", fromEmbedded, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ta := newTestApp(t, nil)
			ta.env["TIDE_BROKERS"] = c.env
			ta.env["TIDE_SCHEMA_REGISTRY"] = c.registryEnv
			g := defaultGlobals()
			g.brokers = c.flag
			got, src, stop, err := ta.resolveBrokers(g)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			if got.Brokers != c.want || got.Registry != c.registry || src != c.src || ta.brokers != c.embedded {
				t.Errorf("got %+v from %s (%d embedded), want %q and %q from %s", got, src, ta.brokers, c.want, c.registry, c.src)
			}
			announced := strings.Contains(ta.errb.String(),
				"tide: no broker configured; started an embedded Kafka-protocol broker at 127.0.0.1:19092 with a Schema Registry at http://127.0.0.1:18081")
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
	// Its Schema Registry answers Confluent's API.
	resp, err := http.Get(b.RegistryURL() + "/config")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != `{"compatibilityLevel":"BACKWARD"}` {
		t.Errorf("GET %s/config: %d %s", b.RegistryURL(), resp.StatusCode, body)
	}
}
