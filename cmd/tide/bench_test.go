package main

import (
	"strings"
	"testing"
)

func TestBenchReportsEveryPhaseAgainstTheBaseline(t *testing.T) {
	ta := newTestApp(t, nil)
	ta.startBroker = startBroker // the real one
	if code := ta.main([]string{"bench", "--rows", "3000", "--keys", "10"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.errb.String())
	}
	out := ta.out.String()
	for _, phase := range []string{"produce (datagen → kafka)", "baseline", "filter", "window"} {
		if !strings.Contains(out, phase) {
			t.Errorf("no %q line in\n%s", phase, out)
		}
	}
	if !strings.Contains(out, "1.00") {
		t.Errorf("the baseline's ratio to itself is missing:\n%s", out)
	}
	if code := ta.main([]string{"bench", "--rows", "0"}); code != exitUsage {
		t.Errorf("--rows 0: exit %d", code)
	}
}
