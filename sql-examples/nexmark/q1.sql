-- Nexmark q1: currency conversion. Converts each bid's price from dollars
-- to euros (a projection with arithmetic on every row).
-- Flink's nexmark q1.sql in tide's dialect (DECIMAL is carried as DOUBLE).

CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', events = 10000000, events_per_second = 10000000);

CREATE TABLE nexmark_q1 (
  auction  BIGINT,
  bidder  BIGINT,
  price  DECIMAL(23, 3),
  `dateTime`  TIMESTAMP(3),
  extra  VARCHAR
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO nexmark_q1
SELECT
    auction,
    bidder,
    0.908 * price as price, -- convert dollar to euro
    `dateTime`,
    extra
FROM bid;
