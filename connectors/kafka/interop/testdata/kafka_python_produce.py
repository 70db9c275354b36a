# kafka-python producer, configured as the course's section 4.2 producer
# (JSON values, string keys, acks='all', retries): sends N orders keyed by
# customer to TOPIC and prints where each landed, one JSON object a line.
# usage: kafka_python_produce.py TOPIC N   (broker: $KAFKA_BROKERS)
import json
import os
import sys
from datetime import datetime

from kafka import KafkaProducer

topic, n = sys.argv[1], int(sys.argv[2])
producer = KafkaProducer(
    bootstrap_servers=os.environ["KAFKA_BROKERS"].split(","),
    value_serializer=lambda v: json.dumps(v).encode("utf-8"),
    key_serializer=lambda k: k.encode("utf-8") if k else None,
    acks="all",
    retries=3,
    retry_backoff_ms=100,
)
for i in range(n):
    order = {
        "order_id": f"ORD-{i:04d}",
        "customer_id": f"CUST-{i % 3:03d}",
        "amount": round(100 + i * 10.5, 2),
        "timestamp": datetime.now().isoformat(),
        "status": "PENDING",
    }
    md = producer.send(topic, key=order["customer_id"], value=order).get(timeout=30)
    print(json.dumps({"partition": md.partition, "offset": md.offset,
                      "key": order["customer_id"], "value": json.dumps(order)}))
producer.flush()
producer.close()
