package executor

// The connector registry. Each connector lives in its own folder under
// connectors/, registers itself here from an init function and declares
// what it can do (its capabilities); the engine finds connectors only
// through Lookup and never by importing them.

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tide-sql/tide/catalog"
)

// Env is what a connector may need from the running engine.
type Env struct {
	// Brokers is the default Kafka bootstrap list (flag, $TIDE_BROKERS or the
	// embedded broker), used when a table has no brokers option.
	Brokers string
	// Registry is the default Schema Registry URL ($TIDE_SCHEMA_REGISTRY or
	// the embedded broker's registry), used when a table has no
	// schema.registry option; "" when none is known.
	Registry string
	// StateDir is the engine's state directory.
	StateDir string
	// Table resolves another catalog table to its sink, for options such as
	// on_error = 'table:NAME' and late = 'table:NAME'.
	Table func(name string) (*catalog.Table, Sink, error)
	// Instance identifies the running engine (memory tables live per engine).
	Instance string
	// Console is where console tables print.
	Console io.Writer
	// Paths confines file-backed connectors to their roots (nil: anywhere).
	Paths *PathPolicy
	// Hosts confines the hosts connectors connect to (nil: any).
	Hosts *HostPolicy
}

// Option describes one connector option.
type Option struct {
	Name     string   // canonical name
	Synonyms []string // Spark/Flink spellings accepted for it
	Required bool
	Default  string
	// Check validates a value; nil accepts anything.
	Check func(v string) error
	Help  string
}

// Connector is one registered connector.
type Connector struct {
	Name    string
	Options []Option
	// NewSource builds a reader for a source table; nil if the connector
	// cannot be a source.
	NewSource func(t *catalog.Table, env Env) (SourceReader, error)
	// NewSink builds a sink for a table; nil if it cannot be a sink.
	NewSink func(t *catalog.Table, env Env) (Sink, error)
	// Prefixes are option-name prefixes whose keys the connector checks
	// itself (datagen's fields.<column>.<setting>); Normalize passes them
	// through in lower case.
	Prefixes []string

	// Capabilities: what the engine and the planner need to know of a
	// connector, declared here instead of being inferred from its name.

	// Volatile tables change under their readers (memory tables, which
	// queries of the same engine write): a lookup join reads them again at
	// every epoch instead of once.
	Volatile bool
	// ShowsChanges sinks take the updates of an updating query (EMIT
	// CHANGES) without a primary key: they show a changelog (console).
	ShowsChanges bool
	// Drop, if set, forgets the data a table of this connector holds in
	// the engine: DROP TABLE and CREATE OR REPLACE call it (memory). Nil
	// for connectors whose data outlives the table (a topic, files, rows in
	// PostgreSQL).
	Drop func(t *catalog.Table, env Env)
	// Columns, if set, supplies a source's columns (a generator's fixed
	// tables, a schema registry's subject): CREATE SOURCE may then leave
	// the column list out, or declare some of the columns to select them by
	// name. t has the source's name and normalised options, and the
	// declared columns, if any: a connector that reads declared columns as
	// they are (a Kafka topic's, resolved against each record's writer
	// schema) returns no columns for them. The watermark, if not nil, is
	// the one the source gets when CREATE SOURCE declares none and its
	// column is selected.
	Columns func(t *catalog.Table, env Env) ([]catalog.Column, *DefaultWatermark, error)
	// Changelog, if set, reports whether a source table of this connector
	// reads changes (a changelog format, an upsert topic): its reader's
	// records then end with DeletedColumn and the table has a PRIMARY KEY.
	Changelog func(t *catalog.Table) bool
}

// ErrNoColumns is what a Connector.Columns returns, wrapped with the
// reason, for a table it supplies no columns for (a Kafka topic of JSON
// messages: "format json supplies no columns"): CREATE SOURCE must declare
// them.
var ErrNoColumns = errors.New("supplies no columns")

// DefaultWatermark is the watermark a connector gives the sources whose
// columns it supplies: Column - Delay.
type DefaultWatermark struct {
	Column string
	Delay  time.Duration
}

// Changelog reports whether source table t reads changes (false for an
// unknown connector).
func Changelog(t *catalog.Table) bool {
	c, err := Lookup(t.Connector)
	return err == nil && c.Changelog != nil && c.Changelog(t)
}

// Volatile reports whether connector name's tables change under their
// readers (false for an unknown name).
func Volatile(name string) bool {
	c, err := Lookup(name)
	return err == nil && c.Volatile
}

