// Package deltafixtures gives tests copies of the Delta tables other
// engines wrote (shared/fixtures/delta-foreign beside the repository, which
// stay read-only). Only tests import it.
package deltafixtures

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir is the fixtures' folder: shared/fixtures/delta-foreign next to the
// repository's own folder.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "fixtures", "delta-foreign")
}

// Copy copies fixture table name into a fresh temporary directory and
// returns its path, so that a test may write to it.
func Copy(tb testing.TB, name string) string {
	tb.Helper()
	src := filepath.Join(Dir(), name)
	if _, err := os.Stat(src); err != nil {
		tb.Fatalf("fixture table %s: %v (the fixtures live in shared/fixtures/delta-foreign beside the repository)", name, err)
	}
	dst := filepath.Join(tb.TempDir(), name)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return dst
}
