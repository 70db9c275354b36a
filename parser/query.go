package parser

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	tidb "github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	_ "github.com/pingcap/tidb/pkg/parser/test_driver" // literal values for TiDB's AST
)

var tidbParsers = sync.Pool{New: func() any { return tidb.New() }}

// dateArithFuncs take a native MySQL INTERVAL argument that TiDB parses.
var dateArithFuncs = map[string]bool{"DATE_ADD": true, "DATE_SUB": true, "ADDDATE": true, "SUBDATE": true, "TIMESTAMPADD": true}

// query parses tokens from index from to the end of the statement as a
// query: it rewrites the dialect's extensions, hands the text to TiDB and
// checks that the result is a SELECT, a VALUES list or a UNION of them.
func (p *stmtParser) query(from int) (*Query, error) {
	p.i = from
	q := &Query{}
	if from >= len(p.toks) {
		return nil, p.errExpected("a query")
	}
	start := p.toks[from].start
	end := p.end()
	q.pos = p.pos(start)
	var edits []edit
	depth := 0
	var funcs []string // function name (upper) for every open parenthesis
	// values holds the depth of every open VALUES list: its rows, written
	// (a, b) as in standard SQL, become MySQL's ROW(a, b) for TiDB.
	var values []int
	var joins []bool // per JOIN keyword in the text: FULL JOIN
	var unnests []unnestOpen
	inFrom := map[int]bool{} // per depth: the scan is in a FROM clause
	for p.i < len(p.toks) {
		t := p.peek()
		if t.kind == tokIdent {
			switch t.upper() {
			case "FROM":
				inFrom[depth] = true
			case "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "WINDOW", "SELECT", "EMIT":
				inFrom[depth] = false
			}
		}
		if n := len(values); n > 0 && depth == values[n-1] && !t.is(",") && !t.is("(") {
			values = values[:n-1] // the list ended (UNION, ORDER BY, ...)
		}
		switch {
		case t.is("VALUES") && p.peekAt(1).is("("):
			values = append(values, depth)
			p.next()
			edits = append(edits, edit{p.peek().start, p.peek().end, "ROW("})
		case len(values) > 0 && depth == values[len(values)-1] && t.is(","):
			p.next()
			if p.peek().is("(") {
				edits = append(edits, edit{p.peek().start, p.peek().end, "ROW("})
			}
		case t.is("("):
			name := ""
			if p.i > 0 && p.toks[p.i-1].kind == tokIdent && p.toks[p.i-1].end == t.start {
				name = p.toks[p.i-1].upper()
			} else if p.i > 0 && p.toks[p.i-1].kind == tokIdent {
				name = p.toks[p.i-1].upper()
			}
			funcs = append(funcs, name)
			depth++
			inFrom[depth] = false
			p.next()
		case t.is(")"):
			if depth == 0 {
				return nil, Errorf(p.pos(t.start), "unbalanced ')'")
			}
			funcs = funcs[:len(funcs)-1]
			depth--
			for len(values) > 0 && values[len(values)-1] > depth {
				values = values[:len(values)-1]
			}
			p.next()
			if n := len(unnests); n > 0 && unnests[n-1].depth == depth+1 {
				e, err := p.unnestTail(unnests[n-1].head, t)
				if err != nil {
					return nil, err
				}
				edits = append(edits, e...)
				unnests = unnests[:n-1]
			}
		case t.is("UNNEST") && p.peekAt(1).is("(") && p.i > from &&
			(p.toks[p.i-1].is("JOIN") || p.toks[p.i-1].is(",") && inFrom[depth]):
			unnests = append(unnests, unnestOpen{head: t, depth: depth + 1})
			p.next()
		case t.is("INTERVAL"):
			if depth > 0 && dateArithFuncs[funcs[len(funcs)-1]] {
				// TiDB parses INTERVAL here; only the plural unit needs help.
				p.next()
				p.accept("-")
				p.next()
				if u := p.peek(); isUnitToken(u) {
					c, _ := CanonicalUnit(u.text)
					edits = append(edits, edit{u.start, u.end, c})
					p.next()
				}
				continue
			}
			d, iend, err := p.interval()
			if err != nil {
				return nil, err
			}
			edits = append(edits, edit{t.start, iend, fmt.Sprintf("TIDE_INTERVAL('%d', 'MICROSECOND')", d.Microseconds())})
		case (t.is("CAST") || t.is("TRY_CAST")) && p.peekAt(1).is("("):
			e, err := p.castEdits()
			if err != nil {
				return nil, err
			}
			edits = append(edits, e...)
			// castEdits leaves the cursor on "(" so that nested casts are rewritten too.
		case t.is("FULL") && (p.peekAt(1).is("JOIN") || p.peekAt(1).is("OUTER") && p.peekAt(2).is("JOIN")):
			// MySQL's grammar has no FULL JOIN: TiDB parses it as LEFT
			// JOIN (same length, so positions stay true) and the query
			// remembers which JOIN keywords were FULL.
			edits = append(edits, edit{t.start, t.end, "LEFT"})
			p.next()
			p.accept("OUTER")
			joins = append(joins, true)
			p.next()
		case t.is("JOIN") || t.is("STRAIGHT_JOIN"):
			joins = append(joins, false)
			p.next()
		case t.is("CARDINALITY") && p.peekAt(1).is("("):
			// A keyword of TiDB's grammar, not a function name there.
			edits = append(edits, edit{t.start, t.end, "TIDE_CARDINALITY"})
			p.next()
		case t.is("SESSION") && p.peekAt(1).is("("):
			edits = append(edits, edit{t.start, t.end, "TIDE_SESSION"})
			p.next()
		case depth == 0 && t.is("EMIT"):
			p.next()
			switch {
			case p.accept("CHANGES"):
				q.Emit = EmitChanges
			case p.accept("FINAL"):
				q.Emit = EmitOnWindowClose
			case p.accept("ON"):
				if err := p.expect("WINDOW"); err != nil {
					return nil, err
				}
				if err := p.expect("CLOSE"); err != nil {
					return nil, err
				}
				q.Emit = EmitOnWindowClose
			default:
				return nil, p.errExpected("CHANGES or ON WINDOW CLOSE after EMIT")
			}
			q.EmitPos = p.pos(t.start)
			if p.i < len(p.toks) {
				e := p.errExpected("end of statement")
				e.Hint = "EMIT is the last clause of a query"
				return nil, e
			}
			edits = append(edits, edit{t.start, p.end(), ""})
			end = t.start
		case depth == 0 && t.is("WATERMARK") && p.peekAt(1).is("FOR"):
			if q.Watermark != nil {
				return nil, Errorf(p.pos(t.start), "a second WATERMARK clause")
			}
			p.next()
			p.next()
			wm, err := p.watermark(p.pos(t.start))
			if err != nil {
				return nil, err
			}
			q.Watermark = wm
			wend := p.toks[p.i-1].end
			edits = append(edits, edit{t.start, wend, ""})
		default:
			p.next()
		}
	}
	if depth != 0 {
		return nil, Errorf(p.pos(p.end()), "expected ')', found end of statement")
	}
	pe, err := postfixEdits(p.src, p.toks[from:])
	if err != nil {
		return nil, err
	}
	text, m := applyEdits(p.src, start, end, append(edits, pe...))
	q.Map = m
	q.Source = p.src[start:p.end()]
	tp := tidbParsers.Get().(*tidb.Parser)
	defer tidbParsers.Put(tp)
	stmts, _, err := tp.ParseSQL(text)
	if err != nil {
		return nil, tidbError(tp, err, text, m)
	}
	if len(stmts) != 1 {
		return nil, Errorf(q.pos, "expected one query")
	}
	switch s := stmts[0].(type) {
	case *ast.SelectStmt:
		q.AST = s
	case *ast.SetOprStmt:
		q.AST = s
	default:
		return nil, Errorf(q.pos, "expected a SELECT query")
	}
	if err := checkDepth(q, stmts[0]); err != nil {
		return nil, err
	}
	if err := q.markFullJoins(joins); err != nil {
		return nil, err
	}
	return q, nil
}

