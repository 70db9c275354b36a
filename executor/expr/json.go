package expr

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tide-sql/tide/planner"
)

// JSON_EXTRACT, JSON_VALUE (also j->>'$.a') and JSON_UNQUOTE over JSON
// text. A path ($.a.b, $.a[0], $."key with space", $['k']) is parsed once;
// each row's document is walked in place, skipping the values that are not
// on the path, without decoding it into Go values. A document that is not
// valid JSON along the walk gives NULL, as does a path that is absent.

// jsonStep is one step of a path: an object key or an array index.
type jsonStep struct {
	key   string
	index int
	isIdx bool
}

func parseJSONPath(p string) ([]jsonStep, error) {
	bad := func(why string) error { return fmt.Errorf("invalid JSON path %s: %s", planner.QuoteSQL(p), why) }
	s := strings.TrimSpace(p)
	if !strings.HasPrefix(s, "$") {
		return nil, bad("it must start with $")
	}
	var steps []jsonStep
	i := 1
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			if i < len(s) && s[i] == '"' {
				key, end, ok := parsePathString(s, i)
				if !ok {
					return nil, bad("unterminated quoted key")
				}
				steps = append(steps, jsonStep{key: key})
				i = end
				continue
			}
			start := i
			for i < len(s) && s[i] != '.' && s[i] != '[' {
				i++
			}
			key := s[start:i]
			if key == "" || key == "*" {
				return nil, bad("expected a key after '.'")
			}
			steps = append(steps, jsonStep{key: key})
		case '[':
			i++
			if i < len(s) && (s[i] == '"' || s[i] == '\'') {
				key, end, ok := parsePathString(s, i)
				if !ok || end >= len(s) || s[end] != ']' {
					return nil, bad("unterminated key in [...]")
				}
				steps = append(steps, jsonStep{key: key})
				i = end + 1
				continue
			}
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, bad("missing ']'")
			}
			n, err := strconv.Atoi(strings.TrimSpace(s[i : i+end]))
			if err != nil || n < 0 {
				return nil, bad("array index must be a number")
			}
			steps = append(steps, jsonStep{index: n, isIdx: true})
			i += end + 1
		default:
			return nil, bad(fmt.Sprintf("unexpected %q", s[i]))
		}
	}
	return steps, nil
}

