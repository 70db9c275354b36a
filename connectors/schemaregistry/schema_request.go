package schemaregistry

import (
	"encoding/json"
	"strings"
)

// schemaRequest is the body of a register, lookup or compatibility call.
type schemaRequest struct {
	Schema     string            `json:"schema"`
	SchemaType string            `json:"schemaType"`
	References []json.RawMessage `json:"references"`
	ID         *int              `json:"id"`
	Version    *int              `json:"version"`
	Metadata   json.RawMessage   `json:"metadata"`
	RuleSet    json.RawMessage   `json:"ruleSet"`
}

// readSchema decodes a schema request and parses its Avro schema. tide's
// registry holds Avro schemas only, without references, metadata or rule
// sets: anything else is refused rather than stored unchecked.
func readSchema(c *call) (*schemaRequest, *avroSchema, *apiError) {
	var body schemaRequest
	if err := c.decode(&body); err != nil {
		return nil, nil, err
	}
	if t := strings.ToUpper(strings.TrimSpace(body.SchemaType)); t != "" && t != "AVRO" {
		return nil, nil, errInvalidSchema("schemaType %s is not supported by tide's schema registry, which holds AVRO schemas only", body.SchemaType)
	}
	if len(body.References) > 0 {
		return nil, nil, errInvalidSchema("schema references are not supported by tide's schema registry; send the schema with its named types defined inline")
	}
	for name, v := range map[string]json.RawMessage{"metadata": body.Metadata, "ruleSet": body.RuleSet} {
		if len(v) > 0 && string(v) != "null" {
			return nil, nil, errInvalidSchema("%s is not supported by tide's schema registry", name)
		}
	}
	s, err := parseAvro(body.Schema)
	if err != nil {
		return nil, nil, errInvalidSchema("Invalid schema: %v", err)
	}
	return &body, s, nil
}

// schemaResponse is a version of a subject.
type schemaResponse struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
	Schema  string `json:"schema"`
}

func (r *Registry) response(name string, v *version) schemaResponse {
	return schemaResponse{Subject: name, Version: v.number, ID: v.id, Schema: r.schemaOf(v).text}
}