// ShowsChanges reports whether connector name's sinks take updates without
// a primary key (false for an unknown name).
func ShowsChanges(name string) bool {
	c, err := Lookup(name)
	return err == nil && c.ShowsChanges
}

// DropData forgets what table t holds in the engine, if its connector keeps
// data there (see Connector.Drop); for other connectors it does nothing.
func DropData(t *catalog.Table, env Env) {
	if c, err := Lookup(t.Connector); err == nil && c.Drop != nil {
		c.Drop(t, env)
	}
}

var (
	mu       sync.RWMutex
	registry = map[string]*Connector{}
)

// Register adds c to the registry. It panics on a duplicate name: that is a
// programming error caught at start-up, not user input.
func Register(c *Connector) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[c.Name]; dup {
		panic("executor: duplicate connector " + c.Name)
	}
	registry[c.Name] = c
}

// Lookup returns the named connector.
func Lookup(name string) (*Connector, error) {
	mu.RLock()
	defer mu.RUnlock()
	c, ok := registry[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("unknown connector %q (known: %s)", name, strings.Join(namesLocked(), ", "))
	}
	return c, nil
}

// Names lists the registered connectors, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// OptionError is a bad connector option; Key names the option as the user
// wrote it, so that the caller can point at it.
type OptionError struct {
	Key string
	Msg string
}

func (e *OptionError) Error() string { return e.Msg }

// Normalize checks raw options (keys as written) against the connector's
// declared options and returns them under canonical names with defaults
// filled in. The "connector" key itself is ignored.
func (c *Connector) Normalize(raw map[string]string) (map[string]string, error) {
	out := map[string]string{}
	byName := map[string]*Option{}
	for i := range c.Options {
		o := &c.Options[i]
		byName[strings.ToLower(o.Name)] = o
		for _, s := range o.Synonyms {
			byName[strings.ToLower(s)] = o
		}
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := raw[k]
		if strings.EqualFold(k, "connector") {
			continue
		}
		o, ok := byName[strings.ToLower(k)]
		if !ok && c.hasPrefix(k) {
			out[strings.ToLower(k)] = v
			continue
		}
		if !ok {
			return nil, &OptionError{Key: k, Msg: fmt.Sprintf("unknown option %q for connector %s (options: %s)", k, c.Name, c.optionList())}
		}
		if prev, dup := out[o.Name]; dup && prev != v {
			return nil, &OptionError{Key: k, Msg: fmt.Sprintf("option %q is given twice (as %s too)", k, o.Name)}
		}
		if o.Check != nil {
			if err := o.Check(v); err != nil {
				return nil, &OptionError{Key: k, Msg: fmt.Sprintf("option %s = '%s': %v", k, v, err)}
			}
		}
		out[o.Name] = v
	}
	for _, o := range c.Options {
		if _, ok := out[o.Name]; ok {
			continue
		}
		if o.Required {
			return nil, &OptionError{Msg: fmt.Sprintf("connector %s needs option %s", c.Name, o.Name)}
		}
		if o.Default != "" {
			out[o.Name] = o.Default
		}
	}
	return out, nil
}

func (c *Connector) hasPrefix(k string) bool {
	for _, p := range c.Prefixes {
		if len(k) > len(p) && strings.EqualFold(k[:len(p)], p) {
			return true
		}
	}
	return false
}

func (c *Connector) optionList() string {
	names := make([]string, 0, len(c.Options))
	for _, o := range c.Options {
		names = append(names, o.Name)
	}
	return strings.Join(names, ", ")
}

// WholeNumber returns a Check accepting whole numbers of at least min.
func WholeNumber(min int64) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		switch {
		case err == nil && n >= min:
			return nil
		case min == 1:
			return fmt.Errorf("expected a whole number greater than 0")
		}
		return fmt.Errorf("expected a whole number, %d or more", min)
	}
}

// Integer is a Check accepting any whole number.
func Integer(v string) error {
	if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil {
		return fmt.Errorf("expected a whole number")
	}
	return nil
}

// OneOf returns a Check accepting only the listed values (case-insensitive).
func OneOf(values ...string) func(string) error {
	return func(v string) error {
		for _, x := range values {
			if strings.EqualFold(v, x) {
				return nil
			}
		}
		return fmt.Errorf("expected one of %s", strings.Join(values, ", "))
	}
}
