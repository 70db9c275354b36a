package main

// The shell in a real terminal: the tide binary runs in a tmux session,
// keys are sent with send-keys and the screen is read with capture-pane.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/connectors/kafka"
)

type tmuxSession struct {
	t    *testing.T
	name string
}

// startTmux runs command in a detached 200x50 tmux session.
func startTmux(t *testing.T, command string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (apt-get install tmux)")
	}
	s := &tmuxSession{t: t, name: "tide-test-" + strings.ReplaceAll(filepath.Base(t.TempDir()), " ", "")}
	out, err := exec.Command("tmux", "new-session", "-d", "-s", s.name, "-x", "200", "-y", "50", command).CombinedOutput()
	if err != nil {
		t.Fatalf("tmux new-session: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "kill-session", "-t", s.name).Run() })
	return s
}

// keys sends tmux key names ("Enter", "C-c", "Tab").
func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	if out, err := exec.Command("tmux", append([]string{"send-keys", "-t", s.name}, keys...)...).CombinedOutput(); err != nil {
		s.t.Fatalf("send-keys: %v: %s", err, out)
	}
}

// typeText types text literally. tmux reads an argument ending in ';' as a
// command separator unless it is escaped as "\;".
func (s *tmuxSession) typeText(text string) {
	s.t.Helper()
	if strings.HasSuffix(text, ";") {
		text = strings.TrimSuffix(text, ";") + `\;`
	}
	if out, err := exec.Command("tmux", "send-keys", "-t", s.name, "-l", text).CombinedOutput(); err != nil {
		s.t.Fatalf("send-keys -l: %v: %s", err, out)
	}
}

// line types text and Enter.
func (s *tmuxSession) line(text string) {
	s.t.Helper()
	s.typeText(text)
	s.keys("Enter")
}

// screen is the pane's text with its scrollback.
func (s *tmuxSession) screen() string {
	out, _ := exec.Command("tmux", "capture-pane", "-p", "-S", "-", "-t", s.name).Output()
	return string(out)
}

// prompts counts the prompts shown so far.
func (s *tmuxSession) prompts() int {
	n := 0
	for _, l := range strings.Split(s.screen(), "\n") {
		if strings.HasPrefix(l, "tide>") {
			n++
		}
	}
	return n
}

// run types a line and waits for the next empty prompt.
func (s *tmuxSession) run(text string) {
	s.t.Helper()
	n := s.prompts()
	s.line(text)
	s.waitPrompt(n + 1)
}

// waitScreen waits until the screen contains want.
func (s *tmuxSession) waitScreen(want string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.screen(), want) {
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q:\n%s", want, s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitPrompt waits until n prompts were shown and the last line is an
// empty prompt (capture-pane drops its trailing space).
func (s *tmuxSession) waitPrompt(n int) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		lines := strings.Split(strings.TrimRight(s.screen(), "\n "), "\n")
		if strings.TrimSpace(lines[len(lines)-1]) == "tide>" && s.prompts() >= n {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no prompt:\n%s", s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// alive reports whether the session (the shell) still runs.
func (s *tmuxSession) alive() bool {
	return exec.Command("tmux", "has-session", "-t", s.name).Run() == nil
}

// buildTide builds the binary into a temporary directory.
func buildTide(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tide")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestShellInTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	requireEngine(t)
	bin := buildTide(t)
	home, state := t.TempDir(), t.TempDir()
	// A broker with the topic the push query waits on.
	b, err := kafka.StartBroker("127.0.0.1:0", 1, "clicks")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	s := startTmux(t, "env HOME="+home+" "+bin+" --state-dir "+state+" --brokers "+b.Addr())
	s.waitPrompt(1)

	// A statement over two lines: the continuation prompt, then the result.
	s.line("CREATE SOURCE g (a BIGINT)")
	s.waitScreen("   ->")
	s.run("  WITH (connector = 'datagen', rows = '3', rows_per_second = '0');")
	s.run("SELECT a AS one FROM g;")
	if !strings.Contains(s.screen(), "│ one │") || !strings.Contains(s.screen(), "(3 rows)") {
		t.Fatalf("no result:\n%s", s.screen())
	}

	// Ctrl-C at the prompt clears the line and keeps the shell.
	s.typeText("SELECT garbage")
	s.keys("C-c")
	time.Sleep(200 * time.Millisecond)
	if !s.alive() {
		t.Fatal("Ctrl-C at the prompt ended the shell")
	}

	// Ctrl-C during a push query cancels it and gives the prompt back.
	s.run("CREATE SOURCE clicks (a BIGINT) WITH (connector = 'kafka', topic = 'clicks', format = 'json');")
	n := s.prompts()
	s.line("SELECT * FROM clicks;")
	time.Sleep(time.Second)
	s.keys("C-c")
	s.waitScreen("(cancelled)")
	s.waitPrompt(n + 1)
	s.run("SELECT a AS two FROM g;")
	if !strings.Contains(s.screen(), "│ two │") {
		t.Fatalf("no result after the cancelled query:\n%s", s.screen())
	}

	// Tab completes catalog names.
	s.typeText(`\d cli`)
	s.keys("Tab")
	s.waitScreen(`\d clicks`)
	s.keys("Enter")
	s.waitScreen("connector kafka")

	s.line(`\q`)
	deadline := time.Now().Add(10 * time.Second)
	for s.alive() {
		if time.Now().After(deadline) {
			t.Fatalf("\\q did not end the shell:\n%s", s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
	hist, err := os.ReadFile(filepath.Join(home, historyName))
	if err != nil || !strings.Contains(string(hist), "CREATE SOURCE g (a BIGINT) WITH (connector = 'datagen', rows = '3', rows_per_second = '0');") {
		t.Errorf("history %q (%v)", hist, err)
	}
}
