package parser

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"

	"github.com/tide-sql/tide/internal/datadriven"
)

// TestParseGolden parses each case's input and prints either the
// statements (with the text TiDB parsed, restored from its AST) or the
// error rendered with its caret, as the shell shows it.
func TestParseGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.test")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			datadriven.RunFile(t, f, func(t *testing.T, c *datadriven.Case) string {
				stmts, err := Parse(c.Input)
				if err != nil {
					return Render(err, c.Input)
				}
				var b strings.Builder
				for _, s := range stmts {
					b.WriteString(describeStmt(s))
					b.WriteString("\n")
				}
				return b.String()
			})
		})
	}
}

func describeStmt(s Statement) string {
	switch s := s.(type) {
	case *CreateSource:
		return fmt.Sprintf("CreateSource %s cols=[%s] watermark=%s options=%s", s.Name, cols(s.Columns), wm(s.Watermark), opts(s.Options))
	case *CreateTable:
		if s.As != nil {
			return fmt.Sprintf("CreateTable %s options=%s as=%s", s.Name, opts(s.Options), query(s.As))
		}
		return fmt.Sprintf("CreateTable %s cols=[%s] pk=%v options=%s", s.Name, cols(s.Columns), s.PrimaryKey, opts(s.Options))
	case *CreateView:
		return fmt.Sprintf("CreateView %s query=%s", s.Name, query(s.Query))
	case *Insert:
		return fmt.Sprintf("Insert into=%s cols=%v query=%s", s.Table, s.Columns, query(s.Query))
	case *Select:
		return "Select " + query(s.Query)
	case *Explain:
		return "Explain " + describeStmt(s.Stmt)
	case *Show:
		return "Show " + s.What
	case *Describe:
		return fmt.Sprintf("Describe %s query=%v", s.Name, s.Query)
	case *StopQuery:
		return "StopQuery " + s.ID
	case *Drop:
		return fmt.Sprintf("Drop %s %s ifexists=%v", s.Kind, s.Name, s.IfExists)
	case *Set:
		return fmt.Sprintf("Set %s=%s", s.Name, s.Value)
	}
	return fmt.Sprintf("%T", s)
}

func cols(cs []ColumnDef) string {
	var parts []string
	for _, c := range cs {
		n := ""
		if c.NotNull {
			n = " NOT NULL"
		}
		parts = append(parts, fmt.Sprintf("%s %s(%s)%s", c.Name, c.SQLType, c.Type, n))
	}
	return strings.Join(parts, ", ")
}

func wm(w *WatermarkDef) string {
	if w == nil {
		return "-"
	}
	return fmt.Sprintf("%s-%s", w.Column, w.Delay)
}

func opts(os []Option) string {
	var parts []string
	for _, o := range os {
		parts = append(parts, o.Key+"="+o.Value)
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ", ") + "}"
}

func query(q *Query) string {
	var b strings.Builder
	ctx := format.NewRestoreCtx(format.DefaultRestoreFlags, &b)
	if err := q.AST.(ast.Node).Restore(ctx); err != nil {
		return "restore error: " + err.Error()
	}
	s := b.String()
	if q.Emit != EmitDefault {
		s += fmt.Sprintf(" emit=%d", q.Emit)
	}
	if q.Watermark != nil {
		s += " watermark=" + wm(q.Watermark)
	}
	return s
}

func TestMapperPointsIntoOriginalText(t *testing.T) {
	src := "SELECT a FROM t GROUP BY TUMBLE(ts, INTERVAL 5 MINUTES), a EMIT CHANGES"
	st, err := ParseOne(src)
	if err != nil {
		t.Fatal(err)
	}
	q := st.(*Select).Query
	sel := q.AST.(*ast.SelectStmt)
	// The second GROUP BY item ("a") sits after the rewritten interval.
	item := sel.GroupBy.Items[1].Expr
	got := q.Map.Pos(item.OriginTextPosition())
	want := strings.LastIndex(src, ", a") + 2
	if got.Offset != want {
		t.Fatalf("offset %d, want %d (%q)", got.Offset, want, src[got.Offset:])
	}
}

func TestSplitStatementsKnowsWhenAStatementIsComplete(t *testing.T) {
	for _, c := range []struct {
		in         string
		n          int
		incomplete bool
	}{
		{"SELECT 1;", 1, false},
		{"SELECT 1", 0, true},
		{"SELECT ';' FROM t;\nSELECT 2;", 2, false},
		{"SELECT 'abc", 0, true},
		{"-- just a comment", 0, false},
		{"SELECT 1; SELECT", 1, true},
	} {
		got, inc := SplitStatements(c.in)
		if len(got) != c.n || inc != c.incomplete {
			t.Errorf("%q: %d statements (incomplete=%v), want %d (%v)", c.in, len(got), inc, c.n, c.incomplete)
		}
	}
}
