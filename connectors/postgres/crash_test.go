package postgres

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tide-sql/tide/catalog"
)

const crashEpochs = 40

// crashUpsert is epoch e's input for the upsert table: 300 rows over a
// rotating set of 500 keys, then 50 of the same keys again with other
// values (the last row of a key wins).
func crashUpsert(e int) (first, second [][]any) {
	row := func(i int, sign int64) []any {
		k := (e*37 + i*7) % 500
		return stat(k%5, fmt.Sprintf("c%03d", k), sign*int64(e*1000+i), float64(e)+float64(i)/8)
	}
	for i := 0; i < 300; i++ {
		first = append(first, row(i, 1))
	}
	for i := 0; i < 50; i++ {
		second = append(second, row(i, -1))
	}
	return first, second
}

// crashAppend is epoch e's input for the append table: 100 distinct rows.
func crashAppend(e int) [][]any {
	var rows [][]any
	for i := 0; i < 100; i++ {
		rows = append(rows, stat(e, fmt.Sprintf("e%03d-%03d", e, i), int64(e), float64(i)))
	}
	return rows
}

func crashTables(schema string) (up, app *catalog.Table) {
	return statsTable(schema, "crash_up", true), statsTable(schema, "crash_app", false)
}

// TestCrashChild is the process TestCrashRecovery starts and kills: it
// resumes each sink from LastEpoch+1 and commits the deterministic epochs.
func TestCrashChild(t *testing.T) {
	schema := os.Getenv("TIDE_PG_CRASH_SCHEMA")
	if schema == "" {
		t.Skip("helper process of TestCrashRecovery")
	}
	dsn := testDSN(t)
	upT, appT := crashTables(schema)
	up := openSink(t, upT, dsn, specFor(upT, "crash-up"))
	app := openSink(t, appT, dsn, specFor(appT, "crash-app"))
	ctx := context.Background()
	lastUp, err := up.LastEpoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lastApp, err := app.LastEpoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for e := 0; e < crashEpochs; e++ {
		if int64(e) > lastUp {
			a, b := crashUpsert(e)
			fmt.Println("committing", e) // the parent's cue to kill, maybe mid-commit
			writeCommit(t, up, int64(e), newRecord(t, upT.Schema(), a...), newRecord(t, upT.Schema(), b...))
		}
		if int64(e) > lastApp {
			fmt.Println("committing", e)
			writeCommit(t, app, int64(e), newRecord(t, appT.Schema(), crashAppend(e)...))
		}
	}
}

// TestCrashRecovery kills a writer with SIGKILL at random moments (during
// start-up, or 0-4 ms after it starts the commit of a random later epoch),
// restarts it each time (it replays from LastEpoch+1 with the same input),
// and then requires both tables to hold exactly what one clean run writes.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	dsn, schema := testSchema(t)
	upT, appT := crashTables(schema)
	ctx := context.Background()
	progress := func() (int64, int64) {
		conn := pgConn(t, dsn)
		defer conn.Close(ctx)
		var up, app int64 = -1, -1
		_ = conn.QueryRow(ctx, `SELECT coalesce(max(epoch) FILTER (WHERE query_id = 'crash-up'), -1),
			coalesce(max(epoch) FILTER (WHERE query_id = 'crash-app'), -1) FROM "`+schema+`".tide_offsets`).Scan(&up, &app)
		return up, app
	}
	kills, midway := 0, 0
	for attempt := 0; ; attempt++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "TIDE_PG_CRASH_SCHEMA="+schema)
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		var out bytes.Buffer
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		killed := false
		if attempt < 15 {
			var cue <-chan time.Time
			wantCommits := 1 + rand.IntN(10)
			if rand.IntN(4) == 0 {
				cue = time.After(time.Duration(rand.IntN(40)) * time.Millisecond) // during start-up
			}
		wait:
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						break wait
					}
					out.WriteString(l + "\n")
					if strings.HasPrefix(l, "committing") {
						if wantCommits--; wantCommits == 0 && cue == nil {
							cue = time.After(time.Duration(rand.IntN(4000)) * time.Microsecond)
						}
					}
				case <-cue:
					_ = cmd.Process.Signal(syscall.SIGKILL)
					killed = true
					break wait
				}
			}
		}
		for l := range lines {
			out.WriteString(l + "\n")
		}
		err = cmd.Wait()
		if killed {
			kills++
			up, app := progress()
			if (up >= 0 && up < crashEpochs-1) || (app >= 0 && app < crashEpochs-1) {
				midway++
			}
			continue
		}
		if err != nil {
			t.Fatalf("writer failed: %v\n%s%s", err, out.String(), errOut.String())
		}
		break
	}
	t.Logf("%d kills, %d of them after some epochs and before the last", kills, midway)
	if midway == 0 {
		t.Fatalf("no kill landed between the first and the last epoch")
	}

	// What one clean run writes.
	final := map[string]string{}
	var want []string
	for e := 0; e < crashEpochs; e++ {
		a, b := crashUpsert(e)
		for _, r := range append(a, b...) {
			final[fmt.Sprint(r[0], r[2])] = statLine(r)
		}
		for _, r := range crashAppend(e) {
			want = append(want, statLine(r))
		}
	}
	var wantUp []string
	for _, l := range final {
		wantUp = append(wantUp, l)
	}
	sort.Strings(wantUp)
	sort.Strings(want)

	up := openSink(t, upT, dsn, specFor(upT, "crash-up"))
	app := openSink(t, appT, dsn, specFor(appT, "crash-app"))
	gotUp := dump(t, up)
	sort.Strings(gotUp)
	equalLines(t, gotUp, wantUp)
	gotApp := dump(t, app)
	sort.Strings(gotApp)
	equalLines(t, gotApp, want)
	if u, a := progress(); u != crashEpochs-1 || a != crashEpochs-1 {
		t.Fatalf("tide_offsets holds %d and %d; want %d", u, a, crashEpochs-1)
	}
}
