package delta

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/executor"
)

// The crash tests run a writer in a child process (this test binary, run
// again with crashEnv set) and kill it with SIGKILL: at random times from
// outside, and from inside at the named points of a commit (between writing
// data files and linking the commit, after the commit, mid-compaction,
// mid-checkpoint). Each run resumes from LastEpoch+1 with the same
// deterministic rows, as the engine's replay would. When a run finally
// finishes, the table must equal the expected one exactly.

const crashEnv = "TIDE_DELTA_CRASH" // "mode|seed|forced point|dir"

const crashEpochs = 24

var crashModes = []string{"append", "upsert", "partitioned upsert"}

func crashConfig(mode, dir string) Config {
	cfg := Config{Path: dir, CompactEvery: 3, CheckpointEvery: 4}
	if mode == "partitioned upsert" {
		cfg.PartitionBy = []string{"ok"}
	}
	return cfg
}

func crashSpec(mode string) executor.SinkSpec {
	spec := executor.SinkSpec{QueryID: "crash-query", Schema: testSchema, Mode: executor.SinkAppend}
	if mode != "append" {
		spec.Mode, spec.PrimaryKey = executor.SinkUpsert, []int{0}
	}
	return spec
}

// crashRows are epoch e's rows: deterministic, some epochs empty, upserts
// with repeated keys (also within an epoch) and, partitioned, keys that move
// between partitions.
func crashRows(mode string, e int64) []string {
	if e%5 == 3 {
		return nil
	}
	var out []string
	r := func(id int64, name string, amount int64) string {
		ok := (id+e)%2 == 0
		return fmt.Sprintf(`{"id":%d,"name":%q,"amount":%d,"ok":%t,"day":"2024-03-01","ts":null}`, id, name, amount, ok)
	}
	if mode == "append" {
		for i := range 3 + e%4 {
			out = append(out, r(e*100+i, fmt.Sprintf("e%d", e), i))
		}
		return out
	}
	first := (e * 37) % 97
	for i := range 4 + e%3 {
		out = append(out, r((e*37+i*11)%97, fmt.Sprintf("e%d-%d", e, i), e*10+i))
	}
	return append(out, r(first, fmt.Sprintf("e%d-dup", e), -e))
}

// crashExpected is the table after every epoch, in row strings.
func crashExpected(t *testing.T, mode string) []string {
	var all []string
	last := map[string]string{}
	for e := int64(0); e <= crashEpochs; e++ {
		for _, r := range crashRows(mode, e) {
			all = append(all, r)
			last[r[:strings.Index(r, ",")]] = r
		}
	}
	if mode != "append" {
		all = all[:0]
		for _, r := range last {
			all = append(all, r)
		}
		sort.Strings(all)
	}
	return jsonRows(t, testSchema, "["+strings.Join(all, ",")+"]")
}

// TestCrashHelper is the child process of the crash tests.
func TestCrashHelper(t *testing.T) {
	env := os.Getenv(crashEnv)
	if env == "" {
		t.Skip("child process of the crash tests")
	}
	f := strings.SplitN(env, "|", 4)
	mode, forced, dir := f[0], f[2], f[3]
	seed, _ := strconv.ParseInt(f[1], 10, 64)
	rng := rand.New(rand.NewSource(seed))
	crashHook = func(point string) {
		if point == forced || (forced == "" && rng.Intn(12) == 0) {
			logKill(dir, point)
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	ctx := context.Background()
	s := New(crashConfig(mode, dir), nil, memory.DefaultAllocator)
	if err := s.Open(ctx, crashSpec(mode)); err != nil {
		t.Fatal(err)
	}
	last, err := s.LastEpoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for e := last + 1; e <= crashEpochs; e++ {
		if r := crashRows(mode, e); len(r) > 0 {
			rec := fromJSON(t, memory.DefaultAllocator, testSchema, "["+strings.Join(r, ",")+"]")
			if err := s.Write(ctx, rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
		}
		if err := s.Commit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
}

// logKill records where a child killed itself, beside the table.
func logKill(dir, point string) {
	f, err := os.OpenFile(dir+".kills", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		fmt.Fprintln(f, point)
		f.Sync()
		f.Close()
	}
}

func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	forcedPoints := []string{pointDataWritten, pointBeforeLink, pointCommitted, pointCompactionWritten, pointCheckpointWritten}
	for mi, mode := range crashModes {
		t.Run(mode+" table is exact after SIGKILLs at random moments", func(t *testing.T) {
			t.Parallel() // the children mostly wait for fsync
			mem := newMem(t)
			dir := filepath.Join(t.TempDir(), "table")
			rng := rand.New(rand.NewSource(int64(mi)))
			kills := 0
			for round := 0; ; round++ {
				if round == 400 {
					t.Fatalf("no run finished in %d rounds", round)
				}
				forced := ""
				if round < len(forcedPoints) {
					forced = forcedPoints[round]
				}
				cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
				cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%d|%s|%s", crashEnv, mode, round, forced, dir))
				var out strings.Builder
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				var timer *time.Timer
				if forced == "" {
					timer = time.AfterFunc(time.Duration(80+rng.Intn(420))*time.Millisecond, func() { cmd.Process.Kill() })
				}
				err := cmd.Wait()
				if timer != nil {
					timer.Stop()
				}
				if err == nil {
					if forced != "" {
						t.Fatalf("round %d finished without reaching point %s", round, forced)
					}
					break
				}
				if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
					t.Fatalf("round %d: child failed: %v\n%s", round, err, out.String())
				}
				kills++
			}
			got, _ := os.ReadFile(dir + ".kills")
			for _, p := range forcedPoints {
				if !strings.Contains(string(got), p+"\n") {
					t.Errorf("no kill at point %s", p)
				}
			}
			t.Logf("%d kills, %d at commit points", kills, strings.Count(string(got), "\n"))
			equalRows(t, tableRows(t, dir, mem), crashExpected(t, mode))

			s := openSink(t, mem, crashConfig(mode, dir), crashSpec(mode))
			if e, err := s.LastEpoch(context.Background()); err != nil || e != crashEpochs {
				t.Errorf("LastEpoch = %d, %v; want %d", e, err, crashEpochs)
			}
		})
	}
}
