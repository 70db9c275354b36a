# Course exercise 2, "Producteur et Consommateur Python": log lines
# {"level", "message", "timestamp"} to the topic 'logs'. The solution's
# producer loop, with the producer it uses (section 4.2's, whose
# value_serializer writes JSON) and the flush section 4.2 asks for before
# quitting. Unchanged otherwise, except that the broker address comes from
# KAFKA_BROKERS (default localhost:9092) and, for tests, the number of lines
# from MESSAGES (default 20).
#
# Exercises 3 and 4 read the same lines from the topic 'events' of exercise
# 1 (where the course types them with kafka-console-producer); copy them
# there with
#   kcat -C -b $KAFKA_BROKERS -t logs -e -q | kcat -P -b $KAFKA_BROKERS -t events
import os

from kafka import KafkaProducer
import json
import random
from datetime import datetime

producer = KafkaProducer(
    bootstrap_servers=os.environ.get("KAFKA_BROKERS", "localhost:9092").split(","),
    
    # Sérialisation JSON
    value_serializer=lambda v: json.dumps(v).encode('utf-8'),
    key_serializer=lambda k: k.encode('utf-8') if k else None,
    
    # Configuration de fiabilité
    acks='all',              # Attendre confirmation de tous les replicas
    retries=3,               # Réessayer en cas d'erreur
    retry_backoff_ms=100,    # Délai entre retries
)

# Producer
levels = ["INFO", "INFO", "INFO", "WARN", "ERROR", "FATAL"]
for i in range(int(os.environ.get("MESSAGES", "20"))):
    log = {
        "level": random.choice(levels),
        "message": f"Event {i}",
        "timestamp": datetime.now().isoformat()
    }
    producer.send('logs', value=log)

# Important : flush avant de quitter
producer.flush()
producer.close()
