package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tide-sql/tide/cmd/tide/internal/render"
	"github.com/tide-sql/tide/executor/engine"
	"github.com/tide-sql/tide/parser"
)

const runUsage = `tide run [flags] FILE.sql | - | -e 'SQL' ...

Runs the scripts in the order given ("-" reads standard input, -e takes the
SQL itself), prints what push SELECTs return, then waits while continuous
queries run: it exits when they finish (bounded sources) or on SIGINT or
SIGTERM (a clean stop that keeps every checkpoint). When a continuous query
ends it prints one line saying what it did: rows read, written, late and
bad (skipped or dead-lettered). The exit code is 0 only if every statement
succeeded.

--once processes what is available at start and stops cleanly, keeping
state: it sets run_once = 'true' before the scripts, which the engine
treats like Spark's Trigger.AvailableNow (each source reads up to the end
offsets it sees at start, then its query finishes).`

// runOnce is what --once runs before the scripts.
const runOnce = "SET run_once = 'true'"

// script is one input of `tide run`.
type script struct {
	name string // FILE, "<stdin>" or "-e": how errors name it
	text string
}

func (a *app) cmdRun(g globalOptions, args []string) int {
	var (
		inputs []script
		paths  []int // indexes of inputs still to read from files
		once   bool
	)
	fs := newFlagSet("run", runUsage, &g, a.stderr)
	fs.Var(stringList{add: func(s string) { inputs = append(inputs, script{name: "-e", text: s}) }},
		"e", "run `SQL` given on the command line (repeatable; runs in order with the files)")
	fs.BoolVar(&once, "once", false, "process what is available at start, then stop cleanly keeping state")
	err := parseFlags(fs, args, func(arg string) {
		paths = append(paths, len(inputs))
		inputs = append(inputs, script{name: arg})
	})
	if err != nil {
		return flagExit(err)
	}
	if len(inputs) == 0 {
		fmt.Fprintln(a.stderr, "tide run: no script given (FILE.sql, - for standard input, or -e 'SQL')")
		return exitUsage
	}
	for _, i := range paths {
		text, name, err := a.readScript(inputs[i].name)
		if err != nil {
			return a.fail("run", err)
		}
		inputs[i] = script{name: name, text: text}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var signalled atomic.Bool
	sigs, stopSigs := a.notify()
	defer stopSigs()
	go func() {
		select {
		case <-sigs:
			signalled.Store(true)
			cancel()
		case <-ctx.Done():
		}
	}()

	brokers, _, stopBroker, err := a.resolveBrokers(g)
	if err != nil {
		return a.fail("run", err)
	}
	defer stopBroker()
	eng, err := a.open(ctx, g, brokers, a.stdout, a.stderr)
	if err != nil {
		return a.fail("run", err)
	}
	defer eng.Close()

	msgs := a.stdout
	if g.format != render.Table {
		msgs = a.stderr // keep standard output pure JSON or CSV
	}
	p := &printer{out: a.stdout, msgs: msgs, format: g.format}
	if once {
		inputs = append([]script{{name: "--once", text: runOnce}}, inputs...)
	}
	sum := &summaries{eng: eng, out: msgs, printed: map[string]bool{}}
	stopped := func() int { // by a signal: stop every query, then say what each did
		eng.Close()
		sum.print()
		return exitOK
	}
	for _, in := range inputs {
		err := eng.Execute(ctx, in.text, func(r *result) error {
			if in.text == runOnce {
				return nil // the flag's own statement goes without saying
			}
			return p.print(ctx, r)
		})
		if signalled.Load() {
			return stopped()
		}
		if err != nil {
			io.WriteString(a.stderr, scriptError(in.name, in.text, err))
			return exitFail
		}
	}
	stopWatch := sum.watch()
	err = eng.Wait(ctx)
	stopWatch()
	if signalled.Load() {
		return stopped()
	}
	sum.print()
	if err != nil {
		return a.fail("run", err)
	}
	return exitOK
}

// summaries prints the summary line of each continuous query once, when it
// has ended.
type summaries struct {
	eng     sqlEngine
	out     io.Writer
	printed map[string]bool // query ids
}

// print prints the lines of the queries that ended since the last call.
func (s *summaries) print() {
	for _, q := range s.eng.Queries() {
		if q.State == engine.QueryRunning || s.printed[q.ID] {
			continue
		}
		s.printed[q.ID] = true
		_ = writeLine(s.out, q.Summary())
	}
}

// watch prints summaries as queries end, until the returned function is
// called.
func (s *summaries) watch() (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				s.print()
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// readScript reads a script file, or standard input for "-".
func (a *app) readScript(path string) (text, name string, err error) {
	if path == "-" {
		b, err := io.ReadAll(a.stdin)
		if err != nil {
			return "", "", fmt.Errorf("read standard input: %w", err)
		}
		return string(b), "<stdin>", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	return string(b), path, nil
}

// scriptError formats a failed statement of a script as
// "FILE:LINE:COL: message" followed by the offending line with a caret
// (and the hint); errors without a position print as "FILE: error: ...".
func scriptError(name, text string, err error) string {
	var pe *parser.Error
	if !errors.As(err, &pe) || !pe.Pos.IsValid() {
		return name + ": " + parser.Render(err, text) + "\n"
	}
	block := parser.Render(err, text)
	head := "error: " + pe.Error()
	rest := strings.TrimPrefix(strings.TrimPrefix(block, head), "\n")
	out := fmt.Sprintf("%s:%d:%d: %s\n", name, pe.Pos.Line, pe.Pos.Column, pe.Message())
	if rest != "" {
		out += rest + "\n"
	}
	return out
}
