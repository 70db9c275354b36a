package expr

import "testing"

func TestArithmetic(t *testing.T) {
	runEval(t, []evalCase{
		{"i + k", "4|-7|NULL|97"},
		{"i + f", "2.5|-9.25|NULL|200.5"},
		{"i - 1", "0|-8|NULL|99"},
		{"1 - i", "0|8|NULL|-99"},
		{"i * k", "3|0|NULL|-300"},
		{"f * 2", "3|-4.5|NULL|201"},
		{"i / k", "0.3333333333333333|NULL|NULL|-33.333333333333336"},
		{"f / 0", "NULL|NULL|NULL|NULL"},
		{"i % k", "1|NULL|NULL|1"},
		{"MOD(i, 3)", "1|-1|NULL|1"},
		{"f % 1", "0.5|-0.25|NULL|0.5"},
		{"i DIV k", "0|NULL|NULL|-33"},
		{"f DIV 1", "1|-2|NULL|100"},
		{"-i", "-1|7|NULL|-100"},
		{"-f", "-1.5|2.25|NULL|-100.5"},
		{"i + NULL", "NULL|NULL|NULL|NULL"},
		{"1 + 2 * 3", "7|7|7|7"},
		{"ts + TIDE_INTERVAL('1', 'HOUR')", "2024-03-05 11:15:30.25|1970-01-01 00:59:59|NULL|2025-01-01 00:00:00"},
		{"TIDE_INTERVAL('1', 'HOUR') + ts", "2024-03-05 11:15:30.25|1970-01-01 00:59:59|NULL|2025-01-01 00:00:00"},
		{"ts - TIDE_INTERVAL('1.5', 'DAY')", "2024-03-03 22:15:30.25|1969-12-30 11:59:59|NULL|2024-12-30 11:00:00"},
		{"DATE_SUB(ts, INTERVAL 250000 MICROSECOND)", "2024-03-05 10:15:30|1969-12-31 23:59:58.75|NULL|2024-12-31 22:59:59.75"},
		{"d + TIDE_INTERVAL('12', 'HOUR')", "2024-03-05 12:00:00|1969-12-31 12:00:00|NULL|2024-12-31 12:00:00"},
		{"ts - ts", "0s|0s|NULL|0s"},
		{"TIMESTAMP '2024-03-05 10:16:00' - ts", "29.75s|474898h16m1s|NULL|-7236h44m"},
		{"TIMESTAMP '2024-01-01 00:01:00' - TIMESTAMP '2024-01-01 00:00:00'", "1m|1m|1m|1m"},
		{"-(ts - ts)", "0s|0s|NULL|0s"},
		{"-(TIMESTAMP '2024-01-01 00:01:00' - TIMESTAMP '2024-01-01 00:00:00')", "-1m|-1m|-1m|-1m"},
	})
	runErrors(t, []errCase{
		{"i + 9223372036854775807", "BIGINT value out of range"},
		{"9223372036854775807 + 1", "BIGINT value out of range"},
		{"-TIDE_CAST(i - 9223372036854775807 - 2, 'BIGINT')", "BIGINT value out of range"},
	})
}
