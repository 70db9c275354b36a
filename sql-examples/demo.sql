-- tide demo: the seed's mini-project, end to end (`tide demo` runs this file,
-- embedded in the binary; the test suite runs it too, bounded).
--
-- 1. A generator of the seed's transactions (its Python producer's fields).
--    Event time is a simulated clock that moves 1 second per row at 20 rows
--    a second, 20 times faster than the wall clock, so that a 5-minute window
--    closes every 15 seconds; rows arrive up to 5 seconds out of order.
CREATE SOURCE gen (
  transaction_id VARCHAR,
  customer_id    VARCHAR,
  product        VARCHAR,
  amount         DOUBLE,
  event_time     TIMESTAMP(3)
) WITH (
  connector       = 'datagen',
  rows_per_second = '20',
  'fields.transaction_id.kind'   = 'sequence',
  'fields.transaction_id.prefix' = 'TXN-',
  'fields.transaction_id.length' = '6',
  'fields.customer_id.kind'      = 'choice',
  'fields.customer_id.values'    = 'CUST-001,CUST-002,CUST-003,CUST-004,CUST-005',
  'fields.product.kind'          = 'choice',
  'fields.product.values'        = 'Laptop,Phone,Tablet,Watch,Headphones',
  'fields.amount.kind'           = 'random',
  'fields.amount.min'            = '10',
  'fields.amount.max'            = '500',
  'fields.amount.decimals'       = '2',
  'fields.event_time.kind'         = 'timestamp',
  'fields.event_time.start'        = '2024-01-15T10:00:00Z',
  'fields.event_time.step'         = '1s',
  'fields.event_time.max_disorder' = '5s'
);

-- 2. ... written as JSON to the Kafka topic `transactions` (the Python producer's job),
--    keyed by transaction_id so that the records spread over the topic's partitions.
CREATE TABLE transactions_topic (
  transaction_id VARCHAR,
  customer_id    VARCHAR,
  product        VARCHAR,
  amount         DOUBLE,
  event_time     TIMESTAMP(3),
  PRIMARY KEY (transaction_id)
) WITH (connector = 'kafka', topic = 'transactions', format = 'json');

INSERT INTO transactions_topic SELECT * FROM gen;

-- 3. The topic read back as a source with an event-time watermark
--    (10 seconds here so that windows close soon after they end).
CREATE SOURCE transactions (
  transaction_id VARCHAR,
  customer_id    VARCHAR,
  product        VARCHAR,
  amount         DOUBLE,
  event_time     TIMESTAMP(3),
  WATERMARK FOR event_time AS event_time - INTERVAL 10 SECOND
) WITH (connector = 'kafka', topic = 'transactions', format = 'json', start = 'earliest');

-- 4. 5-minute tumbling windows per customer, printed as each window closes.
CREATE TABLE closed_windows (
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  customer_id  VARCHAR,
  tx_count     BIGINT,
  total_amount DOUBLE
) WITH (connector = 'console');

INSERT INTO closed_windows
SELECT window_start, window_end, customer_id, COUNT(*) AS tx_count, ROUND(SUM(amount), 2) AS total_amount
FROM transactions
GROUP BY TUMBLE(event_time, INTERVAL 5 MINUTE), customer_id
EMIT ON WINDOW CLOSE;

-- delta:begin (run only when the delta connector is there)
-- 5. The same windows upserted into a Delta table (the seed's MERGE INTO).
CREATE TABLE customer_stats (
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  customer_id  VARCHAR,
  tx_count     BIGINT,
  total_amount DOUBLE,
  PRIMARY KEY (window_start, customer_id)
) WITH (connector = 'delta', path = '{{DELTA_PATH}}');

INSERT INTO customer_stats
SELECT window_start, window_end, customer_id, COUNT(*) AS tx_count, ROUND(SUM(amount), 2) AS total_amount
FROM transactions
GROUP BY TUMBLE(event_time, INTERVAL 5 MINUTE), customer_id
EMIT ON WINDOW CLOSE;
-- delta:end
