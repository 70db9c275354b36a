// Package datadriven runs golden test files: each case is a command line,
// input lines, a "----" separator and the expected output, ended by a
// blank line. With -rewrite the expected outputs are regenerated, so that
// goldens are reviewed as diffs, never typed by hand.
//
//	# a comment says why the output is what it is
//	parse
//	SELECT a FORM t
//	----
//	error: line 1, column 15: syntax error at or near "t"
package datadriven

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite golden files with the actual output")

// Case is one test case of a file.
type Case struct {
	Pos   string   // file:line, for messages
	Cmd   string   // first word of the command line
	Args  []string // other words of the command line
	Input string   // lines between the command and "----"
	want  string
	start int // line index of the command
	end   int // line index after the case
}

// HasArg reports whether the command line has the word a.
func (c *Case) HasArg(a string) bool {
	for _, x := range c.Args {
		if x == a {
			return true
		}
	}
	return false
}

// RunFile runs every case of path through run and compares its output.
func RunFile(t *testing.T, path string, run func(t *testing.T, c *Case) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	cases := parse(t, path, lines)
	var outs []string
	for _, c := range cases {
		got := strings.TrimRight(run(t, c), "\n")
		got = strings.ReplaceAll(got, "\n\n", "\n.\n") // blank lines end a case
		outs = append(outs, got)
		if !*rewrite && got != c.want {
			t.Errorf("%s: %s %s\n%s\n---- got:\n%s\n---- want:\n%s", c.Pos, c.Cmd, strings.Join(c.Args, " "), c.Input, got, c.want)
		}
	}
	if *rewrite {
		var b strings.Builder
		prev := 0
		for i, c := range cases {
			for _, l := range lines[prev:c.start] {
				b.WriteString(l + "\n")
			}
			b.WriteString(lines[c.start] + "\n")
			if c.Input != "" {
				b.WriteString(c.Input + "\n")
			}
			b.WriteString("----\n")
			if outs[i] != "" {
				b.WriteString(outs[i] + "\n")
			}
			prev = c.end
		}
		for _, l := range lines[prev:] {
			b.WriteString(l + "\n")
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func parse(t *testing.T, path string, lines []string) []*Case {
	var cases []*Case
	for i := 0; i < len(lines); {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "#") {
			i++
			continue
		}
		f := strings.Fields(l)
		c := &Case{Pos: path + ":" + itoa(i+1), Cmd: f[0], Args: f[1:], start: i}
		i++
		var in []string
		for i < len(lines) && lines[i] != "----" {
			in = append(in, lines[i])
			i++
		}
		if i == len(lines) {
			t.Fatalf("%s: case without ----", c.Pos)
		}
		i++
		var want []string
		for i < len(lines) && lines[i] != "" {
			want = append(want, lines[i])
			i++
		}
		c.Input = strings.Join(in, "\n")
		c.want = strings.Join(want, "\n")
		c.end = i
		cases = append(cases, c)
	}
	return cases
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
