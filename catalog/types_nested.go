package catalog

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Nested types, as Flink SQL writes them, and the Arrow types tide stores
// them as. The mapping is fixed, so that every part of tide (decoders,
// expressions, sinks) sees one Arrow type per SQL type:
//
//	ROW<name T, ...>  (or ROW(name T, ...))  arrow.StructType, fields nullable, names as declared
//	ARRAY<T>                                 arrow.ListType, element field "element", nullable
//	MAP<VARCHAR, T>                          arrow.MapType, VARCHAR keys (never NULL), values nullable
//
// Nested types nest to any depth. Field names keep the case they were
// declared with; they are looked up without case, an exact match first.

// RowOf is the Arrow type of ROW<fields...>; every field is nullable.
func RowOf(fields ...arrow.Field) arrow.DataType {
	out := make([]arrow.Field, len(fields))
	for i, f := range fields {
		out[i] = arrow.Field{Name: f.Name, Type: f.Type, Nullable: true}
	}
	return arrow.StructOf(out...)
}

// ArrayOf is the Arrow type of ARRAY<elem>.
func ArrayOf(elem arrow.DataType) arrow.DataType {
	return arrow.ListOfField(arrow.Field{Name: "element", Type: elem, Nullable: true})
}

// MapOf is the Arrow type of MAP<VARCHAR, value>.
func MapOf(value arrow.DataType) arrow.DataType {
	return arrow.MapOf(String, value)
}

// IsNested reports whether t is a ROW, ARRAY or MAP.
func IsNested(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRUCT, arrow.LIST, arrow.MAP:
		return true
	}
	return false
}

// FieldIndex returns the index of the field of ROW type t named name: an
// exact match first, then one without case; -1 if there is none.
func FieldIndex(t *arrow.StructType, name string) int {
	if i, ok := t.FieldIdx(name); ok {
		return i
	}
	for i, f := range t.Fields() {
		if equalFold(f.Name, name) {
			return i
		}
	}
	return -1
}

// IsNestedTypeName reports whether a type written as text starts with
// ROW, ARRAY or MAP (and so must be read with ParseType).
func IsNestedTypeName(text string) bool {
	w := strings.ToUpper(firstWord(text))
	return w == "ROW" || w == "ARRAY" || w == "MAP"
}

func firstWord(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		if !isTypeIdentChar(s[i]) {
			return s[:i]
		}
	}
	return s
}

// TypeError is a type that does not parse; Offset is the byte offset in
// the text where the problem is.
type TypeError struct {
	Offset int
	Msg    string
}

func (e *TypeError) Error() string { return e.Msg }

// ParseType parses a column type: a base type as TypeByName knows it (with
// an optional length or precision, DOUBLE PRECISION, INT UNSIGNED,
// TIMESTAMP(3) WITH LOCAL TIME ZONE) or a nested type. It returns the
// Arrow type and the type's canonical text (type words in upper case,
// field names as written, ROW(...) written ROW<...>), which DESCRIBE
// prints and the catalog stores. Errors are *TypeError.
func ParseType(text string) (arrow.DataType, string, error) {
	p := &typeParser{text: text, toks: scanType(text)}
	t, canon, err := p.typ()
	if err != nil {
		return nil, "", err
	}
	if tok := p.peek(); tok.kind != typeEOF {
		return nil, "", &TypeError{Offset: tok.start, Msg: fmt.Sprintf("unexpected %q after the type %s", tok.text, canon)}
	}
	return t, canon, nil
}

// typeParser is a cursor over the tokens of a type's text.
type typeParser struct {
	text string
	toks []typeToken
	i    int
}

func (p *typeParser) peek() typeToken { return p.toks[p.i] }

func (p *typeParser) next() typeToken {
	t := p.toks[p.i]
	if t.kind != typeEOF {
		p.i++
	}
	return t
}

func (p *typeParser) is(s string) bool {
	t := p.peek()
	return t.kind != typeEOF && t.kind != typeString && strings.EqualFold(t.text, s)
}

func (p *typeParser) errorf(t typeToken, format string, args ...any) error {
	return &TypeError{Offset: t.start, Msg: fmt.Sprintf(format, args...)}
}

func (p *typeParser) expect(s, what string) error {
	if !p.is(s) {
		return p.errorf(p.peek(), "expected %s, found %s", what, p.peek().describe())
	}
	p.next()
	return nil
}

