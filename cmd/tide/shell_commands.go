package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/cmd/tide/internal/render"
)

const shellHelp = `Statements end with ';' and may span several lines.
  SELECT ...;              a push query: rows print as they arrive, Ctrl-C stops it
  INSERT INTO t SELECT ...; a continuous query, runs in the background
  SHOW QUERIES; STOP QUERY id;  watch and stop continuous queries

Backslash commands:
  \help                    this text
  \d                       list sources, tables and views
  \d NAME                  describe a source, table or view
  \format table|json|csv   how rows print (now: %s)
  \timing                  print how long each statement took (now: %s)
  \q                       quit (or Ctrl-D)
`

// backslash runs a backslash command; quit reports \q.
func (s *shell) backslash(line string) (quit bool) {
	fields := strings.Fields(line)
	cmd, args := fields[0], fields[1:]
	switch cmd {
	case `\q`, `\quit`:
		return true
	case `\help`, `\h`, `\?`:
		fmt.Fprintf(s.out, shellHelp, s.format, onOff(s.timing))
	case `\format`:
		if len(args) != 1 {
			fmt.Fprintf(s.errw, "format is %s; \\format table|json|csv changes it\n", s.format)
			return false
		}
		f, err := render.ParseFormat(args[0])
		if err != nil {
			fmt.Fprintln(s.errw, "error:", err)
			return false
		}
		s.format = f
		fmt.Fprintf(s.out, "format is %s\n", f)
	case `\timing`:
		switch {
		case len(args) == 0:
			s.timing = !s.timing
		case strings.EqualFold(args[0], "on"):
			s.timing = true
		case strings.EqualFold(args[0], "off"):
			s.timing = false
		}
		fmt.Fprintf(s.out, "timing is %s\n", onOff(s.timing))
	case `\d`:
		if len(args) == 0 {
			s.listCatalog()
		} else {
			s.describe(strings.TrimSuffix(args[0], ";"))
		}
	default:
		fmt.Fprintf(s.errw, "unknown command %s (\\help lists them)\n", cmd)
	}
	return false
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// listCatalog prints the sources, tables and views.
func (s *shell) listCatalog() {
	cat := s.eng.Catalog()
	g := render.Grid{Columns: []string{"name", "kind", "connector", "columns"}}
	if cat != nil {
		for _, t := range cat.List("") {
			g.Rows = append(g.Rows, []any{t.Name, strings.ToLower(string(t.Kind)), orNil(t.Connector), int64(len(t.Columns))})
		}
	}
	g.Right = []bool{false, false, false, true}
	if err := render.Write(s.out, s.format, g); err != nil {
		fmt.Fprintln(s.errw, "error:", err)
	}
}

// describe prints one entry's columns, then its key, watermark and options.
func (s *shell) describe(name string) {
	cat := s.eng.Catalog()
	if cat == nil {
		fmt.Fprintf(s.errw, "error: no catalog\n")
		return
	}
	t, err := cat.Get(name)
	if err != nil {
		fmt.Fprintf(s.errw, "error: no source, table or view named %s (\\d lists them)\n", name)
		return
	}
	if err := render.Write(s.out, s.format, describeGrid(t)); err != nil {
		fmt.Fprintln(s.errw, "error:", err)
		return
	}
	if s.format == render.Table {
		fmt.Fprint(s.out, describeFooter(t))
	}
}

// describeGrid is one row per column: name, SQL type, nullability, key.
func describeGrid(t *catalog.Table) render.Grid {
	g := render.Grid{Columns: []string{"column", "type", "nullable", "key"}}
	for _, c := range t.Columns {
		key := ""
		for _, k := range t.PrimaryKey {
			if strings.EqualFold(k, c.Name) {
				key = "PRI"
			}
		}
		typ := c.SQLType
		if typ == "" && c.Type != nil {
			typ = catalog.TypeName(c.Type)
		}
		g.Rows = append(g.Rows, []any{c.Name, typ, !c.NotNull, key})
	}
	return g
}

// describeFooter names the kind, connector, options and watermark.
func describeFooter(t *catalog.Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", strings.ToLower(string(t.Kind)), t.Name)
	if t.Connector != "" {
		fmt.Fprintf(&b, ", connector %s", t.Connector)
	}
	b.WriteString("\n")
	if len(t.PrimaryKey) > 0 {
		fmt.Fprintf(&b, "primary key: %s\n", strings.Join(t.PrimaryKey, ", "))
	}
	if t.EventTime != "" {
		fmt.Fprintf(&b, "watermark: %s - %s\n", t.EventTime, t.WatermarkDelay)
	}
	keys := make([]string, 0, len(t.Options))
	for k := range t.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s = '%s'\n", k, t.Options[k])
	}
	if t.Kind == catalog.KindView && t.SQL != "" {
		fmt.Fprintf(&b, "query: %s\n", t.SQL)
	}
	return b.String()
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
