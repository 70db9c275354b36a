-- Nexmark q4: average price per category. The winning (highest) bid of
-- every auction among the bids made while it was open, averaged per
-- category: a join, an aggregate per auction, and an aggregate over its
-- changing results (the auction aggregate retracts a category's old
-- highest bid when a higher one comes).
-- Flink's nexmark q4.sql in tide's dialect. Flink runs the join as a
-- regular join that keeps every row; its bound is on an auction's own
-- expiry, a column without a watermark, so tide asks for a state
-- time-to-live to bound the other side: an hour, longer than the stream's
-- event-time span, gives the unbounded join's result.

SET 'state.ttl' = '1 hour';
-- At Flink's rate (10 M events per second of event time) the whole stream
-- is shorter than the watermark's 4 s delay: every bid waits in the join
-- until the auctions' watermark passes it, more than the default budget.
SET 'state.max_bytes' = '12 GiB';

CREATE SOURCE auction WITH (connector = 'nexmark', table = 'auction', events = 10000000, events_per_second = 10000000);
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', events = 10000000, events_per_second = 10000000);

CREATE TABLE nexmark_q4 (
  id  BIGINT,
  final  DOUBLE,
  PRIMARY KEY (id)
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO nexmark_q4
SELECT
    Q.category,
    AVG(Q.final)
FROM (
    SELECT MAX(B.price) AS final, A.category
    FROM auction A, bid B
    WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
    GROUP BY A.id, A.category
) Q
GROUP BY Q.category;