// typ parses one type.
func (p *typeParser) typ() (arrow.DataType, string, error) {
	t := p.next()
	if t.kind != typeWord {
		return nil, "", p.errorf(t, "expected a type, found %s", t.describe())
	}
	switch strings.ToUpper(t.text) {
	case "ROW":
		return p.row()
	case "ARRAY":
		if err := p.expect("<", "'<' after ARRAY (ARRAY<BIGINT>)"); err != nil {
			return nil, "", err
		}
		elem, canon, err := p.typ()
		if err != nil {
			return nil, "", err
		}
		if err := p.notNull(); err != nil {
			return nil, "", err
		}
		if err := p.expect(">", "'>' to close ARRAY<"); err != nil {
			return nil, "", err
		}
		return ArrayOf(elem), "ARRAY<" + canon + ">", nil
	case "MAP":
		if err := p.expect("<", "'<' after MAP (MAP<VARCHAR, BIGINT>)"); err != nil {
			return nil, "", err
		}
		kt := p.peek()
		key, kcanon, err := p.typ()
		if err != nil {
			return nil, "", err
		}
		if key.ID() != arrow.STRING {
			return nil, "", p.errorf(kt, "MAP keys must be VARCHAR, not %s", kcanon)
		}
		if err := p.expect(",", "',' after the MAP's key type"); err != nil {
			return nil, "", err
		}
		val, vcanon, err := p.typ()
		if err != nil {
			return nil, "", err
		}
		if err := p.notNull(); err != nil {
			return nil, "", err
		}
		if err := p.expect(">", "'>' to close MAP<"); err != nil {
			return nil, "", err
		}
		return MapOf(val), "MAP<" + kcanon + ", " + vcanon + ">", nil
	}
	return p.base(t)
}

// row parses the fields of ROW<...> or ROW(...).
func (p *typeParser) row() (arrow.DataType, string, error) {
	open := p.next()
	closer := ">"
	switch open.text {
	case "<":
	case "(":
		closer = ")"
	default:
		return nil, "", p.errorf(open, "expected '<' after ROW (ROW<name VARCHAR, n BIGINT>), found %s", open.describe())
	}
	var (
		fields []arrow.Field
		parts  []string
	)
	seen := map[string]bool{}
	for {
		nt := p.next()
		var name string
		switch nt.kind {
		case typeWord:
			name = nt.text
		case typeQuoted:
			name = strings.ReplaceAll(nt.text[1:len(nt.text)-1], "``", "`")
		default:
			return nil, "", p.errorf(nt, "expected a field name in ROW, found %s", nt.describe())
		}
		if seen[strings.ToLower(name)] {
			return nil, "", p.errorf(nt, "field %q appears twice in ROW", name)
		}
		seen[strings.ToLower(name)] = true
		ft, fcanon, err := p.typ()
		if err != nil {
			return nil, "", err
		}
		if err := p.notNull(); err != nil {
			return nil, "", err
		}
		if p.peek().kind == typeString { // Flink's field description: ROW<a INT 'the a'>
			p.next()
		}
		fields = append(fields, arrow.Field{Name: name, Type: ft})
		parts = append(parts, QuoteFieldName(name)+" "+fcanon)
		if p.is(closer) {
			p.next()
			break
		}
		if err := p.expect(",", "',' or '"+closer+"' in ROW"); err != nil {
			return nil, "", err
		}
	}
	return RowOf(fields...), "ROW<" + strings.Join(parts, ", ") + ">", nil
}

// notNull refuses NOT NULL inside a nested type: tide's nested values are
// always nullable.
func (p *typeParser) notNull() error {
	if p.is("NOT") {
		return p.errorf(p.peek(), "NOT NULL inside a nested type is not supported: nested fields and elements may always be NULL")
	}
	if p.is("NULL") {
		p.next()
	}
	return nil
}

