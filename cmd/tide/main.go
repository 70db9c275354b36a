// Command tide is the streaming SQL engine's command line: the interactive
// shell (no arguments), `run` for .sql scripts, `serve` for the HTTP
// endpoint, `broker` and `produce` for a local Kafka-protocol broker,
// `topic`, `consume` and `group`, Kafka tools for any cluster, and `demo`.
// Every command is a thin layer over the engine's Execute or franz-go;
// this package only wires, parses flags and prints.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/chzyer/readline"

	_ "github.com/tide-sql/tide/connectors/all" // the binary ships every connector
	"github.com/tide-sql/tide/executor"
	"github.com/tide-sql/tide/executor/engine"
)

func main() {
	os.Exit(newApp().main(os.Args[1:]))
}

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // a statement, a query or the command failed
	exitUsage = 2 // bad flags or arguments
)

// app holds what the commands take from the process, so that tests can run
// them in-process with their own streams, environment and engine.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// openEngine opens the engine (the real one outside tests).
	openEngine func(ctx context.Context, cfg engine.Config) (sqlEngine, error)
	// startBroker starts an in-process broker.
	startBroker func(addr string, partitions int32) (embeddedBroker, error)
	// notify delivers SIGINT and SIGTERM until stop is called.
	notify func() (sigs <-chan os.Signal, stop func())
	// terminal reports whether stdin and stdout are a terminal.
	terminal func() bool
}

func newApp() *app {
	return &app{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		getenv:      os.Getenv,
		openEngine:  openRealEngine,
		startBroker: startBroker,
		notify: func() (<-chan os.Signal, func()) {
			ch := make(chan os.Signal, 1)
			signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
			return ch, func() { signal.Stop(ch) }
		},
		terminal: func() bool {
			return readline.IsTerminal(int(os.Stdin.Fd())) && readline.IsTerminal(int(os.Stdout.Fd()))
		},
	}
}

// main runs the command named by args and returns the exit code.
func (a *app) main(args []string) int {
	g := defaultGlobals()
	cmd, rest, err := splitCommand(args, &g)
	if err != nil {
		fmt.Fprintf(a.stderr, "tide: %v\n(tide help lists the commands and flags)\n", err)
		return exitUsage
	}
	var run func(globalOptions, []string) int
	switch cmd {
	case "", "shell":
		run = a.cmdShell
	case "run":
		run = a.cmdRun
	case "serve":
		run = a.cmdServe
	case "broker":
		run = a.cmdBroker
	case "produce":
		run = a.cmdProduce
	case "topic":
		run = a.cmdTopic
	case "consume":
		run = a.cmdConsume
	case "group":
		run = a.cmdGroup
	case "demo":
		run = a.cmdDemo
	case "bench":
		run = a.cmdBench
	case "version", "--version":
		run = a.cmdVersion
	case "help":
		run = a.cmdHelp
	default:
		fmt.Fprintf(a.stderr, "tide: unknown command %q\n(tide help lists the commands)\n", cmd)
		return exitUsage
	}
	return run(g, rest)
}

// flagExit is the exit code after a flag parsing error (the flag package
// has printed it with the usage): 0 for -h, 2 otherwise.
func flagExit(err error) int {
	if errors.Is(err, errHelp) {
		return exitOK
	}
	return exitUsage
}

// open opens the engine with the state directory, brokers and Schema
// Registry resolved.
func (a *app) open(ctx context.Context, g globalOptions, ep kafkaEndpoints, console io.Writer, logw io.Writer) (sqlEngine, error) {
	return a.openWith(ctx, g, ep, console, logw, nil, nil)
}

// openWith is open with file connectors confined to paths and network
// connectors to hosts (nil: anywhere).
func (a *app) openWith(ctx context.Context, g globalOptions, ep kafkaEndpoints, console io.Writer, logw io.Writer,
	paths *executor.PathPolicy, hosts *executor.HostPolicy) (sqlEngine, error) {
	cfg := engine.Config{
		StateDir: g.stateDir,
		Paths:    paths,
		Hosts:    hosts,
		Brokers:  ep.Brokers,
		Registry: ep.Registry,
		Logf: func(format string, args ...any) {
			fmt.Fprintf(logw, "tide: "+format+"\n", args...)
		},
	}
	if console != nil {
		cfg.Console = console
	}
	return a.openEngine(ctx, cfg)
}

// interruptible is a context that SIGINT or SIGTERM cancels, for commands
// that stop cleanly on Ctrl-C; cancel releases the signals.
func (a *app) interruptible() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs, stopSigs := a.notify()
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(); stopSigs() }
}

// fail prints "tide: cmd: err" and returns exitFail.
func (a *app) fail(cmd string, err error) int {
	fmt.Fprintf(a.stderr, "tide %s: %v\n", cmd, err)
	return exitFail
}
