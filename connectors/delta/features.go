package delta

import (
	"fmt"
	"slices"
	"strings"
)

// The protocol versions and table features tide reads and writes. A table
// needing anything else is refused with the name of what it needs; a
// feature is never silently ignored, since ignoring one reads wrong rows
// (deletion vectors) or writes a table other engines then misread.

// readerFeatures are the reader features tide implements.
var readerFeatures = []string{
	"columnMapping",   // physical column names and ids (colmap.go)
	"deletionVectors", // deleted rows of a file (dv.go)
	"timestampNtz",    // timestamps without time zone
	"v2Checkpoint",    // UUID-named checkpoints and sidecars
	"typeWidening",    // files may hold a narrower type than the table
	"typeWidening-preview",
	"vacuumProtocolCheck", // nothing to do when reading
}

// writerFeatures are the writer features tide implements when appending to
// or merging into a table. Writers must also implement the reader ones.
var writerFeatures = []string{
	"appendOnly",          // delta.appendOnly is honoured
	"invariants",          // refused below if a column has one
	"timestampNtz",        // nothing to do for the columns tide writes
	"vacuumProtocolCheck", // tide vacuums only tables it checked for writing
}

// legacyWriterFeature names the feature that made a table need writer
// versions 3 to 6, the versions before table features.
var legacyWriterFeature = map[int32]string{
	3: "checkConstraints",
	4: "generatedColumns",
	5: "columnMapping",
	6: "identityColumns",
}

// checkProtocol refuses tables that need what tide does not support: for
// reading, or (write) for appending and merging too.
func (s *snapshot) checkProtocol(root string, write bool) error {
	p := s.protocol
	switch v := p.MinReaderVersion; {
	case v > 3:
		return fmt.Errorf("delta table at %s needs reader version %d, which tide does not support (it reads versions 1 to 3)", root, v)
	case v == 3:
		for _, f := range p.ReaderFeatures {
			if !slices.Contains(readerFeatures, f) {
				return fmt.Errorf("delta table at %s needs reader feature %q, which tide does not support", root, f)
			}
		}
	}
	if !write {
		return nil
	}
	switch v := p.MinWriterVersion; {
	case v > 7:
		return fmt.Errorf("delta table at %s needs writer version %d, which tide does not support (it writes versions 1, 2 and 7)", root, v)
	case v == 7:
		for _, f := range p.WriterFeatures {
			if !slices.Contains(writerFeatures, f) {
				return fmt.Errorf("delta table at %s needs writer feature %q, which tide does not support", root, f)
			}
		}
	case v > 2:
		return fmt.Errorf("delta table at %s needs writer version %d (writer feature %q), which tide does not support (it writes versions 1, 2 and 7)",
			root, v, legacyWriterFeature[v])
	}
	for _, c := range s.columns {
		if c.invariant {
			return fmt.Errorf("delta table at %s: column %q has a delta.invariants constraint, which tide does not enforce, so it does not write the table", root, c.name)
		}
	}
	return nil
}

// columnMappingMode is the table's column mapping mode: "none", "name" or
// "id". The table property counts only when the protocol supports column
// mapping (reader version 2, or 3 with the feature).
func (s *snapshot) columnMappingMode() string {
	p := s.protocol
	supported := p.MinReaderVersion == 2 || (p.MinReaderVersion == 3 && slices.Contains(p.ReaderFeatures, "columnMapping"))
	if !supported {
		return "none"
	}
	switch m := strings.ToLower(s.metadata.Configuration["delta.columnMapping.mode"]); m {
	case "name", "id":
		return m
	}
	return "none"
}
