package kafka

import (
	"strings"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/connectors/format"
	"github.com/tide-sql/tide/executor"
)

func init() {
	executor.Register(&executor.Connector{
		Name:      "kafka",
		Options:   mergeOptions(SourceOptions, SinkOptions),
		NewSource: NewSource,
		NewSink:   NewSink,
		Columns:   sourceColumns,
		Changelog: isChangelog,
	})
}

// isChangelog reports whether a source table reads changes: an upsert
// topic, or a changelog format (debezium-json).
func isChangelog(t *catalog.Table) bool {
	if strings.EqualFold(strings.TrimSpace(t.Options["mode"]), "upsert") {
		return true
	}
	name := t.Options["format"]
	if name == "" {
		name = "json"
	}
	f, err := format.Lookup(name)
	return err == nil && f.Changelog
}

// mergeOptions lists the options of both sides once: an option both declare
// keeps the first's default and help, takes the synonyms of both, is
// required if either requires it and must pass both checks.
func mergeOptions(first, second []executor.Option) []executor.Option {
	out := append([]executor.Option(nil), first...)
	index := map[string]int{}
	for i, o := range out {
		index[strings.ToLower(o.Name)] = i
	}
	for _, o := range second {
		i, dup := index[strings.ToLower(o.Name)]
		if !dup {
			index[strings.ToLower(o.Name)] = len(out)
			out = append(out, o)
			continue
		}
		m := &out[i]
		m.Synonyms = unionFold(m.Synonyms, o.Synonyms)
		m.Required = m.Required || o.Required
		if m.Default == "" {
			m.Default = o.Default
		}
		m.Check = bothChecks(m.Check, o.Check)
	}
	return out
}

func unionFold(a, b []string) []string {
	out := append([]string(nil), a...)
next:
	for _, s := range b {
		for _, x := range out {
			if strings.EqualFold(x, s) {
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

func bothChecks(a, b func(string) error) func(string) error {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return func(v string) error {
		if err := a(v); err != nil {
			return err
		}
		return b(v)
	}
}
