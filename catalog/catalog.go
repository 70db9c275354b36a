package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/internal/durable"
)

// ErrNotFound is returned by Get for a name the catalog does not hold.
var ErrNotFound = errors.New("not found")

// ErrExists is returned by Put for a name the catalog already holds.
var ErrExists = errors.New("already exists")

// Catalog holds the sources, tables and views by lower-case name. It is safe
// for concurrent use. With a file set, every change is written through.
type Catalog struct {
	mu     sync.RWMutex
	tables map[string]*Table
	file   string // "" for an in-memory catalog
}

// New returns an empty in-memory catalog.
func New() *Catalog { return &Catalog{tables: map[string]*Table{}} }

// Open loads the catalog persisted in dir (catalog.json), or starts an
// empty one there.
func Open(dir string) (*Catalog, error) {
	c := &Catalog{tables: map[string]*Table{}, file: filepath.Join(dir, "catalog.json")}
	data, err := os.ReadFile(c.file)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	var f fileFormat
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("catalog %s is damaged: %w", c.file, err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("catalog %s has version %d; this tide reads version 1", c.file, f.Version)
	}
	for _, t := range f.Tables {
		for i := range t.Columns {
			typ, err := columnType(t.Columns[i].SQLType)
			if err != nil {
				return nil, fmt.Errorf("catalog %s: table %s: %w", c.file, t.Name, err)
			}
			t.Columns[i].Type = typ
		}
		c.tables[strings.ToLower(t.Name)] = t
	}
	return c, nil
}

// fileFormat is the persisted form; Version lets it evolve.
type fileFormat struct {
	Version int      `json:"version"`
	Tables  []*Table `json:"tables"`
}

// columnType is the Arrow type of a column's SQL type as stored.
func columnType(sqlType string) (arrow.DataType, error) {
	if IsNestedTypeName(sqlType) {
		t, _, err := ParseType(sqlType)
		return t, err
	}
	return TypeByName(baseTypeName(sqlType))
}

// baseTypeName strips the length/precision: "TIMESTAMP(3)" → "TIMESTAMP".
func baseTypeName(s string) string {
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(strings.ToUpper(s)), "UNSIGNED"))
	return strings.TrimSpace(s)
}

// Get returns the entry named name (case-insensitive).
func (c *Catalog) Get(name string) (*Table, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.tables[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	return t, nil
}

// Put adds t. With replace, an existing entry of the same name is replaced.
func (c *Catalog) Put(t *Table, replace bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := strings.ToLower(t.Name)
	old, exists := c.tables[key]
	if exists && !replace {
		return fmt.Errorf("%w: %s %s", ErrExists, strings.ToLower(string(old.Kind)), old.Name)
	}
	c.tables[key] = t
	if err := c.saveLocked(); err != nil {
		if exists {
			c.tables[key] = old
		} else {
			delete(c.tables, key)
		}
		return err
	}
	return nil
}

// Delete removes the entry named name.
func (c *Catalog) Delete(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := strings.ToLower(name)
	old, ok := c.tables[key]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	delete(c.tables, key)
	if err := c.saveLocked(); err != nil {
		c.tables[key] = old
		return err
	}
	return nil
}

// List returns the entries of kind k (all kinds if k is ""), sorted by name.
func (c *Catalog) List(k Kind) []*Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []*Table
	for _, t := range c.tables {
		if k == "" || t.Kind == k {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// saveLocked writes the catalog atomically and durably (temp file, fsync,
// rename, fsync of the directory).
func (c *Catalog) saveLocked() error {
	if c.file == "" {
		return nil
	}
	f := fileFormat{Version: 1}
	for _, t := range c.tables {
		f.Tables = append(f.Tables, t)
	}
	sort.Slice(f.Tables, func(i, j int) bool { return f.Tables[i].Name < f.Tables[j].Name })
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := durable.WriteFile(c.file, data, 0o644); err != nil {
		return fmt.Errorf("save catalog: %w", err)
	}
	return nil
}
