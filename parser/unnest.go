package parser

import "strings"

// UNNEST in FROM, as Flink writes it:
//
//	FROM orders CROSS JOIN UNNEST(orders.items) [WITH ORDINALITY] [AS] t (item [, n])
//	FROM orders, UNNEST(tags) AS t (tag)
//	FROM orders LEFT JOIN UNNEST(tags) AS t (tag) ON TRUE
//
// MySQL's grammar has no table functions, so UNNEST(e) AS t (a, b) is
// rewritten into a derived table TiDB parses,
//
//	(SELECT TIDE_UNNEST(e, 'a', 'b')) AS t
//
// (TIDE_UNNEST_ORDINALITY with WITH ORDINALITY), which the planner
// recognises as the unnesting of e. The expression e is copied, so its
// positions stay true.

// unnestOpen is an UNNEST( whose ')' the query scan has not reached.
type unnestOpen struct {
	head  token // the UNNEST keyword
	depth int   // the parenthesis depth inside UNNEST(
}

// notAnAlias are the words that may follow UNNEST(...) without being its
// alias.
var notAnAlias = map[string]bool{
	"CROSS": true, "JOIN": true, "INNER": true, "LEFT": true, "RIGHT": true, "FULL": true, "NATURAL": true,
	"STRAIGHT_JOIN": true, "ON": true, "USING": true, "WHERE": true, "GROUP": true, "HAVING": true, "ORDER": true,
	"LIMIT": true, "UNION": true, "WINDOW": true, "EMIT": true, "WATERMARK": true,
}

// unnestTail parses what follows the ')' (closeTok) that closes the UNNEST(
// at head: [WITH ORDINALITY] [[AS] alias [(column, ...)]]. It returns the
// edits of the whole rewrite and leaves the cursor after the alias.
func (p *stmtParser) unnestTail(head, closeTok token) ([]edit, error) {
	fn := "TIDE_UNNEST"
	var edits []edit
	if p.peek().is("WITH") && p.peekAt(1).is("ORDINALITY") {
		w := p.next()
		o := p.next()
		edits = append(edits, edit{w.start, o.end, ""})
		fn = "TIDE_UNNEST_ORDINALITY"
	}
	alias := p.accept("AS")
	if alias {
		if t := p.peek(); t.kind != tokIdent && t.kind != tokQIdent {
			return nil, p.errExpected("an alias after AS, as in UNNEST(arr) AS t (x)")
		}
	}
	var names []string
	if t := p.peek(); (t.kind == tokIdent && !notAnAlias[t.upper()]) || t.kind == tokQIdent {
		p.next()
		if lp := p.peek(); lp.is("(") {
			p.next()
			for {
				name, _, err := p.ident("a column name in the UNNEST alias list")
				if err != nil {
					return nil, err
				}
				names = append(names, name)
				if rp := p.peek(); rp.is(")") {
					p.next()
					edits = append(edits, edit{lp.start, rp.end, ""})
					break
				}
				if err := p.expect(","); err != nil {
					return nil, err
				}
			}
		}
	}
	var b strings.Builder
	for _, n := range names {
		b.WriteString(", ")
		b.WriteString(quoteString(n))
	}
	b.WriteString("))")
	edits = append(edits, edit{head.start, head.end, "(SELECT " + fn}, edit{closeTok.start, closeTok.end, b.String()})
	return edits, nil
}
