package schemaregistry

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hamba/avro/v2"
)

// incompatibility is one reason why a reader schema cannot read all the
// data of a writer schema, as Avro's Java SchemaCompatibility names them
// (Confluent's registry reports these).
type incompatibility struct {
	kind   string // NAME_MISMATCH, FIXED_SIZE_MISMATCH, MISSING_ENUM_SYMBOLS, ...
	path   string // JSON pointer into the reader schema: /fields/2/type
	detail string // what differs
}

// Kinds of incompatibility.
const (
	nameMismatch       = "NAME_MISMATCH"
	fixedSizeMismatch  = "FIXED_SIZE_MISMATCH"
	missingEnumSymbols = "MISSING_ENUM_SYMBOLS"
	missingDefault     = "READER_FIELD_MISSING_DEFAULT_VALUE"
	typeMismatch       = "TYPE_MISMATCH"
	missingUnionBranch = "MISSING_UNION_BRANCH"
)

// readIncompatibilities lists why reader cannot read everything written
// with writer, by the Avro specification's schema-resolution rules; none
// means that it can. The rules, as the specification states them:
//   - same primitive types match; int is promoted to long, float and
//     double, long to float and double, float to double, string to bytes and
//     bytes to string;
//   - records, enums and fixed match by unqualified name, or when the
//     reader lists the writer's full name among its aliases;
//   - a reader field is read from the writer field of the same name (or
//     one of the reader field's aliases), and needs a default when the
//     writer has none; writer fields the reader lacks are skipped;
//   - every writer enum symbol must be a reader symbol, unless the reader
//     has a default symbol;
//   - fixed sizes must be equal; arrays and maps match by items and values;
//   - every branch of a writer union must be readable; a writer non-union
//     must be readable by some branch of a reader union.
//
// hamba/avro's SchemaCompatibility applies the same rules, but stops at the
// first problem without saying where it is, and caches its answers by the
// schemas' canonical fingerprints, which leave defaults and aliases out (a
// reader without a default is then taken for one with it). The tests check
// both against the specification's cases.
func readIncompatibilities(reader, writer avro.Schema) []incompatibility {
	c := &compatChecker{memo: map[[2]avro.Schema][]incompatibility{}}
	found := c.check(reader, writer)
	for i := range found {
		if found[i].path == "" {
			found[i].path = "/"
		}
	}
	return found
}

// compatChecker walks a reader and a writer schema together, remembering
// what each pair gave (paths relative to the pair): recursive types meet
// the same pairs again.
type compatChecker struct {
	memo map[[2]avro.Schema][]incompatibility
}

// check lists why reader cannot read writer, paths relative to them.
func (c *compatChecker) check(reader, writer avro.Schema) []incompatibility {
	reader, writer = deref(reader), deref(writer)
	pair := [2]avro.Schema{reader, writer}
	if found, ok := c.memo[pair]; ok {
		return found // nil while under way higher up: compatible unless shown otherwise there
	}
	c.memo[pair] = nil
	found := c.match(reader, writer)
	c.memo[pair] = found
	return found
}

func (c *compatChecker) match(reader, writer avro.Schema) []incompatibility {
	rt, wt := reader.Type(), writer.Type()
	switch {
	case wt == avro.Union:
		return c.matchWriterUnion(reader, writer.(*avro.UnionSchema))
	case rt == avro.Union:
		for _, branch := range reader.(*avro.UnionSchema).Types() {
			if len(c.check(branch, writer)) == 0 {
				return nil
			}
		}
		return one(missingUnionBranch, "", "reader union lacking writer type: %s", typeName(writer))
	case rt != wt:
		if promotable(wt, rt) {
			return nil
		}
		return one(typeMismatch, "", "reader type: %s not compatible with writer type: %s", typeName(reader), typeName(writer))
	case rt == avro.Array:
		return under("/items", c.check(reader.(*avro.ArraySchema).Items(), writer.(*avro.ArraySchema).Items()))
	case rt == avro.Map:
		return under("/values", c.check(reader.(*avro.MapSchema).Values(), writer.(*avro.MapSchema).Values()))
	case rt == avro.Fixed:
		r, w := reader.(*avro.FixedSchema), writer.(*avro.FixedSchema)
		found := matchName(r, w)
		if r.Size() != w.Size() {
			found = append(found, one(fixedSizeMismatch, "/size", "expected: %d, found: %d", w.Size(), r.Size())...)
		}
		return found
	case rt == avro.Enum:
		r, w := reader.(*avro.EnumSchema), writer.(*avro.EnumSchema)
		return append(matchName(r, w), matchSymbols(r, w)...)
	case rt == avro.Record:
		r, w := reader.(*avro.RecordSchema), writer.(*avro.RecordSchema)
		return append(matchName(r, w), c.matchFields(r, w)...)
	}
	return nil // the same primitive type
}

