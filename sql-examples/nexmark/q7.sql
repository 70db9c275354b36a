-- Nexmark q7: highest bid. The bids with the highest price of every
-- 10-second window: the largest price per tumbling window, joined back to
-- the bids of that window (an interval join whose bound is in WHERE).
-- Flink's nexmark q7.sql in tide's dialect.

-- Every bid of a window waits in the join until the window's highest price
-- is known: at Flink's rate (10 M events per second of event time) that is
-- the whole stream of a 10-second window, more than the default state
-- budget of 1 GiB.
SET 'state.max_bytes' = '12 GiB';

CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', events = 10000000, events_per_second = 10000000);

CREATE TABLE nexmark_q7 (
  auction  BIGINT,
  price  BIGINT,
  bidder  BIGINT,
  `dateTime` TIMESTAMP(3),
  extra  VARCHAR
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO nexmark_q7
SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra
from bid B
JOIN (
  SELECT MAX(price) AS maxprice, window_end as `dateTime`
  FROM bid
  GROUP BY TUMBLE(dateTime, INTERVAL '10' SECOND)
) B1
ON B.price = B1.maxprice
WHERE B.dateTime BETWEEN B1.dateTime  - INTERVAL '10' SECOND AND B1.dateTime;
