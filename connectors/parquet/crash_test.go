package parquet

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/executor"
)

// As for the delta sink: a child process writes epochs and is killed with
// SIGKILL at random moments and, forced, between writing an epoch's file
// and linking it to its name; each run resumes from LastEpoch+1. The
// directory must end up with every epoch's rows exactly once.

const crashEnv = "TIDE_PARQUET_CRASH" // "seed|force|dir"

const crashEpochs = 40

func crashRows(e int64) string {
	if e%6 == 5 {
		return ""
	}
	var objs []string
	for i := range 2 + e%3 {
		objs = append(objs, fmt.Sprintf(`{"id":%d,"name":"e%d","amount":%d,"ok":true,"day":null,"ts":null}`, e*10+i, e, i))
	}
	return "[" + strings.Join(objs, ",") + "]"
}

func TestCrashHelper(t *testing.T) {
	env := os.Getenv(crashEnv)
	if env == "" {
		t.Skip("child process of the crash test")
	}
	f := strings.SplitN(env, "|", 3)
	var seed int64
	fmt.Sscan(f[0], &seed)
	force, dir := f[1] == "force", f[2]
	rng := rand.New(rand.NewSource(seed))
	crashHook = func() {
		if force || rng.Intn(8) == 0 {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	}
	ctx := context.Background()
	s := New(dir, nil, memory.DefaultAllocator)
	if err := s.Open(ctx, executor.SinkSpec{QueryID: "crash", Schema: testSchema}); err != nil {
		t.Fatal(err)
	}
	last, err := s.LastEpoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for e := last + 1; e <= crashEpochs; e++ {
		if r := crashRows(e); r != "" {
			rec := fromJSON(t, memory.DefaultAllocator, r)
			s.Write(ctx, rec)
			rec.Release()
		}
		if err := s.Commit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	t.Run("directory holds every epoch exactly once after SIGKILLs", func(t *testing.T) {
		mem := newMem(t)
		dir := filepath.Join(t.TempDir(), "table")
		rng := rand.New(rand.NewSource(1))
		kills := 0
		for round := 0; ; round++ {
			if round == 300 {
				t.Fatalf("no run finished in %d rounds", round)
			}
			force := ""
			if round < 2 {
				force = "force" // killed between the temporary file and its link
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d|%s|%s", crashEnv, round, force, dir))
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var timer *time.Timer
			if force == "" {
				timer = time.AfterFunc(time.Duration(60+rng.Intn(300))*time.Millisecond, func() { cmd.Process.Kill() })
			}
			err := cmd.Wait()
			if timer != nil {
				timer.Stop()
			}
			if err == nil {
				break
			}
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
				t.Fatalf("round %d: child failed: %v\n%s", round, err, out.String())
			}
			kills++
		}
		t.Logf("%d kills", kills)
		var all []string
		for e := int64(0); e <= crashEpochs; e++ {
			if r := crashRows(e); r != "" {
				all = append(all, r)
			}
		}
		equalRows(t, dirRows(t, dir, mem), jsonRows(t, all...))
		var temps int
		for _, n := range names(t, dir) {
			if strings.HasSuffix(n, ".tmp") {
				temps++
			}
		}
		if temps != 0 {
			t.Errorf("%d temporary files left: the last run's Open removes those of crashed runs", temps)
		}
	})
}
