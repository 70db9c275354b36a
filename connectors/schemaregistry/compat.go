package schemaregistry

import (
	"fmt"
	"strings"
)

// earlier is an earlier version of a subject, which a new schema is
// checked against.
type earlier struct {
	version int
	text    string
	schema  *avroSchema
}

// compatibilityMessages says why schema may not follow the versions olds
// (ascending) under level, as Confluent's registry words it; none means it
// may. Non-transitive levels check the latest version only; transitive
// ones check every version, the latest first, and report the first that
// refuses.
func compatibilityMessages(level Level, schema *avroSchema, olds []earlier) []string {
	if level == None || len(olds) == 0 {
		return nil
	}
	if !level.transitive() {
		olds = olds[len(olds)-1:]
	}
	for i := len(olds) - 1; i >= 0; i-- {
		if msgs := versionMessages(level, schema, olds[i]); len(msgs) > 0 {
			return append(msgs, fmt.Sprintf("{compatibility: '%s'}", level))
		}
	}
	return nil
}

// versionMessages checks schema against one earlier version.
func versionMessages(level Level, schema *avroSchema, old earlier) []string {
	var msgs []string
	if level.oldReadsNew() {
		for _, in := range readIncompatibilities(old.schema.parsed, schema.parsed) {
			msgs = append(msgs, describe(in, "old", "new"))
		}
	}
	if level.newReadsOld() {
		for _, in := range readIncompatibilities(schema.parsed, old.schema.parsed) {
			msgs = append(msgs, describe(in, "new", "old"))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return append(msgs, fmt.Sprintf("{oldSchemaVersion: %d}", old.version), fmt.Sprintf("{oldSchema: '%s'}", old.text))
}

// describe words an incompatibility found with the reader and writer
// schemas called reader and writer ("new", "old"), in the shape of
// Confluent's messages: {errorType:'...', description:'...', additionalInfo:'...'}.
func describe(in incompatibility, reader, writer string) string {
	var d string
	switch in.kind {
	case fixedSizeMismatch:
		d = fmt.Sprintf("The size of FIXED type field at path '%s' in the %s schema does not match with the %s schema", in.path, reader, writer)
	case typeMismatch:
		d = fmt.Sprintf("The type (path '%s') of a field in the %s schema does not match with the %s schema", in.path, reader, writer)
	case nameMismatch:
		d = fmt.Sprintf("The name of the schema has changed (path '%s')", in.path)
	case missingEnumSymbols:
		d = fmt.Sprintf("The %s schema is missing enum symbols '%s' at path '%s' in the %s schema", reader, in.detail, in.path, writer)
	case missingUnionBranch:
		d = fmt.Sprintf("The %s schema is missing a type inside a union field at path '%s' in the %s schema", reader, in.path, writer)
	case missingDefault:
		d = fmt.Sprintf("The field '%s' at path '%s' in the %s schema has no default value and is missing in the %s schema", in.detail, in.path, reader, writer)
	}
	return fmt.Sprintf("{errorType:'%s', description:'%s', additionalInfo:'%s'}", in.kind, d, strings.ReplaceAll(in.detail, "'", `\'`))
}
