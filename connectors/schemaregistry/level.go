package schemaregistry

import "strings"

// Level is a subject's compatibility level: which earlier versions a new
// schema is checked against, and in which direction.
type Level string

// The compatibility levels of Confluent's registry. BACKWARD: the new
// schema reads data written with the latest one; FORWARD: the latest reads
// data written with the new one; FULL: both; *_TRANSITIVE: the same against
// every earlier version, not only the latest; NONE: no check.
const (
	Backward           Level = "BACKWARD"
	BackwardTransitive Level = "BACKWARD_TRANSITIVE"
	Forward            Level = "FORWARD"
	ForwardTransitive  Level = "FORWARD_TRANSITIVE"
	Full               Level = "FULL"
	FullTransitive     Level = "FULL_TRANSITIVE"
	None               Level = "NONE"
)

// DefaultLevel is the global level until PUT /config changes it.
const DefaultLevel = Backward

// parseLevel reads a level name in any case; ok is false for an unknown one.
func parseLevel(s string) (Level, bool) {
	l := Level(strings.ToUpper(strings.TrimSpace(s)))
	switch l {
	case Backward, BackwardTransitive, Forward, ForwardTransitive, Full, FullTransitive, None:
		return l, true
	}
	return "", false
}

// transitive levels check every earlier version, the others the latest.
func (l Level) transitive() bool {
	return strings.HasSuffix(string(l), "_TRANSITIVE")
}

// newReadsOld: the new schema must read data written with earlier ones.
func (l Level) newReadsOld() bool {
	return l == Backward || l == BackwardTransitive || l == Full || l == FullTransitive
}

// oldReadsNew: earlier schemas must read data written with the new one.
func (l Level) oldReadsNew() bool {
	return l == Forward || l == ForwardTransitive || l == Full || l == FullTransitive
}
