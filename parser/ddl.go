package parser

import (
	"fmt"
	"strings"

	"github.com/tide-sql/tide/catalog"
)

func (p *stmtParser) create() (Statement, error) {
	p.next()
	orReplace := false
	if p.accept("OR") {
		if err := p.expect("REPLACE"); err != nil {
			return nil, err
		}
		orReplace = true
	}
	p.accept("TEMPORARY")
	kind := p.next()
	switch kind.upper() {
	case "SOURCE", "STREAM":
		return p.createTable(true, orReplace)
	case "TABLE", "SINK":
		return p.createTable(false, orReplace)
	case "VIEW":
		return p.createView(orReplace)
	}
	p.back(kind)
	return nil, p.errExpected("SOURCE, TABLE or VIEW after CREATE")
}

func (p *stmtParser) ifNotExists() (bool, error) {
	if !p.accept("IF") {
		return false, nil
	}
	if err := p.expect("NOT"); err != nil {
		return false, err
	}
	if err := p.expect("EXISTS"); err != nil {
		return false, err
	}
	return true, nil
}

func (p *stmtParser) createTable(source, orReplace bool) (Statement, error) {
	ifNot, err := p.ifNotExists()
	if err != nil {
		return nil, err
	}
	what := "table name"
	if source {
		what = "source name"
	}
	name, namePos, err := p.ident("a " + what)
	if err != nil {
		return nil, err
	}
	var (
		cols []ColumnDef
		pk   []string
		wm   *WatermarkDef
	)
	if p.peek().is("(") {
		cols, pk, wm, err = p.columnList()
		if err != nil {
			return nil, err
		}
	}
	var opts []Option
	if p.accept("WITH") {
		if opts, err = p.options(); err != nil {
			return nil, err
		}
	}
	var as *Query
	if !source && p.peek().is("AS") && (startsQuery(p.peekAt(1)) || p.peekAt(1).is("(")) {
		p.next()
		q, err := p.query(p.i)
		if err != nil {
			return nil, err
		}
		as = q
		if len(cols) > 0 {
			return nil, &Error{Pos: namePos, Msg: "CREATE TABLE ... AS SELECT takes its columns from the query",
				Hint: "drop the column list, or create the table and INSERT INTO it"}
		}
		return &CreateTable{base: p.baseOf(), Name: name, NamePos: namePos, IfNotExists: ifNot, OrReplace: orReplace,
			Options: opts, As: as}, nil
	}
	if err := p.expectEnd(); err != nil {
		return nil, err
	}
	if source {
		// A source may leave its columns out (or declare only a watermark):
		// the engine asks its connector for them. Its PRIMARY KEY is the
		// row identity of its changes (a changelog format, an upsert
		// topic); the engine checks that.
		return &CreateSource{base: p.baseOf(), Name: name, NamePos: namePos, IfNotExists: ifNot, OrReplace: orReplace,
			Columns: cols, PrimaryKey: pk, Watermark: wm, Options: opts}, nil
	}
	if len(cols) == 0 {
		return nil, &Error{Pos: namePos, Msg: "expected a column list after " + name,
			Hint: "declare the columns: CREATE TABLE " + name + " (id BIGINT, ts TIMESTAMP(3), ...)"}
	}
	return &CreateTable{base: p.baseOf(), Name: name, NamePos: namePos, IfNotExists: ifNot, OrReplace: orReplace,
		Columns: cols, PrimaryKey: pk, Watermark: wm, Options: opts}, nil
}

