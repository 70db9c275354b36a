-- Seed, section 10 (mini-project): transactions per customer in 5-minute
-- tumbling windows with a 10-minute watermark, merged into a Delta table
-- keyed by (window_start, customer_id) -- the seed's upsert_to_delta. As
-- the seed's outputMode("update"), every micro-batch merges the windows it
-- changed (EMIT CHANGES), so the table fills while the windows are open;
-- the watermark then drops late transactions and the state of old windows.
-- producers/transactions_producer.py (the seed's producer.py) sends each
-- transaction's time as the field "timestamp", an ISO-8601 text without a
-- zone (datetime.now().isoformat()); the seed's to_timestamp(col("timestamp"))
-- is the column's type here: the JSON decoder parses the text (no zone: UTC).
CREATE SOURCE transactions (
  transaction_id VARCHAR,
  customer_id    VARCHAR,
  product        VARCHAR,
  amount         DOUBLE,
  `timestamp`    TIMESTAMP(3),
  WATERMARK FOR `timestamp` AS `timestamp` - INTERVAL 10 MINUTES
) WITH (connector = 'kafka', topic = 'transactions', format = 'json', startingOffsets = 'earliest');

CREATE TABLE customer_stats (
  window_start      TIMESTAMP(3),
  window_end        TIMESTAMP(3),
  customer_id       VARCHAR,
  transaction_count BIGINT,
  total_amount      DOUBLE,
  PRIMARY KEY (window_start, customer_id)
) WITH (connector = 'delta', path = 'out/customer_stats');

INSERT INTO customer_stats
SELECT window_start, window_end, customer_id,
       COUNT(*)    AS transaction_count,
       SUM(amount) AS total_amount
FROM transactions
GROUP BY TUMBLE(`timestamp`, INTERVAL 5 MINUTES), customer_id
EMIT CHANGES;
