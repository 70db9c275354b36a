package kafka

import (
	"fmt"
	"net"
	"strconv"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Broker is an in-process, in-memory Kafka-protocol broker (franz-go's
// kfake): `tide broker`, the embedded default broker and the tests use it.
type Broker struct {
	cluster *kfake.Cluster
	addr    string
}

// StartBroker starts a single-node broker listening on addr (host:port; port
// 0 picks a free one, an empty host means 127.0.0.1). The listed topics are
// created with the given number of partitions, and so is any topic that a
// producer or admin request creates implicitly.
func StartBroker(addr string, partitions int32, topics ...string) (*Broker, error) {
	if partitions < 1 {
		return nil, fmt.Errorf("start broker at %s: partitions must be at least 1, not %d", addr, partitions)
	}
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("start broker at %q: %v", addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("start broker at %s: bad port %q", addr, portText)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	opts := []kfake.Opt{
		kfake.Ports(port), // one port: one broker
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(int(partitions)),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			return net.Listen(network, net.JoinHostPort(host, strconv.Itoa(port)))
		}),
	}
	if len(topics) > 0 {
		opts = append(opts, kfake.SeedTopics(partitions, topics...))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start broker at %s: %w", addr, err)
	}
	addrs := c.ListenAddrs()
	if len(addrs) != 1 {
		c.Close()
		return nil, fmt.Errorf("start broker at %s: expected one listener, got %d", addr, len(addrs))
	}
	return &Broker{cluster: c, addr: addrs[0]}, nil
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

// Close stops the broker; its data is gone. It is safe to call twice.
func (b *Broker) Close() {
	if b != nil && b.cluster != nil {
		b.cluster.Close()
	}
}
