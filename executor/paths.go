package executor

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// PathPolicy confines the files that file-backed connectors (delta,
// parquet) read and write to a set of root directories. `tide serve` sets
// one, so that SQL sent over HTTP cannot write or read anywhere the process
// can; a nil policy (the shell, `tide run`, library use) allows every path.
type PathPolicy struct {
	// roots are absolute, cleaned and with symbolic links resolved; the
	// first is the data root that relative paths are resolved against.
	roots []string
}

// NewPathPolicy makes a policy whose data root is dataDir (relative paths
// in SQL resolve under it) and which also allows the extra roots. Every
// root must exist.
func NewPathPolicy(dataDir string, extra ...string) (*PathPolicy, error) {
	p := &PathPolicy{}
	for _, dir := range append([]string{dataDir}, extra...) {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, fmt.Errorf("data root %q: %v", dir, err)
		}
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return nil, fmt.Errorf("data root %q: %v", dir, err)
		}
		if st, err := os.Stat(real); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("data root %q is not a directory", dir)
		}
		p.roots = append(p.roots, real)
	}
	return p, nil
}

// Roots are the allowed directories, the data root first.
func (p *PathPolicy) Roots() []string {
	if p == nil {
		return nil
	}
	return append([]string(nil), p.roots...)
}

// Resolve returns the path that a connector should use for the path a user
// wrote. With a policy, a relative path is taken under the data root, and
// the result must lie under one of the roots once every symbolic link of
// its existing part is followed: `..`, absolute paths and links that lead
// out are refused with an error that names the roots.
func (p *PathPolicy) Resolve(path string) (string, error) {
	path = strings.TrimPrefix(strings.TrimSpace(path), "file://")
	if p == nil || len(p.roots) == 0 {
		return path, nil
	}
	if path == "" {
		return "", fmt.Errorf("empty path")
	}
	full := path
	if !filepath.IsAbs(full) {
		full = filepath.Join(p.roots[0], full)
	}
	full = filepath.Clean(full)
	real, err := resolveExisting(full)
	if err != nil {
		return "", fmt.Errorf("path %q: %v", path, err)
	}
	for _, root := range p.roots {
		if within(real, root) {
			return full, nil
		}
	}
	return "", fmt.Errorf("path %q is outside the data root%s %s (allow it with --data-dir or --allow-path)",
		path, plural(len(p.roots)), strings.Join(p.roots, ", "))
}

// resolveExisting follows the symbolic links of the longest existing prefix
// of path and appends the part that does not exist yet.
func resolveExisting(path string) (string, error) {
	rest := ""
	cur := path
	for {
		real, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !os.IsNotExist(err) {
			return "", err
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return path, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

func within(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
