-- Seed, section 6.2: a sliding window of 10 minutes every 5 minutes
-- (window(col("event_time"), "10 minutes", "5 minutes")). HOP takes the
-- slide first, then the size, as in Flink SQL. Each transaction counts in
-- the two windows that contain it.
CREATE SOURCE transactions (
  transaction_id VARCHAR,
  customer_id    VARCHAR,
  product        VARCHAR,
  amount         DOUBLE,
  event_time     TIMESTAMP(3),
  WATERMARK FOR event_time AS event_time - INTERVAL 10 MINUTES
) WITH (connector = 'kafka', topic = 'transactions', format = 'json');

CREATE TABLE sliding_counts (
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  customer_id  VARCHAR,
  order_count  BIGINT,
  avg_amount   DOUBLE
);

INSERT INTO sliding_counts
SELECT window_start, window_end, customer_id, COUNT(*) AS order_count, ROUND(AVG(amount), 2) AS avg_amount
FROM transactions
GROUP BY HOP(event_time, INTERVAL 5 MINUTES, INTERVAL 10 MINUTES), customer_id;
