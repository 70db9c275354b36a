-- Nexmark q3: local item suggestion. Who is selling in category 10 in
-- Oregon, Idaho or California: auctions joined with the people who sell
-- them (a join with no time bound).
-- Flink's nexmark q3.sql in tide's dialect. Flink runs it as a regular join
-- that keeps every row forever; tide asks for a state time-to-live, so rows
-- expire that long after their event time: with an hour, longer than the
-- stream's event-time span, the result is the unbounded join's.

SET 'state.ttl' = '1 hour';

CREATE SOURCE auction WITH (connector = 'nexmark', table = 'auction', events = 10000000, events_per_second = 10000000);
CREATE SOURCE person WITH (connector = 'nexmark', table = 'person', events = 10000000, events_per_second = 10000000);

CREATE TABLE nexmark_q3 (
  name  VARCHAR,
  city  VARCHAR,
  state  VARCHAR,
  id  BIGINT
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO nexmark_q3
SELECT
    P.name, P.city, P.state, A.id
FROM
    auction AS A INNER JOIN person AS P on A.seller = P.id
WHERE
    A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
