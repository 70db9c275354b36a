package kafka

import (
	"fmt"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestMetadataBeforeV4CreatesTopics: kafka-python asks with Metadata v1,
// which has no allow_auto_topic_creation field; Kafka then creates the
// topic when auto.create.topics.enable is on.
func TestMetadataBeforeV4CreatesTopics(t *testing.T) {
	b, log := startConfiguredBroker(t, BrokerConfig{Partitions: 3})
	for v := int16(0); v <= 3; v++ {
		topic := fmt.Sprintf("meta-v%d", v)
		resp := rawRequest(t, b.Addr(), metadataRequest(v, false, topic)).(*kmsg.MetadataResponse)
		if len(resp.Topics) != 1 || resp.Topics[0].ErrorCode != 0 || len(resp.Topics[0].Partitions) != 3 {
			t.Errorf("v%d: answer %+v, want topic %s with 3 partitions", v, resp.Topics, topic)
		}
		if n := topicPartitionCounts(t, b.Addr())[topic]; n != 3 {
			t.Errorf("v%d: topic %s has %d partitions, want 3", v, topic, n)
		}
	}
	if got := strings.Join(log.lines(), "\n"); !strings.Contains(got, `created topic "meta-v1" with 3 partitions on first use (Metadata request from 127.0.0.1:`) {
		t.Errorf("log does not tell of the creation:\n%s", got)
	}
}

func TestMetadataFromV4FollowsTheRequestsFlag(t *testing.T) {
	b, _ := startConfiguredBroker(t, BrokerConfig{})
	resp := rawRequest(t, b.Addr(), metadataRequest(9, false, "not-asked")).(*kmsg.MetadataResponse)
	if resp.Topics[0].ErrorCode != kerr.UnknownTopicOrPartition.Code {
		t.Errorf("v9 without the flag: error %d, want UNKNOWN_TOPIC_OR_PARTITION", resp.Topics[0].ErrorCode)
	}
	resp = rawRequest(t, b.Addr(), metadataRequest(9, true, "asked")).(*kmsg.MetadataResponse)
	if resp.Topics[0].ErrorCode != 0 || len(resp.Topics[0].Partitions) != 2 {
		t.Errorf("v9 with the flag: %+v", resp.Topics[0])
	}
	counts := topicPartitionCounts(t, b.Addr())
	if _, ok := counts["not-asked"]; ok || counts["asked"] != 2 {
		t.Errorf("topics %v, want only asked", counts)
	}
}

func TestProduceToAnUnknownTopicCreatesIt(t *testing.T) {
	b, _ := startConfiguredBroker(t, BrokerConfig{Partitions: 4})
	resp := rawRequest(t, b.Addr(), produceRequest("produced", recordBatch([]byte(`{"a":1}`)))).(*kmsg.ProduceResponse)
	if code := resp.Topics[0].Partitions[0].ErrorCode; code != 0 {
		t.Fatalf("produce: %v", kerr.ErrorForCode(code))
	}
	if n := topicPartitionCounts(t, b.Addr())["produced"]; n != 4 {
		t.Errorf("topic produced has %d partitions, want 4", n)
	}
}

func TestConsumerGroupSubscriptionsCreateTopics(t *testing.T) {
	b, _ := startConfiguredBroker(t, BrokerConfig{})
	join := kmsg.NewPtrJoinGroupRequest()
	join.Version = 5
	join.Group = "g"
	join.SessionTimeoutMillis = 10000
	join.RebalanceTimeoutMillis = 10000
	join.ProtocolType = "consumer"
	meta := kmsg.ConsumerMemberMetadata{Topics: []string{"joined-a", "joined-b"}}
	join.Protocols = []kmsg.JoinGroupRequestProtocol{{Name: "range", Metadata: meta.AppendTo(nil)}}
	rawRequest(t, b.Addr(), join) // MEMBER_ID_REQUIRED first, as in Kafka: the topics exist anyway

	beat := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	beat.Group = "g848"
	beat.MemberID = "m1"
	beat.RebalanceTimeoutMillis = 10000
	beat.SubscribedTopicNames = []string{"beaten"}
	rawRequest(t, b.Addr(), beat)

	counts := topicPartitionCounts(t, b.Addr())
	for _, topic := range []string{"joined-a", "joined-b", "beaten"} {
		if counts[topic] != 2 {
			t.Errorf("topic %s: %d partitions, want 2 (topics %v)", topic, counts[topic], counts)
		}
	}
}

// TestNoAutoCreate: with auto.create.topics.enable=false, nothing but an
// explicit CreateTopics makes a topic.
func TestNoAutoCreate(t *testing.T) {
	b, log := startConfiguredBroker(t, BrokerConfig{NoAutoCreate: true})
	resp := rawRequest(t, b.Addr(), metadataRequest(1, false, "m")).(*kmsg.MetadataResponse)
	if resp.Topics[0].ErrorCode != kerr.UnknownTopicOrPartition.Code {
		t.Errorf("metadata v1: error %d, want UNKNOWN_TOPIC_OR_PARTITION", resp.Topics[0].ErrorCode)
	}
	resp = rawRequest(t, b.Addr(), metadataRequest(9, true, "m")).(*kmsg.MetadataResponse)
	if resp.Topics[0].ErrorCode != kerr.UnknownTopicOrPartition.Code {
		t.Errorf("metadata v9 allowing creation: error %d, want UNKNOWN_TOPIC_OR_PARTITION", resp.Topics[0].ErrorCode)
	}
	pr := rawRequest(t, b.Addr(), produceRequest("p", recordBatch([]byte("x")))).(*kmsg.ProduceResponse)
	if code := pr.Topics[0].Partitions[0].ErrorCode; code != kerr.UnknownTopicOrPartition.Code {
		t.Errorf("produce: error %d, want UNKNOWN_TOPIC_OR_PARTITION", code)
	}
	if counts := topicPartitionCounts(t, b.Addr()); len(counts) != 0 {
		t.Errorf("topics %v were created", counts)
	}
	if err := b.CreateTopic("explicit", 1); err != nil {
		t.Fatal(err)
	}
	if counts := topicPartitionCounts(t, b.Addr()); counts["explicit"] != 1 {
		t.Errorf("topics %v, want explicit", counts)
	}
	if lines := log.lines(); len(lines) != 0 {
		t.Errorf("log %q", lines)
	}
}

// TestAutoCreateRefusesNamesKafkaRefuses: a name Kafka would not accept is
// not created on first use either.
func TestAutoCreateRefusesNamesKafkaRefuses(t *testing.T) {
	b, _ := startConfiguredBroker(t, BrokerConfig{})
	resp := rawRequest(t, b.Addr(), metadataRequest(1, false, "bad name!")).(*kmsg.MetadataResponse)
	if resp.Topics[0].ErrorCode == 0 {
		t.Errorf("metadata of %q answered no error", "bad name!")
	}
	if counts := topicPartitionCounts(t, b.Addr()); len(counts) != 0 {
		t.Errorf("topics %v were created", counts)
	}
}
