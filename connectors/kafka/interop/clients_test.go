package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The third-party clients the tests drive.
const (
	kafkaPython = "kafka-python"
	confluent   = "confluent-kafka-python"
	kcat        = "kcat"
	kafkajs     = "kafkajs"
	// Schema Registry clients.
	confluentRegistry = "confluent-kafka-python SchemaRegistryClient"
	kafkajsRegistry   = "@kafkajs/confluent-schema-registry"
	// pythonAvro is confluent-kafka-python's registry client with Debian's
	// python3-avro encoding the records.
	pythonAvro = "python3-avro"
)

const python = "/usr/bin/python3" // Debian's, with python3-kafka and python3-confluent-kafka

// clientMissing says why a client cannot run here, or "" if it can.
func clientMissing(client string) string {
	switch client {
	case kafkaPython, confluent:
		module, pkg := "kafka", "python3-kafka"
		if client == confluent {
			module, pkg = "confluent_kafka", "python3-confluent-kafka"
		}
		if out, err := exec.Command(python, "-c", "import "+module).CombinedOutput(); err != nil {
			return fmt.Sprintf("%s cannot import %s (apt-get install %s): %v %s", python, module, pkg, err, bytes.TrimSpace(out))
		}
	case confluentRegistry:
		if out, err := exec.Command(python, "-c", "import confluent_kafka.schema_registry").CombinedOutput(); err != nil {
			return fmt.Sprintf("%s cannot import confluent_kafka.schema_registry (apt-get install python3-confluent-kafka python3-requests): %v %s", python, err, bytes.TrimSpace(out))
		}
	case kafkajsRegistry:
		if _, err := exec.LookPath("node"); err != nil {
			return "node is not on PATH (apt-get install nodejs npm)"
		}
		if !fileExists(filepath.Join("node_modules", "@kafkajs", "confluent-schema-registry", "package.json")) {
			return "@kafkajs/confluent-schema-registry is not installed (run npm ci in connectors/kafka/interop)"
		}
	case kcat:
		if _, err := exec.LookPath("kcat"); err != nil {
			return "kcat is not on PATH (apt-get install kcat)"
		}
	case kafkajs:
		if _, err := exec.LookPath("node"); err != nil {
			return "node is not on PATH (apt-get install nodejs npm)"
		}
		if !fileExists(filepath.Join("node_modules", "kafkajs", "package.json")) {
			return "kafkajs is not installed (run npm ci in connectors/kafka/interop)"
		}
	case pythonAvro:
		const imports = "import avro.io, confluent_kafka.schema_registry"
		if out, err := exec.Command(python, "-c", imports).CombinedOutput(); err != nil {
			return fmt.Sprintf("%s cannot %s (apt-get install python3-avro python3-confluent-kafka python3-requests): %v %s", python, imports, err, bytes.TrimSpace(out))
		}
	}
	return ""
}

// need skips the test when client is missing here; in CI (CI=true) a missing
// client fails it.
func need(t *testing.T, client string) {
	t.Helper()
	why := clientMissing(client)
	if why == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI: %s", client, why)
	}
	t.Skipf("%s not available: %s", client, why)
}

// runClient runs a client command against the broker ($KAFKA_BROKERS) and
// its Schema Registry ($SCHEMA_REGISTRY_URL) and returns its standard
// output; a failure fails the test with its output.
func runClient(t *testing.T, stdin string, name string, args ...string) []byte {
	t.Helper()
	out, err := tryClient(t, stdin, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out
}

// tryClient is runClient returning the failure, with the standard error.
func tryClient(t *testing.T, stdin string, name string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "KAFKA_BROKERS="+brokerAddr, "SCHEMA_REGISTRY_URL="+registryURL, "KAFKAJS_NO_PARTITIONER_WARNING=1")
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("%w\nstdout:\n%s\nstderr:\n%s", err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes(), nil
}

// script is the path of a client script in testdata.
func script(name string) string { return filepath.Join("testdata", name) }

// clientRecord is a record as the client scripts print it.
type clientRecord struct {
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	Key       string `json:"key"`
	Value     string `json:"value"`
}

// clientRecords decodes the JSON lines a script printed; lines holding
// other objects are left to the caller.
func clientRecords(t *testing.T, out []byte) []clientRecord {
	t.Helper()
	var recs []clientRecord
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l == "" || !strings.Contains(l, `"partition"`) {
			continue
		}
		var r clientRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("client printed %q: %v", l, err)
		}
		recs = append(recs, r)
	}
	return recs
}

var errNoLine = errors.New("no such line")

// clientLine decodes the first printed line that has the given field.
func clientLine(out []byte, field string, v any) error {
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, `"`+field+`"`) {
			return json.Unmarshal([]byte(l), v)
		}
	}
	return errNoLine
}
