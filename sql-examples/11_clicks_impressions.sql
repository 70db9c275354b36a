-- Seed, section 7.1 (stream-stream join): clicks joined with the
-- impressions they came from, within an hour. Both streams carry a
-- watermark (10 minutes late at most, as in the course), which is what lets
-- the join forget an impression once no click can match it any more: an
-- impression is kept until the clicks' watermark passes its time plus one
-- hour, a click until the impressions' watermark passes its time.
CREATE SOURCE clicks (
  click_id   VARCHAR,
  ad_id      VARCHAR,
  click_time TIMESTAMP(3),
  WATERMARK FOR click_time AS click_time - INTERVAL 10 MINUTE
) WITH (connector = 'kafka', topic = 'clicks', format = 'json');

CREATE SOURCE impressions (
  impression_id   VARCHAR,
  ad_id           VARCHAR,
  impression_time TIMESTAMP(3),
  WATERMARK FOR impression_time AS impression_time - INTERVAL 10 MINUTE
) WITH (connector = 'kafka', topic = 'impressions', format = 'json');

CREATE TABLE matched_clicks (
  click_id        VARCHAR,
  impression_id   VARCHAR,
  ad_id           VARCHAR,
  click_time      TIMESTAMP(3),
  impression_time TIMESTAMP(3)
);

INSERT INTO matched_clicks
SELECT c.click_id, i.impression_id, c.ad_id, c.click_time, i.impression_time
FROM clicks c
JOIN impressions i
  ON c.ad_id = i.ad_id
 AND c.click_time >= i.impression_time
 AND c.click_time <= i.impression_time + INTERVAL 1 HOUR;
