package expr

import "testing"

func TestStringFunctions(t *testing.T) {
	runEval(t, []evalCase{
		{"UPPER(s)", "CUST-001| ÄRGER É |NULL|CUST-003"},
		{"LOWER(s)", "cust-001| ärger é |NULL|cust-003"},
		{"LENGTH(s)", "8|11|NULL|8"},
		{"CHAR_LENGTH(s)", "8|9|NULL|8"},
		{"CONCAT(s, '-', i)", "CUST-001-1| Ärger é --7|NULL|CUST-003-100"},
		{"CONCAT_WS(',', s, NULL, i)", "CUST-001,1| Ärger é ,-7||CUST-003,100"},
		{"CONCAT_WS(NULL, s)", "NULL|NULL|NULL|NULL"},
		{"SUBSTRING(s, 2, 3)", "UST|Ärg|NULL|UST"},
		{"SUBSTRING(s FROM 6)", "001|r é |NULL|003"},
		{"SUBSTR(s, -3)", "001| é |NULL|003"},
		{"SUBSTR(s, 0)", "||NULL|"},
		{"SUBSTR(s, 2, -1)", "||NULL|"},
		{"SUBSTR(s, 20)", "||NULL|"},
		{"SUBSTRING(s, k)", "ST-001||NULL|003"},
		{"LEFT(s, 4)", "CUST| Ärg|NULL|CUST"},
		{"RIGHT(s, 3)", "001| é |NULL|003"},
		{"LEFT(s, 0)", "||NULL|"},
		{"RIGHT(s, 50)", "CUST-001| Ärger é |NULL|CUST-003"},
		{"TRIM(s)", "CUST-001|Ärger é|NULL|CUST-003"},
		{"LTRIM(s)", "CUST-001|Ärger é |NULL|CUST-003"},
		{"RTRIM(s)", "CUST-001| Ärger é|NULL|CUST-003"},
		{"TRIM(BOTH 'C' FROM s)", "UST-001| Ärger é |NULL|UST-003"},
		{"TRIM(TRAILING '01' FROM '10101')", "1|1|1|1"},
		{"TRIM(LEADING '0' FROM '0010')", "10|10|10|10"},
		{"REPLACE(s, 'CUST', 'C')", "C-001| Ärger é |NULL|C-003"},
		{"REPLACE(s, '', 'x')", "CUST-001| Ärger é |NULL|CUST-003"},
		{"REVERSE(s)", "100-TSUC| é regrÄ |NULL|300-TSUC"},
		{"POSITION('-' IN s)", "5|0|NULL|5"},
		{"LOCATE('r', s, 4)", "0|6|NULL|0"},
		{"LOCATE('g', s)", "0|4|NULL|0"},
		{"LOCATE('', s)", "1|1|NULL|1"},
		{"LOCATE('C', s, 0)", "0|0|NULL|0"},
		{"UPPER(i)", "1|-7|NULL|100"},
		{"CONCAT('a', 'b')", "ab|ab|ab|ab"},
	})
}
