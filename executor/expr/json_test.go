package expr

import (
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	runEval(t, []evalCase{
		{"JSON_EXTRACT(j, '$.a.b')", "2|NULL|NULL|NULL"},
		{"JSON_EXTRACT(j, '$.a')", `{"b": 2, "c": "x\"y"}|1|NULL|NULL`},
		{"j->'$.a.c'", `"x\"y"|NULL|NULL|NULL`},
		{"j->>'$.a.c'", `x"y|NULL|NULL|NULL`},
		{"JSON_VALUE(j, '$.arr[1]')", "s|NULL|NULL|NULL"},
		{"JSON_VALUE(j, '$.arr[2]')", "NULL|NULL|NULL|NULL"},
		{"JSON_EXTRACT(j, '$.arr[2]')", "null|NULL|NULL|NULL"},
		{"JSON_EXTRACT(j, '$.arr[3].k')", "1|NULL|NULL|NULL"},
		{"JSON_EXTRACT(j, '$.arr[9]')", "NULL|NULL|NULL|NULL"},
		{"JSON_EXTRACT(j, '$.arr')", `[10, "s", null, {"k": 1}]|[]|NULL|NULL`},
		{`j->>'$."key with space"'`, "v|NULL|NULL|NULL"},
		{"JSON_VALUE(j, '$[''key with space'']')", "v|NULL|NULL|NULL"},
		{"JSON_EXTRACT(j, '$.n')", "null|NULL|NULL|NULL"},
		{"JSON_EXTRACT(j, '$')", `{"a": {"b": 2, "c": "x\"y"}, "arr": [10, "s", null, {"k": 1}], "key with space": "v", "n": null}|{"a": 1, "arr": []}|NULL|NULL`},
		{"JSON_VALUE(j, CONCAT('$.', 'a'))", `{"b": 2, "c": "x\"y"}|1|NULL|NULL`},
		{"JSON_VALUE('{\"a\": \"\\\\u00e9\\\\n\"}', '$.a')", "é\n|é\n|é\n|é\n"},
		{"JSON_UNQUOTE('\"abc\"')", "abc|abc|abc|abc"},
		{"JSON_UNQUOTE('[1]')", "[1]|[1]|[1]|[1]"},
	})
	runErrors(t, []errCase{
		{"JSON_VALUE(j, 'a.b')", "invalid JSON path 'a.b': it must start with $"},
		{"JSON_VALUE(j, '$.a[x]')", "invalid JSON path '$.a[x]': array index must be a number"},
		{"JSON_VALUE(j, '$.*')", "invalid JSON path"},
	})
}

func TestJSONWalker(t *testing.T) {
	doc := ` { "a" : { "b\u0020c" : [ 1 , { "d" : "e\"}" } ] } , "z": true } `
	cases := []struct{ path, want string }{
		{"$.a", `{ "b\u0020c" : [ 1 , { "d" : "e\"}" } ] }`},
		{`$.a."b c"`, `[ 1 , { "d" : "e\"}" } ]`},
		{`$.a."b c"[1].d`, `"e\"}"`},
		{"$.z", "true"},
		{"$.y", "<absent>"},
		{"$.a[0]", "<absent>"},
	}
	for _, c := range cases {
		p, err := parseJSONPath(c.path)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := jsonLookup(doc, p)
		if !ok {
			got = "<absent>"
		}
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.path, got, c.want)
		}
	}
	for _, bad := range []string{`{"a": `, `{"a" 1}`, `[1, 2`, `{"a": "x`} {
		p, _ := parseJSONPath("$.a")
		if v, ok := jsonLookup(bad, p); ok && strings.Contains(bad, "{") && v == "" {
			t.Errorf("%s: found %q", bad, v)
		}
	}
	if got := unescapeJSON(`a\"b\\c\/\n\ud83d\ude00\u00e9`); got != "a\"b\\c/\n😀é" {
		t.Errorf("unescape = %q", got)
	}
}
