package kafka

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// requestHeader is the part of a request frame before the request.
type requestHeader struct {
	key, version int16
	clientID     string
}

// parseRequest decodes a request frame's body (after the size) as the
// broker will, and fails for anything kfake must not see.
func parseRequest(body []byte) (kmsg.Request, requestHeader, error) {
	var h requestHeader
	r := kbin.Reader{Src: body}
	h.key, h.version = r.Int16(), r.Int16()
	_ = r.Int32() // correlation ID
	if id := r.NullableString(); id != nil {
		h.clientID = *id
	}
	if !r.Ok() {
		return nil, h, errors.New("sent a truncated request header")
	}
	req := kmsg.RequestForKey(h.key)
	if req == nil {
		return nil, h, fmt.Errorf("sent a request with unknown API key %d (version %d): not a Kafka client?", h.key, h.version)
	}
	if h.version < 0 || h.version > req.MaxVersion() {
		if h.key == int16(kmsg.ApiVersions) {
			// Answered with UNSUPPORTED_VERSION and the versions served,
			// as Kafka does, so the client can retry lower.
			return nil, h, nil
		}
		return nil, h, fmt.Errorf("sent %s version %d; this broker serves versions 0 to %d", kmsg.NameForKey(h.key), h.version, req.MaxVersion())
	}
	req.SetVersion(h.version)
	if req.IsFlexible() {
		kmsg.SkipTags(&r)
	}
	if err := readRequest(req, r.Src); err != nil {
		return nil, h, fmt.Errorf("sent a malformed %s v%d request: %v", kmsg.NameForKey(h.key), h.version, err)
	}
	return req, h, nil
}

// readRequest decodes src into req; a decoder panic is an error.
func readRequest(req kmsg.Request, src []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	if u, ok := req.(interface{ UnsafeReadFrom([]byte) error }); ok {
		return u.UnsafeReadFrom(src) // the topic names kept are cloned
	}
	return req.ReadFrom(src)
}

// inspect checks one request before kfake sees it and does what kfake does
// not: create topics on first use where Kafka would, and log produce
// batches refused as too large. A non-nil error rejects the connection.
func (b *Broker) inspect(c *checkedConn, body []byte) error {
	req, h, err := parseRequest(body)
	if err != nil || req == nil {
		return err
	}
	<-b.ready
	if b.closed.Load() {
		return errBrokerClosed
	}
	from := func() string { return clientName(c, h) }
	switch req := req.(type) {
	case *kmsg.MetadataRequest:
		// Before v4 there is no allow_auto_topic_creation field: the
		// broker's auto.create.topics.enable alone decides.
		if req.Version < 4 || req.AllowAutoTopicCreation {
			for _, t := range req.Topics {
				if t.Topic != nil && t.TopicID == ([16]byte{}) {
					b.autoCreate(*t.Topic, from, "Metadata")
				}
			}
		}
	case *kmsg.ProduceRequest:
		b.inspectProduce(req, from)
	case *kmsg.JoinGroupRequest:
		if req.ProtocolType == "consumer" {
			for _, t := range subscribedTopics(req.Protocols) {
				b.autoCreate(t, from, "JoinGroup")
			}
		}
	case *kmsg.ConsumerGroupHeartbeatRequest:
		for _, t := range req.SubscribedTopicNames {
			b.autoCreate(t, from, "ConsumerGroupHeartbeat")
		}
	case *kmsg.DeleteTopicsRequest:
		b.produced.Clear()
	}
	return nil
}

// inspectProduce creates unknown topics produced to and logs each batch
// the cluster is about to refuse as larger than max.message.bytes.
func (b *Broker) inspectProduce(req *kmsg.ProduceRequest, from func() string) {
	for _, t := range req.Topics {
		topic := t.Topic
		if topic != "" {
			if _, known := b.produced.Load(topic); !known && b.autoCreate(topic, from, "Produce") {
				b.produced.Store(strings.Clone(topic), true)
			}
		}
		for _, p := range t.Partitions {
			if len(p.Records) <= b.cfg.MaxMessageBytes {
				continue
			}
			if topic == "" { // v13+ names topics by ID
				ti := b.cluster.TopicIDInfo(t.TopicID)
				if ti == nil {
					break
				}
				topic = ti.Topic
			}
			limit, source := b.maxMessageBytes(topic)
			if len(p.Records) > limit {
				b.log.printf("client %s: produce to topic %q partition %d refused with MESSAGE_TOO_LARGE: a record batch of %d bytes is over the limit of %d bytes (%s)",
					from(), topic, p.Partition, len(p.Records), limit, source)
			}
		}
	}
}

// maxMessageBytes is the batch size limit of topic and where it is set.
func (b *Broker) maxMessageBytes(topic string) (int, string) {
	if ti := b.cluster.TopicInfo(topic); ti != nil {
		if v := ti.Configs["max.message.bytes"]; v != nil {
			if n, err := strconv.Atoi(*v); err == nil {
				return n, "the topic's max.message.bytes"
			}
		}
	}
	return b.cfg.MaxMessageBytes, "the broker's message.max.bytes, tide broker --max-message-bytes"
}

// autoCreate creates topic with the default partition count if it does not
// exist and topics are created on first use; it reports whether the topic
// exists now. A name Kafka refuses is left to the request to fail.
func (b *Broker) autoCreate(topic string, from func() string, what string) bool {
	if b.cfg.NoAutoCreate || CheckTopicName(topic) != nil {
		return false
	}
	err := b.cluster.CreateTopic(strings.Clone(topic), b.cfg.Partitions, nil)
	switch {
	case err == nil:
		b.log.printf("created topic %q with %d partitions on first use (%s request from %s)", topic, b.cfg.Partitions, what, from())
		return true
	case errors.Is(err, kerr.TopicAlreadyExists):
		return true
	}
	return false
}

// subscribedTopics lists the topics of a consumer's JoinGroup protocols
// (every protocol carries the same subscription).
func subscribedTopics(protocols []kmsg.JoinGroupRequestProtocol) []string {
	for _, p := range protocols {
		var m kmsg.ConsumerMemberMetadata
		if err := m.ReadFrom(p.Metadata); err == nil {
			return m.Topics
		}
	}
	return nil
}

// clientName is the client's address and, if it sent one, its client ID.
func clientName(c *checkedConn, h requestHeader) string {
	if h.clientID == "" {
		return c.RemoteAddr().String()
	}
	return fmt.Sprintf("%s (client id %q)", c.RemoteAddr(), h.clientID)
}