// columnList parses ( col type [NOT NULL] [PRIMARY KEY], ..., PRIMARY KEY
// (a, b) [NOT ENFORCED], WATERMARK FOR col AS col - INTERVAL n unit ).
func (p *stmtParser) columnList() ([]ColumnDef, []string, *WatermarkDef, error) {
	p.next() // (
	var (
		cols []ColumnDef
		pk   []string
		wm   *WatermarkDef
	)
	seen := map[string]bool{}
	pkPos := map[string]Pos{}
	for {
		t := p.peek()
		switch {
		case t.is("WATERMARK") && p.peekAt(1).is("FOR"):
			if wm != nil {
				return nil, nil, nil, Errorf(p.pos(t.start), "a second WATERMARK clause")
			}
			p.next()
			p.next()
			w, err := p.watermark(p.pos(t.start))
			if err != nil {
				return nil, nil, nil, err
			}
			wm = w
		case t.is("PRIMARY") && p.peekAt(1).is("KEY"):
			p.next()
			p.next()
			if pk != nil {
				return nil, nil, nil, Errorf(p.pos(t.start), "a second PRIMARY KEY")
			}
			if err := p.expect("("); err != nil {
				return nil, nil, nil, err
			}
			for {
				c, cpos, err := p.ident("a key column")
				if err != nil {
					return nil, nil, nil, err
				}
				pk = append(pk, c)
				pkPos[c] = cpos
				if p.accept(")") {
					break
				}
				if err := p.expect(","); err != nil {
					return nil, nil, nil, err
				}
			}
			if p.accept("NOT") {
				if err := p.expect("ENFORCED"); err != nil {
					return nil, nil, nil, err
				}
			}
		default:
			c, inlinePK, err := p.columnDef()
			if err != nil {
				return nil, nil, nil, err
			}
			if seen[strings.ToLower(c.Name)] {
				return nil, nil, nil, Errorf(c.Pos, "column %q is declared twice", c.Name)
			}
			seen[strings.ToLower(c.Name)] = true
			cols = append(cols, c)
			if inlinePK {
				if pk != nil {
					return nil, nil, nil, Errorf(c.Pos, "a second PRIMARY KEY")
				}
				pk = []string{c.Name}
			}
		}
		if p.accept(")") {
			break
		}
		if !p.accept(",") {
			return nil, nil, nil, p.errExpected("',' or ')' in the column list")
		}
	}
	for _, k := range pk {
		if !seen[strings.ToLower(k)] {
			return nil, nil, nil, Errorf(pkPos[k], "primary key column %q is not a column", k)
		}
		for _, c := range cols {
			if strings.EqualFold(c.Name, k) && catalog.IsNested(c.Type) {
				pos, ok := pkPos[k]
				if !ok {
					pos = c.Pos
				}
				return nil, nil, nil, &Error{Pos: pos, Msg: fmt.Sprintf("primary key column %s is %s: nested values cannot be keys", c.Name, c.SQLType),
					Hint: "key the table by scalar columns"}
			}
		}
	}
	// A list of nothing but a watermark leaves the columns to the
	// connector, which the engine checks the watermark against.
	if wm != nil && len(cols) > 0 && !seen[strings.ToLower(wm.Column)] {
		return nil, nil, nil, Errorf(wm.Pos, "watermark column %q is not a column", wm.Column)
	}
	if wm != nil {
		for _, c := range cols {
			if strings.EqualFold(c.Name, wm.Column) && c.Type != catalog.Timestamp {
				return nil, nil, nil, &Error{Pos: wm.Pos, Msg: "watermark column " + c.Name + " is " + c.SQLType + ", not a TIMESTAMP",
					Hint: "declare it TIMESTAMP(3); JSON strings in ISO-8601 and epoch milliseconds both decode into it"}
			}
		}
	}
	return cols, pk, wm, nil
}

// columnDef parses name type [(n[,m])] [NOT NULL | NULL] [PRIMARY KEY [NOT ENFORCED]] [COMMENT 'x'].
func (p *stmtParser) columnDef() (ColumnDef, bool, error) {
	name, pos, err := p.ident("a column name, PRIMARY KEY or WATERMARK FOR")
	if err != nil {
		return ColumnDef{}, false, err
	}
	tt := p.peek()
	if tt.kind != tokIdent {
		return ColumnDef{}, false, p.errExpected("a type for column " + name)
	}
	p.next()
	if catalog.IsNestedTypeName(tt.text) {
		c, err := p.nestedType(name, pos, tt)
		if err != nil {
			return ColumnDef{}, false, err
		}
		inlinePK, err := p.columnConstraints(&c)
		return c, inlinePK, err
	}
	typeStart, typeEnd := tt.start, tt.end
	typeName := tt.upper()
	if typeName == "DOUBLE" && p.peek().is("PRECISION") {
		typeEnd = p.next().end
	}
	if p.peek().is("(") {
		for {
			t := p.next()
			if t.kind == tokEOF {
				return ColumnDef{}, false, Errorf(p.pos(t.start), "expected ')' after the type's length")
			}
			if t.is(")") {
				typeEnd = t.end
				break
			}
		}
	}
	for p.peek().is("UNSIGNED") || p.peek().is("SIGNED") {
		typeEnd = p.next().end
	}
	typ, err := catalog.TypeByName(typeName)
	if err != nil {
		return ColumnDef{}, false, &Error{Pos: p.pos(tt.start), Msg: "unknown type " + tt.text + " for column " + name,
			Hint: "types are BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL, VARCHAR/STRING, TIMESTAMP(3), DATE"}
	}
	c := ColumnDef{Name: name, Type: typ, SQLType: strings.ToUpper(p.src[typeStart:typeEnd]), Pos: pos}
	inlinePK, err := p.columnConstraints(&c)
	return c, inlinePK, err
}

