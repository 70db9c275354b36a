# Course section 10, mini-project, "ÉTAPE 1 : Producteur Python":
# transactions to the topic 'transactions'. The course's producer.py
# unchanged, except that the broker address comes from KAFKA_BROKERS
# (default localhost:9092) and, for tests, the number of transactions from
# MESSAGES (default 100) and the pause between them from PAUSE (seconds,
# default 0.5).
import os

from kafka import KafkaProducer
import json
import time
import random
from datetime import datetime

producer = KafkaProducer(
    bootstrap_servers=os.environ.get("KAFKA_BROKERS", "localhost:9092").split(","),
    value_serializer=lambda v: json.dumps(v).encode("utf-8")
)

customers = ["CUST-001", "CUST-002", "CUST-003", "CUST-004", "CUST-005"]
products = ["Laptop", "Phone", "Tablet", "Watch", "Headphones"]

print("🚀 Sending transactions...")

for i in range(int(os.environ.get("MESSAGES", "100"))):
    transaction = {
        "transaction_id": f"TXN-{i:06d}",
        "customer_id": random.choice(customers),
        "product": random.choice(products),
        "amount": round(random.uniform(10, 500), 2),
        "timestamp": datetime.now().isoformat()
    }
    
    producer.send("transactions", value=transaction)
    print(f"Sent: {transaction['transaction_id']}")
    time.sleep(float(os.environ.get("PAUSE", "0.5")))

producer.flush()
print("✅ Done!")
