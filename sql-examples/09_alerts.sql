-- Seed, exercise 2: an alerting consumer of the topic 'logs' that
-- producers/logs_producer.py fills. Every log line is printed; FATAL ones
-- are flagged as alerts (the seed's special print).
CREATE SOURCE logs (
  level       VARCHAR,
  message     VARCHAR,
  `timestamp` VARCHAR
) WITH (connector = 'kafka', topic = 'logs', format = 'json');

CREATE TABLE alerts (alert VARCHAR, level VARCHAR, message VARCHAR)
  WITH (connector = 'console');

INSERT INTO alerts
SELECT CASE WHEN level = 'FATAL' THEN 'FATAL ALERT' ELSE 'log' END AS alert, level, message
FROM logs;
