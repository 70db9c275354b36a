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

func TestBenchNexmarkRunsEveryQueryAndComparesWithFlink(t *testing.T) {
	ta := newTestApp(t, nil)
	if code := ta.main([]string{"bench", "--nexmark", "all", "--events", "20000", "--repeat", "2"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.errb.String())
	}
	out := ta.out.String()
	lines := map[string][]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			lines[f[0]] = f
		}
	}
	for _, q := range []string{"q0", "q1", "q2"} {
		f := lines[q]
		// query tasks events rows-out wall events/s events/CPU-s Flink/core vs-Flink
		if len(f) != 9 || f[2] != "20000" || f[7] != "400000" {
			t.Fatalf("%s: line %q in\n%s", q, strings.Join(f, " "), out)
		}
	}
	// q0 and q1 write every bid: 46 of every 50 events.
	if lines["q0"][3] != "18400" || lines["q1"][3] != "18400" {
		t.Errorf("rows out: q0 %s, q1 %s, want 18400", lines["q0"][3], lines["q1"][3])
	}
	if !strings.Contains(out, "medians of 2 runs") {
		t.Errorf("no note of the repeats:\n%s", out)
	}

	ta = newTestApp(t, nil)
	if code := ta.main([]string{"bench", "--nexmark", "q0", "--events", "5000", "--parallelism", "2"}); code != exitOK {
		t.Fatalf("--parallelism 2: exit %d: %s", code, ta.errb.String())
	}
	if f := strings.Fields(strings.Split(ta.out.String(), "\n")[1]); len(f) < 4 || f[1] != "2" || f[3] != "4600" {
		t.Errorf("q0 at 2 tasks: %q", ta.out.String())
	}
	for _, bad := range [][]string{{"--nexmark", "q99"}, {"--nexmark", "q0", "--events", "0"}} {
		ta = newTestApp(t, nil)
		if code := ta.main(append([]string{"bench"}, bad...)); code != exitUsage {
			t.Errorf("%v: exit %d", bad, code)
		}
		if bad[1] == "q99" && !strings.Contains(ta.errb.String(), "no such query (queries: q0, q1, q2") {
			t.Errorf("q99: %s", ta.errb.String())
		}
	}
}
