package expr

import "testing"

func TestLike(t *testing.T) {
	runEval(t, []evalCase{
		{"s LIKE 'CUST%'", "true|false|NULL|true"},
		{"s LIKE '%3'", "false|false|NULL|true"},
		{"s LIKE '%ST-0%'", "true|false|NULL|true"},
		{"s LIKE 'CUST-001'", "true|false|NULL|false"},
		{"s LIKE 'CUST-00_'", "true|false|NULL|true"},
		{"s LIKE '_Ä%'", "false|true|NULL|false"},
		{"s LIKE '%'", "true|true|NULL|true"},
		{"s NOT LIKE 'CUST%'", "false|true|NULL|false"},
		{"s LIKE p", "true|true|NULL|true"},
		{"s NOT LIKE p", "false|false|NULL|false"},
		{"s LIKE 'CUST!-%' ESCAPE '!'", "true|false|NULL|true"},
		{"'a%b' LIKE 'a\\\\%b'", "true|true|true|true"},
		{"'axb' LIKE 'a\\\\%b'", "false|false|false|false"},
		{"'a.b' LIKE 'a.b'", "true|true|true|true"},
		{"'a(b' LIKE 'a(%'", "true|true|true|true"},
		{"'line1\nline2' LIKE 'line1%'", "true|true|true|true"},
		{"s ILIKE 'cust%'", "true|false|NULL|true"},
		{"s NOT ILIKE '%ÄRGER%'", "true|false|NULL|true"},
		{"s REGEXP '^CUST-00[13]$'", "true|false|NULL|true"},
		{"s NOT REGEXP 'r'", "true|false|NULL|true"},
		{"s RLIKE CONCAT('^', LEFT(s, 2))", "true|true|NULL|true"},
	})
	runErrors(t, []errCase{
		{"s REGEXP '('", "invalid regular expression '(': "},
	})
}

func TestCompileLikeFastPaths(t *testing.T) {
	cases := []struct {
		pattern string
		in      string
		want    bool
	}{
		{"abc", "abc", true}, {"abc", "abcd", false},
		{"ab%", "abcd", true}, {"ab%", "xab", false},
		{"%cd", "abcd", true}, {"%cd", "cdx", false},
		{"%bc%", "abcd", true}, {"%bc%", "acbd", false},
		{"a%c%e", "abcde", true}, {"a%c%e", "abde", false},
		{"a_c", "aÄc", true}, {"a_c", "aÄÄc", false},
		{`a\%`, "a%", true}, {`a\%`, "ab", false},
		{`a\_b`, "a_b", true}, {`a\_b`, "axb", false},
		{`a\`, `a\`, true},
	}
	for _, c := range cases {
		m, err := compileLike(c.pattern, '\\', false)
		if err != nil {
			t.Fatal(err)
		}
		if got := m(c.in); got != c.want {
			t.Errorf("%q LIKE %q = %v, want %v", c.in, c.pattern, got, c.want)
		}
	}
}
