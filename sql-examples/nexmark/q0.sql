-- Nexmark q0: pass-through. Reads every bid and writes it out unchanged:
-- the cost of the source, the engine and the sink with no query work.
-- Flink's nexmark q0.sql in tide's dialect. `tide run` runs it on 10M
-- events at Flink's benchmark rate (10M events/s of event time);
-- `tide bench --nexmark q0 --events N` measures it.

CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', events = 10000000, events_per_second = 10000000);

CREATE TABLE nexmark_q0 (
  auction  BIGINT,
  bidder  BIGINT,
  price  BIGINT,
  `dateTime`  TIMESTAMP(3),
  extra  VARCHAR
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO nexmark_q0
SELECT auction, bidder, price, `dateTime`, extra FROM bid;
