// Package examples holds the runnable SQL of sql-examples/; the demo's
// script and the Nexmark queries are embedded from here into the tide
// binary.
package examples

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Demo is demo.sql: `tide demo` runs it.
//
//go:embed demo.sql
var Demo string

// nexmarkFiles are the Nexmark queries, nexmark/qN.sql.
//
//go:embed nexmark/*.sql
var nexmarkFiles embed.FS

// NexmarkQueries lists the Nexmark queries there are (q0, q1, ...), in
// the order of their numbers.
func NexmarkQueries() []string {
	names, _ := fs.Glob(nexmarkFiles, "nexmark/q*.sql")
	var out []string
	for _, n := range names {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(n, "nexmark/"), ".sql"))
	}
	sort.Slice(out, func(i, j int) bool { return queryNumber(out[i]) < queryNumber(out[j]) })
	return out
}

func queryNumber(name string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(name, "q"))
	if err != nil {
		return 1 << 30
	}
	return n
}

// eventsOption is the events option of a nexmark source as the query files
// write it (events = 10000000); events_per_second does not match.
var eventsOption = regexp.MustCompile(`(?i)\bevents\s*=\s*'?\d+'?`)

// NexmarkScript returns the script of Nexmark query name (q0, ...), with
// the events option of its nexmark sources set to events if events > 0.
func NexmarkScript(name string, events int64) (string, error) {
	data, err := nexmarkFiles.ReadFile("nexmark/" + name + ".sql")
	if err != nil {
		return "", fmt.Errorf("no Nexmark query %s (queries: %s)", name, strings.Join(NexmarkQueries(), ", "))
	}
	script := string(data)
	if events <= 0 {
		return script, nil
	}
	if !eventsOption.MatchString(script) {
		return "", fmt.Errorf("nexmark/%s.sql has no events option to set", name)
	}
	return eventsOption.ReplaceAllString(script, fmt.Sprintf("events = %d", events)), nil
}
