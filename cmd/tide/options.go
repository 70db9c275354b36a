package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tide-sql/tide/cmd/tide/internal/render"
)

// globalOptions are the flags every command takes.
type globalOptions struct {
	brokers  string        // --brokers host:port[,host:port]
	stateDir string        // --state-dir DIR
	format   render.Format // --format table|json|csv
}

func defaultGlobals() globalOptions {
	return globalOptions{stateDir: "./tide-state", format: render.Table}
}

// register adds the global flags to fs.
func (g *globalOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&g.brokers, "brokers", g.brokers, "Kafka bootstrap `host:port` list (default: $TIDE_BROKERS, else an embedded broker)")
	fs.StringVar(&g.stateDir, "state-dir", g.stateDir, "`directory` for the catalog and query checkpoints")
	fs.Var(&g.format, "format", "how rows print: `table|json|csv` (default table)")
}

// errHelp is returned by parseFlags for -h/--help after printing usage.
var errHelp = flag.ErrHelp

// newFlagSet returns a flag set for command name with the global flags.
func newFlagSet(name, usage string, g *globalOptions, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	g.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(out, "usage: %s\n\nflags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args with flags and positional arguments in any order
// (`tide run a.sql --once b.sql`), calling positional for each positional
// argument in the order given. "--" ends the flags.
func parseFlags(fs *flag.FlagSet, args []string, positional func(string)) error {
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return nil
		}
		// flag stops at the first non-flag, and also right after "--".
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			for _, a := range rest {
				positional(a)
			}
			return nil
		}
		positional(rest[0])
		args = rest[1:]
	}
}

// splitCommand parses the global flags that come before the command name
// and returns the command and its arguments.
func splitCommand(args []string, g *globalOptions) (cmd string, rest []string, err error) {
	fs := newFlagSet("tide", "tide [flags] [command] [args]", g, io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "help", nil, nil
		}
		return "", nil, err
	}
	rest = fs.Args()
	if len(rest) == 0 {
		return "", nil, nil
	}
	return rest[0], rest[1:], nil
}

// stringList is a repeatable flag whose values are also recorded in order
// with the positional arguments (run's -e).
type stringList struct {
	add func(string)
}

func (l stringList) String() string     { return "" }
func (l stringList) Set(v string) error { l.add(v); return nil }

// unexpectedArgs rejects positional arguments for commands that take none.
func unexpectedArgs(cmd string, extra []string) error {
	if len(extra) == 0 {
		return nil
	}
	return fmt.Errorf("%s: unexpected argument %s", cmd, strings.Join(extra, " "))
}
