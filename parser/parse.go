// Package parser parses tide's SQL dialect. Queries are parsed by TiDB's
// parser; this package adds what MySQL's grammar lacks (CREATE SOURCE, WITH
// options, WATERMARK FOR, EMIT, INTERVAL as a plain argument, SESSION
// windows, Flink type names in CAST, the SHOW/DESCRIBE/STOP commands) with a
// small scanner of its own, rewrites queries into text TiDB accepts, and maps
// every position back to the user's original text.
package parser

import (
	"fmt"
	"strings"
)

// Parse splits script into statements at top-level semicolons and parses
// each. The first error stops parsing; it is a *Error with the position in
// script.
func Parse(script string) ([]Statement, error) {
	toks := scan(script)
	var out []Statement
	start := 0
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) && toks[i].kind == tokError {
			return nil, Errorf(PosAt(script, toks[i].start), "%s", toks[i].text)
		}
		if i < len(toks) && !toks[i].is(";") {
			continue
		}
		if i > start {
			st, err := parseStatement(script, toks[start:i])
			if err != nil {
				return nil, err
			}
			out = append(out, st)
		}
		start = i + 1
	}
	return out, nil
}

// ParseOne parses a script holding exactly one statement.
func ParseOne(script string) (Statement, error) {
	stmts, err := Parse(script)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, &Error{Msg: fmt.Sprintf("expected one statement, found %d", len(stmts))}
	}
	return stmts[0], nil
}

// SplitStatements returns the text of each statement of script (without
// the semicolons) and whether the script ends inside an unfinished
// statement (no final ';' after the last one, or an open string or comment).
// The shell uses it to know when a multi-line statement is complete.
func SplitStatements(script string) (stmts []string, incomplete bool) {
	toks := scan(script)
	start := -1
	for _, t := range toks {
		if t.kind == tokError {
			return stmts, true
		}
		if t.is(";") {
			if start >= 0 {
				stmts = append(stmts, strings.TrimSpace(script[start:t.start]))
			}
			start = -1
			continue
		}
		if start < 0 {
			start = t.start
		}
	}
	return stmts, start >= 0
}

// stmtParser is a cursor over one statement's tokens.
type stmtParser struct {
	src  string
	toks []token
	i    int
}

func parseStatement(src string, toks []token) (Statement, error) {
	p := &stmtParser{src: src, toks: toks}
	return p.statement()
}

func (p *stmtParser) peek() token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return token{kind: tokEOF, start: p.end(), end: p.end()}
}

func (p *stmtParser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return token{kind: tokEOF, start: p.end(), end: p.end()}
}

func (p *stmtParser) next() token {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

// end is the offset just after the statement's last token.
func (p *stmtParser) end() int {
	if len(p.toks) == 0 {
		return 0
	}
	return p.toks[len(p.toks)-1].end
}

func (p *stmtParser) pos(off int) Pos { return PosAt(p.src, off) }

// back steps back over t, which next returned (nothing to undo at the end).
func (p *stmtParser) back(t token) {
	if t.kind != tokEOF {
		p.i--
	}
}

func (p *stmtParser) accept(kw string) bool {
	if p.peek().is(kw) {
		p.i++
		return true
	}
	return false
}

// describe names a token for "found ..." in messages.
func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of statement"
	case tokString:
		return "string " + t.text
	case tokNumber:
		return "number " + t.text
	}
	return fmt.Sprintf("%q", t.text)
}

func (p *stmtParser) errExpected(what string) *Error {
	t := p.peek()
	return Errorf(p.pos(t.start), "expected %s, found %s", what, describe(t))
}

func (p *stmtParser) expect(kw string) error {
	if !p.accept(kw) {
		if !isIdentStart(kw[0]) {
			return p.errExpected("'" + kw + "'")
		}
		return p.errExpected(strings.ToUpper(kw))
	}
	return nil
}

// ident reads an identifier (plain or `quoted`).
func (p *stmtParser) ident(what string) (string, Pos, error) {
	t := p.peek()
	if t.kind != tokIdent && t.kind != tokQIdent {
		return "", Pos{}, p.errExpected(what)
	}
	p.i++
	return t.value(), p.pos(t.start), nil
}

// expectEnd fails if tokens remain.
func (p *stmtParser) expectEnd() error {
	if p.i < len(p.toks) {
		return p.errExpected("end of statement")
	}
	return nil
}

func (p *stmtParser) baseOf() base {
	start := p.toks[0].start
	return base{text: p.src[start:p.end()], pos: p.pos(start)}
}

