package kafka

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Defaults of BrokerConfig, those of a stock Kafka where Kafka has one.
const (
	// DefaultMaxMessageBytes is Kafka's message.max.bytes.
	DefaultMaxMessageBytes = 1048588
	// DefaultRetentionBytes caps each partition's log, so that a long demo
	// does not grow without end (Kafka's own default is unlimited).
	DefaultRetentionBytes = 1 << 30
	// DefaultRetentionCheck is Kafka's log.retention.check.interval.ms.
	DefaultRetentionCheck = 5 * time.Minute
	// maxRequestBytes is Kafka's socket.request.max.bytes: a request frame
	// claiming more is refused before anything is allocated for it.
	maxRequestBytes = 100 << 20
)

// BrokerConfig describes a development broker: one node, everything in
// memory, gone when it stops. The zero value of each field but Addr and
// Partitions is what a local Kafka from the usual docker-compose does.
type BrokerConfig struct {
	// Addr is host:port to listen on; port 0 picks a free one, an empty
	// host means 127.0.0.1.
	Addr string
	// Partitions is the partition count of Topics and of every topic
	// created on first use or without an explicit count. At least 1.
	Partitions int32
	// Topics are created at start.
	Topics []string
	// NoAutoCreate turns off creating topics on first use (Kafka's
	// auto.create.topics.enable=false): clients then get
	// UNKNOWN_TOPIC_OR_PARTITION until a topic is created explicitly.
	NoAutoCreate bool
	// MaxMessageBytes is the largest record batch a producer may send
	// (message.max.bytes); 0 means DefaultMaxMessageBytes.
	MaxMessageBytes int
	// RetentionBytes is the most each partition keeps (log.retention.bytes):
	// older records are dropped and the log start offset advances. 0 means
	// DefaultRetentionBytes, negative means no limit. There is no retention
	// by age unless a topic sets retention.ms.
	RetentionBytes int64
	// RetentionCheck is how often retention is applied; 0 means
	// DefaultRetentionCheck.
	RetentionCheck time.Duration
	// Log receives one line per client that sends something the broker
	// cannot serve, and one per topic created on first use; nil discards.
	Log io.Writer
}

// Broker is an in-process Kafka-protocol broker (franz-go's kfake behind a
// listener that checks every request frame first): `tide broker`, the
// embedded default broker and the tests use it.
type Broker struct {
	cfg     BrokerConfig
	cluster *kfake.Cluster
	addr    string
	log     *brokerLog
	ready   chan struct{} // closed once cluster is set
	closed  atomic.Bool
	stop    chan struct{} // closed by Close: stops the retention loop
	done    sync.WaitGroup
	// produced remembers topics known to exist, so that produce requests,
	// unlike metadata requests, do not each ask the cluster.
	produced sync.Map
}

// StartBroker starts a broker listening on addr with the defaults of
// BrokerConfig. The listed topics are created with the given number of
// partitions, and so is any topic created on first use.
func StartBroker(addr string, partitions int32, topics ...string) (*Broker, error) {
	return BrokerConfig{Addr: addr, Partitions: partitions, Topics: topics}.Start()
}

