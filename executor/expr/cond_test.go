package expr

import "testing"

func TestConditionals(t *testing.T) {
	runEval(t, []evalCase{
		{"CASE WHEN i > 10 THEN 'big' WHEN i > 0 THEN 'small' ELSE 'neg' END", "small|neg|neg|big"},
		{"CASE i WHEN 1 THEN 'one' WHEN 100 THEN 'hundred' END", "one|NULL|NULL|hundred"},
		{"CASE WHEN b THEN i ELSE f END", "1|-2.25|NULL|100"},
		{"CASE WHEN b THEN ts END", "2024-03-05 10:15:30.25|NULL|NULL|2024-12-31 23:00:00"},
		{"CASE WHEN i > 0 THEN b ELSE NOT b END", "true|true|NULL|true"},
		{"CASE WHEN i > 0 THEN d END", "2024-03-05|NULL|NULL|2024-12-31"},
		{"CASE WHEN FALSE THEN 1 ELSE i END", "1|-7|NULL|100"},
		{"IF(b, s, 'no')", "CUST-001|no|no|CUST-003"},
		{"IF(TRUE, i, k)", "1|-7|NULL|100"},
		{"COALESCE(i, k, 42)", "1|-7|42|100"},
		{"COALESCE(NULL, i)", "1|-7|NULL|100"},
		{"COALESCE(1, i)", "1|1|1|1"},
		{"IFNULL(s, 'none')", "CUST-001| Ärger é |none|CUST-003"},
		{"COALESCE(ts, TIMESTAMP '2000-01-01 00:00:00')", "2024-03-05 10:15:30.25|1969-12-31 23:59:59|2000-01-01 00:00:00|2024-12-31 23:00:00"},
		{"NULLIF(i, 1)", "NULL|-7|NULL|100"},
		{"NULLIF(s, 'CUST-003')", "CUST-001| Ärger é |NULL|NULL"},
		{"GREATEST(i, k)", "3|0|NULL|100"},
		{"LEAST(f, 0)", "0|-2.25|NULL|0"},
		{"GREATEST(s, 'CUST-002')", "CUST-002|CUST-002|NULL|CUST-003"},
		{"LEAST(ts, '2024-06-01')", "2024-03-05 10:15:30.25|1969-12-31 23:59:59|NULL|2024-06-01 00:00:00"},
		{"GREATEST(1, 2.5, 2)", "2.5|2.5|2.5|2.5"},
	})
}
