package engine

import (
	"context"
	"testing"
)

// Connectors get the engine's default brokers and Schema Registry URL.
func TestConnectorsGetTheDefaultBrokersAndRegistry(t *testing.T) {
	e, err := Open(context.Background(), Config{Brokers: "127.0.0.1:19092", Registry: "http://127.0.0.1:18081"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if env := e.env(); env.Brokers != "127.0.0.1:19092" || env.Registry != "http://127.0.0.1:18081" {
		t.Errorf("env brokers %q registry %q", env.Brokers, env.Registry)
	}
}
