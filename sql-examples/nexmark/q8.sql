-- Nexmark q8: monitor new users. The people who created an auction in the
-- same 10-second window in which they registered: a window join of people
-- and sellers per tumbling window.
-- Flink's nexmark q8.sql in tide's dialect.

CREATE SOURCE auction WITH (connector = 'nexmark', table = 'auction', events = 10000000, events_per_second = 10000000);
CREATE SOURCE person WITH (connector = 'nexmark', table = 'person', events = 10000000, events_per_second = 10000000);

CREATE TABLE nexmark_q8 (
  id  BIGINT,
  name  VARCHAR,
  stime  TIMESTAMP(3)
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO nexmark_q8
SELECT P.id, P.name, P.starttime
FROM (
  SELECT id, name,
         window_start AS starttime,
         window_end AS endtime
  FROM person
  GROUP BY TUMBLE(dateTime, INTERVAL '10' SECOND), id, name
) P
JOIN (
  SELECT seller,
         window_start AS starttime,
         window_end AS endtime
  FROM auction
  GROUP BY TUMBLE(dateTime, INTERVAL '10' SECOND), seller
) A
ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime;
