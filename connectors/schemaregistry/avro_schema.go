package schemaregistry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hamba/avro/v2"
)

// avroSchema is an Avro schema as the registry keeps it: parsed, and in
// normalized form (see normalizeAvro), which identifies it.
type avroSchema struct {
	parsed     avro.Schema
	normalized string
	compact    string // the text as sent, without insignificant whitespace
}

// parseAvro parses and checks an Avro schema: well-formed JSON, known
// types, valid names and defaults (hamba/avro's parser, with a cache of
// its own so that names of other schemas never leak in).
func parseAvro(text string) (*avroSchema, error) {
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("empty schema")
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	if dec.More() {
		return nil, errors.New("not JSON: text after the schema")
	}
	parsed, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
	if err != nil {
		return nil, err
	}
	normalized, err := normalizeAvro(doc)
	if err != nil {
		return nil, err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(text)); err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	return &avroSchema{parsed: parsed, normalized: normalized, compact: compact.String()}, nil
}