// matchWriterUnion: each branch of the writer's union must be readable.
func (c *compatChecker) matchWriterUnion(reader avro.Schema, writer *avro.UnionSchema) []incompatibility {
	var found []incompatibility
	for i, branch := range writer.Types() {
		if reader.Type() != avro.Union {
			found = append(found, c.check(reader, branch)...)
		} else if len(c.check(reader, branch)) > 0 {
			found = append(found, one(missingUnionBranch, "/"+strconv.Itoa(i), "reader union lacking writer type: %s", typeName(branch))...)
		}
	}
	return found
}

func matchName(reader, writer avro.NamedSchema) []incompatibility {
	if reader.Name() == writer.Name() || slices.Contains(reader.Aliases(), writer.FullName()) {
		return nil
	}
	return one(nameMismatch, "/name", "expected: %s", writer.FullName())
}

func matchSymbols(reader, writer *avro.EnumSchema) []incompatibility {
	var missing []string
	for _, s := range writer.Symbols() {
		if !slices.Contains(reader.Symbols(), s) {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 || reader.HasDefault() {
		return nil
	}
	sort.Strings(missing)
	return one(missingEnumSymbols, "/symbols", "[%s]", strings.Join(missing, ", "))
}

func (c *compatChecker) matchFields(reader, writer *avro.RecordSchema) []incompatibility {
	var found []incompatibility
	for i, rf := range reader.Fields() {
		at := "/fields/" + strconv.Itoa(i)
		if wf := writerField(writer, rf); wf != nil {
			found = append(found, under(at+"/type", c.check(rf.Type(), wf.Type()))...)
		} else if !rf.HasDefault() {
			found = append(found, one(missingDefault, at, "%s", rf.Name())...)
		}
	}
	return found
}

// one is a single incompatibility at path.
func one(kind, path, format string, args ...any) []incompatibility {
	return []incompatibility{{kind: kind, path: path, detail: fmt.Sprintf(format, args...)}}
}

// under places incompatibilities found below path.
func under(path string, found []incompatibility) []incompatibility {
	out := make([]incompatibility, len(found))
	for i, f := range found {
		f.path = path + f.path
		out[i] = f
	}
	return out
}

// writerField is the writer's field that the reader's field f reads: the
// one of the same name, else one named by an alias of f.
func writerField(writer *avro.RecordSchema, f *avro.Field) *avro.Field {
	for _, wf := range writer.Fields() {
		if wf.Name() == f.Name() {
			return wf
		}
	}
	for _, wf := range writer.Fields() {
		if slices.Contains(f.Aliases(), wf.Name()) {
			return wf
		}
	}
	return nil
}

// promotable: data of type from can be read as type to.
func promotable(from, to avro.Type) bool {
	switch from {
	case avro.Int:
		return to == avro.Long || to == avro.Float || to == avro.Double
	case avro.Long:
		return to == avro.Float || to == avro.Double
	case avro.Float:
		return to == avro.Double
	case avro.String:
		return to == avro.Bytes
	case avro.Bytes:
		return to == avro.String
	}
	return false
}

// deref is the named schema a reference to a recursive type stands for.
func deref(s avro.Schema) avro.Schema {
	if r, ok := s.(*avro.RefSchema); ok {
		return r.Schema()
	}
	return s
}

// typeName names a schema's type as Avro's Java library does (INT, RECORD).
func typeName(s avro.Schema) string {
	return strings.ToUpper(string(deref(s).Type()))
}
