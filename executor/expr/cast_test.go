package expr

import "testing"

func TestCast(t *testing.T) {
	runEval(t, []evalCase{
		{"TIDE_CAST(i, 'STRING')", "1|-7|NULL|100"},
		{"TIDE_CAST(i, 'DOUBLE')", "1|-7|NULL|100"},
		{"TIDE_CAST(i, 'BOOLEAN')", "true|true|NULL|true"},
		{"TIDE_CAST(k, 'BOOLEAN')", "true|false|NULL|true"},
		{"TIDE_CAST(f, 'VARCHAR(10)')", "1.5|-2.25|NULL|100.5"},
		{"TIDE_CAST(f, 'BIGINT')", "1|-2|NULL|100"}, // truncation toward zero, as in Flink and Spark
		{"TIDE_CAST(f, 'BOOLEAN')", "true|true|NULL|true"},
		{"TIDE_CAST(b, 'INT')", "1|0|NULL|1"},
		{"TIDE_CAST(b, 'DOUBLE')", "1|0|NULL|1"},
		{"TIDE_CAST(b, 'STRING')", "true|false|NULL|true"},
		{"TIDE_CAST(ts, 'STRING')", "2024-03-05 10:15:30.25|1969-12-31 23:59:59|NULL|2024-12-31 23:00:00"},
		{"TIDE_CAST(ts, 'DATE')", "2024-03-05|1969-12-31|NULL|2024-12-31"},
		{"TIDE_CAST(d, 'TIMESTAMP(3)')", "2024-03-05 00:00:00|1969-12-31 00:00:00|NULL|2024-12-31 00:00:00"},
		{"TIDE_CAST(d, 'STRING')", "2024-03-05|1969-12-31|NULL|2024-12-31"},
		{"TIDE_CAST(ts - ts, 'STRING')", "0s|0s|NULL|0s"},
		{"TIDE_CAST(TIDE_CAST(i, 'STRING'), 'BIGINT')", "1|-7|NULL|100"},
		{"TIDE_CAST(TIDE_CAST(f, 'STRING'), 'DOUBLE')", "1.5|-2.25|NULL|100.5"},
		{"TIDE_CAST(TIDE_CAST(ts, 'STRING'), 'TIMESTAMP')", "2024-03-05 10:15:30.25|1969-12-31 23:59:59|NULL|2024-12-31 23:00:00"},
		{"TIDE_CAST(TIDE_CAST(ts, 'STRING'), 'DATE')", "2024-03-05|1969-12-31|NULL|2024-12-31"},
		{"TIDE_CAST(TIDE_CAST(b, 'STRING'), 'BOOLEAN')", "true|false|NULL|true"},
		{"TIDE_CAST(REPLACE(TIDE_CAST(ts, 'STRING'), ' ', 'T'), 'TIMESTAMP')", "2024-03-05 10:15:30.25|1969-12-31 23:59:59|NULL|2024-12-31 23:00:00"},
		{"TIDE_CAST(CONCAT(TIDE_CAST(ts, 'STRING'), '+01:00'), 'TIMESTAMP')", "2024-03-05 09:15:30.25|1969-12-31 22:59:59|NULL|2024-12-31 22:00:00"},
		{"TIDE_TRY_CAST(s, 'BIGINT')", "NULL|NULL|NULL|NULL"},
		{"TIDE_TRY_CAST(s, 'TIMESTAMP')", "NULL|NULL|NULL|NULL"},
		{"TIDE_TRY_CAST(p, 'BOOLEAN')", "NULL|NULL|NULL|NULL"},
		{"TIDE_TRY_CAST(RIGHT(s, 3), 'INT')", "1|NULL|NULL|3"},
		{"TIDE_TRY_CAST(f * 1e300, 'BIGINT')", "NULL|NULL|NULL|NULL"},
		{"TIDE_CAST(NULL, 'BIGINT')", "NULL|NULL|NULL|NULL"},
		{"CAST(f AS SIGNED)", "1|-2|NULL|100"},
	})
	runErrors(t, []errCase{
		{"TIDE_CAST(s, 'BIGINT')", "cannot cast 'CUST-001' to BIGINT"},
		{"TIDE_CAST(s, 'TIMESTAMP')", "cannot cast 'CUST-001' to TIMESTAMP"},
		{"TIDE_CAST(s, 'DATE')", "cannot cast 'CUST-001' to DATE"},
		{"TIDE_CAST(s, 'DOUBLE')", "cannot cast 'CUST-001' to DOUBLE"},
		{"TIDE_CAST(p, 'BOOLEAN')", "cannot cast 'CUST%' to BOOLEAN"},
		{"TIDE_CAST(f * 1e300, 'BIGINT')", "cannot cast 1.5e+300 to BIGINT"},
	})
}
