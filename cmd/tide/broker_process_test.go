package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The course's client: kafka-python 2.0.2 from Debian's python3-kafka.
const python = "/usr/bin/python3"

// requireKafkaPython skips the test when kafka-python is not installed.
func requireKafkaPython(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and runs kafka-python")
	}
	if out, err := exec.Command(python, "-c", "import kafka").CombinedOutput(); err != nil {
		t.Skipf("kafka-python is not installed (apt-get install python3-kafka): %v: %s", err, out)
	}
}

// brokerProcess is `tide broker` running as a process of its own.
type brokerProcess struct {
	addr   string
	stderr *syncBuffer
	cmd    *exec.Cmd
}

// startBrokerProcess runs bin broker on a free port with args, stopped
// (SIGTERM) when the test ends.
func startBrokerProcess(t *testing.T, bin string, args ...string) *brokerProcess {
	t.Helper()
	p := &brokerProcess{stderr: &syncBuffer{}}
	stdout := &syncBuffer{}
	p.cmd = exec.Command(bin, append([]string{"broker", "--addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		_ = p.cmd.Wait()
	})
	listening := regexp.MustCompile(`listening at (127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			p.addr = m[1]
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("tide broker did not start:\n%s%s", stdout, p.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logSince waits until the broker has logged a line containing want after
// the first before bytes of its stderr, and returns what it logged since.
func (p *brokerProcess) logSince(t *testing.T, before int, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		log := p.stderr.String()[before:]
		if strings.Contains(log, want) {
			return log
		}
		if time.Now().After(deadline) {
			t.Fatalf("the broker did not log %q; it logged:\n%s", want, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runPython runs a kafka-python script with args and decodes the JSON it
// prints last into out.
func runPython(t *testing.T, script string, out any, args ...string) {
	t.Helper()
	cmd := exec.Command(python, append([]string{"-c", script}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s%s", err, stdout, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(stdout)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), out); err != nil {
		t.Fatalf("python printed %q: %v\n%s", stdout, err, stderr.String())
	}
}

// The course's producer (section 4.2), sending to a topic that does not
// exist yet, with keys so that records spread over the partitions.
const pyProduce = `
import json, sys
from kafka import KafkaProducer
from kafka.errors import KafkaError
addr, topic, n, size, block = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
out = {"sent": [], "errors": []}
try:
    producer = KafkaProducer(bootstrap_servers=[addr], acks='all', retries=3, retry_backoff_ms=100,
        max_block_ms=block, key_serializer=lambda k: k.encode('utf-8'),
        value_serializer=lambda v: json.dumps(v).encode('utf-8'))
    for i in range(n):
        value = {"order_id": "ORD-%04d" % i, "customer_id": "CUST-%03d" % (i % 3), "pad": "x" * size}
        try:
            md = producer.send(topic, key=value["customer_id"], value=value).get(timeout=30)
            out["sent"].append([md.partition, md.offset])
        except KafkaError as e:
            out["errors"].append(type(e).__name__ + ": " + str(e))
    producer.close()
except KafkaError as e:
    out["errors"].append(type(e).__name__ + ": " + str(e))
print(json.dumps(out))
`

// A consumer of group G that reads n records, commits and leaves; then the
// group's committed offsets and the end offsets, as kafka-python sees them.
const pyConsumeCommit = `
import json, sys
from kafka import KafkaConsumer, KafkaAdminClient, TopicPartition
addr, topic, group, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
consumer = KafkaConsumer(topic, bootstrap_servers=[addr], group_id=group, auto_offset_reset='earliest',
    enable_auto_commit=False, consumer_timeout_ms=20000)
got = 0
for message in consumer:
    got += 1
    if got == n:
        break
consumer.commit()
consumer.close()
admin = KafkaAdminClient(bootstrap_servers=[addr])
committed = {str(tp.partition): om.offset for tp, om in admin.list_consumer_group_offsets(group).items() if tp.topic == topic}
admin.close()
probe = KafkaConsumer(bootstrap_servers=[addr])
tps = [TopicPartition(topic, p) for p in probe.partitions_for_topic(topic)]
ends = {str(tp.partition): off for tp, off in probe.end_offsets(tps).items()}
probe.close()
print(json.dumps({"consumed": got, "committed": committed, "ends": ends}))
`

type pyProduced struct {
	Sent   [][2]int64 `json:"sent"`
	Errors []string   `json:"errors"`
}

// TestBrokerProcessServesKafkaPython runs the course's kafka-python code
// against `tide broker` started as a process.
func TestBrokerProcessServesKafkaPython(t *testing.T) {
	requireKafkaPython(t)
	bin := buildTide(t)
	br := startBrokerProcess(t, bin, "--partitions", "3", "--max-message-bytes", "2000",
		"--retention-bytes", "3000", "--retention-check", "50ms")

	t.Run("a producer creates the topic by sending to it", func(t *testing.T) {
		var got pyProduced
		runPython(t, pyProduce, &got, br.addr, "orders", "10", "0", "10000")
		if len(got.Errors) > 0 || len(got.Sent) != 10 {
			t.Fatalf("kafka-python: %+v", got)
		}
		perPartition := map[int64]int64{}
		for _, s := range got.Sent {
			if s[1] != perPartition[s[0]] { // offsets 0, 1, 2... in each partition
				t.Errorf("record at partition %d offset %d, want offset %d", s[0], s[1], perPartition[s[0]])
			}
			perPartition[s[0]]++
		}
		if len(perPartition) < 2 {
			t.Errorf("three keys landed in %d partition(s)", len(perPartition))
		}
		br.logSince(t, 0, `created topic "orders" with 3 partitions on first use (Metadata request from 127.0.0.1:`)
	})

	t.Run("group describe agrees with kafka-python", func(t *testing.T) {
		var py struct {
			Consumed  int              `json:"consumed"`
			Committed map[string]int64 `json:"committed"`
			Ends      map[string]int64 `json:"ends"`
		}
		runPython(t, pyConsumeCommit, &py, br.addr, "orders", "order-processor-group", "7")
		var sum int64
		for _, c := range py.Committed {
			sum += c
		}
		if py.Consumed != 7 || sum != 7 {
			t.Fatalf("kafka-python consumed %d and committed %v, want 7 in all", py.Consumed, py.Committed)
		}
		out, err := exec.Command(bin, "group", "describe", "order-processor-group", "--brokers", br.addr, "--format", "json").CombinedOutput()
		if err != nil {
			t.Fatalf("tide group describe: %v\n%s", err, out)
		}
		rows := jsonLines(t, string(out))
		if len(rows) != len(py.Committed) {
			t.Errorf("tide shows %d partitions, kafka-python %d committed:\n%s", len(rows), len(py.Committed), out)
		}
		for _, row := range rows {
			p := fmt.Sprint(row["PARTITION"])
			committed, end := py.Committed[p], py.Ends[p]
			if row["TOPIC"] != "orders" || row["CURRENT-OFFSET"] != float64(committed) ||
				row["LOG-END-OFFSET"] != float64(end) || row["LAG"] != float64(end-committed) {
				t.Errorf("partition %s: tide %v, kafka-python committed %d end %d", p, row, committed, end)
			}
		}
	})

	t.Run("a message over --max-message-bytes is refused naming the limit", func(t *testing.T) {
		before := len(br.stderr.String())
		var got pyProduced
		runPython(t, pyProduce, &got, br.addr, "orders", "1", "5000", "10000")
		if len(got.Sent) != 0 || len(got.Errors) != 1 || !strings.HasPrefix(got.Errors[0], "MessageSizeTooLargeError") {
			t.Errorf("kafka-python: %+v, want MessageSizeTooLargeError", got)
		}
		log := br.logSince(t, before, "bytes is over the limit of 2000 bytes (the broker's message.max.bytes, tide broker --max-message-bytes)")
		if !strings.Contains(log, `produce to topic "orders" partition `) || !strings.Contains(log, "refused with MESSAGE_TOO_LARGE: a record batch of ") {
			t.Errorf("broker log:\n%s", log)
		}
		cmd := exec.Command(bin, "produce", "--brokers", br.addr, "--topic", "orders")
		cmd.Stdin = strings.NewReader(`{"pad":"` + strings.Repeat("y", 3000) + `"}` + "\n" + `{"small":true}` + "\n")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "<stdin>:1: record of 3010 bytes is too large for topic orders, whose limit is 2000 bytes") ||
			!strings.Contains(string(out), "MESSAGE_TOO_LARGE") || !strings.Contains(string(out), "produced 1 records to orders (1 records failed)") {
			t.Errorf("tide produce: %v\n%s", err, out)
		}
	})

	t.Run("a partition over --retention-bytes drops its oldest records", func(t *testing.T) {
		var got pyProduced
		runPython(t, pyProduce, &got, br.addr, "logs", "60", "200", "10000")
		if len(got.Sent) != 60 {
			t.Fatalf("kafka-python: %+v", got)
		}
		ends := map[float64]float64{}
		for _, s := range got.Sent {
			ends[float64(s[0])] = max(ends[float64(s[0])], float64(s[1]+1))
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			out, err := exec.Command(bin, "topic", "describe", "logs", "--brokers", br.addr, "--format", "json").CombinedOutput()
			if err != nil {
				t.Fatalf("tide topic describe: %v\n%s", err, out)
			}
			advanced := 0
			for _, row := range jsonLines(t, string(out)) {
				start, end := row["START-OFFSET"].(float64), row["END-OFFSET"].(float64)
				if end != ends[row["PARTITION"].(float64)] {
					t.Fatalf("partition %v ends at %v, kafka-python sent up to %v", row["PARTITION"], end, ends[row["PARTITION"].(float64)])
				}
				// Each record takes over 200 bytes: 3000 hold fewer than 15.
				if start > 0 && end-start < 15 {
					advanced++
				}
			}
			if advanced == len(ends) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("retention did not apply:\n%s", out)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	t.Run("HTTP and random bytes get one log line each", func(t *testing.T) {
		for _, send := range []string{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "\x9a\x01\xff\x00garbage that is not Kafka"} {
			before := len(br.stderr.String())
			conn, err := net.Dial("tcp", br.addr)
			if err != nil {
				t.Fatal(err)
			}
			local := conn.LocalAddr().String()
			_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
			_, _ = io.WriteString(conn, send)
			_, _ = io.ReadAll(conn)
			conn.Close()
			log := strings.Split(strings.TrimSpace(br.logSince(t, before, "client "+local+": ")), "\n")
			if len(log) != 1 || !strings.HasSuffix(log[0], "; connection closed") {
				t.Errorf("after %q the broker logged %q", send, log)
			}
		}
		var got pyProduced
		runPython(t, pyProduce, &got, br.addr, "orders", "1", "0", "10000")
		if len(got.Sent) != 1 {
			t.Errorf("the broker stopped serving: %+v", got)
		}
	})
}

// TestBrokerProcessWithoutAutoCreate: kafka-python's producer fails, as
// against a Kafka with auto.create.topics.enable=false, and no topic
// appears.
func TestBrokerProcessWithoutAutoCreate(t *testing.T) {
	requireKafkaPython(t)
	bin := buildTide(t)
	br := startBrokerProcess(t, bin, "--no-auto-create")
	var got pyProduced
	runPython(t, pyProduce, &got, br.addr, "orders", "1", "0", "3000")
	if len(got.Sent) != 0 || len(got.Errors) != 1 || !strings.HasPrefix(got.Errors[0], "KafkaTimeoutError: ") ||
		!strings.Contains(got.Errors[0], "Failed to update metadata") {
		t.Errorf("kafka-python: %+v, want KafkaTimeoutError for the missing topic", got)
	}
	out, err := exec.Command(bin, "topic", "list", "--brokers", br.addr, "--format", "csv").CombinedOutput()
	if err != nil || string(out) != "TOPIC,PARTITIONS,REPLICATION-FACTOR\n" {
		t.Errorf("topics after: %v\n%s", err, out)
	}
	if !strings.Contains(br.stderr.String(), "topics not created on first use") {
		t.Errorf("broker stderr:\n%s", br.stderr)
	}
}
