package expr

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/tide-sql/tide/planner"
)

// LIKE, ILIKE and REGEXP. A constant pattern is compiled once, at compile
// time; LIKE patterns that are a plain text, a prefix, a suffix or a
// substring skip the regular expression.

// matcher reports whether s matches a compiled pattern.
type matcher func(s string) bool

// compileLike compiles a LIKE pattern: % is any text, _ one character,
// escape makes the next character literal.
func compileLike(pattern string, escape byte, fold bool) (matcher, error) {
	var lits []string // the literal runs between % signs
	var cur strings.Builder
	simple := true // only % wildcards
	var re strings.Builder
	re.WriteString(`(?s)^`)
	if fold {
		re.WriteString(`(?i)`)
	}
	for i := 0; i < len(pattern); i++ {
		ch := pattern[i]
		switch {
		case ch == escape && i+1 < len(pattern):
			i++
			cur.WriteByte(pattern[i])
			re.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		case ch == '%':
			lits = append(lits, cur.String())
			cur.Reset()
			re.WriteString(`.*`)
		case ch == '_':
			simple = false
			re.WriteString(`.`)
		default:
			cur.WriteByte(ch)
			re.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
		}
	}
	lits = append(lits, cur.String())
	re.WriteString(`$`)
	if simple && !fold {
		switch {
		case len(lits) == 1:
			p := lits[0]
			return func(s string) bool { return s == p }, nil
		case len(lits) == 2 && lits[1] == "":
			p := lits[0]
			return func(s string) bool { return strings.HasPrefix(s, p) }, nil
		case len(lits) == 2 && lits[0] == "":
			p := lits[1]
			return func(s string) bool { return strings.HasSuffix(s, p) }, nil
		case len(lits) == 3 && lits[0] == "" && lits[2] == "":
			p := lits[1]
			return func(s string) bool { return strings.Contains(s, p) }, nil
		}
	}
	r, err := regexp.Compile(re.String())
	if err != nil {
		return nil, fmt.Errorf("invalid LIKE pattern %s: %v", planner.QuoteSQL(pattern), err)
	}
	return r.MatchString, nil
}

func compileRegexp(pattern string) (matcher, error) {
	r, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %s: %v", planner.QuoteSQL(pattern), err)
	}
	return r.MatchString, nil
}

// patternKernel runs LIKE (like, not_like, ilike, not_ilike) and REGEXP
// (regexp, not_regexp).
func patternKernel(c *callInfo) (kernel, error) {
	not := strings.HasPrefix(c.name, "not_")
	base := strings.TrimPrefix(c.name, "not_")
	escape := byte('\\')
	if len(c.args) == 3 {
		x, ok := c.constArg(2)
		s, _ := x.(string)
		if !ok || len(s) != 1 {
			return nil, fmt.Errorf("ESCAPE must be a single constant character")
		}
		escape = s[0]
	}
	compile := func(p string) (matcher, error) {
		if base == "regexp" {
			return compileRegexp(p)
		}
		return compileLike(p, escape, base == "ilike")
	}
	var fixed matcher
	if x, ok := c.constArg(1); ok && x != nil {
		m, err := compile(x.(string))
		if err != nil {
			return nil, err
		}
		fixed = m
	}
	return func(_ context.Context, args []Value, n int) (Value, error) {
		rs, rp := readStr(args[0]), readStr(args[1])
		m, last := fixed, ""
		out := newBoolOut(c.mem, n)
		for i := 0; i < n; i++ {
			s, ok1 := rs.at(i)
			p, ok2 := rp.at(i)
			if !ok1 || !ok2 {
				out.setNull(i)
				continue
			}
			if fixed == nil && (m == nil || p != last) {
				var err error
				if m, err = compile(p); err != nil {
					out.release()
					return Value{}, err
				}
				last = p
			}
			out.set(i, m(s) != not)
		}
		return out.finish(), nil
	}, nil
}
