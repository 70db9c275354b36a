package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
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
		{[]string{"--registry-addr", "8081"}, `--registry-addr must be host:port (or off), not "8081"`},
		{[]string{"--registry-addr", "127.0.0.1:99999"}, `not "127.0.0.1:99999"`},
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
	// Asked for any free port, it serves its Schema Registry on another.
	m := regexp.MustCompile(`Schema Registry \(Confluent REST API\) listening at (http://127\.0\.0\.1:\d+) \(export TIDE_SCHEMA_REGISTRY=(\S+)\)`).FindStringSubmatch(ta.out.String())
	if m == nil || m[1] != m[2] {
		t.Fatalf("stdout %q", ta.out.String())
	}
	if body := httpGet(t, m[1]+"/subjects"); body != "[]" {
		t.Errorf("GET /subjects: %s", body)
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

// By default the registry listens on the broker's next port; with
// --registry-addr elsewhere; with off nowhere; a taken address stops the
// command with an error naming it.
func TestBrokerCommandPlacesItsRegistry(t *testing.T) {
	// run runs tide broker until it has started (then stops it) or failed.
	run := func(t *testing.T, args ...string) (out, errs string, code int) {
		ta := newTestApp(t, nil)
		done := make(chan int, 1)
		go func() { done <- ta.main(append([]string{"broker"}, args...)) }()
		waitFor(t, func() bool { return len(done) > 0 || strings.Contains(ta.errb.String(), "per partition") })
		if len(done) == 0 {
			ta.sigs <- os.Interrupt
		}
		code = <-done
		return ta.out.String(), ta.errb.String(), code
	}
	t.Run("the next port", func(t *testing.T) {
		port := twoFreePorts(t)
		out, errs, code := run(t, "--addr", fmt.Sprintf("127.0.0.1:%d", port))
		want := fmt.Sprintf("Schema Registry (Confluent REST API) listening at http://127.0.0.1:%d ", port+1)
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, out, errs, want)
		}
	})
	t.Run("off", func(t *testing.T) {
		out, _, code := run(t, "--addr", "127.0.0.1:0", "--registry-addr", "off")
		if code != exitOK || strings.Contains(out, "Schema Registry") {
			t.Errorf("exit %d, stdout %q", code, out)
		}
	})
	t.Run("a taken address", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		_, errs, code := run(t, "--addr", "127.0.0.1:0", "--registry-addr", ln.Addr().String())
		if code != exitFail || !strings.Contains(errs, ln.Addr().String()) || !strings.Contains(errs, "--registry-addr off") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
	})
}

func TestNextPort(t *testing.T) {
	for _, c := range []struct{ broker, requested, want string }{
		{"127.0.0.1:9092", "127.0.0.1:9092", "127.0.0.1:9093"},
		{"127.0.0.1:41234", "127.0.0.1:0", "127.0.0.1:0"},
		{"[::1]:9092", "[::1]:9092", "[::1]:9093"},
		{"127.0.0.1:65535", "127.0.0.1:65535", "127.0.0.1:0"},
	} {
		if got := nextPort(c.broker, c.requested); got != c.want {
			t.Errorf("nextPort(%q, %q) = %q, want %q", c.broker, c.requested, got, c.want)
		}
	}
}

// twoFreePorts finds a port p of 127.0.0.1 such that p and p+1 are free now.
func twoFreePorts(t *testing.T) int {
	t.Helper()
	for try := 0; try < 50; try++ {
		a, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := a.Addr().(*net.TCPAddr).Port
		b, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
		a.Close()
		if err == nil {
			b.Close()
			return p
		}
	}
	t.Fatal("no two free ports in a row")
	return 0
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
