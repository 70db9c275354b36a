-- Seed, section 8.2 (Debezium: CDC in real time): the PostgreSQL table
-- customers streamed by Debezium into the topic dbserver1.public.customers
-- (every INSERT, UPDATE and DELETE a message), mirrored into a Delta table
-- that stays equal to the database table, and a running count of
-- customers per country that follows updates and deletes.
--
-- format = 'debezium-json' reads Debezium's envelope (with or without the
-- JSON converter's schema wrapping); the PRIMARY KEY is the row identity
-- the changes apply to. With the course's ExtractNewRecordState transform
-- (messages hold the new row, a delete is a tombstone), read the topic with
-- mode = 'upsert' and format = 'json' instead. A PostgreSQL mirror is the
-- same INSERT into CREATE TABLE ... WITH (connector = 'postgres', dsn = ...).
CREATE SOURCE customers_changes (
  id      BIGINT,
  name    VARCHAR,
  email   VARCHAR,
  country VARCHAR,
  PRIMARY KEY (id)
) WITH (connector = 'kafka', topic = 'dbserver1.public.customers', format = 'debezium-json');

CREATE TABLE customers_mirror (
  id      BIGINT,
  name    VARCHAR,
  email   VARCHAR,
  country VARCHAR,
  PRIMARY KEY (id)
) WITH (connector = 'delta', path = 'out/customers_mirror');

INSERT INTO customers_mirror SELECT id, name, email, country FROM customers_changes;

CREATE TABLE customers_per_country (
  country   VARCHAR,
  customers BIGINT,
  PRIMARY KEY (country)
);

INSERT INTO customers_per_country
SELECT country, COUNT(*) AS customers FROM customers_changes GROUP BY country;
