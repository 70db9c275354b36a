package interop

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	tideBin    string // the tide binary built for these tests
	brokerAddr string // host:port of the `tide broker` process
)

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "tide-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	tideBin = filepath.Join(dir, "tide")
	build := exec.Command(goTool(), "build", "-o", tideBin, "github.com/tide-sql/tide/cmd/tide")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "interop: build tide:", err)
		return 1
	}
	broker, addr, err := startBroker(tideBin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		return 1
	}
	defer stopProcess(broker)
	brokerAddr = addr
	return m.Run()
}

// goTool is the go command of the toolchain running the tests.
func goTool() string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// startBroker starts `tide broker` on a free port of 127.0.0.1 and returns
// the process and the address it printed.
func startBroker(bin string) (*exec.Cmd, string, error) {
	cmd := exec.Command(bin, "broker", "--addr", "127.0.0.1:0", "--partitions", "3")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start tide broker: %w", err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			// "tide: Kafka-protocol broker listening at 127.0.0.1:PORT (export ...)"
			if _, rest, ok := strings.Cut(sc.Text(), "listening at "); ok {
				found <- strings.Fields(rest)[0]
				break
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case addr := <-found:
		return cmd, addr, nil
	case <-time.After(60 * time.Second):
		stopProcess(cmd)
		return nil, "", fmt.Errorf("tide broker did not say where it listens")
	}
}

// stopProcess asks a process we started to stop, then kills it.
func stopProcess(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}
