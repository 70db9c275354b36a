-- tide demo: the seed's mini-project, end to end.
-- (A copy lives in cmd/tide/demo.sql, embedded in the binary: `tide demo` runs it.)
--
-- 1. A generator of the seed's transactions (its Python producer's fields);
--    event_time is the wall clock, the default for a TIMESTAMP column.
CREATE SOURCE gen (
  transaction_id VARCHAR,
  customer_id    VARCHAR,
  product        VARCHAR,
  amount         DOUBLE,
  event_time     TIMESTAMP(3)
) WITH (
  connector       = 'datagen',
  rows_per_second = '5',
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
  'fields.amount.decimals'       = '2'
);

-- 2. ... written as JSON to the Kafka topic `transactions` (the Python producer's job).
CREATE TABLE transactions_topic (
  transaction_id VARCHAR,
  customer_id    VARCHAR,
  product        VARCHAR,
  amount         DOUBLE,
  event_time     TIMESTAMP(3)
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
SELECT window_start, window_end, customer_id, COUNT(*) AS tx_count, SUM(amount) AS total_amount
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
SELECT window_start, window_end, customer_id, COUNT(*) AS tx_count, SUM(amount) AS total_amount
FROM transactions
GROUP BY TUMBLE(event_time, INTERVAL 5 MINUTE), customer_id
EMIT ON WINDOW CLOSE;
-- delta:end
