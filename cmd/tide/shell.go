package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/chzyer/readline"

	"github.com/tide-sql/tide/cmd/tide/internal/render"
	"github.com/tide-sql/tide/parser"
)

const (
	promptFirst    = "tide> "
	promptContinue = "   -> "
	historyName    = ".tide_history"
)

const shellUsage = `tide [flags]   (or: tide shell [flags])

The interactive shell. Statements end with ';' and may span lines; \help
lists the backslash commands. Ctrl-C cancels a running SELECT (or clears
the line), Ctrl-D or \q leaves.`

// shell is one interactive session.
type shell struct {
	app     *app
	eng     sqlEngine
	rl      *readline.Instance
	out     io.Writer // rl's stdout: keeps the prompt intact under async output
	errw    io.Writer
	format  render.Format
	timing  bool
	pending []string        // lines of an unfinished statement
	width   func() int      // terminal width, 0 if unknown
	baseCtx context.Context // cancelled when the shell ends

	mu      sync.Mutex
	running context.CancelFunc // cancels the running statement; nil at the prompt
}

func (a *app) cmdShell(g globalOptions, args []string) int {
	fs := newFlagSet("tide", shellUsage, &g, a.stderr)
	var extra []string
	if err := parseFlags(fs, args, func(s string) { extra = append(extra, s) }); err != nil {
		return flagExit(err)
	}
	if err := unexpectedArgs("tide", extra); err != nil {
		fmt.Fprintln(a.stderr, "tide:", err)
		return exitUsage
	}

	// Ctrl-C is a key at the prompt (readline's raw mode) and SIGINT while a
	// statement runs: catch it for the whole session so it never kills the shell.
	sigs, stopSigs := a.notify()
	defer stopSigs()

	cfg, stdin := a.readlineConfig()
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return a.fail("shell", err)
	}
	// rl.Close does not close the input it reads (it closes only its own
	// wrapper), so a Readline in progress would never return: close it here.
	closeRL := sync.OnceFunc(func() { stdin.Close(); rl.Close() })
	defer closeRL()

	brokers, _, stopBroker, err := a.resolveBrokers(g)
	if err != nil {
		return a.fail("shell", err)
	}
	defer stopBroker()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	eng, err := a.open(ctx, g, brokers, rl.Stdout(), rl.Stderr())
	if err != nil {
		return a.fail("shell", err)
	}
	defer eng.Close()

	sh := &shell{
		app: a, eng: eng, rl: rl, out: rl.Stdout(), errw: rl.Stderr(), format: g.format,
		baseCtx: ctx,
		width:   func() int { return readline.GetScreenWidth() },
	}
	if !a.terminal() {
		sh.width = func() int { return 0 }
	}
	go sh.signals(sigs, func() { cancel(); closeRL() })
	rl.Config.AutoComplete = &completer{eng: eng}
	if a.terminal() {
		fmt.Fprintf(sh.out, "tide shell: statements end with ';', \\help for help, \\q to quit\n")
	}
	sh.loop()
	return exitOK
}

// signals cancels the running statement on SIGINT (Ctrl-C while a
// statement runs; at the prompt Ctrl-C is a key) and ends the shell on
// SIGTERM.
func (s *shell) signals(sigs <-chan os.Signal, quit context.CancelFunc) {
	for {
		select {
		case sig := <-sigs:
			s.mu.Lock()
			if s.running != nil {
				s.running()
			}
			s.mu.Unlock()
			if sig == syscall.SIGTERM {
				quit()
				return
			}
		case <-s.baseCtx.Done():
			return
		}
	}
}

// readlineConfig sets up line editing over the app's input, returned too
// so that the shell can close it; outside a terminal (tests, pipes) it also
// writes to the app's streams.
func (a *app) readlineConfig() (*readline.Config, io.Closer) {
	stdin := readline.NewCancelableStdin(a.stdin)
	cfg := &readline.Config{
		Prompt:                 promptFirst,
		HistoryFile:            historyPath(),
		DisableAutoSaveHistory: true, // a statement is saved once, not line by line
		HistorySearchFold:      true,
		InterruptPrompt:        "^C",
		EOFPrompt:              `\q`,
		Stdin:                  stdin,
	}
	if !a.terminal() {
		cfg.Stdout = a.stdout
		cfg.Stderr = a.stderr
		cfg.FuncIsTerminal = func() bool { return false }
	}
	return cfg, stdin
}

// historyPath is ~/.tide_history ("" if there is no home: no history).
func historyPath() string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, historyName)
}

// loop reads lines until \q or Ctrl-D.
func (s *shell) loop() {
	for s.baseCtx.Err() == nil {
		if len(s.pending) == 0 {
			s.rl.SetPrompt(promptFirst)
		} else {
			s.rl.SetPrompt(promptContinue)
		}
		line, err := s.rl.Readline()
		if errors.Is(err, readline.ErrInterrupt) {
			s.pending = nil // Ctrl-C at the prompt clears the statement
			continue
		}
		if err != nil { // io.EOF: Ctrl-D
			return
		}
		if len(s.pending) == 0 {
			trimmed := strings.TrimSpace(line)
			if trimmed == "" {
				continue
			}
			if strings.HasPrefix(trimmed, `\`) {
				_ = s.rl.SaveHistory(trimmed)
				if quit := s.backslash(trimmed); quit {
					return
				}
				continue
			}
		}
		s.pending = append(s.pending, line)
		text := strings.Join(s.pending, "\n")
		stmts, incomplete := parser.SplitStatements(text)
		if incomplete {
			continue
		}
		s.pending = nil
		if len(stmts) == 0 {
			continue // only comments or ';'
		}
		_ = s.rl.SaveHistory(strings.Join(strings.Fields(text), " "))
		s.execute(text)
	}
}

// execute runs the statements of text; Ctrl-C (SIGINT) cancels them.
func (s *shell) execute(text string) {
	ctx, cancel := context.WithCancel(s.baseCtx)
	s.mu.Lock()
	s.running = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running = nil
		s.mu.Unlock()
	}()
	p := &printer{out: s.out, msgs: s.out, format: s.format, inPlace: s.width() > 0, width: s.width}
	start := time.Now()
	err := s.eng.Execute(ctx, text, func(r *result) error { return p.print(ctx, r) })
	elapsed := time.Since(start)
	cancelled := ctx.Err() != nil && s.baseCtx.Err() == nil
	cancel()
	switch {
	case cancelled && p.inPlace:
		fmt.Fprintln(s.out, "\r(cancelled)") // over the echoed "^C"
	case cancelled:
		fmt.Fprintln(s.out, "(cancelled)")
	case err != nil:
		fmt.Fprintln(s.errw, parser.Render(err, text))
	}
	if s.timing {
		fmt.Fprintf(s.out, "Time: %.3f ms\n", float64(elapsed.Microseconds())/1000)
	}
}
