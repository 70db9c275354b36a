# confluent-kafka (librdkafka) consumer in a group with
# isolation.level=read_committed: reads TOPIC to the end of every assigned
# partition (the last stable offset: records of open or aborted transactions
# are not read) and prints each record as a JSON object a line.
# usage: confluent_consume.py TOPIC GROUP   (broker: $KAFKA_BROKERS)
import json
import os
import sys
import time

from confluent_kafka import Consumer, KafkaError

topic, group = sys.argv[1], sys.argv[2]
consumer = Consumer({
    "bootstrap.servers": os.environ["KAFKA_BROKERS"],
    "group.id": group,
    "auto.offset.reset": "earliest",
    "isolation.level": "read_committed",
    "enable.partition.eof": True,
})
consumer.subscribe([topic])
at_end = set()
deadline = time.time() + 60
while True:
    if time.time() > deadline:
        sys.exit("timed out before the end of " + topic)
    msg = consumer.poll(0.5)
    if msg is None:
        continue
    if msg.error():
        if msg.error().code() == KafkaError._PARTITION_EOF:
            at_end.add(msg.partition())
            if at_end >= {tp.partition for tp in consumer.assignment()}:
                break
            continue
        sys.exit(str(msg.error()))
    at_end.discard(msg.partition())
    print(json.dumps({"partition": msg.partition(), "offset": msg.offset(),
                      "key": msg.key().decode() if msg.key() is not None else None,
                      "value": msg.value().decode() if msg.value() is not None else None}))
consumer.close()
