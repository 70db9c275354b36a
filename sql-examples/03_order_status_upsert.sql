-- Seed, exercise 5: streaming upsert of order statuses.
-- foreachBatch + MERGE INTO in Spark is one INSERT INTO a table with a
-- PRIMARY KEY here: each micro-batch is merged into the Delta table
-- (matching order_id updated, new ones inserted), exactly once.
CREATE SOURCE order_updates (
  order_id   VARCHAR,
  status     VARCHAR,
  updated_at TIMESTAMP(3)
) WITH (connector = 'kafka', topic = 'order_updates', format = 'json');

CREATE TABLE order_status (
  order_id   VARCHAR,
  status     VARCHAR,
  updated_at TIMESTAMP(3),
  PRIMARY KEY (order_id)
) WITH (connector = 'delta', path = 'out/order_status');

INSERT INTO order_status
SELECT order_id, status, updated_at FROM order_updates;