// castEdits rewrites CAST(x AS type) into TIDE_CAST(x, 'type'): TiDB only
// knows MySQL's CAST targets, users write Flink's (BIGINT, STRING, ...).
func (p *stmtParser) castEdits() ([]edit, error) {
	kw := p.next()
	open := p.peek()
	depth := 0
	lastAS := -1
	closeIdx := -1
	for j := p.i; j < len(p.toks); j++ {
		t := p.toks[j]
		if t.is("(") {
			depth++
		} else if t.is(")") {
			depth--
			if depth == 0 {
				closeIdx = j
				break
			}
		} else if depth == 1 && t.is("AS") {
			lastAS = j
		}
	}
	if closeIdx < 0 {
		return nil, Errorf(p.pos(open.start), "expected ')' to close %s(", kw.upper())
	}
	if lastAS < 0 {
		return nil, Errorf(p.pos(p.toks[closeIdx].start), "expected AS type in %s(... AS type)", kw.upper())
	}
	asTok, closeTok := p.toks[lastAS], p.toks[closeIdx]
	typeText := strings.TrimSpace(p.src[asTok.end:closeTok.start])
	if typeText == "" {
		return nil, Errorf(p.pos(closeTok.start), "expected a type after AS")
	}
	name := "TIDE_CAST"
	if kw.is("TRY_CAST") {
		name = "TIDE_TRY_CAST"
	}
	return []edit{
		{kw.start, kw.end, name},
		{asTok.start, closeTok.start, ", '" + strings.ReplaceAll(typeText, "'", "''") + "'"},
	}, nil
}

