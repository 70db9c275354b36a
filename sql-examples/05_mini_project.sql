-- Seed, section 10 (mini-project): transactions per customer in 5-minute
-- tumbling windows with a 10-minute watermark, merged into a Delta table
-- keyed by (window_start, customer_id) -- the seed's upsert_to_delta.
CREATE SOURCE transactions (
  transaction_id VARCHAR,
  customer_id    VARCHAR,
  product        VARCHAR,
  amount         DOUBLE,
  event_time     TIMESTAMP(3),
  WATERMARK FOR event_time AS event_time - INTERVAL 10 MINUTES
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
GROUP BY TUMBLE(event_time, INTERVAL 5 MINUTES), customer_id;
