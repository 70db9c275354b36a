package parser

import (
	"strings"
)

// tokKind classifies a token of the dialect layer's own scanner. The scanner
// only needs to find statement boundaries and the few clauses TiDB's grammar
// lacks; TiDB still parses every query.
type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokIdent          // identifier or keyword
	tokQIdent         // `quoted identifier`
	tokString         // 'string' (or "string", MySQL style)
	tokNumber         // 12, 1.5, 1e3
	tokPunct          // ( ) , ; = . - and other operator characters
	tokError          // unterminated string, quoted identifier or comment
)

// token is one lexical token with its byte span in the scanned text.
type token struct {
	kind       tokKind
	text       string // raw text
	start, end int
}

// upper returns the token text in upper case (for keyword checks).
func (t token) upper() string { return strings.ToUpper(t.text) }

// is reports whether t is the keyword or punctuation s (case-insensitive).
func (t token) is(s string) bool {
	return (t.kind == tokIdent || t.kind == tokPunct) && strings.EqualFold(t.text, s)
}

// value is the token's value: unquoted and unescaped for strings and quoted
// identifiers, the text otherwise.
func (t token) value() string {
	switch t.kind {
	case tokString:
		q := t.text[0]
		s := t.text[1 : len(t.text)-1]
		s = strings.ReplaceAll(s, string([]byte{q, q}), string(q))
		if strings.Contains(s, `\`) {
			s = unescapeBackslash(s)
		}
		return s
	case tokQIdent:
		return strings.ReplaceAll(t.text[1:len(t.text)-1], "``", "`")
	}
	return t.text
}

func unescapeBackslash(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// scan splits text into tokens, skipping white space and comments. A
// lexical error becomes a tokError token so that the caller can report it
// with its position.
func scan(text string) []token {
	var toks []token
	i := 0
	n := len(text)
	for i < n {
		c := text[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < n && text[i+1] == '-', c == '#':
			for i < n && text[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < n && text[i+1] == '*':
			end := strings.Index(text[i+2:], "*/")
			if end < 0 {
				toks = append(toks, token{kind: tokError, text: "unterminated comment", start: i, end: n})
				return toks
			}
			i += end + 4
		case c == '\'' || c == '"':
			j := i + 1
			closed := false
			for j < n {
				if text[j] == '\\' {
					j += 2
					continue
				}
				if text[j] == c {
					if j+1 < n && text[j+1] == c {
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				j++
			}
			if !closed {
				toks = append(toks, token{kind: tokError, text: "unterminated string", start: i, end: n})
				return toks
			}
			toks = append(toks, token{kind: tokString, text: text[i:j], start: i, end: j})
			i = j
		case c == '`':
			j := i + 1
			closed := false
			for j < n {
				if text[j] == '`' {
					if j+1 < n && text[j+1] == '`' {
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				j++
			}
			if !closed {
				toks = append(toks, token{kind: tokError, text: "unterminated quoted identifier", start: i, end: n})
				return toks
			}
			toks = append(toks, token{kind: tokQIdent, text: text[i:j], start: i, end: j})
			i = j
		case isDigit(c) || (c == '.' && i+1 < n && isDigit(text[i+1])):
			j := i
			for j < n && (isDigit(text[j]) || text[j] == '.') {
				j++
			}
			if j < n && (text[j] == 'e' || text[j] == 'E') {
				k := j + 1
				if k < n && (text[k] == '+' || text[k] == '-') {
					k++
				}
				if k < n && isDigit(text[k]) {
					for k < n && isDigit(text[k]) {
						k++
					}
					j = k
				}
			}
			// 5m or 1abc is an identifier in MySQL; keep it one token.
			for j < n && isIdentChar(text[j]) {
				j++
			}
			toks = append(toks, token{kind: tokNumber, text: text[i:j], start: i, end: j})
			i = j
		case isIdentStart(c):
			j := i
			for j < n && isIdentChar(text[j]) {
				j++
			}
			toks = append(toks, token{kind: tokIdent, text: text[i:j], start: i, end: j})
			i = j
		default:
			j := i + 1
			for _, op := range []string{"->>", "<=>", "->", "<=", ">=", "<>", "!=", "||", "&&", ":="} {
				if strings.HasPrefix(text[i:], op) {
					j = i + len(op)
					break
				}
			}
			toks = append(toks, token{kind: tokPunct, text: text[i:j], start: i, end: j})
			i = j
		}
	}
	return toks
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || ('a' <= c|0x20 && c|0x20 <= 'z')
}
func isIdentChar(c byte) bool { return isIdentStart(c) || isDigit(c) }
