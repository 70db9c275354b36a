-- Seed, section 7.1 (stream-static join): orders enriched with the customer
-- dimension, LEFT JOIN so that an order of an unknown customer is kept.
-- The dimension is a table (here a memory table kept up to date from the
-- topic 'customers'; a Delta or Parquet table works the same way); each
-- order looks up the customer's current row.
CREATE SOURCE customers_stream (
  customer_id VARCHAR,
  name        VARCHAR,
  email       VARCHAR,
  updated_at  TIMESTAMP(3)
) WITH (connector = 'kafka', topic = 'customers', format = 'json');

CREATE TABLE customers_dim (
  customer_id VARCHAR,
  name        VARCHAR,
  email       VARCHAR,
  PRIMARY KEY (customer_id)
);

INSERT INTO customers_dim SELECT customer_id, name, email FROM customers_stream;

CREATE SOURCE orders (
  order_id    VARCHAR,
  customer_id VARCHAR,
  amount      DOUBLE,
  `timestamp` TIMESTAMP(3),
  status      VARCHAR
) WITH (connector = 'kafka', topic = 'orders', format = 'json');

CREATE TABLE enriched_orders (
  order_id      VARCHAR,
  customer_id   VARCHAR,
  customer_name VARCHAR,
  amount        DOUBLE,
  status        VARCHAR
);

INSERT INTO enriched_orders
SELECT o.order_id, o.customer_id, c.name, o.amount, o.status
FROM orders AS o
LEFT JOIN customers_dim AS c ON o.customer_id = c.customer_id;