var tidbErrRe = regexp.MustCompile(`^line (\d+) column (\d+) near "(?s:(.*))"(.*)$`)

// errorOffset is the byte offset in text of the token TiDB stopped at, or
// -1 if err is not a syntax error with a position.
func errorOffset(err error, text string) int {
	sm := tidbErrRe.FindStringSubmatch(err.Error())
	if sm == nil {
		return -1
	}
	near, tail := sm[3], sm[4]
	off := len(text) - len(near)
	if i := strings.Index(tail, "(total length "); i >= 0 {
		if n, e := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(tail[i+len("(total length "):]), ")")); e == nil {
			off = len(text) - n
		}
	}
	if off < 0 || off > len(text) {
		return 0
	}
	return off
}

// probes are the tokens tried at a syntax error to say what was expected:
// a probe is expected if the text parses further with it inserted.
var probes = []struct{ text, label string }{
	{"FROM", "FROM"}, {",", "','"}, {"(", "'('"}, {")", "')'"}, {"1", "an expression"},
	{"AS", "AS"}, {"BY", "BY"}, {"THEN", "THEN"}, {"END", "END"}, {"AND", "AND"}, {"=", "'='"},
	{"ON", "ON"}, {"SELECT", "SELECT"}, {"x", "a name"},
}

// expectedAt returns what TiDB would have accepted at offset off.
func expectedAt(tp *tidb.Parser, text string, off int) []string {
	var out []string
	for _, pr := range probes {
		try := text[:off] + " " + pr.text + " " + text[off:]
		_, _, err := tp.ParseSQL(try)
		if err == nil || errorOffset(err, try) > off+len(pr.text)+1 {
			out = append(out, pr.label)
		}
	}
	// Where a name fits, TiDB takes non-reserved keywords (END, BY, ...) as
	// names too: listing them would mislead.
	if len(out) > 0 && out[len(out)-1] == "a name" {
		kept := out[:0]
		for _, l := range out {
			if l != strings.ToUpper(l) || !isIdentStart(l[0]) { // keep everything but bare keywords
				kept = append(kept, l)
			}
		}
		out = kept
	}
	return out
}

// tidbError turns TiDB's "line L column C near "rest"" into an Error at the
// start of the offending token in the user's text, saying what the grammar
// expected there.
func tidbError(tp *tidb.Parser, err error, text string, m *Mapper) error {
	off := errorOffset(err, text)
	if off < 0 {
		return &Error{Pos: m.Pos(0), Msg: "syntax error: " + err.Error()}
	}
	pos := m.Pos(off)
	expected := ""
	if exp := expectedAt(tp, text, off); len(exp) > 0 {
		expected = ": expected " + strings.Join(exp, ", ")
		if len(exp) > 1 {
			expected = ": expected one of " + strings.Join(exp, ", ")
		}
	}
	word := firstWord(text[off:])
	if word == "" {
		return &Error{Pos: pos, Msg: "syntax error: unexpected end of statement" + expected,
			Hint: "the statement stops in the middle of an expression or clause"}
	}
	hint := syntaxHint(word)
	if before := scan(text[:off]); hint == "" && len(before) > 0 {
		hint = syntaxHint(before[len(before)-1].text)
	}
	return &Error{Pos: pos, Msg: fmt.Sprintf("syntax error at or near %q%s", word, expected), Hint: hint}
}

func firstWord(s string) string {
	toks := scan(s)
	if len(toks) == 0 {
		return ""
	}
	return toks[0].text
}

func syntaxHint(word string) string {
	switch strings.ToUpper(word) {
	case "FORM":
		return "did you mean FROM?"
	case "WHER":
		return "did you mean WHERE?"
	case "GROUP", "ORDER":
		return "expected " + strings.ToUpper(word) + " BY after the FROM clause"
	}
	return ""
}
