package format

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// Format is one registered message format.
type Format struct {
	Name    string
	Aliases []string // other spellings of the format option (Flink's)
	// Options are the format's own options. Connectors that carry formats
	// accept them (Options lists every format's) and the format reads them
	// from Config.Table.Options; another format's options are refused.
	// They have no defaults: a connector fills defaults in for every table,
	// whatever its format.
	Options []executor.Option
	// NewSource binds the format to a source table, checking the table's
	// columns and options; nil if the format cannot be read.
	NewSource func(cfg Config) (Source, error)
	// NewSink binds the format to a sink table, checking its options; nil
	// if the format cannot be written.
	NewSink func(cfg Config) (Sink, error)
	// Columns, if set, supplies the columns of a source whose CREATE
	// SOURCE omits them (Avro: the latest schema of the subject
	// <topic>-value). Nil: the columns must be declared.
	Columns func(ctx context.Context, cfg Config) ([]catalog.Column, error)
	// Changelog formats decode changes, not rows (Debezium's envelope):
	// their records end with executor.DeletedColumn, TRUE for a row taken
	// back, and their tables have a PRIMARY KEY.
	Changelog bool
}

var (
	mu      sync.RWMutex
	formats = map[string]*Format{} // by lower-case name and alias
	order   []*Format              // in registration order
)

// Register adds f to the registry. A duplicate name or alias panics: that
// is a programming error caught at start-up.
func Register(f *Format) {
	mu.Lock()
	defer mu.Unlock()
	for _, n := range append([]string{f.Name}, f.Aliases...) {
		k := strings.ToLower(n)
		if _, dup := formats[k]; dup {
			panic("format: duplicate format " + n)
		}
		formats[k] = f
	}
	order = append(order, f)
}

// Lookup returns the format named name (or one of its aliases), in any case.
func Lookup(name string) (*Format, error) {
	mu.RLock()
	defer mu.RUnlock()
	if f, ok := formats[strings.ToLower(strings.TrimSpace(name))]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("unknown format %q: expected one of %s", name, strings.Join(namesLocked(), ", "))
}

// Names lists the registered names and aliases, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	out := make([]string, 0, len(formats))
	for _, f := range order {
		out = append(out, f.Name)
		out = append(out, f.Aliases...)
	}
	sort.Strings(out)
	return out
}

// CheckName is the Check of a connector's format option.
func CheckName(v string) error {
	if _, err := Lookup(v); err != nil {
		return fmt.Errorf("expected one of %s", strings.Join(Names(), ", "))
	}
	return nil
}

// Options lists the options of every registered format once (an option
// two formats declare keeps the first's declaration), for the option list
// of a connector that carries formats. Each option's Check is the first
// declarer's.
func Options() []executor.Option {
	mu.RLock()
	defer mu.RUnlock()
	var out []executor.Option
	seen := map[string]bool{}
	for _, f := range order {
		for _, o := range f.Options {
			if k := strings.ToLower(o.Name); !seen[k] {
				seen[k] = true
				out = append(out, o)
			}
		}
	}
	return out
}

// Bind finds the format that t's options (canonical, as Normalize returns
// them) name in formatOption, dflt when it is absent, and checks that the
// options of other formats are not set. It returns the format and its
// Config for the table, with the engine's hosts and default registry.
func Bind(t *catalog.Table, formatOption, dflt, topic string, env executor.Env) (*Format, Config, error) {
	name := strings.TrimSpace(t.Options[formatOption])
	if name == "" {
		name = dflt
	}
	f, err := Lookup(name)
	if err != nil {
		return nil, Config{}, err
	}
	own := map[string]bool{}
	for _, o := range f.Options {
		own[strings.ToLower(o.Name)] = true
	}
	for _, o := range Options() {
		k := strings.ToLower(o.Name)
		if _, set := t.Options[o.Name]; set && !own[k] {
			return nil, Config{}, fmt.Errorf("option %s is not an option of format %s (it belongs to %s)", o.Name, name, strings.Join(declarers(k), ", "))
		}
	}
	return f, Config{Name: strings.ToLower(name), Table: t, Topic: topic, Hosts: env.Hosts, Registry: env.Registry}, nil
}

// declarers names the formats that declare option k.
func declarers(k string) []string {
	mu.RLock()
	defer mu.RUnlock()
	var out []string
	for _, f := range order {
		for _, o := range f.Options {
			if strings.ToLower(o.Name) == k {
				out = append(out, f.Name)
			}
		}
	}
	return out
}
