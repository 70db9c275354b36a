-- Nexmark q5: hot items. The auctions with the most bids in every 10-second
-- window sliding by 2 seconds: bids counted per auction and window, the
-- largest count of each window (an aggregate grouped by the window bounds
-- of the one below it), and a window join of the two.
-- Flink's nexmark q5.sql in tide's dialect (HOP in GROUP BY for Flink's
-- windowing table function).

CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', events = 10000000, events_per_second = 10000000);

CREATE TABLE nexmark_q5 (
  auction  BIGINT,
  num  BIGINT
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO nexmark_q5
SELECT AuctionBids.auction, AuctionBids.num
 FROM (
   SELECT
     auction,
     count(*) AS num,
     window_start AS starttime,
     window_end AS endtime
   FROM bid
   GROUP BY HOP(dateTime, INTERVAL '2' SECOND, INTERVAL '10' SECOND), auction
 ) AS AuctionBids
 JOIN (
   SELECT
     max(CountBids.num) AS maxn,
     CountBids.starttime,
     CountBids.endtime
   FROM (
     SELECT
       count(*) AS num,
       window_start AS starttime,
       window_end AS endtime
     FROM bid
     GROUP BY HOP(dateTime, INTERVAL '2' SECOND, INTERVAL '10' SECOND), auction
     ) AS CountBids
   GROUP BY CountBids.starttime, CountBids.endtime
 ) AS MaxBids
 ON AuctionBids.starttime = MaxBids.starttime AND
    AuctionBids.endtime = MaxBids.endtime AND
    AuctionBids.num >= MaxBids.maxn;
