-- Seed, section 5.3 (Kafka sink) and the Faust agent of 4.5: orders above
-- 1000 go to the topic 'high_value_orders' as JSON, keyed by customer_id
-- (the seed's selectExpr("customer_id AS key", "to_json(struct(*)) AS
-- value")), exactly once: Kafka transactions committed with each
-- micro-batch, read with isolation.level=read_committed. A customer has
-- many orders, so customer_id is the message key (option key), not a
-- PRIMARY KEY. For kafka-python 2.0.2, which cannot read committed only,
-- add transactional = 'false' (at least once).
CREATE SOURCE orders (
  order_id    VARCHAR,
  customer_id VARCHAR,
  amount      DOUBLE,
  `timestamp` TIMESTAMP(3),
  status      VARCHAR
) WITH (connector = 'kafka', topic = 'orders', format = 'json');

CREATE TABLE high_value_orders (
  order_id    VARCHAR,
  customer_id VARCHAR,
  amount      DOUBLE,
  `timestamp` TIMESTAMP(3),
  status      VARCHAR
) WITH (connector = 'kafka', topic = 'high_value_orders', format = 'json', key = 'customer_id');

INSERT INTO high_value_orders
SELECT order_id, customer_id, amount, `timestamp`, status FROM orders WHERE amount > 1000;
