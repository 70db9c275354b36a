package expr

import "testing"

func TestCompare(t *testing.T) {
	runEval(t, []evalCase{
		{"i > k", "false|false|NULL|true"},
		{"i >= 1", "true|false|NULL|true"},
		{"f <= 1.5", "true|true|NULL|false"},
		{"i < f", "true|true|NULL|true"},
		{"i = 100", "false|false|NULL|true"},
		{"i != 100", "true|true|NULL|false"},
		{"s = 'CUST-003'", "false|false|NULL|true"},
		{"s <> 'CUST-003'", "true|true|NULL|false"},
		{"'CUST-003' = s", "false|false|NULL|true"},
		{"s = NULL", "NULL|NULL|NULL|NULL"},
		{"s = s", "true|true|NULL|true"},
		{"s < 'CUST-002'", "true|true|NULL|false"},
		{"ts > '2024-06-01'", "false|false|NULL|true"},
		{"ts = '2024-03-05 10:15:30.250'", "true|false|NULL|false"},
		{"d < ts", "true|true|NULL|true"},
		{"d = '2024-12-31'", "false|false|NULL|true"},
		{"b = TRUE", "true|false|NULL|true"},
		{"b != b", "false|false|NULL|false"},
		{"ts - ts < TIDE_INTERVAL('1', 'SECOND')", "true|true|NULL|true"},
		{"'a' < 'b'", "true|true|true|true"},
	})
}

func TestNullSafeEqual(t *testing.T) {
	runEval(t, []evalCase{
		{"i <=> k", "false|false|true|false"},
		{"i <=> NULL", "false|false|true|false"},
		{"NULL <=> NULL", "true|true|true|true"},
		{"s <=> 'CUST-001'", "true|false|false|false"},
	})
}

func TestBetweenAndIn(t *testing.T) {
	runEval(t, []evalCase{
		{"i BETWEEN 0 AND 10", "true|false|NULL|false"},
		{"i NOT BETWEEN 0 AND 10", "false|true|NULL|true"},
		{"f BETWEEN k AND 100.5", "false|false|NULL|true"},
		{"ts BETWEEN '2024-01-01' AND '2024-12-31 23:00:00'", "true|false|NULL|true"},
		{"i IN (1, 100)", "true|false|NULL|true"},
		{"i IN (1, NULL)", "true|NULL|NULL|NULL"},
		{"i NOT IN (1, NULL)", "false|NULL|NULL|NULL"},
		{"i NOT IN (1, 2)", "false|true|NULL|true"},
		{"i IN (k, 1)", "true|false|NULL|false"},
		{"i NOT IN (k, 1)", "false|true|NULL|true"},
		{"i IN (k, NULL)", "NULL|NULL|NULL|NULL"},
		{"s IN ('CUST-003', 'x')", "false|false|NULL|true"},
		{"f IN (1.5, 100)", "true|false|NULL|false"},
		{"ts IN ('2024-12-31 23:00:00')", "false|false|NULL|true"},
		{"3 IN (1, 2, 3)", "true|true|true|true"},
	})
}
