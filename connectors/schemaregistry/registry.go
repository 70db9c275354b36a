package schemaregistry

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// Registry is an in-memory Schema Registry; it serves Confluent's REST API
// as an http.Handler. Its methods are safe for concurrent use.
type Registry struct {
	mu       sync.Mutex
	schemas  []*stored      // schema id i+1 is schemas[i]; ids are never reused
	ids      map[string]int // normalized form → schema id
	subjects map[string]*subject
	global   config
}

// New returns an empty registry whose global compatibility level is
// BACKWARD.
func New() *Registry {
	return &Registry{ids: map[string]int{}, subjects: map[string]*subject{}, global: config{level: DefaultLevel}}
}

// stored is a schema with its global id.
type stored struct {
	id     int
	text   string // the text answered for the id: as first registered, or normalized
	schema *avroSchema
}

// subject is a named list of versions.
type subject struct {
	versions []*version // ascending; permanently deleted ones are gone
	config   config     // the subject's own settings; zero when it has none
}

// version is one version of a subject.
type version struct {
	number  int
	id      int  // its schema
	deleted bool // soft-deleted: hidden, and not checked against
}

// config is a compatibility level and whether schemas are normalized
// (stored in normalized form) when registered.
type config struct {
	level     Level // "" when not set
	normalize *bool
}

func (c config) empty() bool { return c.level == "" && c.normalize == nil }

// effective is the subject's settings with the global ones for what it
// does not set.
func (r *Registry) effective(name string) config {
	c := r.global
	if s := r.subjects[name]; s != nil {
		if s.config.level != "" {
			c.level = s.config.level
		}
		if s.config.normalize != nil {
			c.normalize = s.config.normalize
		}
	}
	return c
}

// live reports whether a subject has a version that is not deleted (with
// deleted, any version).
func (s *subject) live(deleted bool) bool {
	if s == nil {
		return false
	}
	for _, v := range s.versions {
		if deleted || !v.deleted {
			return true
		}
	}
	return false
}

// visible lists the subject's versions, the soft-deleted ones only with
// deleted.
func (s *subject) visible(deleted bool) []*version {
	if s == nil {
		return nil
	}
	var out []*version
	for _, v := range s.versions {
		if deleted || !v.deleted {
			out = append(out, v)
		}
	}
	return out
}

// find is the version numbered n (-1: the latest), the soft-deleted ones
// only with deleted; nil if there is none.
func (s *subject) find(n int, deleted bool) *version {
	vs := s.visible(deleted)
	if len(vs) == 0 {
		return nil
	}
	if n == latest {
		return vs[len(vs)-1]
	}
	for _, v := range vs {
		if v.number == n {
			return v
		}
	}
	return nil
}

// latest stands for the version "latest" (or -1) in a path.
const latest = -1

// parseVersion reads a version in a path: "latest", -1, or 1 to 2^31-1.
func parseVersion(s string) (int, *apiError) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "latest") {
		return latest, nil
	}
	n, err := strconv.ParseInt(t, 10, 32)
	if err != nil || (n <= 0 && n != latest) {
		return 0, errInvalidVersion(s)
	}
	return int(n), nil
}

// validSubject: a subject name is not empty and holds no control characters.
func validSubject(name string) bool {
	return name != "" && strings.IndexFunc(name, unicode.IsControl) < 0
}

// schemaOf is the stored schema of a version.
func (r *Registry) schemaOf(v *version) *stored { return r.schemas[v.id-1] }

// subjectNames lists the subjects with a version (soft-deleted ones only
// with deleted), sorted.
func (r *Registry) subjectNames(deleted bool) []string {
	var names []string
	for name, s := range r.subjects {
		if s.live(deleted) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// earlierVersions are a subject's versions that are not deleted, which a
// new schema is checked against, oldest first.
func (r *Registry) earlierVersions(s *subject) []earlier {
	var olds []earlier
	for _, v := range s.visible(false) {
		st := r.schemaOf(v)
		olds = append(olds, earlier{version: v.number, text: st.text, schema: st.schema})
	}
	return olds
}

// usages lists the subject versions that use schema id (soft-deleted ones
// only with deleted), by subject and version.
func (r *Registry) usages(id int, deleted bool) []subjectVersion {
	var out []subjectVersion
	for _, name := range r.subjectNames(true) {
		for _, v := range r.subjects[name].visible(deleted) {
			if v.id == id {
				out = append(out, subjectVersion{Subject: name, Version: v.number})
			}
		}
	}
	return out
}

// subjectVersion names one version of a subject.
type subjectVersion struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}