// Start starts the broker.
func (cfg BrokerConfig) Start() (*Broker, error) {
	host, port, err := cfg.listenAddr()
	if err != nil {
		return nil, err
	}
	cfg.setDefaults()
	b := &Broker{cfg: cfg, log: newBrokerLog(cfg.Log), ready: make(chan struct{}), stop: make(chan struct{})}
	opts := []kfake.Opt{
		kfake.Ports(port), // one port: one broker
		kfake.DefaultNumPartitions(int(cfg.Partitions)),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			ln, err := net.Listen(network, net.JoinHostPort(host, strconv.Itoa(port)))
			if err != nil {
				return nil, err
			}
			return &checkedListener{Listener: ln, b: b}, nil
		}),
		kfake.WithLogger(kfakeLogger{b.log}),
		kfake.BrokerConfigs(map[string]string{
			"message.max.bytes":   strconv.Itoa(cfg.MaxMessageBytes),
			"log.retention.bytes": strconv.FormatInt(cfg.RetentionBytes, 10),
			// Not by age: Kafka's 7 days count from record timestamps,
			// and replayed or generated history would vanish at once.
			"log.retention.ms": "-1",
		}),
	}
	// Topics are created on first use by inspect (broker_inspect.go), not
	// by kfake: kfake would only do it for Metadata v4+ and would accept
	// names that Kafka refuses.
	if len(cfg.Topics) > 0 {
		opts = append(opts, kfake.SeedTopics(cfg.Partitions, cfg.Topics...))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		b.closed.Store(true)
		close(b.ready)
		return nil, fmt.Errorf("start broker at %s: %w", cfg.Addr, err)
	}
	b.cluster = c
	close(b.ready)
	addrs := c.ListenAddrs()
	if len(addrs) != 1 {
		b.Close()
		return nil, fmt.Errorf("start broker at %s: expected one listener, got %d", cfg.Addr, len(addrs))
	}
	b.addr = addrs[0]
	b.done.Add(1)
	go b.retentionLoop()
	return b, nil
}

// listenAddr checks the configuration and splits Addr.
func (cfg BrokerConfig) listenAddr() (host string, port int, err error) {
	if cfg.Partitions < 1 {
		return "", 0, fmt.Errorf("start broker at %s: partitions must be at least 1, not %d", cfg.Addr, cfg.Partitions)
	}
	if cfg.MaxMessageBytes < 0 || cfg.MaxMessageBytes > maxRequestBytes {
		return "", 0, fmt.Errorf("start broker at %s: max message bytes must be between 1 and %d, not %d", cfg.Addr, maxRequestBytes, cfg.MaxMessageBytes)
	}
	if cfg.RetentionCheck < 0 {
		return "", 0, fmt.Errorf("start broker at %s: retention check interval must be positive, not %v", cfg.Addr, cfg.RetentionCheck)
	}
	host, portText, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return "", 0, fmt.Errorf("start broker at %q: %v", cfg.Addr, err)
	}
	port, err = strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("start broker at %s: bad port %q", cfg.Addr, portText)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return host, port, nil
}

func (cfg *BrokerConfig) setDefaults() {
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	switch {
	case cfg.RetentionBytes == 0:
		cfg.RetentionBytes = DefaultRetentionBytes
	case cfg.RetentionBytes < 0:
		cfg.RetentionBytes = -1
	}
	if cfg.RetentionCheck == 0 {
		cfg.RetentionCheck = DefaultRetentionCheck
	}
}

// retentionLoop applies retention every RetentionCheck: by size, and by
// age for topics created with retention.ms. kfake runs its own cleaner only
// for topics with retention set per topic, not for the broker-wide size.
func (b *Broker) retentionLoop() {
	defer b.done.Done()
	t := time.NewTicker(b.cfg.RetentionCheck)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.cluster.ApplyRetention()
		}
	}
}

// Addr is the host:port clients connect to.
func (b *Broker) Addr() string { return b.addr }

// CreateTopic creates a topic with the given number of partitions.
func (b *Broker) CreateTopic(topic string, partitions int32) error {
	if err := b.cluster.CreateTopic(topic, partitions, nil); err != nil {
		return fmt.Errorf("create topic %q on %s: %w", topic, b.addr, err)
	}
	return nil
}

// errBrokerClosed is what requests inspected during shutdown get.
var errBrokerClosed = errors.New("broker closed")

// Close stops the broker; its data is gone. It is safe to call twice.
func (b *Broker) Close() {
	if b == nil || b.cluster == nil || !b.closed.CompareAndSwap(false, true) {
		return
	}
	close(b.stop)
	b.done.Wait()
	b.cluster.Close()
}
