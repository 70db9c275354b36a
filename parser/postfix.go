package parser

import (
	"sort"
	"strings"
)

// Access to nested values, written as Flink does: arr[1] and m['key']
// (element access), and a field after anything that is not a plain name,
// f(x).a, arr[1].b, or a name of more than three parts, t.col.a.b (TiDB's
// grammar takes at most schema.table.column). They are rewritten into calls
// TiDB parses, TIDE_ITEM(arr, 1) and TIDE_FIELD(x, 'a'): the base is
// copied, so its positions stay true, and only the brackets and the
// ".name" parts are replaced. Names of up to three parts (col.a, t.col.a)
// stay as TiDB reads them; the planner resolves them against its scope.

// clauseWords are the keywords no element or field access may follow.
var clauseWords = map[string]bool{
	"SELECT": true, "FROM": true, "WHERE": true, "AND": true, "OR": true, "NOT": true, "ON": true, "BY": true,
	"AS": true, "WHEN": true, "THEN": true, "ELSE": true, "CASE": true, "IN": true, "IS": true, "LIKE": true,
	"BETWEEN": true, "DISTINCT": true, "JOIN": true, "HAVING": true, "LIMIT": true, "UNION": true, "ALL": true,
	"VALUES": true, "XOR": true, "DIV": true, "MOD": true,
}

// postfixEdits returns the edits that rewrite element and field access in
// toks (one query's tokens of src).
func postfixEdits(src string, toks []token) ([]edit, error) {
	type open struct {
		bracket bool // '[' rather than '('
		base    int  // offset where the expression before it starts
		tok     token
	}
	var (
		stack    []open
		edits    []edit
		prefixes = map[int]string{} // offset → calls opened there, outermost first
		last     = -1               // start of the expression the previous token ended, -1 if none
		parts    = 0                // parts of that expression when it is a plain name a.b.c; 0 otherwise
	)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.kind == tokIdent && clauseWords[t.upper()]:
			last, parts = -1, 0
		case t.kind == tokIdent || t.kind == tokQIdent:
			last, parts = t.start, 1
		case t.is(".") && last >= 0 && i+1 < len(toks) && (toks[i+1].kind == tokIdent || toks[i+1].kind == tokQIdent):
			name := toks[i+1]
			i++
			if parts > 0 && parts < 3 {
				parts++
				continue
			}
			prefixes[last] = "TIDE_FIELD(" + prefixes[last]
			edits = append(edits, edit{t.start, name.end, ", " + quoteString(name.value()) + ")"})
			parts = 0
		case t.is("("):
			base := t.start
			if last >= 0 && i > 0 && toks[i-1].kind == tokIdent {
				base = last // a call: the expression starts at its name
			}
			stack = append(stack, open{base: base, tok: t})
			last, parts = -1, 0
		case t.is(")"):
			if n := len(stack); n > 0 && !stack[n-1].bracket {
				last = stack[n-1].base
				stack = stack[:n-1]
			} else {
				last = -1 // unbalanced: the query's own scan reports it
			}
			parts = 0
		case t.is("["):
			if last < 0 {
				return nil, &Error{Pos: PosAt(src, t.start), Msg: "'[' must follow an array or a map",
					Hint: "arr[1] is the first element of arr, m['k'] the value of key 'k' of m"}
			}
			if i+1 < len(toks) && toks[i+1].is("]") {
				return nil, &Error{Pos: PosAt(src, toks[i+1].start), Msg: "expected an index or a key inside [...]",
					Hint: "arr[1] is the first element of arr, m['k'] the value of key 'k' of m"}
			}
			stack = append(stack, open{bracket: true, base: last, tok: t})
			edits = append(edits, edit{t.start, t.end, ", "})
			last, parts = -1, 0
		case t.is("]"):
			n := len(stack)
			if n == 0 || !stack[n-1].bracket {
				return nil, Errorf(PosAt(src, t.start), "unbalanced ']'")
			}
			o := stack[n-1]
			stack = stack[:n-1]
			prefixes[o.base] = "TIDE_ITEM(" + prefixes[o.base]
			edits = append(edits, edit{t.start, t.end, ")"})
			last, parts = o.base, 0
		case t.kind == tokString || t.kind == tokNumber:
			last, parts = t.start, 0
		default:
			last, parts = -1, 0
		}
	}
	for _, o := range stack {
		if o.bracket {
			return nil, &Error{Pos: PosAt(src, o.tok.start), Msg: "expected ']' to close '['"}
		}
	}
	offs := make([]int, 0, len(prefixes))
	for off := range prefixes {
		offs = append(offs, off)
	}
	sort.Ints(offs)
	for _, off := range offs {
		edits = append(edits, edit{off, off, prefixes[off]})
	}
	return edits, nil
}

// quoteString writes s as a SQL string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
}
