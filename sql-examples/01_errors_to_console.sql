-- Seed, exercise 3: Kafka -> tide -> console.
-- Read the JSON events of topic 'events' (exercise 1's topic, holding log
-- lines as producers/logs_producer.py writes them), keep level ERROR or
-- FATAL, and print each micro-batch on the console (Spark's console sink,
-- append mode).
CREATE SOURCE events (
  level       VARCHAR,
  message     VARCHAR,
  `timestamp` VARCHAR
) WITH (connector = 'kafka', topic = 'events', format = 'json', startingOffsets = 'earliest');

CREATE TABLE errors (level VARCHAR, message VARCHAR, `timestamp` VARCHAR)
  WITH (connector = 'console');

INSERT INTO errors
SELECT level, message, `timestamp`
FROM events
WHERE level IN ('ERROR', 'FATAL');
