package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/engine"
)

func TestMetricsPerQuery(t *testing.T) {
	wm := time.Date(2024, 5, 1, 10, 4, 50, 500_000_000, time.UTC)
	ended := executor.MaxWatermark.Time
	eng := &fakeEngine{queries: []engine.QueryInfo{
		{
			ID: "q1", Sink: "customer_stats", State: engine.QueryRunning,
			Progress: engine.Progress{
				BatchID: 9, Timestamp: time.Now(), NumInputRows: 50, TotalInputRows: 1000,
				InputRowsPerSecond: 12.5, ProcessedRowsPerSecond: 400,
				DurationMs: map[string]int64{"triggerExecution": 250}, Watermark: &wm,
				StateRows: 42, StateBytes: 4096, LateRowsDropped: 3, BadRecords: 1,
				Lag: []engine.PartitionLag{
					{Source: "transactions", Partition: 0, Records: 7},
					{Source: "transactions", Partition: 2, Records: 0},
				},
			},
		},
		{ID: "q2", Sink: "t", State: engine.QueryFinished}, // no batch yet, no watermark
		{ID: "q3", Sink: "u", State: engine.QueryFinished, // its input ended: no event time to show
			Progress: engine.Progress{BatchID: 3, Timestamp: time.Now(), Watermark: &ended}},
	}}
	rec := httptest.NewRecorder()
	newServer(eng).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, rec.Body.String())
	}

	type sample struct {
		name   string
		labels map[string]string
		value  float64
		typ    dto.MetricType
	}
	want := []sample{
		{"tide_query_info", map[string]string{"query_id": "q1", "sink": "customer_stats", "state": "RUNNING"}, 1, dto.MetricType_GAUGE},
		{"tide_query_input_rows_total", map[string]string{"query_id": "q1"}, 1000, dto.MetricType_COUNTER},
		{"tide_query_batches_total", map[string]string{"query_id": "q1"}, 10, dto.MetricType_COUNTER},
		{"tide_query_batches_total", map[string]string{"query_id": "q2"}, 0, dto.MetricType_COUNTER},
		{"tide_query_input_rows_per_second", map[string]string{"query_id": "q1"}, 12.5, dto.MetricType_GAUGE},
		{"tide_query_processed_rows_per_second", map[string]string{"query_id": "q1"}, 400, dto.MetricType_GAUGE},
		{"tide_query_batch_duration_seconds", map[string]string{"query_id": "q1"}, 0.25, dto.MetricType_GAUGE},
		{"tide_query_watermark_seconds", map[string]string{"query_id": "q1"}, float64(wm.UnixMilli()) / 1000, dto.MetricType_GAUGE},
		{"tide_query_state_rows", map[string]string{"query_id": "q1"}, 42, dto.MetricType_GAUGE},
		{"tide_query_state_bytes", map[string]string{"query_id": "q1"}, 4096, dto.MetricType_GAUGE},
		{"tide_query_late_rows_total", map[string]string{"query_id": "q1"}, 3, dto.MetricType_COUNTER},
		{"tide_query_bad_records_total", map[string]string{"query_id": "q1"}, 1, dto.MetricType_COUNTER},
		{"tide_query_partition_lag_records", map[string]string{"query_id": "q1", "source": "transactions", "partition": "0"}, 7, dto.MetricType_GAUGE},
		{"tide_query_partition_lag_records", map[string]string{"query_id": "q1", "source": "transactions", "partition": "2"}, 0, dto.MetricType_GAUGE},
	}
	for _, w := range want {
		fam, ok := families[w.name]
		if !ok {
			t.Errorf("no metric %s", w.name)
			continue
		}
		if fam.GetType() != w.typ {
			t.Errorf("%s is a %v, want %v", w.name, fam.GetType(), w.typ)
		}
		found := false
		for _, m := range fam.GetMetric() {
			if !sameLabels(m.GetLabel(), w.labels) {
				continue
			}
			found = true
			var v float64
			switch w.typ {
			case dto.MetricType_COUNTER:
				v = m.GetCounter().GetValue()
			default:
				v = m.GetGauge().GetValue()
			}
			if v != w.value {
				t.Errorf("%s%v = %v, want %v", w.name, w.labels, v, w.value)
			}
		}
		if !found {
			t.Errorf("no %s with labels %v", w.name, w.labels)
		}
	}
	for _, m := range families["tide_query_watermark_seconds"].GetMetric() {
		if sameLabels(m.GetLabel(), map[string]string{"query_id": "q2"}) {
			t.Error("q2 has no watermark but got a sample")
		}
		if sameLabels(m.GetLabel(), map[string]string{"query_id": "q3"}) {
			t.Errorf("q3's input has ended but its watermark shows as %v", m.GetGauge().GetValue())
		}
	}
	if _, ok := families["go_goroutines"]; !ok {
		t.Error("the Go runtime metrics are missing")
	}
}

func sameLabels(got []*dto.LabelPair, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, l := range got {
		if want[l.GetName()] != l.GetValue() {
			return false
		}
	}
	return true
}
