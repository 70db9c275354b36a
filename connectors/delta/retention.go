package delta

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tide-sql/tide/parser"
)

// A streaming table gets a commit per micro-batch, so its log and its
// directory are kept tidy the way Delta writers do it: after each
// checkpoint, log entries older than delta.logRetentionDuration are removed
// up to a checkpoint, and data files that no version refers to (left by
// killed epochs, or removed by compaction and merges) are deleted once they
// are older than delta.deletedFileRetentionDuration, as VACUUM does.

// Delta's defaults for the two table properties.
const (
	defaultLogRetention         = 30 * 24 * time.Hour
	defaultDeletedFileRetention = 7 * 24 * time.Hour
)

// Table properties that set the retentions.
const (
	propLogRetention         = "delta.logRetentionDuration"
	propDeletedFileRetention = "delta.deletedFileRetentionDuration"
)

// parseRetention reads a retention the way Delta writes it ("interval 30
// days") or as tide writes durations ("30 days", "12h").
func parseRetention(v string) (time.Duration, error) {
	s := strings.TrimSpace(v)
	if len(s) > 9 && strings.EqualFold(s[:9], "interval ") {
		s = strings.TrimSpace(s[9:])
	}
	d, err := parser.ParseDurationText(s)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, fmt.Errorf("a retention cannot be negative")
	}
	return d, nil
}

func checkRetention(v string) error {
	_, err := parseRetention(v)
	return err
}

// retention is the sink's option if set, else the table's property, else
// Delta's default.
func (s *Sink) retention(option, prop string, def time.Duration) time.Duration {
	for _, v := range []string{option, s.tableProperty(prop)} {
		if v == "" {
			continue
		}
		if d, err := parseRetention(v); err == nil {
			return d
		}
	}
	return def
}

// properties are the table properties a new table gets from the options,
// in Delta's interval syntax, so that other writers honour them too.
func (c Config) properties() map[string]string {
	props := map[string]string{}
	for prop, v := range map[string]string{propLogRetention: c.LogRetention, propDeletedFileRetention: c.DeletedFileRetention} {
		if d, err := parseRetention(v); v != "" && err == nil {
			props[prop] = fmt.Sprintf("interval %d seconds", int64(d/time.Second))
		}
	}
	return props
}

func (s *Sink) tableProperty(name string) string {
	if s.snap == nil || s.snap.metadata == nil {
		return ""
	}
	return s.snap.metadata.Configuration[name]
}

// cleanLog removes the commits and checkpoints older than the log
// retention that lie before a checkpoint, so that the oldest version left
// can still be read: the newest checkpoint at or below the first version
// that is still within the retention.
func cleanLog(root string, cutoff time.Time) error {
	l, err := listLog(root)
	if err != nil {
		return err
	}
	firstKept := int64(-1) // first commit newer than the cutoff
	for _, v := range l.commits {
		if !olderThan(commitFile(root, v), cutoff) {
			firstKept = v
			break
		}
	}
	if firstKept < 0 && len(l.commits) > 0 {
		firstKept = l.commits[len(l.commits)-1] // every commit expired: keep what the newest needs
	}
	boundary := int64(-1)
	for _, cp := range l.checkpoints {
		if cp <= firstKept {
			boundary = cp
		}
	}
	if boundary <= 0 {
		return nil
	}
	for _, v := range l.commits {
		if v < boundary {
			if err := removeIfExists(commitFile(root, v)); err != nil {
				return err
			}
		}
	}
	for _, v := range l.checkpoints {
		if v < boundary {
			if err := removeIfExists(checkpointFile(root, v)); err != nil {
				return err
			}
		}
	}
	return nil
}

// vacuum deletes the data files under root that the snapshot does not
// refer to (neither as a file of the table nor as a tombstone younger than
// the cutoff) and that were last modified before the cutoff, so that no
// file of an epoch still being written is touched. Directories whose names
// start with '_' or '.' (the log, tide's own) are left alone, as Delta does.
func vacuum(root string, snap *snapshot, cutoff time.Time) (removed int, err error) {
	keep := map[string]bool{}
	for p := range snap.files {
		if abs, err := dataFilePath(root, p); err == nil {
			keep[abs] = true
		}
	}
	for p, r := range snap.tombstones {
		if time.UnixMilli(r.DeletionTimestamp).After(cutoff) {
			if abs, err := dataFilePath(root, p); err == nil {
				keep[abs] = true
			}
		}
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || keep[path] || !strings.HasSuffix(name, ".parquet") || !olderThan(path, cutoff) {
			return nil
		}
		if err := removeIfExists(path); err != nil {
			return err
		}
		removed++
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("vacuum %s: %w", root, err)
	}
	return removed, nil
}

func olderThan(path string, cutoff time.Time) bool {
	st, err := os.Stat(path)
	return err == nil && st.ModTime().Before(cutoff)
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}
