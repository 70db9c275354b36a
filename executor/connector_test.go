package executor

import "testing"

func TestParseTaskReadsIOfN(t *testing.T) {
	for _, c := range []struct {
		v           string
		task, tasks int
		ok          bool
	}{{"", 0, 1, true}, {"0/1", 0, 1, true}, {"2/3", 2, 3, true}, {"3/3", 0, 1, false}, {"-1/2", 0, 1, false}, {"1/0", 0, 1, false}, {"x", 0, 1, false}} {
		task, tasks, err := ParseTask(c.v)
		if (err == nil) != c.ok || task != c.task || tasks != c.tasks {
			t.Errorf("ParseTask(%q) = %d, %d, %v", c.v, task, tasks, err)
		}
	}
}
