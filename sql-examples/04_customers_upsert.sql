-- Seed, section 7.2: the customers upsert (foreachBatch + MERGE INTO on
-- customer_id). The last version of each customer wins.
CREATE SOURCE customers_stream (
  customer_id VARCHAR,
  name        VARCHAR,
  email       VARCHAR,
  updated_at  TIMESTAMP(3)
) WITH (connector = 'kafka', topic = 'customers', format = 'json');

CREATE TABLE customers (
  customer_id VARCHAR,
  name        VARCHAR,
  email       VARCHAR,
  updated_at  TIMESTAMP(3),
  PRIMARY KEY (customer_id)
) WITH (connector = 'delta', path = 'out/customers');

INSERT INTO customers
SELECT customer_id, name, LOWER(email), updated_at FROM customers_stream;