// parsePathString reads a quoted key starting at s[i] (" or ').
func parsePathString(s string, i int) (string, int, bool) {
	q := s[i]
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '\\' && j+1 < len(s):
			j++
			b.WriteByte(s[j])
		case s[j] == q:
			return b.String(), j + 1, true
		default:
			b.WriteByte(s[j])
		}
	}
	return "", 0, false
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the offset after the string starting at s[i] == '"'.
func skipString(s string, i int) (int, bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// skipValue returns the offset after the value starting at s[i].
func skipValue(s string, i int) (int, bool) {
	if i >= len(s) {
		return 0, false
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				end, ok := skipString(s, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	}
	// A literal: true, false, null or a number.
	j := i
	for j < len(s) && s[j] != ',' && s[j] != '}' && s[j] != ']' && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' {
		j++
	}
	switch lit := s[i:j]; {
	case lit == "true" || lit == "false" || lit == "null":
		return j, true
	case lit != "" && (lit[0] == '-' || (lit[0] >= '0' && lit[0] <= '9')):
		_, err := strconv.ParseFloat(lit, 64)
		return j, err == nil
	}
	return 0, false
}

// jsonLookup returns the text of the value at path in doc.
func jsonLookup(doc string, path []jsonStep) (string, bool) {
	i := skipWS(doc, 0)
	for _, st := range path {
		var ok bool
		if st.isIdx {
			i, ok = arrayElem(doc, i, st.index)
		} else {
			i, ok = objectField(doc, i, st.key)
		}
		if !ok {
			return "", false
		}
	}
	end, ok := skipValue(doc, i)
	if !ok {
		return "", false
	}
	return doc[i:end], true
}

// objectField returns the offset of the value of key in the object at s[i].
func objectField(s string, i int, key string) (int, bool) {
	if i >= len(s) || s[i] != '{' {
		return 0, false
	}
	i = skipWS(s, i+1)
	for i < len(s) && s[i] != '}' {
		if s[i] != '"' {
			return 0, false
		}
		kend, ok := skipString(s, i)
		if !ok {
			return 0, false
		}
		raw := s[i+1 : kend-1]
		match := raw == key || (strings.IndexByte(raw, '\\') >= 0 && unescapeJSON(raw) == key)
		i = skipWS(s, kend)
		if i >= len(s) || s[i] != ':' {
			return 0, false
		}
		i = skipWS(s, i+1)
		if match {
			return i, true
		}
		if i, ok = skipValue(s, i); !ok {
			return 0, false
		}
		i = skipWS(s, i)
		if i < len(s) && s[i] == ',' {
			i = skipWS(s, i+1)
		}
	}
	return 0, false
}

// arrayElem returns the offset of element k of the array at s[i].
func arrayElem(s string, i, k int) (int, bool) {
	if i >= len(s) || s[i] != '[' {
		return 0, false
	}
	i = skipWS(s, i+1)
	for n := 0; i < len(s) && s[i] != ']'; n++ {
		if n == k {
			return i, true
		}
		var ok bool
		if i, ok = skipValue(s, i); !ok {
			return 0, false
		}
		i = skipWS(s, i)
		if i < len(s) && s[i] == ',' {
			i = skipWS(s, i+1)
		}
	}
	return 0, false
}

// unescapeJSON decodes the backslash escapes of a JSON string's contents.
func unescapeJSON(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b = append(b, s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b = append(b, '\n')
		case 't':
			b = append(b, '\t')
		case 'r':
			b = append(b, '\r')
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'u':
			r, n := decodeU(s[i:])
			if n == 0 {
				b = append(b, '\\', 'u')
				continue
			}
			if utf16.IsSurrogate(r) && strings.HasPrefix(s[i+n:], `\u`) {
				if r2, n2 := decodeU(s[i+n+1:]); n2 > 0 {
					r = utf16.DecodeRune(r, r2)
					n += 1 + n2
				}
			}
			b = utf8.AppendRune(b, r)
			i += n - 1
		default: // \" \\ \/
			b = append(b, s[i])
		}
	}
	return string(b)
}

// decodeU reads "uXXXX" and returns the code unit and the bytes read.
func decodeU(s string) (rune, int) {
	if len(s) < 5 || s[0] != 'u' {
		return 0, 0
	}
	v, err := strconv.ParseUint(s[1:5], 16, 16)
	if err != nil {
		return 0, 0
	}
	return rune(v), 5
}

// unquoteJSON turns JSON value text into SQL text: a string loses its
// quotes and escapes, null becomes NULL, anything else stays as it is.
func unquoteJSON(v string) (string, bool) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return unescapeJSON(v[1 : len(v)-1]), true
	}
	if v == "null" {
		return "", false
	}
	return v, true
}

// jsonPathKernel is JSON_EXTRACT (the value's JSON text) and JSON_VALUE
// (the value unquoted).
func jsonPathKernel(c *callInfo) (kernel, error) {
	unquote := c.name == "json_value"
	var fixed []jsonStep
	constant := false
	if x, ok := c.constArg(1); ok && x != nil {
		p, err := parseJSONPath(x.(string))
		if err != nil {
			return nil, err
		}
		fixed, constant = p, true
	}
	return func(_ context.Context, args []Value, n int) (Value, error) {
		rd, rp := readStr(args[0]), readStr(args[1])
		path, last, parsed := fixed, "", constant
		out := newStrOut(c.mem, n)
		for i := 0; i < n; i++ {
			doc, ok1 := rd.at(i)
			p, ok2 := rp.at(i)
			if !ok1 || !ok2 {
				out.AppendNull()
				continue
			}
			if !constant && (!parsed || p != last) {
				var err error
				if path, err = parseJSONPath(p); err != nil {
					out.Release()
					return Value{}, err
				}
				last, parsed = p, true
			}
			v, ok := jsonLookup(doc, path)
			if ok && unquote {
				v, ok = unquoteJSON(v)
			}
			if !ok {
				out.AppendNull()
				continue
			}
			out.Append(v)
		}
		return finishStr(out), nil
	}, nil
}

func jsonUnquote(a []string) (string, bool) {
	s := strings.TrimSpace(a[0])
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return unescapeJSON(s[1 : len(s)-1]), true
	}
	return a[0], true
}