// base parses a base type whose first word is t: words and an optional
// parenthesised length or precision.
func (p *typeParser) base(t typeToken) (arrow.DataType, string, error) {
	name := strings.ToUpper(t.text)
	canon := name
	if name == "DOUBLE" && p.is("PRECISION") {
		p.next()
		name, canon = "DOUBLE PRECISION", "DOUBLE PRECISION"
	}
	if p.is("(") {
		p.next()
		var args []string
		for {
			a := p.next()
			if a.kind != typeNumber {
				return nil, "", p.errorf(a, "expected a number in %s(...), found %s", name, a.describe())
			}
			args = append(args, a.text)
			if p.is(")") {
				p.next()
				break
			}
			if !p.is(",") {
				return nil, "", p.errorf(p.peek(), "expected ',' or ')' after %s(%s", name, strings.Join(args, ", "))
			}
			p.next()
		}
		canon += "(" + strings.Join(args, ", ") + ")"
	}
	for p.is("UNSIGNED") || p.is("SIGNED") {
		canon += " " + strings.ToUpper(p.next().text)
	}
	typ, err := TypeByName(name)
	if err != nil {
		return nil, "", p.errorf(t, "unknown type %s", t.text)
	}
	if typ.ID() == arrow.TIMESTAMP && (p.is("WITH") || p.is("WITHOUT")) {
		w := strings.ToUpper(p.next().text)
		words := []string{w}
		if w == "WITH" && p.is("LOCAL") {
			words = append(words, strings.ToUpper(p.next().text))
		}
		for _, want := range []string{"TIME", "ZONE"} {
			if !p.is(want) {
				return nil, "", p.errorf(p.peek(), "expected %s in %s %s", want, canon, strings.Join(words, " "))
			}
			words = append(words, strings.ToUpper(p.next().text))
		}
		canon += " " + strings.Join(words, " ")
	}
	return typ, canon, nil
}

// QuoteFieldName writes a field name so that ParseType reads it back: as
// it is when it is a plain identifier, in backquotes otherwise.
func QuoteFieldName(name string) string {
	plain := name != ""
	for i := 0; i < len(name) && plain; i++ {
		c := name[i]
		plain = isTypeIdentChar(c) && !(i == 0 && '0' <= c && c <= '9')
	}
	if plain {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// NestedTypeName prints a nested type in SQL, naming the types inside it
// with name (TypeName prints them as ParseType reads them back).
func NestedTypeName(t arrow.DataType, name func(arrow.DataType) string) string {
	switch t := t.(type) {
	case *arrow.StructType:
		parts := make([]string, t.NumFields())
		for i, f := range t.Fields() {
			parts[i] = QuoteFieldName(f.Name) + " " + name(f.Type)
		}
		return "ROW<" + strings.Join(parts, ", ") + ">"
	case *arrow.MapType:
		return "MAP<" + name(t.KeyType()) + ", " + name(t.ItemType()) + ">"
	case *arrow.ListType:
		return "ARRAY<" + name(t.Elem()) + ">"
	}
	return name(t)
}

// typeTokKind classifies the tokens of a type's text.
type typeTokKind uint8

const (
	typeEOF    typeTokKind = iota
	typeWord               // identifier or keyword
	typeQuoted             // `quoted name`
	typeNumber             // 3
	typeString             // 'a comment'
	typePunct              // < > ( ) ,
)

type typeToken struct {
	kind  typeTokKind
	text  string
	start int
}

func (t typeToken) describe() string {
	if t.kind == typeEOF {
		return "the end of the type"
	}
	return fmt.Sprintf("%q", t.text)
}

// scanType splits a type's text into tokens; the last is typeEOF.
func scanType(s string) []typeToken {
	var toks []typeToken
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '`' || c == '\'' || c == '"':
			j := i + 1
			for j < len(s) {
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(s))
			kind := typeString
			if c == '`' {
				kind = typeQuoted
			}
			if j >= len(s) { // unterminated: a token that fits nowhere
				kind = typePunct
			}
			toks = append(toks, typeToken{kind: kind, text: s[i:end], start: i})
			i = end
		case '0' <= c && c <= '9':
			j := i
			for j < len(s) && '0' <= s[j] && s[j] <= '9' {
				j++
			}
			toks = append(toks, typeToken{kind: typeNumber, text: s[i:j], start: i})
			i = j
		case isTypeIdentChar(c):
			j := i
			for j < len(s) && isTypeIdentChar(s[j]) {
				j++
			}
			toks = append(toks, typeToken{kind: typeWord, text: s[i:j], start: i})
			i = j
		default:
			toks = append(toks, typeToken{kind: typePunct, text: s[i : i+1], start: i})
			i++
		}
	}
	return append(toks, typeToken{kind: typeEOF, start: len(s)})
}

func isTypeIdentChar(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || ('a' <= c|0x20 && c|0x20 <= 'z') || ('0' <= c && c <= '9')
}
