package main

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tide-sql/tide/executor/engine"
)

// queryCollector exposes the continuous queries' last progress as
// Prometheus metrics, read from the engine at each scrape (so there is no
// state to keep in step with queries that come and go).
type queryCollector struct {
	queries func() []engine.QueryInfo

	info, inputRows, batches, inRate, procRate, batchDur, watermark,
	stateRows, stateBytes, lateRows, badRecords, lag *prometheus.Desc
}

var _ prometheus.Collector = (*queryCollector)(nil)

func newQueryCollector(queries func() []engine.QueryInfo) *queryCollector {
	id := []string{"query_id"}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, append(id, labels...), nil)
	}
	return &queryCollector{
		queries:    queries,
		info:       d("tide_query_info", "A continuous query: 1, with its sink and state as labels.", "sink", "state"),
		inputRows:  d("tide_query_input_rows_total", "Rows the query has read from its sources."),
		batches:    d("tide_query_batches_total", "Micro-batches the query has completed."),
		inRate:     d("tide_query_input_rows_per_second", "Input rate over the last micro-batch (rows/s)."),
		procRate:   d("tide_query_processed_rows_per_second", "Processing rate of the last micro-batch (rows/s)."),
		batchDur:   d("tide_query_batch_duration_seconds", "Duration of the last micro-batch (triggerExecution)."),
		watermark:  d("tide_query_watermark_seconds", "Event-time watermark as Unix seconds."),
		stateRows:  d("tide_query_state_rows", "Rows held in operator state."),
		stateBytes: d("tide_query_state_bytes", "Estimated memory of the operators' state (bytes), what state.max_bytes limits."),
		lateRows:   d("tide_query_late_rows_total", "Rows dropped because they arrived after the watermark."),
		badRecords: d("tide_query_bad_records_total", "Source records that could not be decoded."),
		lag:        d("tide_query_partition_lag_records", "Records between the query's position and the partition's end.", "source", "partition"),
	}
}

// Describe sends the descriptors of every metric.
func (c *queryCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.info, c.inputRows, c.batches, c.inRate, c.procRate, c.batchDur,
		c.watermark, c.stateRows, c.stateBytes, c.lateRows, c.badRecords, c.lag} {
		ch <- d
	}
}

// Collect reads the queries and sends one sample per metric and query.
func (c *queryCollector) Collect(ch chan<- prometheus.Metric) {
	for _, q := range c.queries() {
		p := q.Progress
		gauge := func(d *prometheus.Desc, v float64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{q.ID}, labels...)...)
		}
		counter := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, q.ID)
		}
		gauge(c.info, 1, q.Sink, string(q.State))
		counter(c.inputRows, float64(p.TotalInputRows))
		batches := 0.0
		if !p.Timestamp.IsZero() { // batch ids count from 0
			batches = float64(p.BatchID + 1)
		}
		counter(c.batches, batches)
		gauge(c.inRate, p.InputRowsPerSecond)
		gauge(c.procRate, p.ProcessedRowsPerSecond)
		gauge(c.batchDur, float64(p.DurationMs["triggerExecution"])/1000)
		if p.Watermark != nil && !engine.WatermarkEnded(p.Watermark) { // an ended input has no event time to show
			gauge(c.watermark, float64(p.Watermark.UnixMilli())/1000)
		}
		gauge(c.stateRows, float64(p.StateRows))
		gauge(c.stateBytes, float64(p.StateBytes))
		counter(c.lateRows, float64(p.LateRowsDropped))
		counter(c.badRecords, float64(p.BadRecords))
		for _, l := range p.Lag {
			gauge(c.lag, float64(l.Records), l.Source, strconv.Itoa(int(l.Partition)))
		}
	}
}
