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
	tideBin     string // the tide binary built for these tests
	brokerAddr  string // host:port of the `tide broker` process
	registryURL string // the URL of its Schema Registry
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
	broker, addr, registry, err := startBroker(tideBin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		return 1
	}
	defer stopProcess(broker)
	brokerAddr, registryURL = addr, registry
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

// startBroker starts `tide broker` on a free port of 127.0.0.1, its Schema
// Registry on another, and returns the process and the addresses it printed.
func startBroker(bin string) (*exec.Cmd, string, string, error) {
	cmd := exec.Command(bin, "broker", "--addr", "127.0.0.1:0", "--partitions", "3")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", "", err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, "", "", fmt.Errorf("start tide broker: %w", err)
	}
	type addrs struct{ broker, registry string }
	found := make(chan addrs, 1)
	go func() {
		var a addrs
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			// "tide: Kafka-protocol broker listening at 127.0.0.1:PORT (export ...)"
			// "tide: Schema Registry (Confluent REST API) listening at http://127.0.0.1:PORT (export ...)"
			_, rest, ok := strings.Cut(sc.Text(), "listening at ")
			if !ok {
				continue
			}
			if strings.Contains(sc.Text(), "Schema Registry") {
				a.registry = strings.Fields(rest)[0]
			} else {
				a.broker = strings.Fields(rest)[0]
			}
			if a.broker != "" && a.registry != "" {
				found <- a
				break
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case a := <-found:
		return cmd, a.broker, a.registry, nil
	case <-time.After(60 * time.Second):
		stopProcess(cmd)
		return nil, "", "", fmt.Errorf("tide broker did not say where it and its Schema Registry listen")
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
