package parser

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Pos is a 1-based line and column in the user's original text. Offset is
// the 0-based byte offset, kept so that callers can slice the text.
type Pos struct {
	Line   int
	Column int
	Offset int
}

// IsValid reports whether p points somewhere.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Error is a problem in the user's SQL, with where it is.
type Error struct {
	Pos  Pos    // 1-based line and column in the user's original text
	Msg  string // what is wrong, in SQL terms
	Hint string // optional: what to do instead
	// Err is an optional cause that callers branch on with errors.Is
	// (catalog.ErrExists, for example).
	Err error
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	if !e.Pos.IsValid() {
		return e.Message()
	}
	return fmt.Sprintf("line %d, column %d: %s", e.Pos.Line, e.Pos.Column, e.Message())
}

// Message is Msg with every word longer than MaxWordRunes shortened, so
// that a name of a million characters, quoted in the message by whichever
// step refused it, comes back as its beginning only.
func (e *Error) Message() string { return shortenWords(e.Msg) }

// MaxWordRunes is the longest word (a run without spaces: a quoted name,
// a path) that messages show in full.
const MaxWordRunes = 200

func shortenWords(s string) string {
	if len(s) <= MaxWordRunes {
		return s
	}
	words := strings.SplitAfter(s, " ")
	for i, w := range words {
		if t := strings.TrimSuffix(w, " "); len(t) > MaxWordRunes {
			words[i] = Shorten(t, MaxWordRunes) + w[len(t):]
		}
	}
	return strings.Join(words, "")
}

// Errorf builds an Error at pos.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// Shorten returns s cut to its first n runes followed by "…" when it is
// longer than that.
func Shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// PosAt returns the position of byte offset off in text.
func PosAt(text string, off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(text) {
		off = len(text)
	}
	line := 1 + strings.Count(text[:off], "\n")
	start := strings.LastIndexByte(text[:off], '\n') + 1
	return Pos{Line: line, Column: 1 + utf8.RuneCountInString(text[start:off]), Offset: off}
}

// Render formats err for a terminal: the message, the offending line of
// text with a caret under the column, and the hint. Errors that are not
// *Error are printed as they are.
func Render(err error, text string) string {
	var pe *Error
	if !asError(err, &pe) {
		return "error: " + err.Error()
	}
	var b strings.Builder
	b.WriteString("error: ")
	b.WriteString(pe.Error())
	if pe.Pos.IsValid() {
		lines := strings.Split(text, "\n")
		if pe.Pos.Line-1 < len(lines) {
			line := strings.TrimRight(lines[pe.Pos.Line-1], "\r")
			b.WriteString("\n")
			b.WriteString(line)
			b.WriteString("\n")
			// Keep tabs so that the caret lines up under the character.
			col := 0
			for _, r := range line {
				if col >= pe.Pos.Column-1 {
					break
				}
				if r == '\t' {
					b.WriteByte('\t')
				} else {
					b.WriteByte(' ')
				}
				col++
			}
			b.WriteString("^")
		}
	}
	if pe.Hint != "" {
		b.WriteString("\nhint: ")
		b.WriteString(shortenWords(pe.Hint))
	}
	return b.String()
}

func asError(err error, target **Error) bool {
	for err != nil {
		if e, ok := err.(*Error); ok {
			*target = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}
