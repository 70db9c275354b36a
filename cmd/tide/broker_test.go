package main

import (
	"os"
	"strings"
	"testing"
)

func TestBrokerCommandChecksItsFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--partitions", "0"}, "--partitions must be at least 1, not 0"},
		{[]string{"--max-message-bytes", "0"}, "--max-message-bytes must be between 1 and 104857600, not 0"},
		{[]string{"--retention-bytes", "0"}, "--retention-bytes must be positive, or -1 for no limit, not 0"},
		{[]string{"--retention-bytes", "-2"}, "not -2"},
		{[]string{"--retention-check", "0s"}, "--retention-check must be at least 1ms"},
		{[]string{"extra"}, "broker: unexpected argument extra"},
	} {
		ta := newTestApp(t, nil)
		if code := ta.main(append([]string{"broker", "--addr", "127.0.0.1:0"}, c.args...)); code != exitUsage || !strings.Contains(ta.errb.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, ta.errb.String(), c.want)
		}
	}
}

// TestBrokerCommandSaysWhatItIs: the broker announces its address and,
// honestly, what kind of broker it is.
func TestBrokerCommandSaysWhatItIs(t *testing.T) {
	ta := newTestApp(t, nil)
	done := make(chan int)
	go func() {
		done <- ta.main([]string{"broker", "--addr", "127.0.0.1:0", "--no-auto-create", "--partitions", "4",
			"--max-message-bytes", "5000", "--retention-bytes", "-1"})
	}()
	waitFor(t, func() bool { return strings.Contains(ta.errb.String(), "per partition") })
	if !strings.Contains(ta.out.String(), "listening at 127.0.0.1:") {
		t.Errorf("stdout %q", ta.out.String())
	}
	want := "tide: in memory, one node; topics not created on first use (4 partitions); max message 5000 bytes; retention unlimited per partition\n"
	if !strings.Contains(ta.errb.String(), want) {
		t.Errorf("stderr %q, want %q", ta.errb.String(), want)
	}
	ta.sigs <- os.Interrupt
	if code := <-done; code != exitOK {
		t.Errorf("exit %d", code)
	}
}

func TestRetentionText(t *testing.T) {
	for n, want := range map[int64]string{-1: "unlimited", 1 << 30: "1 GiB", 3 << 30: "3 GiB", 512 << 20: "512 MiB", 3000: "3000 bytes", 1<<30 + 1: "1073741825 bytes"} {
		if got := retentionText(n); got != want {
			t.Errorf("retentionText(%d) = %q, want %q", n, got, want)
		}
	}
}
