package expr

import "testing"

func TestLogic(t *testing.T) {
	runEval(t, []evalCase{
		{"b AND i > 0", "true|false|NULL|true"},
		{"b OR i > 0", "true|false|NULL|true"},
		{"(i > 0) AND NULL", "NULL|false|NULL|NULL"},
		{"(i > 0) OR NULL", "true|NULL|NULL|true"},
		{"FALSE AND b", "false|false|false|false"},
		{"b OR TRUE", "true|true|true|true"},
		{"b AND TRUE", "true|false|NULL|true"},
		{"b XOR TRUE", "false|true|NULL|false"},
		{"NOT b", "false|true|NULL|false"},
		{"NOT (i > 0 AND s LIKE 'C%')", "false|true|NULL|false"},
		{"i AND 1", "true|true|NULL|true"},
	})
}

func TestIsNullAndTruth(t *testing.T) {
	runEval(t, []evalCase{
		{"i IS NULL", "false|false|true|false"},
		{"s IS NOT NULL", "true|true|false|true"},
		{"NULL IS NULL", "true|true|true|true"},
		{"i + 1 IS NULL", "false|false|true|false"},
		{"TIDE_CAST(1, 'BIGINT') IS NULL", "false|false|false|false"},
		{"b IS TRUE", "true|false|false|true"},
		{"b IS NOT TRUE", "false|true|true|false"},
		{"b IS FALSE", "false|true|false|false"},
		{"b IS NOT FALSE", "true|false|true|true"},
	})
}
