package engine

import (
	"fmt"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	"github.com/tide-sql/tide/parser"
)

// PanicError is a panic recovered in a query's operators or in the
// execution of a statement: that query or statement fails with it, and
// the engine and its other queries go on. The stack goes to the log.
type PanicError struct {
	Where string // "query q", "statement CREATE SOURCE s ..."
	Value any    // what was passed to panic
	Stack string
}

func (p *PanicError) Error() string {
	return fmt.Sprintf("%s panicked: %v (a bug in tide or a connector; the stack is in the log)", p.Where, p.Value)
}

// recoverPanic, deferred, turns a panic into *err and logs its stack.
func (e *Engine) recoverPanic(where string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	stack := string(debug.Stack())
	e.cfg.Logf("%s panicked: %v\n%s", where, r, stack)
	*err = &PanicError{Where: where, Value: r, Stack: stack}
}

// guard runs f; a panic in it becomes its error.
func (e *Engine) guard(where string, f func() error) (err error) {
	defer e.recoverPanic(where, &err)
	return f()
}

// statementLabel names a statement in a message: "statement" and the
// start of its text on one line.
func statementLabel(st parser.Statement) string {
	text := strings.Join(strings.Fields(st.Text()), " ")
	if utf8.RuneCountInString(text) > 60 {
		text = string([]rune(text)[:57]) + "..."
	}
	return "statement " + text
}
