package planner_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/internal/datadriven"
	"github.com/tide-sql/tide/parser"
	"github.com/tide-sql/tide/planner"
)

// TestPlanGolden runs planner/testdata/*.test: `catalog` cases create
// sources and tables (as the engine would, without connectors), `explain`
// cases print the plan tree or the error with its caret.
func TestPlanGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.test")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cat := catalog.New()
			settings := map[string]string{}
			p := &planner.Planner{Catalog: cat, Setting: func(name string) string { return settings[name] }}
			datadriven.RunFile(t, f, func(t *testing.T, c *datadriven.Case) string {
				stmts, err := parser.Parse(c.Input)
				if err != nil {
					return parser.Render(err, c.Input)
				}
				var out []string
				for _, st := range stmts {
					if set, ok := st.(*parser.Set); ok {
						settings[set.Name] = set.Value
						continue
					}
					s, err := apply(p, cat, st, c.Cmd)
					if err != nil {
						return parser.Render(err, c.Input)
					}
					if s != "" {
						out = append(out, s)
					}
				}
				return strings.Join(out, "\n")
			})
		})
	}
}

func apply(p *planner.Planner, cat *catalog.Catalog, st parser.Statement, cmd string) (string, error) {
	switch s := st.(type) {
	case *parser.CreateSource:
		t := &catalog.Table{Name: s.Name, Kind: catalog.KindSource, Connector: "kafka", Options: map[string]string{}, SQL: s.Text()}
		for _, o := range s.Options {
			t.Options[o.Key] = o.Value
		}
		for _, c := range s.Columns {
			t.Columns = append(t.Columns, catalog.Column{Name: c.Name, Type: c.Type, SQLType: c.SQLType})
		}
		if s.Watermark != nil {
			t.EventTime, t.WatermarkDelay = s.Watermark.Column, s.Watermark.Delay
		}
		return "", cat.Put(t, false)
	case *parser.CreateTable:
		t := &catalog.Table{Name: s.Name, Kind: catalog.KindTable, Connector: "memory", PrimaryKey: s.PrimaryKey, SQL: s.Text()}
		for _, o := range s.Options {
			if o.Key == "connector" {
				t.Connector = o.Value
			}
		}
		for _, c := range s.Columns {
			t.Columns = append(t.Columns, catalog.Column{Name: c.Name, Type: c.Type, SQLType: c.SQLType, NotNull: c.NotNull})
		}
		return "", cat.Put(t, false)
	case *parser.CreateView:
		if _, err := p.PlanQuery(s.Query); err != nil {
			return "", err
		}
		return "", cat.Put(&catalog.Table{Name: s.Name, Kind: catalog.KindView, SQL: s.Text()}, false)
	case *parser.Insert:
		plan, err := p.PlanInsert(s)
		if err != nil {
			return "", err
		}
		return strings.TrimRight(planner.Explain(plan.Root), "\n"), nil
	case *parser.Select:
		plan, err := p.PlanQuery(s.Query)
		if err != nil {
			return "", err
		}
		return strings.TrimRight(planner.Explain(plan.Root), "\n"), nil
	}
	return "", nil
}
