package main

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/tide-sql/tide/cmd/tide/internal/render"
)

func TestGlobalFlagsBeforeAndAfterTheCommand(t *testing.T) {
	g := defaultGlobals()
	cmd, rest, err := splitCommand([]string{"--state-dir", "/s", "--format=json", "run", "a.sql", "--brokers", "h:1"}, &g)
	if err != nil {
		t.Fatal(err)
	}
	if cmd != "run" || !reflect.DeepEqual(rest, []string{"a.sql", "--brokers", "h:1"}) {
		t.Fatalf("cmd %q rest %q", cmd, rest)
	}
	if g.stateDir != "/s" || g.format != render.JSON {
		t.Errorf("globals before the command: %+v", g)
	}
	fs := newFlagSet("run", "", &g, io.Discard)
	var pos []string
	if err := parseFlags(fs, rest, func(s string) { pos = append(pos, s) }); err != nil {
		t.Fatal(err)
	}
	if g.brokers != "h:1" || !reflect.DeepEqual(pos, []string{"a.sql"}) {
		t.Errorf("after the command: brokers %q positional %q", g.brokers, pos)
	}
}

func TestDefaults(t *testing.T) {
	g := defaultGlobals()
	cmd, _, err := splitCommand(nil, &g)
	if err != nil || cmd != "" {
		t.Fatalf("no args: cmd %q err %v (want the shell)", cmd, err)
	}
	if g.stateDir != "./tide-state" || g.format != render.Table || g.brokers != "" {
		t.Errorf("defaults: %+v", g)
	}
}

func TestFlagsInterleaveWithPositionalArguments(t *testing.T) {
	g := defaultGlobals()
	fs := newFlagSet("run", "", &g, io.Discard)
	var order []string
	fs.Var(stringList{add: func(s string) { order = append(order, "-e:"+s) }}, "e", "")
	once := fs.Bool("once", false, "")
	args := []string{"a.sql", "-e", "SELECT 1", "--once", "-", "b.sql", "--", "--weird.sql"}
	if err := parseFlags(fs, args, func(s string) { order = append(order, s) }); err != nil {
		t.Fatal(err)
	}
	want := []string{"a.sql", "-e:SELECT 1", "-", "b.sql", "--weird.sql"}
	if !reflect.DeepEqual(order, want) || !*once {
		t.Errorf("order %q once %v, want %q", order, *once, want)
	}
}

func TestBadFlagIsAUsageError(t *testing.T) {
	ta := newTestApp(t, &fakeEngine{})
	for _, args := range [][]string{
		{"--format", "xml"},
		{"run", "--format", "xml", "-e", "x"},
		{"run", "--nosuch"},
		{"nosuch"},
		{"run"},
		{"serve", "extra"},
	} {
		if code := ta.main(args); code != exitUsage {
			t.Errorf("tide %s: exit %d, want %d", strings.Join(args, " "), code, exitUsage)
		}
	}
	if !strings.Contains(ta.errb.String(), `unknown format "xml"`) {
		t.Errorf("stderr does not explain the format:\n%s", ta.errb.String())
	}
}

func TestHelpAndVersion(t *testing.T) {
	ta := newTestApp(t, nil)
	if code := ta.main([]string{"help"}); code != exitOK || !strings.Contains(ta.out.String(), "tide run") {
		t.Errorf("help: exit %d\n%s", code, ta.out.String())
	}
	if code := ta.main([]string{"help", "serve"}); code != exitOK || !strings.Contains(ta.out.String(), "/v1/sql") {
		t.Errorf("help serve: exit %d\n%s", code, ta.out.String())
	}
	if code := ta.main([]string{"version"}); code != exitOK || !strings.Contains(ta.out.String(), "tide ") {
		t.Errorf("version: exit %d", code)
	}
	if code := ta.main([]string{"run", "-h"}); code != exitOK {
		t.Errorf("run -h: exit %d", code)
	}
}
