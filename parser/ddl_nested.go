package parser

import (
	"errors"

	"github.com/tide-sql/tide/catalog"
)

// nestedType parses the nested type of column name whose first word, ROW,
// ARRAY or MAP, is kw (already consumed): the bracketed rest of the type is
// found here by balancing <...> and (...), and read by catalog.ParseType,
// whose errors point into the user's text.
func (p *stmtParser) nestedType(name string, pos Pos, kw token) (ColumnDef, error) {
	end := kw.end
	angle, paren := 0, 0
	first := true
scan:
	for {
		t := p.peek()
		if first && !t.is("<") && !t.is("<>") && !(t.is("(") && kw.is("ROW")) {
			break scan // let ParseType say what it expected
		}
		first = false
		if t.kind == tokEOF {
			break scan
		}
		switch {
		case t.is("<"):
			angle++
		case t.is(">"):
			angle--
		case t.is("("):
			paren++
		case t.is(")"):
			if paren == 0 {
				break scan // the column list's ')': the type is unfinished
			}
			paren--
		}
		p.next()
		end = t.end
		if angle == 0 && paren == 0 {
			break scan
		}
	}
	text := p.src[kw.start:end]
	typ, canon, err := catalog.ParseType(text)
	if err != nil {
		var te *catalog.TypeError
		if errors.As(err, &te) {
			return ColumnDef{}, &Error{Pos: p.pos(kw.start + te.Offset), Msg: te.Msg + " (type of column " + name + ")",
				Hint: "nested types are ROW<name TYPE, ...>, ARRAY<TYPE> and MAP<VARCHAR, TYPE>"}
		}
		return ColumnDef{}, err
	}
	return ColumnDef{Name: name, Type: typ, SQLType: canon, Pos: pos}, nil
}
