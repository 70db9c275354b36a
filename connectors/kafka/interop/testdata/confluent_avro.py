"""Avro in Confluent's wire format with confluent-kafka-python's schema
registry client and Debian's python3-avro, one JSON object a line on stdout.

  python3 confluent_avro.py produce REGISTRY TOPIC N
      registers the course's Order schema (section 4.4) under TOPIC-value,
      then sends N orders keyed by customer (a plain string key), each
      value a zero magic byte, the 4-byte schema id and the Avro body;
      prints each order sent
  python3 confluent_avro.py consume REGISTRY TOPIC N
      reads N messages from the beginning (read committed), fetches each
      value's writer schema by id from the registry and prints the decoded
      key and value

The broker is $KAFKA_BROKERS.
"""
import io
import json
import os
import struct
import sys

import avro.io
import avro.schema
from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient

ORDER_SCHEMA = json.dumps({
    "type": "record",
    "name": "Order",
    "fields": [
        {"name": "order_id", "type": "string"},
        {"name": "customer_id", "type": "string"},
        {"name": "amount", "type": "double"},
        {"name": "timestamp", "type": "long"},
    ],
})


def encode(schema_id, schema, value):
    out = io.BytesIO()
    out.write(struct.pack(">bI", 0, schema_id))
    avro.io.DatumWriter(schema).write(value, avro.io.BinaryEncoder(out))
    return out.getvalue()


def produce(registry, topic, n):
    schema_id = registry.register_schema(topic + "-value", Schema(ORDER_SCHEMA, "AVRO"))
    schema = avro.schema.parse(ORDER_SCHEMA)
    producer = Producer({"bootstrap.servers": os.environ["KAFKA_BROKERS"], "acks": "all"})
    t0 = 1705312800000  # 2024-01-15T10:00:00Z
    for i in range(n):
        order = {
            "order_id": "ORD-%04d" % i,
            "customer_id": "CUST-%03d" % (i % 3),
            "amount": 100.0 + i * 25.5,
            "timestamp": t0 + i * 1500,
        }
        producer.produce(topic, key=order["customer_id"].encode(), value=encode(schema_id, schema, order))
        print(json.dumps({"schemaId": schema_id, "order": order}))
    if producer.flush(30) != 0:
        sys.exit("messages left unsent")


def decode(registry, schemas, data):
    if data is None:
        return None
    if len(data) < 5 or data[0] != 0:
        return data.decode()
    (schema_id,) = struct.unpack(">I", data[1:5])
    if schema_id not in schemas:
        schemas[schema_id] = avro.schema.parse(registry.get_schema(schema_id).schema_str)
    reader = avro.io.DatumReader(schemas[schema_id])
    return reader.read(avro.io.BinaryDecoder(io.BytesIO(data[5:])))


def consume(registry, topic, n):
    consumer = Consumer({
        "bootstrap.servers": os.environ["KAFKA_BROKERS"],
        "group.id": topic + "-python-avro",
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",
    })
    consumer.subscribe([topic])
    schemas, seen = {}, 0
    while seen < n:
        msg = consumer.poll(60)
        if msg is None:
            sys.exit("timed out after %d of %d messages" % (seen, n))
        if msg.error():
            sys.exit(str(msg.error()))
        value = decode(registry, schemas, msg.value())
        for k, v in list(value.items()):
            if hasattr(v, "isoformat"):  # timestamp-millis as datetime
                value[k] = v.isoformat()
        print(json.dumps({
            "partition": msg.partition(),
            "offset": msg.offset(),
            "schemaId": struct.unpack(">I", msg.value()[1:5])[0],
            "key": decode(registry, schemas, msg.key()),
            "value": value,
        }))
        seen += 1
    consumer.close()


if __name__ == "__main__":
    mode, url, topic, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    client = SchemaRegistryClient({"url": url})
    (produce if mode == "produce" else consume)(client, topic, n)
