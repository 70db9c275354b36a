# kafka-python consumer in a group, configured as the course's section 4.3
# consumer (JSON values, string keys, auto_offset_reset='earliest'), reading
# TOPIC until every assigned partition is at its end offset; prints each
# record as a JSON object a line. With --commit it commits the offsets it
# reached and then prints {"committed": {partition: offset}} as
# KafkaAdminClient.list_consumer_group_offsets reports them. With --raw it
# uses no deserializers and prints keys and values in hex.
# usage: kafka_python_consume.py [--raw] [--commit] TOPIC GROUP   (broker: $KAFKA_BROKERS)
import json
import os
import sys
import time

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient

args = sys.argv[1:]
raw, commit = "--raw" in args, "--commit" in args
topic, group = [a for a in args if not a.startswith("--")]
brokers = os.environ["KAFKA_BROKERS"].split(",")

if raw:
    consumer = KafkaConsumer(topic, bootstrap_servers=brokers, group_id=group,
                             auto_offset_reset="earliest", enable_auto_commit=False)
else:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=brokers,
        value_deserializer=lambda m: json.loads(m.decode("utf-8")),
        key_deserializer=lambda k: k.decode("utf-8") if k else None,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )

deadline = time.time() + 60
while True:
    if time.time() > deadline:
        sys.exit("timed out before the end of " + topic)
    for tp, records in consumer.poll(timeout_ms=500).items():
        for m in records:
            if raw:
                key = m.key.hex() if m.key is not None else None
                value = m.value.hex() if m.value is not None else None
            else:
                key, value = m.key, json.dumps(m.value)
            print(json.dumps({"partition": m.partition, "offset": m.offset, "key": key, "value": value}))
    assigned = consumer.assignment()
    if assigned:
        ends = consumer.end_offsets(list(assigned))
        if all(consumer.position(tp) >= ends[tp] for tp in assigned):
            break

if commit:
    consumer.commit()
consumer.close()
if commit:
    admin = KafkaAdminClient(bootstrap_servers=brokers)
    offsets = admin.list_consumer_group_offsets(group)
    print(json.dumps({"committed": {str(tp.partition): om.offset for tp, om in offsets.items() if tp.topic == topic}}))
    admin.close()
