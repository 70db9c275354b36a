// Package examples holds the runnable SQL of sql-examples/; the demo's
// script is embedded from here into the tide binary.
package examples

import _ "embed" // for the demo script

// Demo is demo.sql: `tide demo` runs it.
//
//go:embed demo.sql
var Demo string
