-- Seed, exercise 4: errors per 5-minute window with a 10-minute watermark.
-- The events carry their time as an ISO-8601 string without a zone
-- (datetime.now().isoformat() in producers/logs_producer.py; read as UTC).
-- As in the seed's withColumn("event_time", to_timestamp(...))
-- .withWatermark(...), the event time is computed in a subquery and the
-- watermark is declared on it in the query (WATERMARK FOR after GROUP BY).
-- As the seed's outputMode("update"), every micro-batch updates the counts
-- of the windows it changed (EMIT CHANGES, keyed by window_start); EMIT ON
-- WINDOW CLOSE would write each window's count once, when the watermark
-- passes the window's end.
CREATE SOURCE events (
  level       VARCHAR,
  message     VARCHAR,
  `timestamp` VARCHAR
) WITH (connector = 'kafka', topic = 'events', format = 'json');

CREATE TABLE error_counts (
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  errors       BIGINT,
  PRIMARY KEY (window_start)
);

INSERT INTO error_counts
SELECT window_start, window_end, COUNT(*) AS errors
FROM (
  SELECT CAST(`timestamp` AS TIMESTAMP(3)) AS event_time
  FROM events
  WHERE level IN ('ERROR', 'FATAL')
) AS e
GROUP BY TUMBLE(event_time, INTERVAL 5 MINUTES)
WATERMARK FOR event_time AS event_time - INTERVAL 10 MINUTES
EMIT CHANGES;
