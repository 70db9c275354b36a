package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tide-sql/tide/executor/engine"
)

func TestServeCommand(t *testing.T) {
	eng := &fakeEngine{}
	ta := newTestApp(t, eng)
	init := writeFile(t, "init.sql", "CREATE SOURCE s (a BIGINT) WITH (connector = 'kafka', topic = 't');")
	done := make(chan int)
	go func() { done <- ta.main([]string{"serve", "--addr", "127.0.0.1:0", "--init", init}) }()
	var url string
	waitFor(t, func() bool {
		m := regexp.MustCompile(`serving (http://\S+)`).FindStringSubmatch(ta.errb.String())
		if m != nil {
			url = m[1]
		}
		return m != nil
	})
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz %d", resp.StatusCode)
	}
	if got := eng.executed(); len(got) != 1 || !strings.HasPrefix(got[0], "CREATE SOURCE s") {
		t.Errorf("init script not run: %q", got)
	}
	ta.sigs <- os.Interrupt
	select {
	case code := <-done:
		if code != exitOK || !eng.closed {
			t.Errorf("exit %d, engine closed %v", code, eng.closed)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeStopsStreamsOnShutdown(t *testing.T) {
	fs := newFakeStream(true)
	eng := streamingEngine(fs, false)
	ta := newTestApp(t, eng)
	done := make(chan int)
	go func() { done <- ta.main([]string{"serve", "--addr", "127.0.0.1:0"}) }()
	var url string
	waitFor(t, func() bool {
		m := regexp.MustCompile(`serving (http://\S+)`).FindStringSubmatch(ta.errb.String())
		if m != nil {
			url = m[1]
		}
		return m != nil
	})
	resp, err := http.Post(url+"/v1/sql", "text/plain", strings.NewReader("SELECT * FROM s;"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	ta.sigs <- os.Interrupt
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop while a stream was open")
	}
	if !fs.wasClosed() {
		t.Error("the push query was not stopped")
	}
	_, _ = io.ReadAll(resp.Body)
}

func TestServeInitErrorFails(t *testing.T) {
	eng := &fakeEngine{exec: func(context.Context, string, func(*result) error) error {
		return errBoom
	}}
	ta := newTestApp(t, eng)
	init := writeFile(t, "init.sql", "SELEC 1;")
	if code := ta.main([]string{"serve", "--addr", "127.0.0.1:0", "--init", init}); code != exitFail {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(ta.errb.String(), "init.sql: error: boom") {
		t.Errorf("stderr %s", ta.errb.String())
	}
}

type boom struct{}

func (boom) Error() string { return "boom" }

var errBoom = boom{}

func TestBrokerCommand(t *testing.T) {
	ta := newTestApp(t, nil)
	ta.startBroker = startBroker // the real one
	done := make(chan int)
	go func() { done <- ta.main([]string{"broker", "--addr", "127.0.0.1:0", "--partitions", "2"}) }()
	waitFor(t, func() bool { return strings.Contains(ta.out.String(), "listening at 127.0.0.1:") })
	ta.sigs <- os.Interrupt
	if code := <-done; code != exitOK {
		t.Errorf("exit %d", code)
	}
	if code := ta.main([]string{"broker", "--partitions", "0"}); code != exitUsage {
		t.Errorf("--partitions 0: exit %d", code)
	}
}

func TestDemoScript(t *testing.T) {
	without := demoScript(false, "/x")
	if strings.Contains(without, "connector = 'delta'") {
		t.Error("the delta part is kept without the delta connector")
	}
	if !strings.Contains(without, "INSERT INTO closed_windows") || !strings.Contains(without, "connector       = 'datagen'") {
		t.Error("the pipeline is missing")
	}
	with := demoScript(true, "/tmp/o'k/customer_stats")
	if !strings.Contains(with, "path = '/tmp/o''k/customer_stats'") || strings.Contains(with, "{{") {
		t.Errorf("delta path not filled in:\n%s", with)
	}
}

func TestDemoCommand(t *testing.T) {
	eng := &fakeEngine{waitFor: make(chan struct{}), queries: []engine.QueryInfo{{ID: "q1", Sink: "closed_windows"}}}
	ta := newTestApp(t, eng)
	done := make(chan int)
	go func() { done <- ta.main([]string{"demo", "--state-dir", t.TempDir()}) }()
	waitFor(t, func() bool { return len(eng.executed()) == 1 })
	ta.sigs <- os.Interrupt
	if code := <-done; code != exitOK {
		t.Errorf("exit %d\n%s", code, ta.errb.String())
	}
	if ta.brokers != 1 {
		t.Errorf("%d embedded brokers started, want 1", ta.brokers)
	}
	if !strings.Contains(eng.executed()[0], "CREATE SOURCE gen") {
		t.Errorf("demo ran %q", eng.executed())
	}
	if !strings.Contains(demoProgress(eng), "q1 (into closed_windows): 0 rows read") {
		t.Errorf("progress %q", demoProgress(eng))
	}
}
