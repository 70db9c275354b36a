-- Seed, section 4.5 (the Faust table order_counts): a running count of
-- orders per customer, updated every micro-batch (EMIT CHANGES: update
-- mode), over the orders of producers/orders_producer.py (section 4.2).
-- The memory table keeps the latest count per customer; read it with
-- SELECT * FROM order_counts.
CREATE SOURCE orders (
  order_id    VARCHAR,
  customer_id VARCHAR,
  amount      DOUBLE,
  `timestamp` TIMESTAMP(3),
  status      VARCHAR
) WITH (connector = 'kafka', topic = 'orders', format = 'json');

CREATE TABLE order_counts (
  customer_id VARCHAR,
  orders      BIGINT,
  total       DOUBLE,
  PRIMARY KEY (customer_id)
);

INSERT INTO order_counts
SELECT customer_id, COUNT(*) AS orders, ROUND(SUM(amount), 2) AS total
FROM orders
GROUP BY customer_id
EMIT CHANGES;
