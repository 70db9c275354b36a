package engine

import (
	"errors"
	"runtime/debug"
	"strings"
	"unicode/utf8"

	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/parser"
)

// PanicError is a panic recovered in a query's operators or in the
// execution of a statement: that query or statement fails with it, and
// the engine and its other queries go on. The stack goes to the log.
type PanicError = executor.PanicError

// blame makes a panic recovered on one of a query's own goroutines (a
// union input, an exchange) the query's, and logs its stack.
func (e *Engine) blame(where string, err error) error {
	var p *PanicError
	if errors.As(err, &p) && p.Where != where {
		e.cfg.Logf("%s panicked: %v (in %s)\n%s", where, p.Value, p.Where, p.Stack)
		return &PanicError{Where: where, Value: p.Value, Stack: p.Stack}
	}
	return err
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
