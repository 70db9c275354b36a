package delta

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tide-sql/tide/connectors/parquet/pqfile"
)

// The log store: files of _delta_log/, named by version. A commit is
// created with put-if-absent semantics (write a temporary file, then link
// it to the version's name; the link fails if the name exists), which is
// what the protocol asks of storage for a single linear history.

const logDir = "_delta_log"

// errVersionExists means another commit took the version first.
var errVersionExists = errors.New("log version exists")

func logFile(root string, v int64, suffix string) string {
	return filepath.Join(root, logDir, fmt.Sprintf("%020d%s", v, suffix))
}

func commitFile(root string, v int64) string     { return logFile(root, v, ".json") }
func checkpointFile(root string, v int64) string { return logFile(root, v, ".checkpoint.parquet") }
func lastCheckpointFile(root string) string      { return filepath.Join(root, logDir, "_last_checkpoint") }

// logListing is what _delta_log holds: commit versions and classic
// (single-file, NNN.checkpoint.parquet) checkpoint versions, each
// ascending, and the checkpoints of other kinds that other writers make.
type logListing struct {
	commits     []int64
	checkpoints []int64
	// multiPart[v][p] lists the parts of a p-part checkpoint of version v
	// (NNN.checkpoint.OOOOOOOOOO.PPPPPPPPPP.parquet) found.
	multiPart map[int64]map[int][]int
	// uuidNamed[v] lists the UUID-named V2 checkpoints of version v
	// (NNN.checkpoint.<uuid>.json or .parquet), by file name.
	uuidNamed map[int64][]string
}

// listLog lists the log directory. A missing directory is an empty log.
func listLog(root string) (logListing, error) {
	var l logListing
	ents, err := os.ReadDir(filepath.Join(root, logDir))
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("list delta log of %s: %w", root, err)
	}
	for _, e := range ents {
		name := e.Name()
		if len(name) < 20 {
			continue
		}
		v, err := strconv.ParseInt(name[:20], 10, 64)
		if err != nil {
			continue
		}
		switch rest := name[20:]; {
		case rest == ".json":
			l.commits = append(l.commits, v)
		case rest == ".checkpoint.parquet":
			l.checkpoints = append(l.checkpoints, v)
		case strings.HasPrefix(rest, ".checkpoint."):
			l.addOtherCheckpoint(v, name, strings.TrimPrefix(rest, ".checkpoint."))
		}
	}
	sort.Slice(l.commits, func(i, j int) bool { return l.commits[i] < l.commits[j] })
	sort.Slice(l.checkpoints, func(i, j int) bool { return l.checkpoints[i] < l.checkpoints[j] })
	return l, nil
}

// readCommit reads the actions of commit v.
func readCommit(root string, v int64) ([]action, error) {
	f, err := os.Open(commitFile(root, v))
	if err != nil {
		return nil, fmt.Errorf("read delta log: %w", err)
	}
	defer f.Close()
	acts, err := decodeActions(f)
	if err != nil {
		return nil, fmt.Errorf("read delta log %s: %w", f.Name(), err)
	}
	return acts, nil
}

// writeCommit writes commit v if no commit v exists yet; otherwise it
// returns errVersionExists and changes nothing.
func writeCommit(root string, v int64, acts []action) error {
	data, err := encodeActions(acts)
	if err != nil {
		return fmt.Errorf("encode delta commit %d: %w", v, err)
	}
	tmp, err := writeTemp(filepath.Join(root, logDir), data)
	if err != nil {
		return fmt.Errorf("write delta commit %d of %s: %w", v, root, err)
	}
	defer os.Remove(tmp)
	crashPoint(pointBeforeLink)
	if err := os.Link(tmp, commitFile(root, v)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return errVersionExists
		}
		return fmt.Errorf("write delta commit %d of %s: %w", v, root, err)
	}
	return pqfile.SyncDir(filepath.Join(root, logDir))
}

// writeTemp writes data to a new hidden, synced file in dir and returns its
// name. Readers ignore it: it has no version name.
func writeTemp(dir string, data []byte) (string, error) {
	name := filepath.Join(dir, ".tmp-"+newUUID())
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// removeStaleTemps deletes temporary files of the log left by crashed
// writers. Only old ones: a live writer may be about to link a new one.
func removeStaleTemps(root string) {
	dir := filepath.Join(root, logDir)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".tmp-") {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// lastCheckpoint is the _last_checkpoint file.
type lastCheckpoint struct {
	Version       int64 `json:"version"`
	Size          int64 `json:"size"`
	SizeInBytes   int64 `json:"sizeInBytes,omitempty"`
	NumOfAddFiles int64 `json:"numOfAddFiles,omitempty"`
}

// writeLastCheckpoint replaces _last_checkpoint atomically.
func writeLastCheckpoint(root string, lc lastCheckpoint) error {
	data, err := json.Marshal(lc)
	if err != nil {
		return err
	}
	tmp, err := writeTemp(filepath.Join(root, logDir), append(data, '\n'))
	if err != nil {
		return fmt.Errorf("write _last_checkpoint of %s: %w", root, err)
	}
	if err := os.Rename(tmp, lastCheckpointFile(root)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write _last_checkpoint of %s: %w", root, err)
	}
	return nil
}