// columnConstraints parses what may follow a column's type: [NOT NULL |
// NULL] [PRIMARY KEY [NOT ENFORCED]] [COMMENT 'x'], in any order. It
// reports an inline PRIMARY KEY.
func (p *stmtParser) columnConstraints(c *ColumnDef) (bool, error) {
	inlinePK := false
	for {
		switch {
		case p.peek().is("NOT") && p.peekAt(1).is("NULL"):
			p.next()
			p.next()
			c.NotNull = true
		case p.peek().is("NULL"):
			p.next()
		case p.peek().is("PRIMARY") && p.peekAt(1).is("KEY"):
			p.next()
			p.next()
			inlinePK = true
			if p.accept("NOT") {
				if err := p.expect("ENFORCED"); err != nil {
					return false, err
				}
			}
		case p.peek().is("COMMENT"):
			p.next()
			if t := p.next(); t.kind != tokString {
				p.back(t)
				return false, p.errExpected("a comment string")
			}
		default:
			return inlinePK, nil
		}
	}
}

// watermark parses `col AS col [- INTERVAL n unit]` after WATERMARK FOR.
func (p *stmtParser) watermark(at Pos) (*WatermarkDef, error) {
	col, _, err := p.ident("the event-time column after WATERMARK FOR")
	if err != nil {
		return nil, err
	}
	if err := p.expect("AS"); err != nil {
		return nil, err
	}
	c2, c2pos, err := p.ident("an expression like " + col + " - INTERVAL 5 SECOND")
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(c2, col) {
		return nil, &Error{Pos: c2pos, Msg: "the watermark expression must be based on " + col + ", found " + c2,
			Hint: "write WATERMARK FOR " + col + " AS " + col + " - INTERVAL 10 SECOND"}
	}
	wm := &WatermarkDef{Column: col, Pos: at}
	if p.accept("-") {
		if !p.peek().is("INTERVAL") {
			return nil, p.errExpected("INTERVAL")
		}
		d, _, err := p.interval()
		if err != nil {
			return nil, err
		}
		wm.Delay = d
	}
	return wm, nil
}

// options parses ( key = value, ... ) after WITH. Keys may be plain, dotted
// (a.b.c) or quoted ('scan.startup.mode'); values are strings, numbers or
// words.
func (p *stmtParser) options() ([]Option, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var out []Option
	seen := map[string]bool{}
	if p.accept(")") {
		return out, nil
	}
	for {
		kt := p.peek()
		var key string
		switch kt.kind {
		case tokString, tokQIdent:
			p.next()
			key = kt.value()
		case tokIdent:
			var parts []string
			for {
				t := p.peek()
				if t.kind != tokIdent && t.kind != tokNumber {
					return nil, p.errExpected("an option name")
				}
				p.next()
				parts = append(parts, t.text)
				if !p.accept(".") {
					break
				}
			}
			key = strings.Join(parts, ".")
		default:
			return nil, p.errExpected("an option name like connector")
		}
		if seen[strings.ToLower(key)] {
			return nil, Errorf(p.pos(kt.start), "option %s is given twice", key)
		}
		seen[strings.ToLower(key)] = true
		if err := p.expect("="); err != nil {
			return nil, err
		}
		vt := p.peek()
		switch vt.kind {
		case tokString, tokNumber, tokIdent:
			p.next()
		default:
			return nil, p.errExpected("a value for option " + key)
		}
		val := vt.value()
		if vt.is("-") {
			val = "-"
		}
		out = append(out, Option{Key: key, Value: val, KeyPos: p.pos(kt.start), ValuePos: p.pos(vt.start)})
		if p.accept(")") {
			return out, nil
		}
		if !p.accept(",") {
			return nil, p.errExpected("',' or ')' in WITH options")
		}
	}
}

func (p *stmtParser) createView(orReplace bool) (Statement, error) {
	ifNot, err := p.ifNotExists()
	if err != nil {
		return nil, err
	}
	name, pos, err := p.ident("a view name")
	if err != nil {
		return nil, err
	}
	if err := p.expect("AS"); err != nil {
		return nil, err
	}
	q, err := p.query(p.i)
	if err != nil {
		return nil, err
	}
	return &CreateView{base: p.baseOf(), Name: name, NamePos: pos, IfNotExists: ifNot, OrReplace: orReplace, Query: q}, nil
}
