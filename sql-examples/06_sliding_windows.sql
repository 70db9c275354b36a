-- Seed, sections 6.2 and 6.3: orders per customer in sliding windows of 10
-- minutes every 5 minutes (window(col("event_time"), "10 minutes",
-- "5 minutes") over the orders of section 4.2, with 6.3's 10-minute
-- watermark). HOP takes the slide first, then the size, as in Flink SQL.
-- Each order counts in the two windows that contain it. As in the seed,
-- the event time is the field "timestamp" of producers/orders_producer.py
-- (datetime.now().isoformat(): no zone), converted with a CAST and watermarked
-- in the query.
CREATE SOURCE orders (
  order_id    VARCHAR,
  customer_id VARCHAR,
  amount      DOUBLE,
  `timestamp` VARCHAR,
  status      VARCHAR
) WITH (connector = 'kafka', topic = 'orders', format = 'json');

CREATE TABLE sliding_counts (
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  customer_id  VARCHAR,
  order_count  BIGINT
);

INSERT INTO sliding_counts
SELECT window_start, window_end, customer_id, COUNT(*) AS order_count
FROM (
  SELECT customer_id, CAST(`timestamp` AS TIMESTAMP(3)) AS event_time
  FROM orders
) AS orders_with_ts
GROUP BY HOP(event_time, INTERVAL 5 MINUTES, INTERVAL 10 MINUTES), customer_id
WATERMARK FOR event_time AS event_time - INTERVAL 10 MINUTES;
