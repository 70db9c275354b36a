package expr

import "testing"

func TestMath(t *testing.T) {
	runEval(t, []evalCase{
		{"ABS(i)", "1|7|NULL|100"},
		{"ABS(f)", "1.5|2.25|NULL|100.5"},
		{"ROUND(f)", "2|-2|NULL|101"},
		{"ROUND(f, 1)", "1.5|-2.3|NULL|100.5"},
		{"ROUND(f, k)", "1.5|-2|NULL|0"},
		{"ROUND(i, -1)", "0|-10|NULL|100"},
		{"ROUND(1250, -2)", "1300|1300|1300|1300"},
		{"ROUND(-1250, -2)", "-1300|-1300|-1300|-1300"},
		{"ROUND(i)", "1|-7|NULL|100"},
		{"FLOOR(f)", "1|-3|NULL|100"},
		{"CEIL(f)", "2|-2|NULL|101"},
		{"CEILING(i)", "1|-7|NULL|100"},
		{"SIGN(i)", "1|-1|NULL|1"},
		{"SIGN(f - 1.5)", "0|-1|NULL|1"},
		{"POWER(k, 2)", "9|0|NULL|9"},
		{"POW(2, 10)", "1024|1024|1024|1024"},
		{"SQRT(i)", "1|NULL|NULL|10"},
		{"LN(i)", "0|NULL|NULL|4.605170185988092"},
		{"LOG(k)", "1.0986122886681096|NULL|NULL|NULL"},
		{"LOG10(i)", "0|NULL|NULL|2"},
		{"LOG2(8)", "3|3|3|3"},
		{"EXP(0)", "1|1|1|1"},
		{"GREATEST(i, 0)", "1|0|NULL|100"},
	})
	runErrors(t, []errCase{
		{"ABS(i - 9223372036854775807 - 2)", "BIGINT value out of range"},
	})
}