func (p *stmtParser) statement() (Statement, error) {
	t := p.peek()
	switch t.upper() {
	case "CREATE":
		return p.create()
	case "INSERT":
		return p.insert()
	case "SELECT", "WITH", "(", "VALUES":
		q, err := p.query(p.i)
		if err != nil {
			return nil, err
		}
		return &Select{base: p.baseOf(), Query: q}, nil
	case "SHOW":
		return p.show()
	case "DESCRIBE", "DESC":
		return p.describe()
	case "EXPLAIN":
		p.next()
		if p.i >= len(p.toks) {
			return nil, p.errExpected("a statement to explain")
		}
		inner, err := parseStatement(p.src, p.toks[p.i:])
		if err != nil {
			return nil, err
		}
		return &Explain{base: p.baseOf(), Stmt: inner}, nil
	case "STOP", "TERMINATE":
		p.next()
		if err := p.expect("QUERY"); err != nil {
			return nil, err
		}
		idTok := p.next()
		if idTok.kind == tokEOF {
			return nil, Errorf(p.pos(idTok.start), "expected a query id, found end of statement")
		}
		if err := p.expectEnd(); err != nil {
			return nil, err
		}
		return &StopQuery{base: p.baseOf(), ID: idTok.value(), IDPos: p.pos(idTok.start)}, nil
	case "DROP":
		return p.drop()
	case "SET":
		return p.set()
	}
	return nil, &Error{Pos: p.pos(t.start), Msg: fmt.Sprintf("unexpected %s at the start of a statement", describe(t)),
		Hint: "statements start with CREATE, INSERT, SELECT, SHOW, DESCRIBE, EXPLAIN, STOP QUERY, DROP or SET"}
}

func (p *stmtParser) show() (Statement, error) {
	p.next()
	t := p.next()
	switch w := t.upper(); w {
	case "SOURCES", "TABLES", "VIEWS", "QUERIES", "STREAMS":
		if w == "STREAMS" {
			w = "SOURCES"
		}
		if err := p.expectEnd(); err != nil {
			return nil, err
		}
		return &Show{base: p.baseOf(), What: w}, nil
	}
	p.back(t)
	return nil, p.errExpected("SOURCES, TABLES, VIEWS or QUERIES")
}

func (p *stmtParser) describe() (Statement, error) {
	p.next()
	d := &Describe{}
	if p.peek().is("QUERY") && p.peekAt(1).kind != tokEOF {
		p.next()
		d.Query = true
		t := p.next()
		d.Name, d.NamePos = t.value(), p.pos(t.start)
	} else {
		name, pos, err := p.ident("a source, table or view name")
		if err != nil {
			return nil, err
		}
		d.Name, d.NamePos = name, pos
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	d.base = p.baseOf()
	return d, nil
}

func (p *stmtParser) drop() (Statement, error) {
	p.next()
	d := &Drop{}
	t := p.next()
	switch t.upper() {
	case "SOURCE", "TABLE", "VIEW":
		d.Kind = t.upper()
	case "STREAM":
		d.Kind = "SOURCE"
	default:
		p.back(t)
		return nil, p.errExpected("SOURCE, TABLE or VIEW")
	}
	if p.accept("IF") {
		if err := p.expect("EXISTS"); err != nil {
			return nil, err
		}
		d.IfExists = true
	}
	name, pos, err := p.ident(strings.ToLower(d.Kind) + " name")
	if err != nil {
		return nil, err
	}
	d.Name, d.NamePos = name, pos
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	d.base = p.baseOf()
	return d, nil
}

func (p *stmtParser) set() (Statement, error) {
	p.next()
	var name []string
	for {
		t := p.peek()
		if t.kind != tokIdent && t.kind != tokQIdent && t.kind != tokString {
			break
		}
		p.next()
		name = append(name, t.value())
		if !p.accept(".") {
			break
		}
	}
	if len(name) == 0 {
		return nil, p.errExpected("a setting name")
	}
	if !p.accept("=") && !p.accept("TO") {
		return nil, p.errExpected("'='")
	}
	v := p.next()
	if v.kind == tokEOF {
		return nil, Errorf(p.pos(v.start), "expected a value, found end of statement")
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	return &Set{base: p.baseOf(), Name: strings.ToLower(strings.Join(name, ".")), Value: v.value(), ValuePos: p.pos(v.start)}, nil
}

func (p *stmtParser) insert() (Statement, error) {
	p.next()
	if !p.accept("INTO") {
		return nil, p.errExpected("INTO")
	}
	name, pos, err := p.ident("a table name")
	if err != nil {
		return nil, err
	}
	ins := &Insert{Table: name, TablePos: pos}
	if p.peek().is("(") && !startsQuery(p.peekAt(1)) {
		p.next()
		for {
			c, _, err := p.ident("a column name")
			if err != nil {
				return nil, err
			}
			ins.Columns = append(ins.Columns, c)
			if p.accept(")") {
				break
			}
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
	}
	if t := p.peek(); !startsQuery(t) && !t.is("(") {
		return nil, p.errExpected("SELECT or VALUES")
	}
	q, err := p.query(p.i)
	if err != nil {
		return nil, err
	}
	ins.Query = q
	ins.base = p.baseOf()
	return ins, nil
}

// startsQuery reports whether t is the first word of a query: SELECT, WITH
// or VALUES.
func startsQuery(t token) bool {
	return t.is("SELECT") || t.is("WITH") || t.is("VALUES")
}
