package window

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A small datadriven runner. A test file is a sequence of steps:
//
//	# comments say why the output is what it is
//	command args
//	input lines
//	----
//	expected output lines
//	<blank line>
//
// go test ./executor/window/ -rewrite regenerates every expected output
// from the actual one, keeping commands, inputs and comments.

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/*.test with the actual output")

// step is one command of a test file.
type step struct {
	comment []string // lines before the command
	line    int      // 1-based line of the command
	cmd     string   // first word
	args    []string // other words of the command line
	input   string
	want    string
}

func parseSteps(text string) ([]step, []string) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var steps []step
	var comment []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			comment = append(comment, l)
			continue
		}
		f := strings.Fields(l)
		s := step{comment: comment, line: i + 1, cmd: f[0], args: f[1:]}
		comment = nil
		var in, out []string
		for i++; i < len(lines) && lines[i] != "----"; i++ {
			in = append(in, lines[i])
		}
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
			out = append(out, lines[i])
		}
		s.input, s.want = strings.Join(in, "\n"), strings.Join(out, "\n")
		steps = append(steps, s)
	}
	return steps, comment
}

func formatSteps(steps []step, trailer []string) string {
	var b strings.Builder
	for _, s := range steps {
		for _, c := range s.comment {
			b.WriteString(c + "\n")
		}
		b.WriteString(strings.Join(append([]string{s.cmd}, s.args...), " ") + "\n")
		if s.input != "" {
			b.WriteString(s.input + "\n")
		}
		b.WriteString("----\n" + s.want + "\n\n")
	}
	for _, c := range trailer {
		b.WriteString(c + "\n")
	}
	return b.String()
}

// runDataDriven runs every file matching pattern: run is called per step
// and returns the step's actual output (a file shares state through the
// value newState returns, which finish tears down).
func runDataDriven[S any](t *testing.T, pattern string, newState func(t *testing.T) S,
	run func(t *testing.T, s S, st *step) string, finish func(t *testing.T, s S)) {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files match %s", pattern)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".test"), func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			steps, trailer := parseSteps(string(raw))
			state := newState(t)
			for i := range steps {
				st := &steps[i]
				got := strings.TrimRight(run(t, state, st), "\n")
				if got == "" {
					got = "(nothing)"
				}
				if *rewrite {
					st.want = got
					continue
				}
				if got != st.want {
					t.Errorf("%s:%d: %s\n--- want\n%s\n--- got\n%s", path, st.line, st.cmd, st.want, got)
				}
			}
			finish(t, state)
			if *rewrite {
				if err := os.WriteFile(path, []byte(formatSteps(steps, trailer)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
