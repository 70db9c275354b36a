# confluent-kafka (librdkafka) producer with acks=all, as the course's
# section 4.4 configures it: sends N orders keyed by customer to TOPIC and
# prints each delivery report, one JSON object a line.
# usage: confluent_produce.py TOPIC N   (broker: $KAFKA_BROKERS)
import json
import os
import sys
from datetime import datetime

from confluent_kafka import Producer

topic, n = sys.argv[1], int(sys.argv[2])
producer = Producer({"bootstrap.servers": os.environ["KAFKA_BROKERS"], "acks": "all"})
failed = []


def delivery_report(err, msg):
    if err:
        failed.append(str(err))
        return
    print(json.dumps({"partition": msg.partition(), "offset": msg.offset(),
                      "key": msg.key().decode(), "value": msg.value().decode()}))


for i in range(n):
    order = {
        "order_id": f"ORD-{i:04d}",
        "customer_id": f"CUST-{i % 3:03d}",
        "amount": 100.0 + i * 25.5,
        "timestamp": datetime.now().isoformat(),
        "status": "PENDING",
    }
    producer.produce(topic, key=order["customer_id"], value=json.dumps(order), callback=delivery_report)
    producer.poll(0)
if producer.flush(30) != 0 or failed:
    sys.exit("not delivered: %s" % failed)
