-- Seed, section 5.3 (Kafka sink) and the Faust agent of 4.5: orders above
-- 1000 go to the topic 'high_value_orders' as JSON, keyed by customer_id,
-- exactly once (Kafka transactions committed with each micro-batch).
CREATE SOURCE orders (
  order_id    VARCHAR,
  customer_id VARCHAR,
  amount      DOUBLE,
  status      VARCHAR,
  `timestamp` TIMESTAMP(3)
) WITH (connector = 'kafka', topic = 'orders', format = 'json');

CREATE TABLE high_value_orders (
  customer_id VARCHAR,
  order_id    VARCHAR,
  amount      DOUBLE,
  status      VARCHAR,
  PRIMARY KEY (customer_id)
) WITH (connector = 'kafka', topic = 'high_value_orders', format = 'json');

INSERT INTO high_value_orders
SELECT customer_id, order_id, amount, UPPER(status) FROM orders WHERE amount > 1000;
