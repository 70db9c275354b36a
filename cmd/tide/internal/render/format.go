package render

import (
	"fmt"
	"strings"
)

// Format is how rows print.
type Format uint8

const (
	// Table is aligned columns with box-drawing borders, for people.
	Table Format = iota
	// JSON is one object per row and line, column names as keys.
	JSON
	// CSV is a header line, then one line per row.
	CSV
)

// Formats lists the format names, for help texts and completion.
var Formats = []string{"table", "json", "csv"}

// ParseFormat reads a format name (table, json or csv).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "table":
		return Table, nil
	case "json":
		return JSON, nil
	case "csv":
		return CSV, nil
	}
	return Table, fmt.Errorf("unknown format %q (want table, json or csv)", s)
}

func (f Format) String() string {
	if int(f) < len(Formats) {
		return Formats[f]
	}
	return fmt.Sprintf("Format(%d)", f)
}

// Set and String make *Format a flag.Value.
func (f *Format) Set(s string) error {
	v, err := ParseFormat(s)
	if err != nil {
		return err
	}
	*f = v
	return nil
}
