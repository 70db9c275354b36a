package parquet

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// File names: part-<epoch, 20 digits>-<query id, path-escaped>.parquet.

const (
	filePrefix = "part-"
	fileSuffix = ".parquet"
)

// fileName is the name of a query's file for an epoch.
func fileName(queryID string, epoch int64) string {
	return fmt.Sprintf("%s%020d-%s%s", filePrefix, epoch, url.PathEscape(queryID), fileSuffix)
}

// parseName returns the query id and epoch of a data file name.
func parseName(name string) (queryID string, epoch int64, ok bool) {
	rest, found := strings.CutPrefix(name, filePrefix)
	if !found || !strings.HasSuffix(rest, fileSuffix) || len(rest) < 21 || rest[20] != '-' {
		return "", 0, false
	}
	epoch, err := strconv.ParseInt(rest[:20], 10, 64)
	if err != nil {
		return "", 0, false
	}
	q, err := url.PathUnescape(strings.TrimSuffix(rest[21:], fileSuffix))
	if err != nil {
		return "", 0, false
	}
	return q, epoch, true
}

// dataFiles lists the Parquet files of dir that readers see: every
// *.parquet file not hidden (names starting with . or _), sorted by name.
// A missing directory has none.
func dataFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list parquet directory %s: %w", dir, err)
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, fileSuffix) || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
			continue
		}
		out = append(out, filepath.Join(dir, n))
	}
	sort.Strings(out)
	return out, nil
}

// lastEpoch is the highest epoch among queryID's files in dir, or -1.
func lastEpoch(dir, queryID string) (int64, error) {
	files, err := dataFiles(dir)
	if err != nil {
		return 0, err
	}
	last := int64(-1)
	for _, f := range files {
		if q, e, ok := parseName(filepath.Base(f)); ok && q == queryID && e > last {
			last = e
		}
	}
	return last, nil
}

// tempPrefix starts the names of the temporary files of a query's epoch:
// hidden, so that readers skip them.
func tempPrefix(queryID string, epoch int64) string {
	return "." + fileName(queryID, epoch) + "."
}

// removeTemps deletes the temporary files a crashed incarnation of the
// query left. (A still running one then fails its commit, as it should.)
func removeTemps(dir, queryID string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, "."+filePrefix) || !strings.HasSuffix(n, ".tmp") {
			continue
		}
		// .part-<epoch>-<query>.parquet.<random>.tmp
		base := strings.TrimSuffix(n[1:], ".tmp")
		if i := strings.LastIndexByte(base, '.'); i > 0 {
			if q, _, ok := parseName(base[:i]); ok && q == queryID {
				os.Remove(filepath.Join(dir, n))
			}
		}
	}
}
